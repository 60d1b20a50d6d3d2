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


def make_environment(templates_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
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
    """Render one source template; Jinja errors become a UserError naming file and line."""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise UserError(f"template syntax error: {exc.message}", f"{exc.filename or name}:{exc.lineno}") from None
    except jinja2.TemplateNotFound as exc:
        raise UserError(f"template not found: {exc.name}", name) from None
    except (jinja2.UndefinedError, TypeError, ValueError, KeyError) as exc:
        raise UserError(f"template error: {exc}", _failing_location(exc, name)) from None


def _failing_location(exc: BaseException, fallback: str) -> str:
    """``file:line`` of the innermost Jinja template frame in the traceback."""
    location = fallback
    tb = exc.__traceback__
    while tb is not None:
        template = tb.tb_frame.f_globals.get("__jinja_template__")
        if template is not None:
            location = f"{template.filename}:{template.get_corresponding_lineno(tb.tb_lineno)}"
        tb = tb.tb_next
    return location
