"""``chartgen lint CHART...``: lint any chart like ``helm lint`` / ``ct lint``."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from chartgen.cli.common import check_output, reports_errors, write_output
from chartgen.errors import UserError

FORMAT_HELP = (
    "Report format: text, json, junit, sarif, github, or auto (github under GitHub Actions, else text)."
)


class ChartOrCommand(TyperGroup):
    """The ``lint`` group: ``lint matrix`` and ``lint report`` are commands, anything else names
    charts (``chartgen lint ./mychart``), so the command reads like ``helm lint``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer's vendored click Context
        wants_help = not args or args[0] in ("--help", "-h")
        if not wants_help and args[0] not in self.commands:
            args = ["chart", *args]  # options first (`lint -f x.yaml ./chart`) name a chart too
        return super().parse_args(ctx, args)


def _check_names(incomplete: str) -> list[str]:
    from chartgen.checks import all_checks

    return [name for c in all_checks() for name in (c.id, c.code) if name.startswith(incomplete)]


@reports_errors
def lint_chart_command(
    charts: Annotated[list[Path], typer.Argument(help="Chart directories or packaged charts (.tgz).")],
    values: Annotated[
        list[Path] | None,
        typer.Option("--values", "-f", help="Values file (repeatable): one scenario instead of ci/."),
    ] = None,
    set_values: Annotated[
        list[str] | None,
        typer.Option("--set", help="Set values on the command line (repeatable): a.b=1,c=x."),
    ] = None,
    release: Annotated[
        str | None, typer.Option("--release", help="Release name (default: release-name).")
    ] = None,
    namespace: Annotated[
        str | None, typer.Option("--namespace", "-n", help="Namespace (default: default).")
    ] = None,
    api_versions: Annotated[
        list[str] | None,
        typer.Option(
            "--api-versions", "-a", help="Kubernetes API versions for Capabilities.APIVersions (repeatable)."
        ),
    ] = None,
    k8s_version: Annotated[
        list[str] | None,
        typer.Option("--k8s-version", help="Kubernetes version to check against (repeatable)."),
    ] = None,
    crd_schema: Annotated[
        list[Path] | None,
        typer.Option("--crd-schema", help="CRD or JSON schema file for custom resources (repeatable)."),
    ] = None,
    enable: Annotated[
        list[str] | None,
        typer.Option(
            "--enable",
            help="Run this check (id or code) at its own level (repeatable).",
            autocompletion=_check_names,
        ),
    ] = None,
    disable: Annotated[
        list[str] | None,
        typer.Option(
            "--disable", help="Do not run this check (id or code, repeatable).", autocompletion=_check_names
        ),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="Lint configuration (a file with a lint: section).")
    ] = None,
    format: Annotated[str, typer.Option("--format", help=FORMAT_HELP)] = "auto",
    output: Annotated[Path | None, typer.Option("--output", help="Write the report to this file.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail the run too.")] = False,
) -> None:
    """Lint charts: the defaults and each ci/*-values.yaml (or -f/--set), every check."""
    from chartgen.anychart import ChartLintOptions, LibraryChart, build_chart_target, check_chart, open_chart
    from chartgen.engine import run_matrix
    from chartgen.report import render_report, resolve_format, wants_colour

    fmt = resolve_format(format, os.environ)
    check_output(output)
    if len(charts) > 1 and fmt not in ("text", "github"):
        raise UserError(f"--format {fmt} describes one chart: lint one chart per run")
    texts, exit_code = [], 0
    for chart in charts:
        options = ChartLintOptions(
            chart=chart,
            values_files=list(values or []),
            set_values=list(set_values or []),
            release=release,
            namespace=namespace,
            api_versions=list(api_versions or []),
            kube_versions=list(k8s_version or []),
            crd_schemas=list(crd_schema or []),
            enable=list(enable or []),
            disable=list(disable or []),
            config=config,
        )
        chart_dir = open_chart(chart)
        try:
            check_chart(chart_dir)
        except LibraryChart:
            texts.append(
                f"{chart}: a library chart: linted by Helm, never rendered (library charts are not installable)\n"
            )
            continue
        report = run_matrix(build_chart_target(options, chart_dir, Path.cwd()))
        texts.append(
            render_report(report, fmt, colour=output is None and wants_colour(os.environ, sys.stdout))
        )
        exit_code = max(exit_code, report.exit_code(strict))
    write_output("".join(texts), output)
    raise typer.Exit(exit_code)
