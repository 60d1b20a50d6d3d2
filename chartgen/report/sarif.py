"""SARIF 2.1.0, for code-scanning tools (GitHub code scanning, IDE viewers).

One result per root cause, located at the template file and line, because a
code-scanning alert belongs to a place in the source, not to a scenario; the
scenarios and versions go into the message. ``partialFingerprints`` is derived
from the root cause alone, so an alert keeps its identity from run to run even
when the matrix changes where it shows up.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from chartgen import __version__
from chartgen.findings import CheckInfo, Report
from chartgen.report import Group, describe_context, group_by_root_cause

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT = "chartgenRootCause/v1"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


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
                "results": [_result(group, rule_index) for group in group_by_root_cause(report.results)],
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def _rule(info: CheckInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "name": info.id,
        "shortDescription": {"text": info.description},
        "help": {"text": info.remediation},
        "defaultConfiguration": {"level": LEVELS[info.level]},
        "properties": {"code": info.code},
    }


def _result(group: Group, rule_index: dict[str, int]) -> dict[str, Any]:
    result = group.result
    sarif: dict[str, Any] = {"ruleId": result.check}
    if result.check in rule_index:
        sarif["ruleIndex"] = rule_index[result.check]
    sarif["level"] = LEVELS[result.level]
    sarif["message"] = {"text": f"{result.message} ({describe_context(group)})"}
    if result.template:
        physical: dict[str, Any] = {"artifactLocation": {"uri": result.template}}
        if result.line is not None:
            physical["region"] = {"startLine": result.line}
        sarif["locations"] = [{"physicalLocation": physical}]
    digest = hashlib.sha256(repr(result.root_cause).encode("utf-8")).hexdigest()
    sarif["partialFingerprints"] = {FINGERPRINT: digest}
    return sarif
