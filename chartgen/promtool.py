"""Run Prometheus' own rule tooling (``promtool``) on the rule groups of a PrometheusRule.

``promtool check rules`` loads rules the way Prometheus does; ``promtool test rules`` evaluates
them over declared input series and compares the alerts, labels and expanded annotations that
fire. Both read files, so each call writes the groups (and a copy of the unit test pointing at
them) into a temporary directory. Results are memoised on the exact input: the same rules
render identically for many scenarios and Kubernetes versions.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

INSTALL_HINT = "install the Debian package 'prometheus' (apt-get install prometheus) or put promtool on PATH"
TIMEOUT_SECONDS = 60
# `promtool check rules` names a broken rule as: group "certctl.alerts", rule 2, "CertctlAgentOffline": ...
_RULE_ERROR = re.compile(r'group "(?P<group>[^"]*)", rule (?P<rule>\d+), "[^"]*": (?P<message>.*)')
# `promtool test rules` starts each failure with "alertname: NAME, time: ..."
_TEST_FAILURE = re.compile(r"^\s*alertname: (?P<alert>[^,]+), time: ")
# The lint engine calls from several threads, often with the same rules (scenarios and versions
# that render them alike): one promtool at a time lets the second caller find the memoised result.
_ONE_AT_A_TIME = threading.Lock()


class PromtoolMissing(Exception):
    """promtool is not on PATH."""

    def __init__(self) -> None:
        super().__init__(f"promtool is not installed: {INSTALL_HINT}")


@dataclass(frozen=True)
class Problem:
    """What promtool said, and which rule it is about when it names one."""

    message: str
    group: int | None = None  # index in spec.groups
    rule: int | None = None  # index in the group's rules

    @property
    def path(self) -> str:
        if self.group is None:
            return "spec.groups"
        if self.rule is None:
            return f"spec.groups[{self.group}]"
        return f"spec.groups[{self.group}].rules[{self.rule}]"


def executable() -> str:
    found = shutil.which("promtool")
    if found is None:
        raise PromtoolMissing()
    return found


def rule_groups(obj: dict[str, Any]) -> list[Any]:
    return list((obj.get("spec") or {}).get("groups") or [])


def check_rules(groups: list[Any]) -> list[Problem]:
    """``promtool check rules`` on the groups; empty when Prometheus would load them."""
    executable()  # before the memo: a result from when promtool was there does not count
    with _ONE_AT_A_TIME:
        return list(_check_rules(_dump(groups)))


def test_rules(groups: list[Any], test_file: Path, name: str | None = None) -> list[Problem]:
    """``promtool test rules`` with the unit test in ``test_file`` (called ``name`` in messages)
    run against ``groups`` (the test's own ``rule_files`` are replaced by them); empty when every
    case passes."""
    executable()
    text = test_file.read_text(encoding="utf-8")
    with _ONE_AT_A_TIME:
        return list(_test_rules(_dump(groups), text, name or str(test_file)))


@lru_cache(maxsize=256)
def _check_rules(rules_text: str) -> tuple[Problem, ...]:
    with tempfile.TemporaryDirectory(prefix="chartgen-promtool-") as tmp:
        rules_file = Path(tmp, "rules.yaml")
        rules_file.write_text(rules_text, encoding="utf-8")
        returncode, output = _run("check", "rules", str(rules_file))
    if returncode == 0:
        return ()
    names = _group_names(rules_text)
    problems = []
    for line in output.replace(str(rules_file) + ":", "").splitlines():
        match = _RULE_ERROR.search(line)
        if match:
            group = names.index(match["group"]) if match["group"] in names else None
            problems.append(Problem(match["message"].strip(), group, int(match["rule"]) - 1))
    return tuple(problems) or (Problem(_summary(output)),)


@lru_cache(maxsize=256)
def _test_rules(rules_text: str, test_text: str, test_name: str) -> tuple[Problem, ...]:
    try:
        test = yaml.safe_load(test_text)
    except yaml.YAMLError as exc:
        return (Problem(f"{test_name} is not valid YAML: {exc}"),)
    if not isinstance(test, dict) or not isinstance(test.get("tests"), list):
        return (Problem(f"{test_name} is not a promtool unit test file (no 'tests' list)"),)
    with tempfile.TemporaryDirectory(prefix="chartgen-promtool-") as tmp:
        Path(tmp, "rules.yaml").write_text(rules_text, encoding="utf-8")
        test_copy = Path(tmp, "test.yaml")
        test_copy.write_text(yaml.safe_dump({**test, "rule_files": ["rules.yaml"]}), encoding="utf-8")
        returncode, output = _run("test", "rules", str(test_copy))
    if returncode == 0:
        return ()
    locations = _alert_locations(rules_text)
    problems: list[Problem] = []
    for block in _failure_blocks(output):
        match = _TEST_FAILURE.match(block)
        group, rule = locations.get(match["alert"].strip(), (None, None)) if match else (None, None)
        problems.append(Problem(f"{test_name}: {' '.join(block.split())}", group, rule))
    return tuple(problems) or (Problem(f"{test_name}: {_summary(output)}"),)


def _run(*args: str) -> tuple[int, str]:
    try:
        done = subprocess.run(
            [executable(), *args], capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        return 1, f"promtool {' '.join(args[:2])} did not finish within {TIMEOUT_SECONDS} s"
    return done.returncode, done.stdout + done.stderr


def _dump(groups: list[Any]) -> str:
    return yaml.safe_dump({"groups": groups}, sort_keys=False)


def _group_names(rules_text: str) -> list[str | None]:
    """Group names by index (None for an entry that is not a group, so indices stay aligned)."""
    groups = yaml.safe_load(rules_text)["groups"]
    return [str(group.get("name")) if isinstance(group, dict) else None for group in groups]


def _alert_locations(rules_text: str) -> dict[str, tuple[int, int]]:
    """Alert name -> (group index, rule index) of its first definition."""
    locations: dict[str, tuple[int, int]] = {}
    for g, group in enumerate(yaml.safe_load(rules_text)["groups"]):
        rules = group.get("rules") if isinstance(group, dict) else None
        for r, rule in enumerate(rules if isinstance(rules, list) else []):
            if isinstance(rule, dict) and "alert" in rule:
                locations.setdefault(str(rule["alert"]), (g, r))
    return locations


def _failure_blocks(output: str) -> list[str]:
    """The failures of a ``promtool test rules`` run, one text per failing case."""
    blocks: list[str] = []
    for line in output.splitlines():
        if _TEST_FAILURE.match(line):
            blocks.append(line)
        elif blocks and line.startswith((" ", "\t")) and line.strip():
            blocks[-1] += "\n" + line
    return blocks


def _summary(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip() and not line.startswith("Checking")]
    return " ".join(lines)[:2000] or "promtool failed without saying why"
