"""What every command shares: the exit codes and turning errors into messages."""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import typer

from chartgen.errors import UserError

EXIT_OK = 0
EXIT_FINDINGS = 1  # lint errors, or --check found drift
EXIT_USAGE = 2  # bad input: flags, files, values
EXIT_INTERNAL = 3  # a bug in chartgen
EXIT_BROKEN_PIPE = 141  # what a shell reports for a process ended by SIGPIPE

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class State:
    debug: bool = False


STATE = State()


def fail(message: str) -> None:
    typer.echo(f"chartgen: error: {message}", err=True)


def reports_errors(command: F) -> F:
    """Run a command; a UserError becomes a one-paragraph message and exit 2, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except UserError as exc:
            if STATE.debug:
                traceback.print_exc()
            fail(str(exc))
            raise typer.Exit(EXIT_USAGE) from None
        except KeyboardInterrupt:
            fail("interrupted")
            raise typer.Exit(130) from None
        except BrokenPipeError:
            # The reader went away (`chartgen ... | head`): stop quietly, as a SIGPIPE would.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(EXIT_BROKEN_PIPE) from None
        except Exception as exc:  # a bug: say so plainly, keep the traceback behind --debug
            if STATE.debug:
                traceback.print_exc()
            else:
                print(
                    f"chartgen: internal error: {type(exc).__name__}: {exc} (run with --debug for a traceback)",
                    file=sys.stderr,
                )
            raise typer.Exit(EXIT_INTERNAL) from None

    return wrapper  # type: ignore[return-value]


def check_output(output: Path | None) -> None:
    """Refuse an ``--output`` path that cannot be written, before doing the work."""
    if output is None:
        return
    if output.is_dir():
        raise UserError("cannot write the report: the path is a directory; name a file", str(output))
    if not output.parent.is_dir():
        raise UserError("cannot write the report: the directory does not exist", str(output))


def write_output(text: str, output: Path | None) -> None:
    """Print ``text``, or write it to ``output`` whole (a temporary file renamed into place)."""
    if output is None:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    check_output(output)
    partial = output.with_name(f".{output.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, output)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise UserError(f"cannot write the report: {exc.strerror}", str(output)) from None
