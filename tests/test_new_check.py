"""scripts/new_check.py: a new check's module, documentation sections and fixtures."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from helpers import ROOT

from chartgen.checks import CODE_PATTERN, DOC_SECTIONS, all_checks

SCRIPT = ROOT / "scripts" / "new_check.py"


def scaffold(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args, "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def repository(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "chartgen" / "checks", tmp_path / "chartgen" / "checks")
    (tmp_path / "tests" / "checks" / "fixtures").mkdir(parents=True)
    return tmp_path


def test_a_new_check_has_its_sections_metadata_and_fixtures(tmp_path: Path) -> None:
    root = repository(tmp_path)
    result = scaffold(
        root, "security", "host-port-exposed", "--scope", "object", "--kinds", "Deployment,DaemonSet"
    )
    assert result.returncode == 0, result.stderr
    module = root / "chartgen" / "checks" / "security" / "host_port_exposed.py"
    tree = ast.parse(module.read_text())
    doc = ast.get_docstring(tree) or ""
    assert [line[3:] for line in doc.splitlines() if line.startswith("## ")] == list(DOC_SECTIONS)
    decorator = next(node for node in ast.walk(tree) if isinstance(node, ast.Call) and node.keywords)
    metadata = {
        k.arg: ast.literal_eval(k.value)
        for k in decorator.keywords
        if isinstance(k.value, ast.Constant | ast.Tuple)
    }
    taken = {c.code for c in all_checks()}
    assert CODE_PATTERN.match(metadata["code"]) and metadata["code"].startswith("SEC")
    assert metadata["code"] not in taken, "the family's next free code"
    assert metadata["kinds"] == ("Deployment", "DaemonSet")
    lint = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--no-cache",
            "--config",
            str(ROOT / "pyproject.toml"),
            str(module),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout
    fixtures = root / "tests" / "checks" / "fixtures" / "host-port-exposed"
    assert yaml.safe_load((fixtures / "pass-example.yaml").read_text())["findings"] == []
    assert yaml.safe_load((fixtures / "fail-example.yaml").read_text())["findings"]


def test_refuses_an_existing_check_a_bad_id_and_an_unknown_family(tmp_path: Path) -> None:
    root = repository(tmp_path)
    for args, words in [
        (("kubernetes", "name-too-long", "--scope", "object"), "exists already"),
        (("kubernetes", "NameTooLong", "--scope", "object"), "kebab-case"),
        (("nosuch", "some-check", "--scope", "object"), "no family"),
    ]:
        result = scaffold(root, *args)
        assert result.returncode == 2 and words in result.stderr, result.stderr
