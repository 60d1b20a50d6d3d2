"""Report formats of ``chartgen lint matrix``, on reports built by hand.

The report models a small matrix (two scenarios by two Kubernetes versions) with
the cases the formats must handle: an error repeated across pairs, an error
with no source location, a warning, an info, and a chart-wide finding.
"""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pytest_snapshot.plugin import Snapshot

from chartgen.errors import UserError
from chartgen.findings import CheckInfo, Report, Result, Summary
from chartgen.report import FORMATS, group_by_root_cause, render_report, resolve_format
from chartgen.report.github import escape_data, escape_property
from chartgen.report.merge import load_report, merge_reports

SERVER = "deploy/helm/certctl/templates/server-deployment.yaml"
POSTGRES = "deploy/helm/certctl/templates/postgres-statefulset.yaml"
VALUES = "deploy/helm/certctl/values.yaml"

CHECKS = {
    info.id: info
    for info in [
        CheckInfo(
            "container-runs-as-root",
            "SEC003",
            "security",
            "error",
            "A container may run as root.",
            "Set securityContext.runAsNonRoot to true.",
        ),
        CheckInfo(
            "dangling-service",
            "REF002",
            "references",
            "error",
            "A Service selects no pods.",
            "Make the selector match the labels of a pod template.",
        ),
        CheckInfo(
            "container-without-memory-limit",
            "RES002",
            "resources",
            "warning",
            "A container has no memory limit.",
            "Set resources.limits.memory.",
        ),
        CheckInfo(
            "image-tag-not-pinned",
            "SEC020",
            "security",
            "info",
            "An image is referenced by tag, not digest.",
            "Pin the image by digest.",
        ),
        CheckInfo(
            "unused-value",
            "VAL004",
            "values",
            "warning",
            "A values key is read by no template.",
            "Remove the key or use it in a template.",
        ),
    ]
}


def result(check: str, scenario: str, kube_version: str, **fields: Any) -> Result:
    """A result of ``check``; anything it does not say is unknown, as for a chart-wide check."""
    info = CHECKS[check]
    unknown = Result(
        check, info.code, info.level, scenario, kube_version, "", "", "", info.description, "", None
    )
    return replace(unknown, **fields)


def as_root(scenario: str, kube_version: str) -> Result:
    return result(
        "container-runs-as-root",
        scenario,
        kube_version,
        kind="Deployment",
        name="certctl-server",
        path="spec.template.spec.containers[0]",
        message='container "server" may run as root',
        template=SERVER,
        line=42,
    )


def sample_report() -> Report:
    results = [
        as_root("defaults", "1.29"),
        result(
            "image-tag-not-pinned",
            "defaults",
            "1.29",
            kind="Deployment",
            name="certctl-server",
            path="spec.template.spec.containers[0].image",
            message='image "certctl/server:0.9.1" is not pinned',
            template=SERVER,
            line=31,
        ),
        as_root("defaults", "1.37"),
        result(
            "container-without-memory-limit",
            "defaults",
            "1.37",
            kind="StatefulSet",
            name="certctl-postgres",
            path="spec.template.spec.containers[0].resources",
            message='container "postgres" has no memory limit',
            template=POSTGRES,
            line=57,
        ),
        as_root("backup-pvc", "1.29"),
        result(
            "dangling-service",
            "backup-pvc",
            "1.37",
            kind="Service",
            name="certctl-backup",
            path="spec.selector",
            message="selector app.kubernetes.io/component=backup matches no pod template",
        ),
        result(
            "unused-value",
            "*",
            "*",
            path="server.legacyFlag",
            message="server.legacyFlag is read by no template",
            template=VALUES,
            line=88,
        ),
    ]
    summary = Summary(
        scenarios=2,
        renders=4,
        documents=52,
        checks=31,
        skipped=0,
        errors=4,
        warnings=2,
        infos=1,
        suppressed=1,
        kube_versions=["1.29", "1.37"],
    )
    evaluated = [("defaults", "1.29"), ("defaults", "1.37"), ("backup-pvc", "1.29"), ("backup-pvc", "1.37")]
    notes = ["suppression 'container-runs-as-root' on Deployment/certctl-agent suppressed nothing"]
    return Report(summary, results, dict(CHECKS), evaluated, notes)


# --- grouping and format selection -------------------------------------------------------------


def test_results_with_one_root_cause_form_one_group_listing_where() -> None:
    groups = group_by_root_cause(sample_report().results)

    assert [group.result.check for group in groups] == [
        "container-runs-as-root",  # errors first, then by check id
        "dangling-service",
        "container-without-memory-limit",
        "unused-value",
        "image-tag-not-pinned",
    ]
    assert groups[0].result == as_root("defaults", "1.29")  # the first one reported
    assert groups[0].occurrences == [("backup-pvc", "1.29"), ("defaults", "1.29"), ("defaults", "1.37")]


def test_groups_sort_kubernetes_versions_numerically() -> None:
    results = [as_root("defaults", version) for version in ("1.29", "1.9", "1.10")]

    (group,) = group_by_root_cause(results)

    assert group.occurrences == [("defaults", "1.9"), ("defaults", "1.10"), ("defaults", "1.29")]


def test_auto_format_annotates_under_github_actions_only() -> None:
    assert resolve_format("auto", {"GITHUB_ACTIONS": "true"}) == "github"
    assert resolve_format("auto", {"GITHUB_ACTIONS": "false"}) == "text"
    assert resolve_format("auto", {}) == "text"
    assert resolve_format("sarif", {"GITHUB_ACTIONS": "true"}) == "sarif"


def test_unknown_format_lists_the_valid_ones() -> None:
    with pytest.raises(UserError) as raised:
        resolve_format("xml", {})
    assert "'xml'" in str(raised.value)
    assert all(name in str(raised.value) for name in ("auto", *FORMATS))
    with pytest.raises(UserError):
        render_report(sample_report(), "auto")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_an_empty_report(fmt: str) -> None:
    text = render_report(Report(Summary(), [], {}), fmt)

    assert text.endswith("\n")


# --- text ----------------------------------------------------------------------------------------


def test_text_shows_a_repeated_finding_once_with_where_and_fix() -> None:
    text = render_report(sample_report(), "text")
    block = text.split("\n\n")[0].splitlines()

    # the block, the note and the per-check summary, not once per pair
    assert text.count("container-runs-as-root") == 3
    assert block == [
        f"{SERVER}:42: error SEC003 container-runs-as-root",
        '  container "server" may run as root',
        "  Deployment/certctl-server at spec.template.spec.containers[0]",
        "  in: backup-pvc @ 1.29; defaults @ 1.29, 1.37",
        "  fix: Set securityContext.runAsNonRoot to true.",
    ]


def test_text_omits_what_a_finding_does_not_know() -> None:
    report = sample_report()
    report.checks.pop("dangling-service")
    blocks = render_report(report, "text").split("\n\n")

    unlocated = next(block for block in blocks if "dangling-service" in block)
    assert unlocated.splitlines()[0] == "error REF002 dangling-service"
    assert "fix:" not in unlocated
    chart_wide = next(block for block in blocks if "unused-value" in block)
    assert chart_wide.splitlines()[2:4] == ["  at server.legacyFlag", "  in: all scenarios"]


def test_text_ends_with_notes_invariants_and_verdict() -> None:
    lines = render_report(sample_report(), "text").splitlines()

    notes = lines.index(
        "note: suppression 'container-runs-as-root' on Deployment/certctl-agent suppressed nothing"
    )
    assert lines[notes + 2] == "findings per check:"
    per_check = lines[notes + 3 : -3]
    assert [line.split()[0] for line in per_check] == ["1"] * len(per_check)
    # The verdict counts the distinct findings printed (five blocks), not the (scenario, version) pairs.
    assert len(per_check) == 5
    assert lines[-2:] == [
        "scenarios 2 · renders 4 · documents 52 · checks 31 · skipped 0",
        "2 errors, 2 warnings, 1 info (1 suppressed)",
    ]


def test_text_has_no_colour_and_wraps_long_lines() -> None:
    scenarios = [f"generated-pairwise-{index:03d}" for index in range(12)]
    long_message = "the object " + "is quite long " * 15 + "in this message"
    results = [replace(as_root(scenario, "1.29"), message=long_message) for scenario in scenarios]
    report = Report(Summary(errors=1), results, dict(CHECKS))

    text = render_report(report, "text")

    assert "\x1b" not in text
    assert all(len(line) <= 121 for line in text.splitlines())  # 120 plus a trailing ';'
    for scenario in scenarios:
        assert f"{scenario} @ 1.29" in text  # never split between a scenario and its versions
    assert render_report(report, "text").endswith("1 error, 0 warnings (0 suppressed)\n")


def test_text_and_concise_colour_only_when_asked_and_shorten_full_coverage(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from chartgen.report import wants_colour

    report = sample_report()
    everywhere = [replace(as_root(s, v), line=7) for s, v in report.evaluated]
    report = replace(report, results=everywhere)
    for fmt in ("text", "concise"):
        assert "\x1b[" in render_report(report, fmt, colour=True)
        plain = render_report(report, fmt)
        assert "\x1b" not in plain and "all 2 × 2" in plain
    concise = render_report(report, "concise").splitlines()
    assert (
        concise[0]
        == f'{SERVER}:7: SEC003 container "server" may run as root [Deployment/certctl-server] (all 2 × 2)'
    )

    class Terminal:
        def isatty(self) -> bool:
            return True

    assert wants_colour({}, Terminal()) and not wants_colour({"NO_COLOR": "1"}, Terminal())
    assert not wants_colour({}, object())


def test_text_snapshot(snapshot: Snapshot) -> None:
    snapshot.snapshot_dir = Path(__file__).parent / "snapshots" / "report"
    snapshot.assert_match(render_report(sample_report(), "text"), "matrix.txt")


# --- json ----------------------------------------------------------------------------------------


def test_json_has_the_documented_fields_and_round_trips() -> None:
    report = sample_report()
    data = json.loads(render_report(report, "json"))

    assert {"scenarios", "renders", "documents", "checks", "skipped", "errors", "warnings"} <= data[
        "summary"
    ].keys()
    required = {"check", "code", "level", "occurrences", "kind", "name", "path", "message"}
    required |= {"template", "line"}
    # One entry per distinct finding, listing the (scenario, version) pairs it occurs in.
    assert len(data["findings"]) == len({r.root_cause for r in report.results}) < len(report.results)
    for finding in data["findings"]:
        assert required <= finding.keys()
    assert sum(len(f["occurrences"]) for f in data["findings"]) == len(report.results)
    back = Report.from_dict(data)
    assert sorted(back.results, key=repr) == sorted(report.results, key=repr)
    assert replace(back, results=report.results) == report


# --- junit ---------------------------------------------------------------------------------------


def junit(report: Report) -> ET.Element:
    root = ET.fromstring(render_report(report, "junit").encode("utf-8"))
    assert root.tag == "testsuites"
    (suite,) = root
    return suite


def test_junit_has_one_case_per_pair_plus_chart_wide_checks() -> None:
    suite = junit(sample_report())
    cases = suite.findall("testcase")

    assert suite.attrib == {
        "name": "chartgen",
        "tests": "5",
        "failures": "4",
        "errors": "0",
        "skipped": "0",
    }
    assert [(case.get("classname"), case.get("name")) for case in cases] == [
        ("defaults", "defaults @ 1.29"),
        ("defaults", "defaults @ 1.37"),
        ("backup-pvc", "backup-pvc @ 1.29"),
        ("backup-pvc", "backup-pvc @ 1.37"),
        ("chartgen", "unused-value"),
    ]
    first = cases[0]
    (failure,) = first.findall("failure")
    assert failure.get("message") == 'SEC003 container-runs-as-root: container "server" may run as root'
    assert failure.get("type") == "container-runs-as-root"
    assert "Deployment/certctl-server at spec.template.spec.containers[0]" in (failure.text or "")
    assert f"{SERVER}:42" in (failure.text or "")
    assert "info: SEC020 image-tag-not-pinned" in (first.findtext("system-out") or "")
    assert cases[1].find("system-out") is not None  # the warning does not fail the case
    chart_wide = cases[4]
    assert chart_wide.find("failure") is None
    assert "in: all scenarios" in (chart_wide.findtext("system-out") or "")
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties["documents"] == "52"


def test_junit_survives_markup_and_control_characters_in_messages() -> None:
    message = """<script>alert("x")</script> & 'quoted' \x1b[31m"""
    report = Report(
        Summary(errors=1), [replace(as_root("a&b", "1.29"), message=message)], {}, [("a&b", "1.29")]
    )

    (case,) = junit(report).findall("testcase")
    failure = case.find("failure")

    assert case.get("name") == "a&b @ 1.29"
    assert failure is not None
    assert (
        failure.get("message") == f"SEC003 container-runs-as-root: {message.replace(chr(0x1B), chr(0xFFFD))}"
    )


# --- sarif ---------------------------------------------------------------------------------------

# The part of SARIF 2.1.0 this report uses: required keys and their types.
SARIF_SUBSET = {
    "type": "object",
    "required": ["$schema", "version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1,
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name", "version", "rules"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "version": {"type": "string"},
                                    "rules": {"type": "array", "items": {"$ref": "#/$defs/rule"}},
                                },
                            }
                        },
                    },
                    "results": {"type": "array", "items": {"$ref": "#/$defs/result"}},
                },
            },
        },
    },
    "$defs": {
        "level": {"enum": ["none", "note", "warning", "error"]},
        "text": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
        "rule": {
            "type": "object",
            "required": ["id", "name", "shortDescription", "help", "defaultConfiguration", "properties"],
            "properties": {
                "id": {"type": "string"},
                "name": {"type": "string"},
                "shortDescription": {"$ref": "#/$defs/text"},
                "help": {"$ref": "#/$defs/text"},
                "defaultConfiguration": {
                    "type": "object",
                    "required": ["level"],
                    "properties": {"level": {"$ref": "#/$defs/level"}},
                },
                "properties": {"type": "object", "required": ["code"]},
            },
        },
        "result": {
            "type": "object",
            "required": ["ruleId", "level", "message", "partialFingerprints"],
            "properties": {
                "ruleId": {"type": "string"},
                "ruleIndex": {"type": "integer", "minimum": 0},
                "level": {"$ref": "#/$defs/level"},
                "message": {"$ref": "#/$defs/text"},
                "locations": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["physicalLocation"],
                        "properties": {
                            "physicalLocation": {
                                "type": "object",
                                "required": ["artifactLocation"],
                                "properties": {
                                    "artifactLocation": {
                                        "type": "object",
                                        "required": ["uri"],
                                        "properties": {"uri": {"type": "string"}},
                                    },
                                    "region": {
                                        "type": "object",
                                        "required": ["startLine"],
                                        "properties": {"startLine": {"type": "integer", "minimum": 1}},
                                    },
                                },
                            }
                        },
                    },
                },
                "partialFingerprints": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
    },
}


def test_sarif_matches_the_schema_subset_with_one_result_per_root_cause() -> None:
    report = sample_report()
    log = json.loads(render_report(report, "sarif"))

    jsonschema.Draft202012Validator(SARIF_SUBSET).validate(log)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert "informationUri" not in run["tool"]["driver"]
    assert len(results) == len(group_by_root_cause(report.results)) == 5
    assert [rule["id"] for rule in rules] == sorted(CHECKS)
    for sarif_result in results:
        assert rules[sarif_result["ruleIndex"]]["id"] == sarif_result["ruleId"]
    by_rule = {sarif_result["ruleId"]: sarif_result for sarif_result in results}
    assert {rule: by_rule[rule]["level"] for rule in by_rule} == {
        "container-runs-as-root": "error",
        "dangling-service": "error",
        "container-without-memory-limit": "warning",
        "unused-value": "warning",
        "image-tag-not-pinned": "note",
    }
    assert (
        next(r for r in rules if r["id"] == "image-tag-not-pinned")["defaultConfiguration"]["level"] == "note"
    )


def test_sarif_locates_results_at_the_template_line() -> None:
    report = sample_report()
    results = {r["ruleId"]: r for r in json.loads(render_report(report, "sarif"))["runs"][0]["results"]}

    as_root_result = results["container-runs-as-root"]
    assert as_root_result["locations"] == [
        {"physicalLocation": {"artifactLocation": {"uri": SERVER}, "region": {"startLine": 42}}}
    ]
    assert as_root_result["message"]["text"] == (
        'container "server" may run as root (Deployment/certctl-server at spec.template.spec.containers[0];'
        " in: backup-pvc @ 1.29; defaults @ 1.29, 1.37)"
    )
    expected = hashlib.sha256(repr(as_root("any", "any").root_cause).encode()).hexdigest()
    assert as_root_result["partialFingerprints"] == {"chartgenRootCause/v1": expected}
    # A chart-wide finding is located at the chart's Chart.yaml (code scanning needs a location).
    (fallback,) = results["dangling-service"]["locations"]
    assert fallback["physicalLocation"]["artifactLocation"]["uri"].endswith("Chart.yaml")


OFFICIAL_SARIF_SCHEMA = Path(__file__).parent / "fixtures" / "sarif" / "sarif-2.1.0-rtm.5.json"


def test_sarif_validates_against_the_official_schema_and_uploads_cleanly(tmp_path: Path) -> None:
    report = replace(sample_report(), chart_dir="deploy/helm/certctl")
    report.results.append(replace(report.results[0], check="rbac-wildcard", template="", line=None))
    report.results.append(
        replace(report.results[0], line=50, source="templates/components/server/deployment.yaml.j2:9")
    )
    report.checks["rbac-wildcard"] = CheckInfo("rbac-wildcard", "SEC015", "security", "error", "d.", "r.")
    log = json.loads(render_report(report, "sarif"))
    jsonschema.Draft4Validator(json.loads(OFFICIAL_SARIF_SCHEMA.read_text())).validate(log)
    (run,) = log["runs"]
    for sarif_result in run["results"]:
        (location,) = sarif_result["locations"]
        uri = location["physicalLocation"]["artifactLocation"]["uri"]
        assert not uri.startswith(("/", "file:", "..")), uri
    assert {
        r["physicalLocation"]["artifactLocation"]["uri"] for s in run["results"] for r in s["locations"]
    } >= {"deploy/helm/certctl/Chart.yaml"}
    (generated,) = [s for s in run["results"] if "relatedLocations" in s]
    assert generated["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "templates/components/server/deployment.yaml.j2"},
        "region": {"startLine": 9},
    }
    assert generated["relatedLocations"][0]["physicalLocation"]["region"] == {"startLine": 50}
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert all(rule["helpUri"].startswith("https://") for rule in rules.values())
    assert rules["rbac-wildcard"]["helpUri"].endswith("#sec015-rbac-wildcard")
    assert rules["rbac-wildcard"]["properties"]["security-severity"] == "7.5"
    for check_id, rule in rules.items():
        assert ("security-severity" in rule["properties"]) == (report.checks[check_id].family == "security")


def test_sarif_uris_of_a_chart_outside_the_working_directory_are_relative(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chartgen.report.sarif import repository_uri

    monkeypatch.chdir(tmp_path)
    assert (
        repository_uri(str(tmp_path / "charts/web/templates/a.yaml"), "charts/web")
        == "charts/web/templates/a.yaml"
    )
    assert (
        repository_uri("/elsewhere/charts/web/templates/a.yaml", "/elsewhere/charts/web")
        == "web/templates/a.yaml"
    )
    assert repository_uri("./web/Chart.yaml", "web") == "web/Chart.yaml"


def test_sarif_omits_the_region_without_a_line_and_the_index_without_a_rule() -> None:
    report = Report(Summary(errors=1), [replace(as_root("defaults", "1.29"), line=None)], {})

    (sarif_result,) = json.loads(render_report(report, "sarif"))["runs"][0]["results"]

    assert sarif_result["locations"] == [{"physicalLocation": {"artifactLocation": {"uri": SERVER}}}]
    assert "ruleIndex" not in sarif_result


# --- github --------------------------------------------------------------------------------------


def test_github_annotates_each_root_cause_once() -> None:
    lines = render_report(sample_report(), "github").splitlines()

    assert lines[0] == (
        f"::error file={SERVER},line=42,title=SEC003 container-runs-as-root::"
        'container "server" may run as root (Deployment/certctl-server at spec.template.spec.containers[0];'
        " in: backup-pvc @ 1.29; defaults @ 1.29, 1.37)"
    )
    assert lines[1].startswith("::error title=REF002 dangling-service::")  # no file, no line
    assert lines[4].startswith(f"::notice file={SERVER},line=31,title=SEC020 image-tag-not-pinned::")
    assert sum(line.startswith("::") for line in lines) == 5
    assert lines[-2:] == [
        "scenarios 2 · renders 4 · documents 52 · checks 31 · skipped 0",
        "2 errors, 2 warnings, 1 info (1 suppressed)",  # the annotations printed
    ]


def test_github_escapes_messages_and_properties() -> None:
    assert escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    assert escape_property("dir:a,b%\n") == "dir%3Aa%2Cb%25%0A"
    odd = replace(as_root("defaults", "1.29"), template="odd:dir/a,b.yaml", message="50% of\npods")

    (annotation, *_) = render_report(Report(Summary(), [odd], {}), "github").splitlines()

    properties, message = annotation.removeprefix("::error ").split("::")
    assert properties == "file=odd%3Adir/a%2Cb.yaml,line=42,title=SEC003 container-runs-as-root"
    assert message.startswith("50%25 of%0Apods (")


# --- merge ---------------------------------------------------------------------------------------


def shards() -> tuple[Report, Report]:
    """The sample report as ``--shard 1/2`` and ``--shard 2/2`` produce it: pairs dealt round-robin,
    every shard runs every check, and both report the chart-wide (matrix-scope) finding."""
    report = sample_report()
    chart_wide = [r for r in report.results if r.scenario == "*"]

    def shard(kube_version: str, summary: Summary, index: int) -> Report:
        results = [r for r in report.results if r.kube_version == kube_version] + chart_wide
        evaluated = [pair for pair in report.evaluated if pair[1] == kube_version]
        return Report(
            summary, results, dict(CHECKS), evaluated, report.notes, chart="certctl@0.2.0", shard=(index, 2)
        )

    first = Summary(
        2, 2, 26, 31, 0, errors=2, warnings=1, infos=1, suppressed=1, kube_versions=["1.29", "1.37"]
    )
    second = Summary(2, 2, 26, 31, 0, errors=2, warnings=2, infos=0, kube_versions=["1.9", "1.29", "1.37"])
    return shard("1.29", first, 1), shard("1.37", second, 2)


def test_merge_reads_as_one_run_of_the_whole_matrix() -> None:
    first, second = shards()

    merged = merge_reports([first, second])

    assert merged.summary == Summary(
        scenarios=2,
        renders=4,
        documents=52,
        checks=31,
        skipped=0,
        errors=4,
        warnings=2,
        infos=1,
        suppressed=1,
        kube_versions=["1.9", "1.29", "1.37"],
    )
    assert sorted(merged.results, key=repr) == sorted(
        sample_report().results, key=repr
    )  # chart-wide kept once
    assert merged.checks == CHECKS
    assert merged.evaluated == [
        ("defaults", "1.29"),
        ("backup-pvc", "1.29"),
        ("defaults", "1.37"),
        ("backup-pvc", "1.37"),
    ]
    assert merged.notes == sample_report().notes
    assert merge_reports([second, first]).results == merged.results
    assert render_report(merged, "text") == render_report(sample_report(), "text")


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda first, second: [first], "incomplete set of shards: 2/2 missing"),
        (lambda first, second: [first, second, second], "shard 2/2 is given twice"),
        (lambda first, second: [first, replace(second, chart="other@1.0.0")], "different charts"),
        (lambda first, second: [first, replace(second, shard=(2, 3))], "split the matrix differently"),
    ],
)
def test_merge_refuses_what_is_not_one_complete_matrix(change, complaint: str) -> None:
    with pytest.raises(UserError, match=complaint):
        merge_reports(change(*shards()))


def test_merge_refuses_shards_that_disagree_about_a_check() -> None:
    first, second = shards()
    second.checks["container-runs-as-root"] = replace(CHECKS["container-runs-as-root"], level="warning")

    with pytest.raises(UserError, match="container-runs-as-root"):
        merge_reports([first, second])


def test_merge_round_trips_through_json_files(tmp_path: Path) -> None:
    paths = []
    for index, shard in enumerate(shards()):
        path = tmp_path / f"shard-{index}.json"
        path.write_text(render_report(shard, "json"), encoding="utf-8")
        paths.append(path)

    merged = merge_reports([load_report(path) for path in paths])

    assert merged == merge_reports(list(shards()))
    loaded, original = load_report(paths[0]), shards()[0]
    assert sorted(loaded.results, key=repr) == sorted(original.results, key=repr)
    assert replace(loaded, results=original.results) == original


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        (None, "cannot read"),
        ('{"summary": {', "not valid JSON"),
        ("[1, 2]", "not a chartgen JSON report"),
        ('{"version": "2.1.0", "runs": []}', "not a chartgen JSON report"),
        ('{"summary": {}, "findings": []}', "not a chartgen JSON report"),
        (
            '{"format": "chartgen-report/2", "summary": {}, "findings": [{"check": "x"}]}',
            "not a chartgen JSON report",
        ),
        (
            '{"format": "chartgen-report/2", "summary": {"errors": "3"}, "findings": []}',
            "summary.errors must be int",
        ),
    ],
)
def test_load_report_names_the_file_it_cannot_use(
    tmp_path: Path, content: str | None, complaint: str
) -> None:
    path = tmp_path / "shard.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")

    with pytest.raises(UserError) as raised:
        load_report(path)

    assert str(path) in str(raised.value)
    assert complaint in str(raised.value)


def test_load_report_rejects_unknown_levels(tmp_path: Path) -> None:
    data = sample_report().to_dict()
    data["findings"][0]["level"] = "fatal"
    path = tmp_path / "report.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(UserError, match="'fatal' is not a valid Level"):
        load_report(path)
