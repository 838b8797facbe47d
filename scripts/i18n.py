"""The web pages' gettext catalogues: extract, update, compile (Babel), or check them.

    python scripts/i18n.py           # messages.pot from the templates and web/*.py, each
                                     # language's messages.po updated (new strings empty),
                                     # then compiled to messages.mo
    python scripts/i18n.py --check   # fail, naming each problem, when a string is missing or
                                     # untranslated (every plural form), fuzzy, or a .mo is stale

Strings are taken from ``_()``, ``gettext``, ``ngettext`` in the Jinja2 templates
(``jinja2.ext.babel_extract``) and from ``self._t(request, "...")`` in the pages' Python code.
The ``.mo`` files are committed, so a wheel carries them and the service needs no build step.
"""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "src" / "attio_bridge" / "web"
LOCALE = WEB / "locale"
LANGUAGES = ("fr", "ar")
METHODS = [
    ("templates/pages/**.html", "jinja2.ext:babel_extract"),
    ("snapshots.py", "python"),
]
STAMP = datetime(2026, 12, 1, tzinfo=UTC)
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_t": (2,)}


def extract() -> Catalog:
    """Every message of the pages, as a template catalogue."""
    # A fixed date: the catalogues change only when their strings do.
    catalog = Catalog(project="attio-bridge", fuzzy=False, creation_date=STAMP, revision_date=STAMP)
    options = {"templates/pages/**.html": {"extensions": "jinja2.ext.i18n"}}
    for filename, lineno, message, comments, context in extract_from_dir(
        str(WEB), METHODS, keywords=KEYWORDS, options_map=options, strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(lang: str) -> Path:
    """Where ``lang``'s catalogue is."""
    return LOCALE / lang / "LC_MESSAGES" / "messages.po"


def read(lang: str) -> Catalog:
    """``lang``'s catalogue as committed."""
    with po_path(lang).open("rb") as found:
        return read_po(found, locale=lang)


def mo_bytes(catalog: Catalog) -> bytes:
    """``catalog`` compiled."""
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def problems() -> list[str]:
    """What is wrong with the committed catalogues (nothing when complete and compiled)."""
    template = extract()
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    found: list[str] = []
    for lang in LANGUAGES:
        if not po_path(lang).exists():
            found.append(f"{lang}: {po_path(lang)} is missing")
            continue
        catalog = read(lang)
        have = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
        for msgid in sorted(wanted - have.keys()):
            found.append(f"{lang}: {msgid!r} is not in the catalogue")
        for msgid in sorted(wanted & have.keys()):
            message = have[msgid]
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy:
                found.append(f"{lang}: {msgid!r} is fuzzy")
            elif isinstance(message.id, tuple) and len(strings) != catalog.num_plurals:
                found.append(f"{lang}: {msgid!r} has {len(strings)} of {catalog.num_plurals} forms")
            elif not all(strings):
                found.append(f"{lang}: {msgid!r} is not translated")
        mo = po_path(lang).with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != mo_bytes(catalog):
            found.append(f"{lang}: {mo} is missing or stale: run python scripts/i18n.py")
    return found


def update() -> None:
    """Write messages.pot, update each messages.po from it, compile each messages.mo."""
    template = extract()
    LOCALE.mkdir(parents=True, exist_ok=True)
    with (LOCALE / "messages.pot").open("wb") as out:
        write_po(out, template, omit_header=True, sort_output=True, no_location=True)
    for lang in LANGUAGES:
        path = po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            catalog = read(lang)
        else:
            catalog = Catalog(
                locale=lang,
                project="attio-bridge",
                fuzzy=False,
                creation_date=STAMP,
                revision_date=STAMP,
            )
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with path.open("wb") as out:
            write_po(out, catalog, sort_output=True, no_location=True, width=100)
        path.with_suffix(".mo").write_bytes(mo_bytes(read(lang)))


def main(argv: list[str]) -> int:
    """``--check``: report problems (exit 1); otherwise update the catalogues."""
    if argv[1:] == ["--check"]:
        found = problems()
        for problem in found:
            print(problem, file=sys.stderr)
        return 1 if found else 0
    update()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
