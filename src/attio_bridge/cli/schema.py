"""``attio-bridge schema``: the workspace's schema as tables, Markdown or JSON, and codegen.

``attio-bridge schema [--format table|markdown|json] [--object SLUG ...]`` prints the objects
and lists with their attributes (slug, title, type, unique, required, multiselect, writable,
record-reference targets and relationship), select options and statuses. ``attio-bridge schema
codegen --output PATH`` writes a typed Python module of the workspace (``_codegen``).
The schema is loaded with ``attio_bridge.values.load_schema``; connection options and errors
are ``_common``'s.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ._common import (
    App,
    CliError,
    ConnectionOptions,
    ExitStatus,
    connected,
    make_client,
    reporting,
    resolve_settings,
)

if TYPE_CHECKING:
    from ..values.schema import AttributeInfo, TargetSchema, WorkspaceSchema

app = App(
    name="schema",
    help="Print the workspace's objects and lists with their attributes, options and statuses "
    "(as tables, Markdown or JSON); 'codegen' writes a typed Python module of them.",
)


class Format(StrEnum):
    """Output formats of ``attio-bridge schema``."""

    table = "table"
    markdown = "markdown"
    json = "json"


ObjectOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--object",
        help="Only this object or list (slug or id; repeatable).",
        show_default=False,
    ),
]


# -- selecting and rendering ---------------------------------------------------------------------
def select_targets(schema: WorkspaceSchema, only: list[str] | None) -> list[TargetSchema]:
    """Every object then every list, or those named in ``only`` (an object and a list that
    share a slug are both taken); an unknown name is a not-found error."""
    if not only:
        return [*schema.objects.values(), *schema.lists.values()]
    chosen: list[TargetSchema] = []
    for name in only:
        found = [t for t in (schema.object(name), schema.list(name)) if t is not None]
        if not found:
            known = ", ".join(sorted({*schema.objects, *schema.lists}))
            raise CliError(f"no object or list {name!r}; known: {known}", ExitStatus.NOT_FOUND)
        chosen += [t for t in found if t not in chosen]
    return chosen


def attribute_dict(attr: AttributeInfo) -> dict[str, Any]:
    """An attribute as JSON-ready data."""
    return {
        "slug": attr.slug,
        "id": attr.id,
        "title": attr.title,
        "type": attr.type,
        "is_unique": attr.is_unique,
        "is_required": attr.is_required,
        "is_multiselect": attr.is_multiselect,
        "is_writable": attr.is_writable,
        "is_system": attr.is_system,
        "is_archived": attr.is_archived,
        "allowed_targets": list(attr.allowed_targets),
        "relationship": attr.relationship,
        "currency_code": attr.currency_code,
        "options": [
            {"id": c.id, "title": c.title, "is_archived": c.is_archived} for c in attr.options
        ],
        "statuses": [
            {"id": c.id, "title": c.title, "is_archived": c.is_archived} for c in attr.statuses
        ],
    }


def schema_dict(targets: list[TargetSchema]) -> dict[str, Any]:
    """``{"objects": [...], "lists": [...]}``: each with its attributes, as JSON-ready data."""

    def one(t: TargetSchema) -> dict[str, Any]:
        out: dict[str, Any] = {"slug": t.slug, "id": t.id, "name": t.name}
        if t.kind == "list":
            out["parent_object"] = t.parent_object
        out["attributes"] = [attribute_dict(a) for a in t.attributes.values()]
        return out

    return {
        "objects": [one(t) for t in targets if t.kind == "object"],
        "lists": [one(t) for t in targets if t.kind == "list"],
    }


def _target_cell(attr: AttributeInfo) -> str:
    """Where a reference points (and its other side), or a currency's code."""
    text = ", ".join(attr.allowed_targets)
    if attr.relationship:
        text += f" (<-> {attr.relationship})"
    if attr.currency_code:
        text = attr.currency_code
    return text


def _heading(t: TargetSchema) -> str:
    if t.kind == "object":
        return f"Object `{t.slug}`: {t.name}"
    return f"List `{t.slug}`: {t.name} (entries of `{t.parent_object}`)"


def _choice_lines(t: TargetSchema) -> list[tuple[str, str, list[str]]]:
    """``(kind, attribute slug, titles)`` of each select and status attribute of ``t``."""
    out = []
    for a in t.attributes.values():
        if a.type in ("select", "status"):
            titles = [c.title for c in a.choices() if not c.is_archived]
            out.append(("Statuses" if a.type == "status" else "Options", a.slug, titles))
    return out


def _md_cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


COLUMNS = ("Slug", "Title", "Type", "Unique", "Required", "Multiselect", "Writable", "Target")
# The rich tables fold the four flags into one column, to stay readable in 80 columns.
TABLE_COLUMNS = ("Slug", "Title", "Type", "Flags", "Target")


def _row(a: AttributeInfo) -> list[str]:
    return [
        a.slug,
        a.title,
        a.type,
        _yes(a.is_unique),
        _yes(a.is_required),
        _yes(a.is_multiselect),
        _yes(a.is_writable),
        _target_cell(a),
    ]


def schema_markdown(targets: list[TargetSchema]) -> str:
    """The targets as Markdown: a heading and an attribute table each, then options and
    statuses as lists of quoted titles."""
    lines = ["# Workspace schema"]
    for kind, title in (("object", "Objects"), ("list", "Lists")):
        chosen = [t for t in targets if t.kind == kind]
        if not chosen:
            continue
        lines += ["", f"## {title}"]
        for t in chosen:
            lines += ["", f"### {_heading(t)}", ""]
            lines.append("| " + " | ".join(COLUMNS) + " |")
            lines.append("|" + " --- |" * len(COLUMNS))
            for a in t.attributes.values():
                cells = _row(a)
                cells[0] = f"`{cells[0]}`"
                lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
            choices = _choice_lines(t)
            if choices:
                lines.append("")
            for label, slug, titles in choices:
                quoted = ", ".join(json.dumps(x, ensure_ascii=False) for x in titles) or "(none)"
                lines.append(f"- {label} of `{slug}`: {quoted}")
    return "\n".join(lines) + "\n"


def print_tables(targets: list[TargetSchema]) -> None:
    """The targets as rich tables on stdout."""
    from rich.table import Table

    from ._run import console as stdout_console
    from ._run import print_titled

    console = stdout_console()
    for t in targets:
        table = Table()
        for column in TABLE_COLUMNS:
            # Slugs and types are what people copy: never broken across lines.
            table.add_column(column, overflow="fold", no_wrap=column in ("Slug", "Type"))
        for a in t.attributes.values():
            flags = [
                name
                for name, on in (
                    ("unique", a.is_unique),
                    ("required", a.is_required),
                    ("multi", a.is_multiselect),
                    ("read-only", not a.is_writable),
                )
                if on
            ]
            table.add_row(a.slug, a.title, a.type, ", ".join(flags), _target_cell(a))
        print_titled(console, _heading(t).replace("`", ""), table)
        for label, slug, titles in _choice_lines(t):
            console.print(f"  {label} of {slug}: {', '.join(titles) or '(none)'}", markup=False)
        console.print()


# -- commands ------------------------------------------------------------------------------------
# Where ``schema``'s own connection options wait for its subcommand (``schema --api-key K
# codegen``).
_GROUP_OPTIONS = "attio_bridge.schema.options"


def _load(options: ConnectionOptions) -> tuple[WorkspaceSchema, str]:
    """The workspace schema and the base URL it came from."""
    from ..values import load_schema

    with make_client(resolve_settings(options)) as client:
        return load_schema(client), client.base_url


@app.callback(invoke_without_command=True)
@connected
def show(
    ctx: typer.Context,
    format: Annotated[
        Format, typer.Option("--format", "-f", help="table, markdown or json.")
    ] = Format.table,
    json_: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    only: ObjectOpt = None,
    *,
    options: ConnectionOptions,
) -> None:
    """Print the workspace's objects and lists: attributes, select options and statuses."""
    if ctx.invoked_subcommand is not None:
        # The subcommand's own options win over these. Kept in ``meta``: ``obj`` is the
        # run's ``CliEnvironment``.
        ctx.meta[_GROUP_OPTIONS] = options
        return
    with reporting(options):
        schema, _ = _load(options)
        targets = select_targets(schema, only)
        chosen = Format.json if json_ else format
        if chosen is Format.json:
            typer.echo(json.dumps(schema_dict(targets), indent=2, ensure_ascii=False))
        elif chosen is Format.markdown:
            typer.echo(schema_markdown(targets), nl=False)
        else:
            print_tables(targets)


@app.command()
@connected
def codegen(
    ctx: typer.Context,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The Python file to write ('-': stdout).")
    ],
    only: ObjectOpt = None,
    *,
    options: ConnectionOptions,
) -> None:
    """Write a typed Python module of the workspace's objects and lists.

    One TypedDict of writable values per object and list (select options and statuses as
    Literal types, multiselect attributes as lists) and classes of slug constants; the module
    passes mypy --strict.
    """
    from ._codegen import generate_module

    group = ctx.meta.get(_GROUP_OPTIONS)
    if isinstance(group, ConnectionOptions):
        options = options.over(group)
    with reporting(options):
        schema, source = _load(options)
        targets = select_targets(schema, only)
        code = generate_module(targets, source=source)
        if str(output) == "-":
            typer.echo(code, nl=False)
            return
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(code, encoding="utf-8")
        objects = sum(t.kind == "object" for t in targets)
        typer.echo(f"wrote {output}: {objects} objects, {len(targets) - objects} lists", err=True)
