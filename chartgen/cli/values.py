"""``chartgen values validate``: check values files against a chart's ``values.schema.json``
(chartgen.values.validate does the work). It runs as a pre-commit hook on every commit, so
everything beyond typer is imported inside the command: start-up is most of its run time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from chartgen.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, fail, reports_errors
from chartgen.errors import UserError

app = typer.Typer(help="Work with values files.", no_args_is_help=True)


@app.command("validate")
@reports_errors
def validate_command(
    files: Annotated[list[Path], typer.Argument(help="Values files to check.", show_default=False)],
    chart: Annotated[
        Path | None,
        typer.Option("--chart", help="Check against this chart (default: the project's chart)."),
    ] = None,
    project_dir: Annotated[
        Path | None,
        typer.Option("--project", help="Project directory (default: found from the current one)."),
    ] = None,
) -> None:
    """Validate values files against the chart's values.schema.json, naming file:line:column."""
    from chartgen.values.validate import SCHEMA_FILE, chart_defaults, check_file, load_validator

    chart_dir = chart if chart is not None else _project_chart(project_dir)
    validator = load_validator(chart_dir)
    defaults = chart_defaults(chart_dir)
    invalid, unreadable = 0, 0
    for file in files:
        try:
            problems = check_file(file, validator, defaults)
        except UserError as exc:
            fail(str(exc))
            unreadable += 1
            continue
        invalid += bool(problems)
        for problem in problems:
            typer.echo(problem.describe(file))
    schema = _shown(chart_dir / SCHEMA_FILE)
    if unreadable or invalid:
        typer.echo(
            f"{invalid + unreadable} of {len(files)} values files not valid against {schema}", err=True
        )
        raise typer.Exit(EXIT_USAGE if unreadable else EXIT_FINDINGS)
    typer.echo(f"{len(files)} values file{'s' if len(files) > 1 else ''} valid against {schema}")
    raise typer.Exit(EXIT_OK)


def _shown(path: Path) -> Path:
    """``path`` relative to the current directory when it is below it, as users typed it."""
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path


def _project_chart(project_dir: Path | None) -> Path:
    from chartgen.project import NoProject, load_project

    try:
        return load_project(project_dir).chart_dir
    except NoProject as exc:
        raise UserError(f"{exc}; pass --chart PATH to validate against another chart") from None
