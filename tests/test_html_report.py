"""The HTML matrix report (``--format html``), checked as a document and in headless Chromium.

The fixture run lints ``tests/fixtures/charts/grid``: four scenarios that break different
checks, two Kubernetes versions (one finding differs between them), chart-wide findings and
one template branch no scenario reaches. The expected counts are computed from the JSON
report of the same run, never from the page's own code.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import html5lib
import pytest
from browser import Page, chromium_page
from helpers import ROOT
from large_report import large_report
from typer.testing import CliRunner

from chartgen.cli import app
from chartgen.findings import BranchReach, CheckInfo, Report, Result, Summary
from chartgen.report import render_report
from chartgen.report.html import embedded_data
from chartgen.report.merge import load_report, merge_reports

GRID = ROOT / "tests" / "fixtures" / "charts" / "grid"
ALL_SCENARIOS = "all scenarios"  # the row of chart-wide findings
runner = CliRunner()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The grid chart linted once as JSON and once as HTML, with coverage."""
    directory = tmp_path_factory.mktemp("grid-run")
    files = {"json": directory / "report.json", "html": directory / "report.html"}
    for fmt, path in files.items():
        result = runner.invoke(
            app,
            [
                *("lint", "matrix", "--chart", str(GRID), "--values-dir", str(GRID / "ci"), "--coverage"),
                *("--k8s-version", "1.29", "--k8s-version", "1.37", "--format", fmt, "--output", str(path)),
            ],
        )
        assert result.exit_code == 1, result.output  # the grid chart has error-level findings
    return files


@pytest.fixture(scope="module")
def report(run: dict[str, Path]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(run["json"].read_text(encoding="utf-8"))
    # One entry per (finding, scenario, version), as the grid counts them.
    data["pairs"] = [
        {**{k: v for k, v in finding.items() if k != "occurrences"}, **where}
        for finding in data["findings"]
        for where in finding["occurrences"]
    ]
    return data


@pytest.fixture(scope="module")
def browser() -> Iterator[Page]:
    with chromium_page() as page:
        yield page


def row_of(scenario: str) -> str:
    return ALL_SCENARIOS if scenario in ("", "*") else scenario


def failing_cells(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(row_of(f["scenario"]), f["check"]) for f in report["pairs"]}


def save_artifact(path: Path) -> None:
    """Keep a screenshot as a CI artifact: copied into $CHARTGEN_ARTIFACTS when it is set."""
    artifacts = os.environ.get("CHARTGEN_ARTIFACTS")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(artifacts) / path.name)


# --- the document ------------------------------------------------------------------------------


def test_report_is_valid_html5_and_loads_nothing(run: dict[str, Path]) -> None:
    text = run["html"].read_text(encoding="utf-8")

    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    document = parser.parse(text)  # strict: the first parse error raises

    assert parser.errors == []
    linked = [e.tag for e in document.iter() if {"src", "href"} & set(e.attrib)]
    assert linked == []  # no external script, stylesheet, image or link
    policy = document.find(".//meta[@http-equiv='Content-Security-Policy']")
    assert policy is not None and "default-src 'none'" in policy.get("content")


def test_report_holds_only_what_the_json_report_holds(run: dict[str, Path], report: dict) -> None:
    html = run["html"].read_text(encoding="utf-8")

    # Rendered again from the JSON report alone, the page is byte for byte the same:
    # it carries nothing the JSON lacks, and nothing that changes between runs (no timestamp).
    assert render_report(load_report(run["json"]), "html") == html
    data = json.loads(embedded_data(load_report(run["json"])))
    assert data["summary"] == report["summary"] and data["checks"] == report["checks"]
    assert data["coverage"] == report["coverage"] and data["notes"] == report["notes"]
    regrouped = sorted(
        (*[f[k] for k in sorted(f) if k != "where"], scenario, version)
        for f in data["findings"]
        for scenario, version in f["where"]
    )
    keys = sorted(k for k in data["findings"][0] if k != "where")
    assert regrouped == sorted(
        (*[f[k] for k in keys], where["scenario"], where["kube_version"])
        for f in report["findings"]
        for where in f["occurrences"]
    )


def test_merged_shards_give_the_same_page(run: dict[str, Path], tmp_path: Path) -> None:
    output = tmp_path / "merged.html"

    result = runner.invoke(
        app, ["lint", "report", "merge", str(run["json"]), "--format", "html", "--output", str(output)]
    )

    assert result.exit_code == 1, result.output
    assert output.read_text(encoding="utf-8") == run["html"].read_text(encoding="utf-8")


def test_merge_joins_the_scenarios_that_reach_a_branch() -> None:
    def shard(index: int, scenarios: tuple[str, ...]) -> Report:
        branches = [BranchReach("t.yaml", 3, "if .Values.a", scenarios), BranchReach("t.yaml", 9, "else", ())]
        return Report(Summary(), [], {}, coverage=branches, shard=(index, 4))

    without_coverage = Report(Summary(), [], {}, shard=(4, 4))
    merged = merge_reports([shard(1, ("b",)), shard(2, ()), shard(3, ("a",)), without_coverage])

    assert merged.coverage == [
        BranchReach("t.yaml", 3, "if .Values.a", ("a", "b")),
        BranchReach("t.yaml", 9, "else", ()),
    ]
    assert merge_reports([Report(Summary(), [], {})]).coverage is None


def test_markup_in_messages_stays_text() -> None:
    info = CheckInfo("c", "X001", "f", "error", "d", "r.")
    result = Result("c", "X001", "error", "s", "1.29", "", "", "", "</script><b>&amp;", "", None)
    report = Report(Summary(errors=1), [result], {"c": info}, [("s", "1.29")])

    text = render_report(report, "html")

    assert "</script><b>" not in text
    assert json.loads(embedded_data(report))["findings"][0]["message"] == "</script><b>&amp;"


# --- in Chromium ---------------------------------------------------------------------------------


def open_report(page: Page, path: Path) -> None:
    page.open(path)
    assert page.console_errors() == []


def test_grid_shows_each_failing_scenario_and_check_with_the_worst_level(
    browser: Page, run: dict[str, Path], report: dict
) -> None:
    open_report(browser, run["html"])
    cells = failing_cells(report)
    rows = browser.evaluate("[...document.querySelectorAll('#grid tbody th')].map(th => th.textContent)")
    columns = browser.evaluate("[...document.querySelectorAll('#grid thead th.check')].length")
    shown = browser.evaluate(
        "[...document.querySelectorAll('button.cell')].map(b => [b.dataset.row, b.dataset.check, b.dataset.level])"
    )

    assert rows == [*sorted({row for row, _ in cells} - {ALL_SCENARIOS}), ALL_SCENARIOS]
    assert columns == len({check for _, check in cells})
    assert len(shown) == len(rows) * columns
    worst: dict[tuple[str, str], str] = {}
    order = ["info", "warning", "error"]
    for f in report["pairs"]:
        cell = (row_of(f["scenario"]), f["check"])
        worst[cell] = max(worst.get(cell, "info"), f["level"], key=order.index)
    assert {(row, check): level for row, check, level in shown if level != "clean"} == worst
    header = browser.evaluate(
        "Object.fromEntries([...document.querySelectorAll('[data-invariant]')]"
        ".map(li => [li.dataset.invariant, li.querySelector('b').textContent]))"
    )
    summary = report["summary"]
    assert {
        name: int(header[name]) for name in ("scenarios", "renders", "documents", "checks", "skipped")
    } == {name: summary[name] for name in ("scenarios", "renders", "documents", "checks", "skipped")}
    assert browser.evaluate("document.getElementById('verdict').textContent") == "FAILED"
    assert browser.requested_urls() == [run["html"].resolve().as_uri()]  # the page itself, nothing more


def test_versions_are_marked_apart_and_in_text(browser: Page, run: dict[str, Path], report: dict) -> None:
    open_report(browser, run["html"])
    deprecated = {
        f["kube_version"]
        for f in report["pairs"]
        if f["check"] == "deprecated-api-version" and f["scenario"] == "legacy-values"
    }
    assert deprecated == {"1.29"}  # FlowSchema v1beta3: deprecated in 1.29, removed (another check) in 1.32

    cell = 'button.cell[data-row="legacy-values"][data-check="deprecated-api-version"]'
    marks = browser.evaluate(
        f"[...document.querySelector('{cell}').querySelectorAll('.mark')].map(m => m.textContent)"
    )
    label = browser.evaluate(f"document.querySelector('{cell}').getAttribute('aria-label')")

    assert marks == ["W", "·"]  # one mark per version, in the order of the legend
    assert label == "legacy-values × deprecated-api-version: 1 finding; 1.29 warning, 1.37 clean"


def test_clicking_a_failing_cell_lists_its_findings(
    browser: Page, run: dict[str, Path], report: dict, tmp_path: Path
) -> None:
    open_report(browser, run["html"])
    expected = sorted(
        (f["message"], f"{f['template']}:{f['line']}")
        for f in report["pairs"]
        if f["scenario"] == "root-values"
        and f["check"] == "container-may-run-as-root"
        and f["kube_version"] == "1.29"
    )
    assert len(expected) == 2

    browser.evaluate(
        'document.querySelector(\'button.cell[data-row="root-values"][data-check="container-may-run-as-root"]\').click()'
    )
    listed = browser.evaluate(
        "[...document.querySelectorAll('#details .finding')]"
        ".map(li => [li.querySelector('.message').textContent, li.querySelector('.location').textContent])"
    )

    assert sorted(map(tuple, listed)) == expected
    assert browser.evaluate("document.querySelector('#details h2').textContent") == (
        "root-values × container-may-run-as-root"
    )
    screenshot = browser.screenshot(tmp_path / "html-report-grid.png")
    assert screenshot.stat().st_size > 10_000 and screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    save_artifact(screenshot)


def test_cells_are_reached_and_opened_with_the_keyboard(browser: Page, run: dict[str, Path]) -> None:
    open_report(browser, run["html"])
    focusable = browser.evaluate("[...document.querySelectorAll('button.cell[tabindex=\"0\"]')].length")
    browser.evaluate("document.querySelector('button.cell[tabindex=\"0\"]').focus()")

    for key in ("ArrowDown", "ArrowRight", "Enter"):
        for event in ("keyDown", "keyUp"):
            code = {"Enter": 13, "ArrowDown": 40, "ArrowRight": 39}[key]
            browser.send(
                "Input.dispatchKeyEvent", type=event, key=key, code=key, windowsVirtualKeyCode=code,
                text="\r" if key == "Enter" and event == "keyDown" else "",
            )  # fmt: skip
    active = browser.evaluate("[document.activeElement.dataset.row, document.activeElement.dataset.check]")
    rows = browser.evaluate("[...document.querySelectorAll('#grid tbody th')].map(th => th.textContent)")
    checks = browser.evaluate("[...document.querySelectorAll('#grid thead th.check')].map(th => th.title)")

    assert focusable == 1  # one tab stop for the whole grid
    assert active[0] == rows[1] and active[1] in checks[1]  # one row down, one column right
    assert (
        browser.evaluate("document.querySelector('#details h2').textContent") == f"{active[0]} × {active[1]}"
    )


def test_filters_by_family_and_level(browser: Page, run: dict[str, Path], report: dict) -> None:
    open_report(browser, run["html"])
    families = {key: info["family"] for key, info in report["checks"].items()}

    browser.evaluate(
        "const f = document.getElementById('filter-family'); f.value = 'security'; f.dispatchEvent(new Event('change'))"
    )
    security = set(
        browser.evaluate("[...document.querySelectorAll('button.cell')].map(b => b.dataset.check)")
    )
    browser.evaluate(
        "for (const box of document.querySelectorAll('input[name=level]')) if (box.value !== 'warning') box.click()"
    )
    warnings = set(
        browser.evaluate("[...document.querySelectorAll('button.cell')].map(b => b.dataset.check)")
    )

    assert security == {f["check"] for f in report["pairs"] if families[f["check"]] == "security"}
    expected = {
        f["check"] for f in report["pairs"] if families[f["check"]] == "security" and f["level"] == "warning"
    }
    assert warnings == expected and expected


def test_rows_columns_and_summaries_sort(browser: Page, run: dict[str, Path], report: dict) -> None:
    open_report(browser, run["html"])
    occurrences: dict[str, int] = {}
    for f in report["pairs"]:
        occurrences[f["check"]] = occurrences.get(f["check"], 0) + 1

    browser.evaluate(
        "const c = document.getElementById('sort-columns'); c.value = 'worst'; c.dispatchEvent(new Event('change'))"
    )
    columns = browser.evaluate("[...document.querySelectorAll('#grid thead th.check')].map(th => th.title)")
    browser.evaluate(
        "[...document.querySelectorAll('#per-check-table th button')].at(-2).click()"
    )  # occurrences
    column = browser.evaluate(
        "[...document.querySelectorAll('#per-check-table tbody tr')].map(tr => Number(tr.cells[5].textContent))"
    )

    levels = {f["check"]: f["level"] for f in report["pairs"]}
    ranks = [("error", "warning", "info").index(levels[title.split(":")[0].split()[1]]) for title in columns]
    assert ranks == sorted(ranks) and ranks[0] == 0 and ranks[-1] > 0  # errors first
    assert column == sorted(occurrences.values(), reverse=True)


def test_unfiltered_grid_has_every_check_and_scenario(
    browser: Page, run: dict[str, Path], report: dict
) -> None:
    open_report(browser, run["html"])

    browser.evaluate("document.getElementById('only-failing').click()")
    columns = browser.evaluate("document.querySelectorAll('#grid thead th.check').length")
    rows = browser.evaluate("document.querySelectorAll('#grid tbody tr').length")
    clean = browser.evaluate("document.querySelectorAll('button.cell[data-level=clean]').length")

    assert columns == report["summary"]["checks"]
    assert rows == report["summary"]["scenarios"] + 1  # plus the chart-wide row
    assert clean == rows * columns - len(failing_cells(report))


def test_coverage_marks_each_branch_and_the_scenarios_reaching_it(
    browser: Page, run: dict[str, Path], report: dict
) -> None:
    open_report(browser, run["html"])
    branches = browser.evaluate(
        "[...document.querySelectorAll('#coverage li')].map(li => [li.dataset.covered, li.textContent])"
    )

    assert len(branches) == len(report["coverage"])
    uncovered = [text for covered, text in branches if covered == "no"]
    assert len(uncovered) == 1 and "with .Values.annotations" in uncovered[0]
    sidecar = next(b for b in report["coverage"] if b["action"] == "if .Values.sidecar")
    assert sidecar["scenarios"] == ["sidecar-values"]
    assert any(
        "if .Values.sidecar" in text and "reached by 1 scenario: sidecar-values" in text
        for _, text in branches
    )


def test_printing_hides_the_controls_and_opens_every_section(browser: Page, run: dict[str, Path]) -> None:
    open_report(browser, run["html"])
    browser.evaluate("document.getElementById('findings').open = false")

    browser.send("Emulation.setEmulatedMedia", media="print")
    try:
        pdf = browser.send("Page.printToPDF")["data"]
        hidden = browser.evaluate("getComputedStyle(document.querySelector('.controls')).display")
        closed = browser.evaluate("document.querySelectorAll('details:not([open])').length")
    finally:
        browser.send("Emulation.setEmulatedMedia", media="")

    assert pdf and hidden == "none" and closed == 0


def test_a_clean_run_says_so(browser: Page, tmp_path: Path) -> None:
    page = tmp_path / "clean.html"
    summary = Summary(scenarios=1, renders=1, documents=3, checks=1, kube_versions=["1.29"])
    info = CheckInfo("c", "X001", "f", "error", "d", "r.")
    page.write_text(
        render_report(Report(summary, [], {"c": info}, [("s", "1.29")]), "html"), encoding="utf-8"
    )

    open_report(browser, page)

    assert browser.evaluate("document.getElementById('verdict').textContent") == "PASSED"
    assert browser.evaluate("document.querySelectorAll('button.cell[data-level=clean]').length") == 1


def test_ten_thousand_findings_are_paged_and_collapsed(browser: Page, tmp_path: Path) -> None:
    report = large_report(per_pair=5)
    assert len(report.results) == 10_000
    page = tmp_path / "large.html"
    page.write_text(render_report(report, "html"), encoding="utf-8")

    open_report(browser, page)
    distinct = 5 * 50 * 20  # root causes: each in two (scenario, version) pairs

    assert browser.evaluate("document.querySelectorAll('button.cell').length") == 50 * 20
    assert browser.evaluate("document.getElementById('findings').open") is False  # collapsed
    assert browser.evaluate("document.querySelectorAll('#findings-list .finding').length") == 50
    assert browser.evaluate("document.querySelector('#findings-list .pager span').textContent") == (
        f"1–50 of {distinct}"
    )
    browser.evaluate("document.querySelector('#findings-list .pager button:last-child').click()")
    assert browser.evaluate("document.querySelector('#findings-list .pager span').textContent") == (
        f"51–100 of {distinct}"
    )
