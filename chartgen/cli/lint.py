"""``chartgen lint matrix`` and ``chartgen lint report merge``."""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from chartgen.cli.common import EXIT_OK, reports_errors, write_output
from chartgen.errors import UserError

app = typer.Typer(help="Lint charts: render with the Helm engine and run the checks.", no_args_is_help=True)
report_app = typer.Typer(help="Work with lint reports.", no_args_is_help=True)
app.add_typer(report_app, name="report")


class Tier(str, Enum):
    named = "named"
    pairwise = "pairwise"
    exhaustive = "exhaustive"
    random = "random"


FORMAT_HELP = "Report format: text, json, junit, sarif, github, or auto (github under GitHub Actions, else text)."


@app.command("matrix")
@reports_errors
def matrix_command(
    tier: Annotated[Tier, typer.Option(help="Which scenarios: the named scenario files, or generated ones.")] = Tier.named,
    k8s_version: Annotated[
        Optional[list[str]], typer.Option("--k8s-version", help="Kubernetes version to check against (repeatable).")
    ] = None,
    scenario: Annotated[
        Optional[list[str]], typer.Option("--scenario", help="Only scenarios whose name matches (glob, repeatable).")
    ] = None,
    format: Annotated[str, typer.Option("--format", help=FORMAT_HELP)] = "auto",
    output: Annotated[Optional[Path], typer.Option("--output", help="Write the report to this file.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail the run too.")] = False,
    shard: Annotated[Optional[str], typer.Option("--shard", help="Run part I of N of the matrix, e.g. 2/4.")] = None,
    chart: Annotated[Optional[Path], typer.Option("--chart", help="Lint this chart instead of the project's.")] = None,
    values_dir: Annotated[
        Optional[Path], typer.Option("--values-dir", help="With --chart: each values file in it is a scenario.")
    ] = None,
    crd_schema: Annotated[
        Optional[list[str]], typer.Option("--crd-schema", help="CRD or JSON schema file for custom resources (repeatable).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random tier: the seed.")] = 0,
    count: Annotated[int, typer.Option(help="Random tier: how many value sets.", min=1)] = 50,
    project_dir: Annotated[
        Optional[Path], typer.Option("--project", help="Project directory (default: found from the current one).")
    ] = None,
) -> None:
    """Render every scenario for every Kubernetes version and run every check."""
    from chartgen.engine import run_matrix
    from chartgen.matrix.target import MatrixOptions, build_target
    from chartgen.project import find_project
    from chartgen.report import render_report, resolve_format

    fmt = resolve_format(format, os.environ)
    if values_dir is not None and chart is None:
        raise UserError("--values-dir needs --chart")
    if tier is not Tier.named:
        raise UserError(f"the {tier.value} tier is not available yet; use --tier named")
    project = find_project(project_dir) if chart is None else find_project(project_dir, required=False)
    options = MatrixOptions(
        chart=chart,
        values_dir=values_dir,
        kube_versions=list(k8s_version or []),
        scenarios=list(scenario or []),
        crd_schemas=[Path(p) for p in crd_schema or []],
        shard=shard,
    )
    target = build_target(project, options, project.root if project else Path.cwd())
    report = run_matrix(target)
    write_output(render_report(report, fmt), output)
    raise typer.Exit(report.exit_code(strict))


@report_app.command("merge")
@reports_errors
def merge_command(
    files: Annotated[list[Path], typer.Argument(help="JSON reports of the shards of one matrix.")],
    format: Annotated[str, typer.Option("--format", help=FORMAT_HELP)] = "auto",
    output: Annotated[Optional[Path], typer.Option("--output", help="Write the merged report to this file.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too.")] = False,
) -> None:
    """Merge the JSON reports of matrix shards into one report."""
    from chartgen.report import render_report, resolve_format
    from chartgen.report.merge import load_report, merge_reports

    report = merge_reports([load_report(path) for path in files])
    write_output(render_report(report, resolve_format(format, os.environ)), output)
    raise typer.Exit(report.exit_code(strict) if report else EXIT_OK)
