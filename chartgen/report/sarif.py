"""SARIF 2.1.0, for code-scanning tools (GitHub code scanning, IDE viewers).

One result per root cause, located at the template file and line, because a
code-scanning alert belongs to a place in the source, not to a scenario; the
scenarios and versions go into the message. Every result has a location (the
chart's Chart.yaml for chart-wide findings) with a URI relative to the
repository root, as GitHub code scanning requires. ``partialFingerprints`` is
derived from the root cause alone, so an alert keeps its identity from run to run
even when the matrix changes where it shows up. Rules link to their documentation
(``helpUri``) and security checks carry a ``security-severity``.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import PurePosixPath
from typing import Any

from chartgen import __version__
from chartgen.findings import CheckInfo, Report
from chartgen.report import Group, describe_context, group_by_root_cause

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT = "chartgenRootCause/v1"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
# Where docs/checks.md is published; each check is a heading there ("## SEC001 container-...").
DOCS_URL = os.environ.get(
    "CHARTGEN_DOCS_URL", "https://github.com/chartgen/chartgen/blob/main/docs/checks.md"
)
# GitHub's scale: 9+ critical, 7+ high, 4+ medium, else low.
SECURITY_SEVERITY = {"error": "7.5", "warning": "5.0", "info": "2.0"}


def render(report: Report) -> str:
    infos = [report.checks[check] for check in sorted(report.checks)]
    rule_index = {info.id: index for index, info in enumerate(infos)}
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {"name": "chartgen", "version": __version__, "rules": [_rule(i) for i in infos]}
                },
                "results": [
                    _result(group, rule_index, report.chart_dir)
                    for group in group_by_root_cause(report.results)
                ],
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def _rule(info: CheckInfo) -> dict[str, Any]:
    properties: dict[str, Any] = {"code": info.code}
    if info.family == "security":
        properties.update({"tags": ["security"], "security-severity": SECURITY_SEVERITY[info.level]})
    return {
        "id": info.id,
        "name": info.id,
        "shortDescription": {"text": info.description},
        "help": {"text": info.remediation},
        "helpUri": f"{DOCS_URL}#{info.code.lower()}-{info.id}",
        "defaultConfiguration": {"level": LEVELS[info.level]},
        "properties": properties,
    }


def _result(group: Group, rule_index: dict[str, int], chart_dir: str) -> dict[str, Any]:
    result = group.result
    sarif: dict[str, Any] = {"ruleId": result.check}
    if result.check in rule_index:
        sarif["ruleIndex"] = rule_index[result.check]
    sarif["level"] = LEVELS[result.level]
    sarif["message"] = {"text": f"{result.message} ({describe_context(group)})"}
    where = result.template or f"{chart_dir or '.'}/Chart.yaml"
    physical: dict[str, Any] = {"artifactLocation": {"uri": repository_uri(where, chart_dir)}}
    if result.template and result.line is not None:
        physical["region"] = {"startLine": result.line}
    sarif["locations"] = [{"physicalLocation": physical}]
    if result.source:  # in a chartgen project: fix the Jinja2 source; the generated file is related
        source, line = result.source.rsplit(":", 1)
        jinja = {
            "artifactLocation": {"uri": repository_uri(source, chart_dir)},
            "region": {"startLine": int(line)},
        }
        sarif["locations"] = [{"physicalLocation": jinja}]
        sarif["relatedLocations"] = [
            {"id": 1, "physicalLocation": physical, "message": {"text": "generated file"}}
        ]
    digest = hashlib.sha256(repr(result.root_cause).encode("utf-8")).hexdigest()
    sarif["partialFingerprints"] = {FINGERPRINT: digest}
    return sarif


def repository_uri(path: str, chart_dir: str) -> str:
    """A relative URI: ``path`` as given when relative; an absolute path (a chart outside the
    working directory) relative to the working directory when under it, else from the chart's
    own directory name (``ingress-nginx/templates/x.yaml``)."""
    posix = PurePosixPath(path)
    if not posix.is_absolute():
        return posix.as_posix().removeprefix("./")
    cwd = PurePosixPath(os.getcwd())
    if posix.is_relative_to(cwd):
        return posix.relative_to(cwd).as_posix()
    chart = PurePosixPath(chart_dir)
    if chart.is_absolute() and posix.is_relative_to(chart.parent):
        return posix.relative_to(chart.parent).as_posix()
    return posix.as_posix().lstrip("/")
