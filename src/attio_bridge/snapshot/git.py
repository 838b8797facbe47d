"""The project's git repository, through dulwich: commits of the snapshot's own files only.

``ProjectRepo(project_dir)`` opens the repository whose work tree is ``project_dir``
(``NotARepositoryError`` otherwise; ``init_project`` makes one). ``commit(changes, message,
author)`` writes each changed file into the work tree and makes one commit whose tree is
HEAD's with exactly those paths replaced or removed: what the user changed or staged
elsewhere is neither staged nor committed, and stays as it was. The git index is updated for
those paths only, so ``git status`` shows them clean. The user's hooks are not run (a hook
could stage other files). Two commits of one repository take turns on a lock file in
``.git`` (``locked()``), which callers hold from choosing file names to committing them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dulwich.errors import NotGitRepository
from dulwich.index import index_entry_from_stat
from dulwich.object_store import commit_tree_changes
from dulwich.objects import Blob, ObjectID, Tree
from dulwich.objects import Commit as DulwichCommit
from dulwich.repo import Repo
from filelock import FileLock

from ..errors import InvalidInputError

__all__ = ["DEFAULT_AUTHOR", "Commit", "NotARepositoryError", "ProjectRepo", "init_project"]

DEFAULT_AUTHOR = "attio-bridge <attio-bridge@localhost>"
_FILE_MODE = 0o100644
_LOCK = "attio-bridge-snapshot.lock"
_LOCK_SECONDS = 120.0


class NotARepositoryError(InvalidInputError):
    """The project folder is not the work tree of a git repository."""


@dataclass(frozen=True)
class Commit:
    """One commit of a snapshot file's history: its sha, message, time (UTC) and author."""

    sha: str
    message: str
    time: datetime
    author: str


def init_project(project_dir: Path) -> None:
    """Make ``project_dir`` (created if missing) a git repository; one already is left as is."""
    project_dir.mkdir(parents=True, exist_ok=True)
    if not (project_dir / ".git").exists():
        Repo.init(str(project_dir)).close()


def _write_files(root: Path, changes: Mapping[str, bytes | None]) -> None:
    """Each of ``changes`` written under ``root`` (None: removed). Not through a temporary
    file each: the commit, made from the contents in memory, is whole whatever happens here,
    and a file cut short by a crash differs from its record, so the next import rewrites it."""
    folders: set[Path] = set()
    for path, content in changes.items():
        target = root / path
        if content is None:
            target.unlink(missing_ok=True)
            continue
        if target.parent not in folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
        target.write_bytes(content)


class ProjectRepo:
    """The git repository whose work tree is ``project_dir``."""

    def __init__(self, project_dir: Path) -> None:
        self.root = project_dir
        try:
            self._repo = Repo(str(project_dir))
        except NotGitRepository:
            raise NotARepositoryError(
                f"{project_dir} is not a git repository; run `git init` there, or pass "
                "init=True (the command's --init) to make one"
            ) from None

        self._lock = FileLock(str(Path(self._repo.controldir()) / _LOCK), timeout=_LOCK_SECONDS)

    def locked(self) -> FileLock:
        """The repository's lock (a file in ``.git``), to hold across choosing file names and
        committing them, so that two imports never pick one name. Re-entrant in a thread;
        ``commit`` takes it too."""
        return self._lock

    def close(self) -> None:
        """Release the repository's files."""
        self._repo.close()

    def default_author(self) -> str | None:
        """``Name <email>`` from the repository's git configuration (with the user's), or
        None when either is unset."""
        config = self._repo.get_config_stack()
        try:
            name = config.get((b"user",), b"name")
            email = config.get((b"user",), b"email")
        except KeyError:
            return None
        return f"{name.decode()} <{email.decode()}>"

    def _head(self) -> bytes | None:
        try:
            return self._repo.head()
        except KeyError:
            return None  # no commit yet

    def read(self, path: str) -> bytes | None:
        """The content of ``path`` (relative, posix) in the work tree, or None."""
        try:
            return (self.root / path).read_bytes()
        except FileNotFoundError:
            return None

    def commit(
        self, changes: Mapping[str, bytes | None], message: str, author: str = DEFAULT_AUTHOR
    ) -> str | None:
        """Write each ``changes`` path (relative, posix; None: remove it) into the work tree
        and commit exactly those paths on HEAD's tree. The new commit's sha, or None when the
        tree is the same as HEAD's (nothing to commit)."""
        if not changes:
            return None
        with self.locked():
            head = self._head()
            if head is None:
                base = Tree()
                self._repo.object_store.add_object(base)
            else:
                commit = self._repo[head]
                assert isinstance(commit, DulwichCommit)
                base_tree = self._repo[commit.tree]
                assert isinstance(base_tree, Tree)
                base = base_tree
            tree_changes: list[tuple[bytes, int | None, ObjectID | None]] = []
            blobs: dict[str, Blob] = {}
            for path, content in sorted(changes.items()):
                if content is None:
                    tree_changes.append((path.encode(), None, None))
                    continue
                blobs[path] = blob = Blob.from_string(content)
                tree_changes.append((path.encode(), _FILE_MODE, blob.id))
            # One pack for them all: a loose object a blob costs a file and a rename each.
            self._repo.object_store.add_objects([(b, None) for b in blobs.values()])
            tree = commit_tree_changes(self._repo.object_store, base.id, tree_changes)
            _write_files(self.root, changes)
            self._update_index(changes, blobs)
            if tree == base.id:
                return None
            who = author.encode()
            sha = self._repo.get_worktree().commit(
                message=message.encode(),
                committer=who,
                author=who,
                tree=tree,
                no_verify=True,
            )
            return sha.decode()

    def _update_index(self, changes: Mapping[str, bytes | None], blobs: Mapping[str, Blob]) -> None:
        """The git index entries of ``changes``' paths, as the work tree and the commit have
        them; every other entry (what the user staged) left alone."""
        index = self._repo.open_index()
        for path, content in changes.items():
            key = path.encode()
            if content is None:
                if key in index:
                    del index[key]
            else:
                st = os.lstat(self.root / path)
                index[key] = index_entry_from_stat(st, blobs[path].id, mode=_FILE_MODE)
        index.write()

    def history(self, path: str) -> list[Commit]:
        """The commits that changed ``path``, newest first."""
        head = self._head()
        if head is None:
            return []
        found = []
        for entry in self._repo.get_walker(include=[ObjectID(head)], paths=[path.encode()]):
            commit = entry.commit
            found.append(
                Commit(
                    sha=commit.id.decode(),
                    message=commit.message.decode("utf-8", "replace").strip(),
                    time=datetime.fromtimestamp(commit.author_time, UTC),
                    author=commit.author.decode("utf-8", "replace"),
                )
            )
        return found
