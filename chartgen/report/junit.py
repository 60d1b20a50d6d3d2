"""JUnit XML, for CI systems that show test results (GitLab, Jenkins, Azure, ...).

Each (scenario, Kubernetes version) pair that ran is one test case, so a clean
pair shows as a passing test rather than disappearing. Error-level findings are
failures; warnings and infos go to the case's ``<system-out>`` so they are
visible without failing it. Findings of chart-wide checks belong to no pair and
get one case per check. ElementTree does the escaping; it does not drop
characters XML 1.0 forbids, so those are replaced after serialising.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from chartgen.findings import Level, Report, Result, Summary
from chartgen.report import Group, describe_location, describe_object, describe_where, group_by_root_cause

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Written by hand: ElementTree declares the locale's encoding when serialising to str.
_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def render(report: Report) -> str:
    by_pair: dict[tuple[str, str], list[Result]] = {pair: [] for pair in report.evaluated}
    by_check: dict[str, list[Result]] = {}
    for result in report.results:
        pair = (result.scenario, result.kube_version)
        if pair in by_pair:
            by_pair[pair].append(result)
        else:
            by_check.setdefault(result.check, []).append(result)
    cases = [
        _testcase(scenario, f"{scenario} @ {version}", found)
        for (scenario, version), found in by_pair.items()
    ]
    cases += [_testcase("chartgen", check, results) for check, results in sorted(by_check.items())]

    failures = sum(1 for case in cases if case.find("failure") is not None)
    suite = ET.Element(
        "testsuite",
        name="chartgen",
        tests=str(len(cases)),
        failures=str(failures),
        errors="0",
        skipped=str(report.summary.skipped),
    )
    suite.append(_properties(report.summary))
    suite.extend(cases)
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return _NOT_XML.sub("\ufffd", _DECLARATION + ET.tostring(root, encoding="unicode") + "\n")


def _testcase(classname: str, name: str, results: list[Result]) -> ET.Element:
    case = ET.Element("testcase", classname=classname, name=name)
    output: list[str] = []
    for group in group_by_root_cause(results):
        result = group.result
        if result.level == Level.ERROR.value:
            failure = ET.SubElement(case, "failure", message=_headline(result), type=result.check)
            failure.text = _details(group)
        else:
            output.append(f"{result.level}: {_headline(result)}\n{_details(group)}")
    if output:
        ET.SubElement(case, "system-out").text = "\n\n".join(output)
    return case


def _headline(result: Result) -> str:
    return f"{result.code} {result.check}: {result.message}"


def _details(group: Group) -> str:
    lines = [
        describe_object(group.result),
        describe_location(group.result),
        f"in: {describe_where(group.occurrences)}",
    ]
    return "\n".join(line for line in lines if line)


def _properties(summary: Summary) -> ET.Element:
    """The fail-closed invariants, so a dashboard can show what was actually checked."""
    properties = ET.Element("properties")
    for name in ("scenarios", "renders", "documents", "checks", "skipped", "suppressed"):
        ET.SubElement(properties, "property", name=name, value=str(getattr(summary, name)))
    return properties
