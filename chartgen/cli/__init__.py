"""The ``chartgen`` command line. Commands live one per module; this file wires them."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from chartgen import __version__
from chartgen.cli import checks, lint, render, values
from chartgen.cli.common import STATE

app = typer.Typer(
    name="chartgen",
    help="Build the certctl Helm chart from typed values and templates, and lint it across a matrix.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)
app.add_typer(render.app)
app.add_typer(lint.app, name="lint")
app.add_typer(checks.app, name="checks")
app.add_typer(values.app, name="values")


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"chartgen {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", help="Print the version and exit.", is_eager=True, callback=_print_version),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show a Python traceback on errors.")] = False,
) -> None:
    """Build the certctl Helm chart from typed values and templates, and lint it across a matrix."""
    STATE.debug = debug


def main() -> None:
    app(prog_name="chartgen", args=debug_first(sys.argv[1:]))


def debug_first(args: list[str]) -> list[str]:
    """``--debug`` is a global option; accept it after the subcommand too (``lint matrix --debug``)."""
    if "--debug" not in args:
        return args
    before_separator = args[: args.index("--")] if "--" in args else args
    if "--debug" not in before_separator:
        return args
    rest = list(args)
    rest.remove("--debug")
    return ["--debug", *rest]
