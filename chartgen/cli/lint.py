"""``chartgen lint matrix`` and ``chartgen lint report merge``."""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from chartgen.cli.common import check_output, reports_errors, write_output
from chartgen.errors import UserError

app = typer.Typer(help="Lint charts: render with the Helm engine and run the checks.", no_args_is_help=True)
report_app = typer.Typer(help="Work with lint reports.", no_args_is_help=True)
app.add_typer(report_app, name="report")


class Tier(str, Enum):
    named = "named"
    pairwise = "pairwise"
    exhaustive = "exhaustive"
    random = "random"


FORMAT_HELP = (
    "Report format: text, json, junit, sarif, github, html (a self-contained page), "
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
    from chartgen.matrix.target import MatrixOptions, build_plan
    from chartgen.project import find_project
    from chartgen.report import render_report, resolve_format

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
    check_chart_parses(plan.target)
    report = run_matrix(
        plan.target, progress=_progress_printer(len(plan.target.scenarios) * len(plan.target.kube_versions))
    )
    report.notes = plan.notes + report.notes
    if tier is Tier.random:
        report.notes += shrunk_failures(plan, report)
    write_output(render_report(report, fmt), output)
    raise typer.Exit(report.exit_code(strict))


def check_chart_parses(target) -> None:
    """A chart that cannot render whatever the values is bad input (exit 2), not a finding:
    its values.schema.json must be JSON and its templates must parse as Go templates.

    Helm parses every template before running any, so one render with the chart's own
    defaults shows a parse error; other failures (gates, schema) are left to the checks.
    """
    import json

    from chartgen import helm

    schema = target.chart_dir / "values.schema.json"
    if schema.is_file():
        try:
            json.loads(schema.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise UserError("the chart's values schema is not UTF-8 text", str(schema)) from None
        except json.JSONDecodeError as exc:
            raise UserError(
                f"the chart's values schema is not valid JSON: {exc.msg}",
                f"{schema}:{exc.lineno}:{exc.colno}",
            ) from None
    chart = helm.load_chart(target.chart_dir)
    try:
        helm.render(
            chart,
            {},
            kube_version=target.kube_versions[0] if target.kube_versions else None,
            api_versions=target.api_versions,
        )
    except helm.RenderFailure as failure:
        if failure.message.startswith("parse error") and failure.template:
            relative = failure.template.split("/", 1)[-1]  # Helm names it <chart name>/templates/...
            raise UserError(
                f"the chart's templates do not parse: {failure.message}",
                f"{target.chart_dir / relative}:{failure.line}",
            ) from None


def _progress_printer(total: int):
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


def shrunk_failures(plan, report) -> list[str]:
    """For each failing random scenario, the minimal overlay that still fails, as a note."""
    import yaml

    from chartgen.findings import Level
    from chartgen.matrix.shrink import failure_probe, shrink

    notes = []
    failing: dict[str, tuple[str, set[str]]] = {}
    for result in report.results:
        if result.level == Level.ERROR.value and result.scenario in plan.rows:
            version, checks = failing.setdefault(result.scenario, (result.kube_version, set()))
            checks.add(result.check)
    for name, (version, checks) in sorted(failing.items()):
        minimal = shrink(plan.rows[name], plan.space, failure_probe(plan.target, plan.space, version, checks))
        overlay = yaml.safe_dump(minimal, default_flow_style=False, sort_keys=True).strip()
        notes.append(
            f"{name} fails {', '.join(sorted(checks))}; minimal overlay on {plan.space.base.name} "
            f"(Kubernetes {version}):\n{overlay}"
        )
    return notes


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
