"""The Jinja2 environment for chart sources.

Delimiters are ``[[ ]]``, ``[% %]`` and ``[# #]`` so that Helm's ``{{ }}``
passes through untouched; StrictUndefined makes a typo fail the render.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2
import yaml

from chartgen.errors import UserError


class _Loader(jinja2.FileSystemLoader):
    """A FileSystemLoader whose read errors name the file (also for imported macros)."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        try:
            return super().get_source(environment, template)
        except jinja2.TemplateNotFound:  # an OSError too, but one render_template() words itself
            raise
        except UnicodeDecodeError as exc:
            raise UserError(
                f"cannot read template: not UTF-8 text ({exc.reason} at byte {exc.start})",
                str(Path(self.searchpath[0]) / template),
            ) from None
        except OSError as exc:
            raise UserError(
                f"cannot read template: {exc.strerror or exc}", str(Path(self.searchpath[0]) / template)
            ) from None


def make_environment(templates_dir: Path) -> jinja2.Environment:
    if not templates_dir.is_dir():
        raise UserError("templates directory not found", str(templates_dir))
    env = jinja2.Environment(
        loader=_Loader(str(templates_dir)),
        undefined=jinja2.StrictUndefined,
        block_start_string="[%",
        block_end_string="%]",
        variable_start_string="[[",
        variable_end_string="]]",
        comment_start_string="[#",
        comment_end_string="#]",
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters["to_yaml"] = _to_yaml
    env.filters["to_json"] = lambda value: json.dumps(value, sort_keys=True)
    return env


def _to_yaml(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=False, sort_keys=False, width=1000).rstrip("\n")


def render_template(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """Render one source template; every error raised by template code becomes a UserError
    naming the template file and line (the innermost template frame, so a macro's own file)."""
    try:
        return env.get_template(name).render(context)
    except UserError:
        raise
    except jinja2.TemplateSyntaxError as exc:
        raise UserError(
            f"template syntax error: {exc.message}", f"{exc.filename or name}:{exc.lineno}"
        ) from None
    except jinja2.TemplateNotFound as exc:
        # Either ``name`` itself, or a template it imports or includes (then name that line).
        raise UserError(
            f"template not found: {exc.name}", _failing_location(exc) or _source_path(env, name)
        ) from None
    except jinja2.UndefinedError as exc:
        raise UserError(f"template error: {exc}", _failing_location(exc) or _source_path(env, name)) from None
    except Exception as exc:  # raised by template code (a bad filter argument, 1 // 0...): the source's fault
        location = _failing_location(exc)
        if location is None:
            raise  # not from a template: a bug in chartgen, reported as an internal error
        raise UserError(f"template error: {type(exc).__name__}: {exc}", location) from None


def _source_path(env: jinja2.Environment, name: str) -> str:
    """Where template ``name`` is (or would be) on disk, for messages."""
    searchpath = getattr(env.loader, "searchpath", None)
    return str(Path(searchpath[0]) / name) if searchpath else name


def _failing_location(exc: BaseException) -> str | None:
    """``file:line`` of the innermost template frame in the traceback, or None.

    Jinja rewrites template frames into fake ones compiled with the template's
    file name and line (they carry ``__jinja_exception__`` in their globals);
    frames it has not rewritten yet carry ``__jinja_template__``.
    """
    location = None
    tb = exc.__traceback__
    while tb is not None:
        frame_globals = tb.tb_frame.f_globals
        template = frame_globals.get("__jinja_template__")
        if template is not None:
            location = f"{template.filename}:{template.get_corresponding_lineno(tb.tb_lineno)}"
        elif "__jinja_exception__" in frame_globals:
            location = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return location
