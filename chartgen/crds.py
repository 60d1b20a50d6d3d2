"""Schemas for custom resources, so the schema check covers them too.

Sources: files that hold CustomResourceDefinitions (the ``crds/`` directories of a chart and
of its subcharts, read as Helm loads them: ``.helmignore`` applied, YAML read the way Go reads
it; or files the user names) and plain JSON schemas that say which resource they describe
with ``x-kubernetes-group-version-kind`` (chartgen's ``schemas/crds/``). CRD schemas are
made strict the way the API server prunes: an object with declared properties accepts
no others unless it says ``x-kubernetes-preserve-unknown-fields``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from chartgen.errors import UserError
from chartgen.helmignore import HelmIgnore
from chartgen.kubeschema import SchemaValidator
from chartgen.yamlfiles import GoYamlLoader, parse_yaml_documents, read_text

# Fields every object has; CRD schemas often leave them out.
_OBJECT_FIELDS = {
    "apiVersion": {"type": "string"},
    "kind": {"type": "string"},
    "metadata": {"type": "object"},
}


def load_schema_files(validator: SchemaValidator, paths: list[Path]) -> int:
    """Register every schema found in ``paths`` (files or directories); returns how many."""
    count = 0
    for path in paths:
        files = (
            sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
            if path.is_dir()
            else [path]
        )
        for file in files:
            for api_version, kind, schema in _schemas_in(file):
                validator.add_schema(api_version, kind, schema)
                count += 1
    return count


def load_chart_crds(validator: SchemaValidator, chart_dir: Path) -> int:
    """Register the CRDs a chart installs: its ``crds/`` and those of its subcharts (in
    ``charts/``), minus what ``.helmignore`` leaves out. Documents that are not CRDs are Helm's
    to apply, not schemas: they are skipped. Returns how many schemas were registered."""
    count = 0
    ignore = HelmIgnore.of_chart(chart_dir)
    for file in ignore.files(chart_dir, "crds"):
        if file.suffix in (".yaml", ".yml", ".json"):
            for api_version, kind, schema in _schemas_in(file, strict=False):
                validator.add_schema(api_version, kind, schema)
                count += 1
    charts = chart_dir / "charts"
    for subchart in sorted(charts.iterdir()) if charts.is_dir() else []:
        if (subchart / "Chart.yaml").is_file() and not ignore.ignored(
            PurePosixPath("charts", subchart.name), True
        ):
            count += load_chart_crds(validator, subchart)
    return count


def _schemas_in(path: Path, strict: bool = True) -> Iterator[tuple[str, str, dict[str, Any]]]:
    text = read_text(path)
    if path.suffix == ".json":
        try:
            documents = [json.loads(text)]
        except json.JSONDecodeError as exc:
            raise UserError(f"invalid JSON: {exc.msg}", f"{path}:{exc.lineno}:{exc.colno}") from None
    else:
        documents = parse_yaml_documents(text, str(path), loader=GoYamlLoader)
    for document in documents:
        if not isinstance(document, dict):
            continue
        if document.get("kind") == "CustomResourceDefinition":
            yield from _from_crd(document, path)
        elif "x-kubernetes-group-version-kind" in document:
            for gvk in document["x-kubernetes-group-version-kind"]:
                group, version = gvk.get("group", ""), gvk["version"]
                yield (f"{group}/{version}" if group else version), gvk["kind"], document
        elif strict:
            raise UserError(
                "neither a CustomResourceDefinition nor a schema with x-kubernetes-group-version-kind",
                str(path),
            )


def _from_crd(crd: dict[str, Any], path: Path) -> Iterator[tuple[str, str, dict[str, Any]]]:
    spec = crd.get("spec") or {}
    group, kind = spec.get("group"), (spec.get("names") or {}).get("kind")
    if not group or not kind:
        raise UserError("CustomResourceDefinition without spec.group or spec.names.kind", str(path))
    for version in spec.get("versions") or []:
        schema = (version.get("schema") or {}).get("openAPIV3Schema")
        if schema:
            strict = _strict(schema)
            strict.setdefault("properties", {})
            for field, shape in _OBJECT_FIELDS.items():
                strict["properties"].setdefault(field, shape)
            yield f"{group}/{version['name']}", kind, strict


def _strict(node: Any) -> Any:
    """OpenAPI v3 (structural) to JSON schema, closing objects the API server would prune."""
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _strict(value) for key, value in node.items()}
    if result.pop("x-kubernetes-int-or-string", False):
        result.pop("type", None)
        result["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if result.pop("nullable", False) and isinstance(result.get("type"), str):
        result["type"] = [result["type"], "null"]
    preserve = result.pop("x-kubernetes-preserve-unknown-fields", False)
    if "properties" in result and "additionalProperties" not in result and not preserve:
        result["additionalProperties"] = False
    return result
