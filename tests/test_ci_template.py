"""``ci/github-actions.yml``: a valid GitHub Actions workflow whose linting is chartgen's alone.

Every ``chartgen`` command line in it is checked against the real CLI: the subcommand
exists (``--help`` exits 0) and each option it passes is one that subcommand offers,
so a renamed command or option breaks this test before it breaks users' CI.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from functools import lru_cache

import pytest
import yaml
from helpers import ROOT
from typer.testing import CliRunner

from chartgen.cli import app
from chartgen.report import FORMATS

WORKFLOW = ROOT / "ci" / "github-actions.yml"
EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
SHA_PIN = re.compile(r"^\s*- uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")
SEPARATORS = {"||", "&&", ";", "|"}


@lru_cache(maxsize=1)
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def steps() -> list[dict]:
    return [step for job in workflow()["jobs"].values() for step in job["steps"]]


def commands() -> list[list[str]]:
    """Each command of every ``run:`` script as words, ``${{ }}`` expressions replaced by a placeholder."""
    found = []
    for step in steps():
        for line in step.get("run", "").splitlines():
            words = shlex.split(EXPRESSION.sub("EXPR", line), comments=True)
            while words:
                cut = next((i for i, word in enumerate(words) if word in SEPARATORS), len(words))
                found.append(words[:cut])
                words = words[cut + 1 :]
    return [command for command in found if command]


def test_it_is_a_valid_github_actions_workflow() -> None:
    """Checked against the workflow schema check-jsonschema bundles (no network needed)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(WORKFLOW),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_jobs_render_and_lint_in_parallel_and_report_after_the_shards() -> None:
    jobs = workflow()["jobs"]
    assert {name: job.get("needs", []) for name, job in jobs.items()} == {
        "render": [],
        "lint": [],
        "report": "lint",
    }
    assert "security-events" in jobs["report"]["permissions"] and "checks" in jobs["report"]["permissions"]
    assert workflow()["permissions"] == {"contents": "read"}  # the rest only where needed


def test_the_matrix_is_sharded_and_each_shard_uploads_its_json_report() -> None:
    lint = workflow()["jobs"]["lint"]
    shards = lint["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, len(shards) + 1)) and len(shards) > 1
    run = next(step["run"] for step in lint["steps"] if "run" in step and "lint matrix" in step["run"])
    assert "--shard ${{ matrix.shard }}/${{ strategy.job-total }}" in run and "--format json" in run
    upload = next(
        step for step in lint["steps"] if step.get("uses", "").startswith("actions/upload-artifact@")
    )
    assert upload["with"]["path"] in run


def test_the_report_job_merges_to_sarif_and_junit_and_uploads_both() -> None:
    report = workflow()["jobs"]["report"]
    merged = [" ".join(c) for c in commands() if c[:4] == ["chartgen", "lint", "report", "merge"]]
    assert any("--format sarif --output chartgen.sarif" in c for c in merged)
    assert any("--format junit --output chartgen-junit.xml" in c for c in merged)
    uses = {step["uses"].split("@")[0]: step.get("with", {}) for step in report["steps"] if "uses" in step}
    assert uses["github/codeql-action/upload-sarif"]["sarif_file"] == "chartgen.sarif"
    assert uses["dorny/test-reporter"]["path"] == "chartgen-junit.xml"


def test_actions_are_pinned_by_sha_with_the_release_named_or_say_why_not() -> None:
    lines = WORKFLOW.read_text().splitlines()
    comments = " ".join(line.lstrip("# ") for line in lines if line.startswith("#"))
    for line in lines:
        if "uses:" in line and not SHA_PIN.match(line):
            action = line.split("uses:")[1].strip()
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", action), line
            assert f"{action.split('@')[0]}: it is pinned to its major tag" in comments


def test_linting_uses_only_chartgen() -> None:
    programs = {command[0] for command in commands()}
    assert programs <= {"chartgen", "python", "["}, programs
    for command in commands():
        if command[0] == "python":
            assert command[1:4] == ["-m", "pip", "install"], command


def chartgen_commands() -> list[list[str]]:
    return [command for command in commands() if command[0] == "chartgen"]


@pytest.mark.parametrize("command", chartgen_commands(), ids=" ".join)
def test_every_chartgen_command_and_option_exists(command: list[str]) -> None:
    subcommand = []  # the words before the first option (a positional argument is harmless before --help)
    for word in command[1:]:
        if word.startswith("-"):
            break
        subcommand.append(word)
    result = CliRunner().invoke(app, [*subcommand, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for option in (word for word in command if word.startswith("--")):
        assert re.search(rf"{re.escape(option)}\b", result.output), f"{' '.join(subcommand)} has no {option}"
    if "--format" in command:
        assert command[command.index("--format") + 1] in FORMATS


def test_the_readme_documents_the_template() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "ci/github-actions.yml" in readme and "--shard" in readme
