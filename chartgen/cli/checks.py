"""``chartgen checks list`` and ``chartgen checks explain``."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from chartgen.cli.common import check_output, reports_errors, write_output
from chartgen.errors import UserError

app = typer.Typer(help="The checks chartgen runs: list them, or explain one.", no_args_is_help=True)


class ListFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"


@app.command("list")
@reports_errors
def list_command(
    format: Annotated[
        ListFormat, typer.Option("--format", help="text, markdown (docs/checks.md) or json.")
    ] = ListFormat.text,
    output: Annotated[Path | None, typer.Option("--output", help="Write to this file.")] = None,
) -> None:
    """List every check with its code, level and description."""
    from chartgen.checks import docs

    check_output(output)
    render = {ListFormat.text: docs.text, ListFormat.markdown: docs.markdown, ListFormat.json: docs.as_json}[
        format
    ]
    write_output(render(), output)


@app.command("explain")
@reports_errors
def explain_command(
    check: Annotated[str, typer.Argument(help="A check id (name-too-long) or code (K8S004).")],
) -> None:
    """Show a check's documentation: what it does, why, examples, references."""
    from chartgen.checks import all_checks, docs, find_check

    found = find_check(check)
    if found is None:
        known = ", ".join(c.id for c in all_checks())
        raise UserError(f"unknown check '{check}'. Known checks: {known}")
    typer.echo(docs.explain(found), nl=False)
