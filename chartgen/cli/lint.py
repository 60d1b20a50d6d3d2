"""``chartgen lint matrix`` and ``chartgen lint report merge``."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from chartgen.cli.common import check_output, reports_errors, write_output
from chartgen.cli.lint_chart import ChartOrCommand, lint_chart_command
from chartgen.errors import UserError

app = typer.Typer(
    cls=ChartOrCommand,
    help="Lint charts: render with the Helm engine and run the checks. `chartgen lint CHART...` lints any chart (`chartgen lint CHART --help` for its options).",
    no_args_is_help=True,
)
app.command("chart", hidden=True)(lint_chart_command)
report_app = typer.Typer(help="Work with lint reports.", no_args_is_help=True)
app.add_typer(report_app, name="report")


class Tier(str, Enum):
    named = "named"
    pairwise = "pairwise"
    exhaustive = "exhaustive"
    random = "random"


FORMAT_HELP = (
    "Report format: text, concise, json, junit, sarif, github, html (a self-contained page), "
    "or auto (github under GitHub Actions, else text)."
)


@app.command("matrix")
@reports_errors
def matrix_command(
    tier: Annotated[
        Tier, typer.Option(help="Which scenarios: the named scenario files, or generated ones.")
    ] = Tier.named,
    k8s_version: Annotated[
        list[str] | None,
        typer.Option("--k8s-version", help="Kubernetes version to check against (repeatable)."),
    ] = None,
    scenario: Annotated[
        list[str] | None,
        typer.Option("--scenario", help="Only scenarios whose name matches (glob, repeatable)."),
    ] = None,
    format: Annotated[str, typer.Option("--format", help=FORMAT_HELP)] = "auto",
    output: Annotated[Path | None, typer.Option("--output", help="Write the report to this file.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail the run too.")] = False,
    shard: Annotated[
        str | None, typer.Option("--shard", help="Run part I of N of the matrix, e.g. 2/4.")
    ] = None,
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Lint this chart instead of the project's.")
    ] = None,
    values_dir: Annotated[
        Path | None,
        typer.Option("--values-dir", help="With --chart: each values file in it is a scenario."),
    ] = None,
    crd_schema: Annotated[
        list[str] | None,
        typer.Option("--crd-schema", help="CRD or JSON schema file for custom resources (repeatable)."),
    ] = None,
    deep: Annotated[
        bool, typer.Option("--deep", help="Also run checks that cost extra renders (unused values).")
    ] = False,
    coverage: Annotated[
        bool, typer.Option("--coverage", help="Measure which template branches the scenarios render.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Random tier: the seed.")] = 0,
    count: Annotated[int, typer.Option(help="Random tier: how many value sets.", min=1)] = 50,
    project_dir: Annotated[
        Path | None,
        typer.Option("--project", help="Project directory (default: found from the current one)."),
    ] = None,
) -> None:
    """Render every scenario for every Kubernetes version and run every check."""
    from chartgen.engine import run_matrix
    from chartgen.matrix.shrink import shrunk_failures
    from chartgen.matrix.target import MatrixOptions, build_plan
    from chartgen.project import find_project
    from chartgen.report import render_report, resolve_format, wants_colour

    fmt = resolve_format(format, os.environ)
    check_output(output)
    if values_dir is not None and chart is None:
        raise UserError("--values-dir needs --chart")
    project = find_project(project_dir) if chart is None else find_project(project_dir, required=False)
    options = MatrixOptions(
        tier=tier.value,
        seed=seed,
        count=count,
        chart=chart,
        values_dir=values_dir,
        kube_versions=list(k8s_version or []),
        scenarios=list(scenario or []),
        crd_schemas=[Path(p) for p in crd_schema or []],
        shard=shard,
        flags=frozenset(name for name, on in (("deep", deep), ("coverage", coverage)) if on),
    )
    plan = build_plan(project, options, project.root if project else Path.cwd())
    report = run_matrix(
        plan.target, progress=_progress_printer(len(plan.target.scenarios) * len(plan.target.kube_versions))
    )
    report.notes = plan.notes + report.notes
    if tier is Tier.random:
        report.notes += shrunk_failures(plan, report)
    write_output(
        render_report(report, fmt, colour=output is None and wants_colour(os.environ, sys.stdout)), output
    )
    raise typer.Exit(report.exit_code(strict))


def _progress_printer(total: int) -> Callable[[int, int], None] | None:
    """A progress line on an interactive terminal for long runs; nothing in CI or pipes."""
    if total < 50 or not sys.stderr.isatty() or os.environ.get("CI"):
        return None

    def show(done: int, of: int) -> None:
        print(
            f"\rrendered {done}/{of} (scenario, version) pairs",
            end="\n" if done == of else "",
            file=sys.stderr,
            flush=True,
        )

    return show


@report_app.command("merge")
@reports_errors
def merge_command(
    files: Annotated[list[Path], typer.Argument(help="JSON reports of the shards of one matrix.")],
    format: Annotated[str, typer.Option("--format", help=FORMAT_HELP)] = "auto",
    output: Annotated[
        Path | None, typer.Option("--output", help="Write the merged report to this file.")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too.")] = False,
) -> None:
    """Merge the JSON reports of matrix shards into one report."""
    from chartgen.report import render_report, resolve_format
    from chartgen.report.merge import load_report, merge_reports

    fmt = resolve_format(format, os.environ)  # flags first: a typo fails before any file is read
    check_output(output)
    report = merge_reports([load_report(path) for path in files])
    write_output(render_report(report, fmt), output)
    raise typer.Exit(report.exit_code(strict))
