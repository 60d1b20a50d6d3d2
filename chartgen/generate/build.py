"""Build every generated file in memory: ``{output dir: {relative path: text}}``.

Nothing here touches the output directories; writer.py does that.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2

from chartgen.catalog import FirstRelease
from chartgen.errors import UserError
from chartgen.generate.jinja import make_environment, render_template
from chartgen.project import Project
from chartgen.values.document import emit_values_yaml, values_table
from chartgen.values.schema import ValuesSchema, first_error, load_values_schema
from chartgen.yamlfiles import load_values

# Chart-level sources under templates/chart/ and where each lands in the chart.
CHART_FILES = {
    "Chart.yaml.j2": "Chart.yaml",
    "README.md.j2": "README.md",
    "helmignore.j2": ".helmignore",
    "NOTES.txt.j2": "templates/NOTES.txt",
    "_helpers.tpl.j2": "templates/_helpers.tpl",
}
VALUES_HEADER = "chart/values.yaml.header.j2"  # the comment block at the top of values.yaml
VALUES_MARKERS = ("<!-- chartgen:values:begin -->", "<!-- chartgen:values:end -->")


def build(project: Project) -> dict[Path, dict[str, str]]:
    """Every generated file, grouped by the output directory it belongs to."""
    values = load_values_schema(project.schemas_dir, project.sections, project.inline_sections)
    env = make_environment(project.templates_dir)
    examples = load_examples(project, values)
    context = {
        "chart": project.chart,
        "defaults": values.defaults,
        "values_table": "\n".join([VALUES_MARKERS[0], values_table(values), VALUES_MARKERS[1]]),
        "examples": examples,
        "components": component_names(project.templates_dir),
        # Gates features on the certctl release that has them (schemas/catalog).
        "certctl_release": FirstRelease(project.catalog_dir),
    }
    chart: dict[str, str] = {}
    for source, target in CHART_FILES.items():
        chart[target] = render_template(env, f"chart/{source}", context)
    chart.update(_render_components(env, project.templates_dir, context))
    header = render_template(env, VALUES_HEADER, context)
    chart["values.yaml"] = emit_values_yaml(values, header)
    chart["values.schema.json"] = json.dumps(values.json_schema(), indent=2) + "\n"
    rendered_examples = {f"{name}.yaml": text for name, (text, _) in examples.items()}
    return {project.chart_dir: chart, project.examples_dir: rendered_examples}


def component_names(templates_dir: Path) -> list[str]:
    components = templates_dir / "components"
    if not components.is_dir():
        raise UserError(
            "the components directory is missing (one subdirectory per component)", str(components)
        )
    return sorted(path.name for path in components.iterdir() if path.is_dir())


def _render_components(
    env: jinja2.Environment, templates_dir: Path, context: dict[str, Any]
) -> dict[str, str]:
    """``components/<c>/<kind>.yaml.j2`` becomes ``templates/<c>-<kind>.yaml``; sources under
    ``components/<c>/tests/`` become Helm test hooks in ``templates/tests/``; a component's
    ``_helpers.tpl.j2`` becomes ``templates/_<c>.tpl``."""
    files: dict[str, str] = {}
    for component in component_names(templates_dir):
        root = templates_dir / "components" / component
        if (root / "_helpers.tpl.j2").is_file():
            files[f"templates/_{component}.tpl"] = render_template(
                env, f"components/{component}/_helpers.tpl.j2", context
            )
        for source in sorted(root.rglob("*.yaml.j2")):
            relative = source.relative_to(root)
            kind = relative.name.removesuffix(".yaml.j2")
            folder = "templates/tests" if relative.parent.name == "tests" else "templates"
            text = render_template(env, f"components/{component}/{relative.as_posix()}", context)
            files[f"{folder}/{component}-{kind}.yaml"] = text
    return files


def load_examples(project: Project, values: ValuesSchema) -> dict[str, tuple[str, dict[str, Any]]]:
    """Example values files and fleet profiles (shipped as ``values-<profile>.yaml``), each
    checked against the values schema: ``{name: (text, data)}``."""
    sources = [(path.stem, path) for path in sorted(project.example_sources.glob("*.yaml"))]
    sources += [(f"values-{path.stem}", path) for path in sorted(project.profile_sources.glob("*.yaml"))]
    examples: dict[str, tuple[str, dict[str, Any]]] = {}
    for name, path in sources:
        data = load_values(path)
        error = first_error(values.schema, data)
        if error:
            raise UserError(f"'{error[0]}': {error[1]}", str(path))
        if name in examples:
            raise UserError(f"two sources would both be shipped as {name}.yaml", str(path))
        examples[name] = (path.read_text(encoding="utf-8"), data)
    return examples
