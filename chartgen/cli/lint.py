"""``chartgen lint ...``: the lint commands (the matrix arrives with the lint engine)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Lint charts: render with the Helm engine and run the checks.", no_args_is_help=True)
