"""The pre-commit hooks, run by the real ``pre-commit`` in a throwaway git repository.

Each hook of ``.pre-commit-hooks.yaml`` is copied into a ``repo: local`` config with
``language: system`` and its entry pointed at the chartgen under test, so pre-commit
needs no network and builds no environment: what runs is pre-commit's own file
selection (``files``, ``pass_filenames``) and exactly the command the manifest declares.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from helpers import ROOT, copy_project
from pre_commit.clientlib import load_config, load_manifest

MANIFEST = ROOT / ".pre-commit-hooks.yaml"
CONFIG = ROOT / ".pre-commit-config.yaml"
HOOK_IDS = ["chartgen-render", "chartgen-lint", "chartgen-values"]
EXAMPLE = "values/examples/values-minimal.yaml"

needs_git = pytest.mark.skipif(
    shutil.which("git") is None, reason="git is not installed: pre-commit runs hooks in a git repository"
)


def manifest_hooks() -> dict[str, dict]:
    return {hook["id"]: hook for hook in load_manifest(str(MANIFEST))}


def test_manifest_declares_the_three_hooks_completely() -> None:
    raw = yaml.safe_load(MANIFEST.read_text())
    assert [hook["id"] for hook in raw] == HOOK_IDS
    for hook in raw:
        for key in ("id", "name", "entry", "language"):
            assert hook.get(key), f"{hook['id']} has no {key}"
        assert hook["language"] == "python" and hook["entry"].startswith("chartgen ")
    hooks = manifest_hooks()  # pre-commit's own validation, as `pre-commit try-repo` would do it
    assert hooks["chartgen-render"]["entry"] == "chartgen render --check"
    assert hooks["chartgen-lint"]["entry"] == "chartgen lint matrix --tier named"
    assert not hooks["chartgen-render"]["pass_filenames"] and not hooks["chartgen-lint"]["pass_filenames"]
    assert hooks["chartgen-values"]["pass_filenames"]


@pytest.mark.parametrize(
    ("path", "selected"),
    [
        ("values.yaml", True),
        ("deploy/helm/certctl/values.yaml", True),
        ("values/examples/values-minimal.yaml", True),
        ("charts/web/ci/small-values.yml", True),
        ("values/scenarios/defaults.yaml", False),
        ("schemas/values/server.schema.yaml", False),
        ("deploy/helm/certctl/values.schema.json", False),
    ],
)
def test_values_hook_default_pattern_selects_values_files_only(path: str, selected: bool) -> None:
    assert bool(re.search(manifest_hooks()["chartgen-values"]["files"], path)) is selected


def test_repository_config_runs_the_published_commands_offline() -> None:
    config = load_config(str(CONFIG))
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    local = {hook["id"]: hook for hook in config["repos"][0]["hooks"]}
    published = manifest_hooks()
    assert list(local) == HOOK_IDS
    for hook_id, hook in local.items():
        assert hook["entry"] == published[hook_id]["entry"]
        assert hook["pass_filenames"] == published[hook_id]["pass_filenames"]
    values = re.compile(local["chartgen-values"]["files"])
    assert values.search(EXAMPLE) and values.search("deploy/helm/examples/values-minimal.yaml")
    assert not values.search("values/scenarios/defaults.yaml")


# --- the hooks under the real pre-commit -------------------------------------------------


def chartgen_env(home: Path) -> dict[str, str]:
    """The environment hooks run in: this checkout's chartgen, pre-commit's cache kept aside."""
    env = {key: value for key, value in os.environ.items() if key not in ("SKIP", "GITHUB_ACTIONS")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["PRE_COMMIT_HOME"] = str(home)
    return env


def local_config() -> str:
    """The manifest's hooks as ``repo: local`` hooks that call ``python -m chartgen``."""
    chartgen = shlex.join([sys.executable, "-m", "chartgen"])
    hooks = []
    for hook in yaml.safe_load(MANIFEST.read_text()):
        local = {key: value for key, value in hook.items() if key != "description"}
        local.update(language="system", entry=chartgen + hook["entry"].removeprefix("chartgen"))
        hooks.append(local)
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]}, sort_keys=False)


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=chartgen tests",
            "-c",
            "user.email=tests@chartgen.invalid",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def base_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed copy of the project with the generated chart freshly rendered (so it is in
    sync whatever state the working tree of this checkout is in)."""
    repo = copy_project(tmp_path_factory.mktemp("precommit") / "repo")
    shutil.copytree(ROOT / "deploy", repo / "deploy")
    env = chartgen_env(repo.parent / "home")
    subprocess.run(
        [sys.executable, "-m", "chartgen", "render"], cwd=repo, env=env, check=True, capture_output=True
    )
    (repo / ".pre-commit-config.yaml").write_text(local_config())
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "project")
    return repo


@dataclass
class HookRun:
    returncode: int
    output: str


class PreCommit:
    """Runs ``pre-commit run`` in a private copy of the base repository, printing how long each run took."""

    def __init__(self, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.repo = repo
        self.capsys = capsys
        self.env = chartgen_env(repo.parent / "home")

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.repo / relative
        text = path.read_text()
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1))

    def run(self, hook: str, *selection: str) -> HookRun:
        command = [sys.executable, "-m", "pre_commit", "run", hook, "--color", "never", *selection]
        started = time.perf_counter()
        done = subprocess.run(
            command, cwd=self.repo, env=self.env, capture_output=True, text=True, timeout=300
        )
        elapsed = time.perf_counter() - started
        with self.capsys.disabled():
            print(
                f"\n[timing] pre-commit run {hook} {' '.join(selection)}: {elapsed:.2f} s (exit {done.returncode})"
            )
        return HookRun(done.returncode, done.stdout + done.stderr)


@pytest.fixture
def precommit(base_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> PreCommit:
    repo = tmp_path / "repo"
    shutil.copytree(base_repo, repo, symlinks=True)
    return PreCommit(repo, capsys)


@needs_git
def test_render_hook_passes_in_sync_and_names_an_edited_generated_file(precommit: PreCommit) -> None:
    clean = precommit.run("chartgen-render", "--all-files")
    assert clean.returncode == 0, clean.output
    assert "Passed" in clean.output

    precommit.edit("deploy/helm/certctl/values.yaml", "\n", "\n# edited by hand\n")
    stale = precommit.run("chartgen-render", "--all-files")
    assert stale.returncode == 1, stale.output
    assert "changed: deploy/helm/certctl/values.yaml" in stale.output
    assert "chartgen render" in stale.output  # tells how to fix it


@needs_git
def test_render_hook_skips_changes_outside_the_sources(precommit: PreCommit) -> None:
    precommit.edit("deploy/helm/certctl/values.yaml", "\n", "\n# edited by hand\n")
    unrelated = precommit.run("chartgen-render", "--files", "values/scenarios/defaults.yaml")
    assert unrelated.returncode == 0 and "Skipped" in unrelated.output, unrelated.output


@needs_git
def test_lint_hook_passes_and_fails_on_a_broken_expectation(precommit: PreCommit) -> None:
    clean = precommit.run("chartgen-lint", "--all-files")
    assert clean.returncode == 0, clean.output

    precommit.edit("values/scenarios/defaults.yaml", "ServiceAccount: 3", "ServiceAccount: 4")
    broken = precommit.run("chartgen-lint", "--all-files")
    assert broken.returncode == 1, broken.output
    assert "expectation-not-met" in broken.output and "ServiceAccount" in broken.output


@needs_git
def test_values_hook_passes_and_names_a_misspelt_key_with_its_line(precommit: PreCommit) -> None:
    clean = precommit.run("chartgen-values", "--all-files")
    assert clean.returncode == 0, clean.output

    precommit.edit(EXAMPLE, "existingSecret:", "existingSecert:")
    broken = precommit.run("chartgen-values", "--files", EXAMPLE)
    assert broken.returncode == 1, broken.output
    assert (
        f"{EXAMPLE}:5:5: server.tls.existingSecert: unknown key (did you mean 'existingSecret'?)"
        in broken.output
    )
