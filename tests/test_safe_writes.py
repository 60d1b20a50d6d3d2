"""``chartgen render`` never damages what it writes to.

- Killed at any moment, it leaves each output directory as it was or fully new, never a mix,
  and the next render cleans up what the killed one left behind.
- An output directory it cannot write gives a clear error and changes nothing.
- Two renders of one project cannot interleave: the second is refused with a clear message.
- Files chartgen does not own are never deleted or overwritten.
"""

from __future__ import annotations

import collections
import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import ROOT, copy_project
from typer.testing import CliRunner

import chartgen.generate.writer as writer
from chartgen.cli import app
from chartgen.generate.writer import MANIFEST, STAGING_MARK, project_lock

runner = CliRunner()
CHART = Path("deploy/helm/certctl")
EXAMPLES = Path("deploy/helm/examples")
SUBPROCESS_ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
}
# Kills per strategy (40 runs in all by default; see the kill test).
# Raise it for a long run: CHARTGEN_KILL_RUNS=200 pytest tests/test_safe_writes.py -k kill -s
KILL_RUNS = int(os.environ.get("CHARTGEN_KILL_RUNS", "16"))


def render(project: Path, *args: str):
    return runner.invoke(app, ["render", "--project", str(project), *args])


def tree(directory: Path) -> dict[str, bytes]:
    """Every file below ``directory`` with its bytes (empty when the directory is missing)."""
    if not directory.is_dir():
        return {}
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def leftovers(project: Path) -> list[str]:
    """Staging (or moved-away) directories a render left beside its output directories."""
    helm = project / "deploy" / "helm"
    return sorted(name for name in os.listdir(helm) if STAGING_MARK in name) if helm.is_dir() else []


def add_component(project: Path, name: str) -> None:
    source = project / "templates" / "components" / name / "configmap.yaml.j2"
    source.parent.mkdir(parents=True)
    source.write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [[ chart.name ]]-{name}\n")


def revise_sources(project: Path) -> None:
    """Change the sources so that a render changes most generated files, removes one, adds one."""
    shutil.rmtree(project / "templates" / "components" / "zzgone")
    add_component(project, "zznew")
    for source in sorted((project / "templates" / "components").rglob("*.yaml.j2")):
        source.write_text(source.read_text() + "# revision 2\n")
    example = project / "values" / "examples" / "values-minimal.yaml"
    example.write_text(example.read_text() + "# revision 2\n")


UNOWNED = {
    CHART / "ci" / "local-values.yaml": "# an operator's own values file\nreplicas: 2\n",
    CHART / "templates" / "zz-local.yaml": "# a hand-written template\n",
    CHART / ".my-notes": "not chartgen's\n",
    EXAMPLES / "values-production.yaml": "# an operator's example\n",
}


def set_output(project: Path, key: str, value: str) -> None:
    """Point ``output.<key>`` of the project's chartgen.yaml somewhere else."""
    path = project / "chartgen.yaml"
    config = yaml.safe_load(path.read_text())
    config["output"][key] = value
    path.write_text(yaml.safe_dump(config, sort_keys=False))


def add_unowned(project: Path) -> None:
    for relative, text in UNOWNED.items():
        path = project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


# --- killed at any moment ---------------------------------------------------------------------


@dataclass
class KillSetup:
    project: Path  # new sources; its deploy/ is reset to the old output before each run
    old_deploy: Path  # the output as the old sources rendered it (plus unowned files)
    old: dict[Path, dict[str, bytes]]
    new: dict[Path, dict[str, bytes]]

    def reset(self) -> None:
        shutil.rmtree(self.project / "deploy")
        shutil.copytree(self.old_deploy, self.project / "deploy", symlinks=True)

    def state(self, relative: Path) -> str:
        current = tree(self.project / relative)
        return "old" if current == self.old[relative] else "new" if current == self.new[relative] else "MIXED"


@pytest.fixture(scope="module")
def kill_setup(tmp_path_factory: pytest.TempPathFactory) -> KillSetup:
    base = tmp_path_factory.mktemp("kill")
    project = copy_project(base / "project")
    add_component(project, "zzgone")
    assert render(project).exit_code == 0
    add_unowned(project)
    old_deploy = base / "old-deploy"
    shutil.copytree(project / "deploy", old_deploy, symlinks=True)
    old = {d: tree(project / d) for d in (CHART, EXAMPLES)}

    revise_sources(project)
    result = render(project)
    assert result.exit_code == 0, result.output
    new = {d: tree(project / d) for d in (CHART, EXAMPLES)}
    for directory in (CHART, EXAMPLES):
        assert old[directory] != new[directory]
    assert (
        "templates/zzgone-configmap.yaml" in old[CHART]
        and "templates/zzgone-configmap.yaml" not in new[CHART]
    )
    assert (
        "templates/zznew-configmap.yaml" in new[CHART] and "templates/zznew-configmap.yaml" not in old[CHART]
    )
    changed = [name for name in old[CHART] if name in new[CHART] and old[CHART][name] != new[CHART][name]]
    assert len(changed) >= 10, "most files should change, so a partial write would show"
    setup = KillSetup(project, old_deploy, old, new)
    setup.reset()
    return setup


def start_render(project: Path, stderr: int = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "chartgen", "render", "--project", str(project)],
        env=SUBPROCESS_ENV,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )


def staging_appeared(project: Path) -> bool:
    return any(name.startswith(f".certctl{STAGING_MARK}") for name in os.listdir(project / "deploy" / "helm"))


def wait_for_staging(process: subprocess.Popen[bytes], project: Path) -> tuple[float | None, float | None]:
    """Poll until the chart's staging directory appears and goes; (appeared, gone) in seconds after now."""
    start = time.perf_counter()
    appeared = gone = None
    while process.poll() is None:
        present = staging_appeared(project)
        now = time.perf_counter() - start
        if appeared is None and present:
            appeared = now
        elif appeared is not None and gone is None and not present:
            gone = now
        time.sleep(0.0001)
    return appeared, gone


def calibrate(setup: KillSetup) -> tuple[float, float, float]:
    """Seconds (for a whole render, until the chart's staging directory appears, that it exists)."""
    setup.reset()
    start = time.perf_counter()
    process = start_render(setup.project, stderr=subprocess.PIPE)
    appeared, gone = wait_for_staging(process, setup.project)
    total = time.perf_counter() - start
    _, stderr = process.communicate()
    assert process.returncode == 0, stderr.decode()
    assert appeared is not None, "the render never made a staging directory"
    assert setup.state(CHART) == "new" and not leftovers(setup.project)
    return total, appeared, max((gone or total) - appeared, 0.001)


def spread(strategy: str, span: float, runs: int) -> list[tuple[str, float]]:
    return [(strategy, span * i / max(runs - 1, 1)) for i in range(runs)]


@pytest.mark.slow
def test_a_killed_render_leaves_old_or_new_never_mixed(kill_setup: KillSetup) -> None:
    setup = kill_setup
    total, appeared, window = calibrate(setup)
    # Staggered kills from the very start to past completion; then kills aimed at the write
    # itself, at offsets after the chart's staging directory appears spread over its lifetime,
    # and over the rest of the run (the swap, the clean-up, the examples directory).
    plan = spread("after start", total * 1.1, KILL_RUNS)
    plan += spread("after staging appeared", window * 1.5, KILL_RUNS)
    plan += spread("after staging appeared", (total - appeared) * 1.1, KILL_RUNS // 2)
    outcomes: collections.Counter[str] = collections.Counter()
    for number, (strategy, delay) in enumerate(plan):
        setup.reset()
        process = start_render(setup.project)
        if strategy == "after start":
            time.sleep(delay)
        else:
            while process.poll() is None and not staging_appeared(setup.project):
                time.sleep(0.0001)
            deadline = time.perf_counter() + delay
            while time.perf_counter() < deadline:  # busy-wait: sleep() is too coarse for these offsets
                pass
        process.send_signal(signal.SIGKILL)
        process.wait()
        where = f"run {number} ({strategy}, {delay * 1000:.1f} ms)"
        chart, examples = setup.state(CHART), setup.state(EXAMPLES)
        assert chart != "MIXED", f"{where}: deploy/helm/certctl is neither the old tree nor the new one"
        assert examples != "MIXED", f"{where}: deploy/helm/examples is neither the old tree nor the new one"
        assert process.returncode in (0, -signal.SIGKILL), f"{where}: exit code {process.returncode}"
        left = leftovers(setup.project)
        killed = "completed" if process.returncode == 0 else "killed"
        outcomes[
            f"{killed}: chart {chart}, examples {examples}, {'staging left behind' if left else 'clean'}"
        ] += 1
        if left or chart == "old" or examples == "old":
            result = render(setup.project)  # the next render finishes the job and cleans up
            assert result.exit_code == 0, f"{where}: {result.output}"
            assert leftovers(setup.project) == [], f"{where}: the next render left {left}"
            assert setup.state(CHART) == setup.state(EXAMPLES) == "new", where

    summary = "\n".join(f"{count:4d}  {outcome}" for outcome, count in sorted(outcomes.items()))
    print(
        f"\nkill test: {len(plan)} runs (render {total * 1000:.0f} ms, chart staging {window * 1000:.1f} ms)\n{summary}"
    )
    assert outcomes["killed: chart old, examples old, staging left behind"] >= 1, (
        f"no kill landed while the new tree was being written:\n{summary}"
    )
    assert any(outcome.startswith("killed: chart old, examples old, clean") for outcome in outcomes), summary
    assert any("chart new" in outcome for outcome in outcomes), summary


def test_the_next_render_restores_a_tree_moved_away_by_a_killed_fallback_swap(tmp_path: Path) -> None:
    # Without renameat2 the swap is two renames; a kill between them leaves the old tree moved
    # aside and no chart directory. The next render puts it back before doing anything else.
    project = copy_project(tmp_path / "project")
    assert render(project).exit_code == 0
    chart = project / CHART
    before = tree(chart)
    moved = chart.parent / f".certctl{STAGING_MARK}old"
    os.rename(chart, moved)
    partial = chart.parent / f".certctl{STAGING_MARK}abc123"
    (partial / "templates").mkdir(parents=True)
    (partial / "Chart.yaml").write_text("half")
    result = render(project)
    assert result.exit_code == 0, result.output
    assert "unchanged" in result.output
    assert tree(chart) == before and leftovers(project) == []


def test_the_fallback_swap_without_renameat2_writes_the_new_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "_exchange", lambda first, second: False)
    project = copy_project(tmp_path / "project")
    assert render(project).exit_code == 0
    add_unowned(project)
    add_component(project, "zznew")
    result = render(project)
    assert result.exit_code == 0, result.output
    assert (project / CHART / "templates" / "zznew-configmap.yaml").is_file()
    assert all((project / path).read_text() == text for path, text in UNOWNED.items())
    assert leftovers(project) == []


# --- an output directory that cannot be written -----------------------------------------------


@pytest.fixture
def rendered(tmp_path: Path) -> Path:
    """A project rendered once, with unowned files, whose sources have since changed."""
    project = copy_project(tmp_path / "project")
    add_component(project, "zzgone")
    assert render(project).exit_code == 0
    add_unowned(project)
    revise_sources(project)
    return project


def read_only(*args: Any, **kwargs: Any) -> Any:
    raise OSError(errno.EROFS, os.strerror(errno.EROFS))


@pytest.mark.parametrize("step", ["staging directory", "third file", "swap"])
def test_a_read_only_output_directory_is_a_clear_error_and_changes_nothing(
    rendered: Path, step: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # We run as root, which writes anywhere: make the step fail as on a read-only file system.
    if step == "staging directory":
        monkeypatch.setattr(writer.tempfile, "mkdtemp", read_only)
    elif step == "third file":
        calls = []
        real = writer._write_file

        def write_two_then_fail(path: Path, text: str) -> None:
            calls.append(path)
            if len(calls) == 3:
                read_only()
            real(path, text)

        monkeypatch.setattr(writer, "_write_file", write_two_then_fail)
    else:
        monkeypatch.setattr(writer, "_exchange", read_only)
    before = {d: tree(rendered / d) for d in (CHART, EXAMPLES)}

    result = render(rendered)

    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == f"chartgen: error: {rendered / CHART}: cannot write the output directory: Read-only file system"
    )
    assert {d: tree(rendered / d) for d in (CHART, EXAMPLES)} == before
    assert leftovers(rendered) == []


def test_an_output_directory_below_a_file_is_a_clear_error_and_changes_nothing(rendered: Path) -> None:
    blocker = rendered / "deploy" / "helm" / "examples" / "values-production.yaml"
    set_output(rendered, "examples", "deploy/helm/examples/values-production.yaml/out")
    before = tree(rendered / "deploy")
    result = render(rendered)
    assert result.exit_code == 2
    assert f"cannot create the output directory: {blocker} is a file, not a directory" in result.stderr
    assert tree(rendered / "deploy") == before, "the chart must not be written when the examples cannot be"


# --- two renders at once ----------------------------------------------------------------------


def test_a_second_render_is_refused_while_one_holds_the_lock(rendered: Path) -> None:
    before = tree(rendered / "deploy")
    with project_lock(rendered):
        second = subprocess.run(
            [sys.executable, "-m", "chartgen", "render", "--project", str(rendered)],
            env=SUBPROCESS_ENV,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert second.returncode == 2, second.stderr
    assert second.stderr.strip() == (
        f"chartgen: error: {rendered / '.chartgen.lock'}: another chartgen render is "
        "running in this project; try again when it ends"
    )
    assert "Traceback" not in second.stderr
    assert tree(rendered / "deploy") == before and leftovers(rendered) == []
    after = render(rendered)  # the lock is gone with its holder
    assert after.exit_code == 0, after.output


def test_the_lock_does_not_block_check(rendered: Path) -> None:
    with project_lock(rendered):
        result = render(rendered, "--check")
    assert result.exit_code == 1  # the sources changed: out of date, reported, not refused


# --- files chartgen does not own --------------------------------------------------------------


def test_unowned_files_survive_a_render_that_removes_a_generated_file(rendered: Path) -> None:
    chart = rendered / CHART
    assert (chart / "templates" / "zzgone-configmap.yaml").is_file()
    result = render(rendered)
    assert result.exit_code == 0, result.output
    assert not (chart / "templates" / "zzgone-configmap.yaml").exists(), (
        "a generated file no longer generated goes"
    )
    assert (chart / "templates" / "zznew-configmap.yaml").is_file()
    for path, text in UNOWNED.items():
        assert (rendered / path).read_text() == text, path
    owned = (chart / MANIFEST).read_text().splitlines()
    assert not any(name in owned for name in ("ci/local-values.yaml", "templates/zz-local.yaml", ".my-notes"))
    assert "left alone (not generated by chartgen): ci/local-values.yaml" in result.stdout
    again = render(rendered)
    assert "unchanged" in again.stdout
    for path, text in UNOWNED.items():
        assert (rendered / path).read_text() == text, path


def test_an_unowned_file_where_a_generated_one_goes_is_refused_and_nothing_changes(rendered: Path) -> None:
    mine = rendered / CHART / "templates" / "zznew-configmap.yaml"
    mine.write_text("# mine, not chartgen's\n")
    before = tree(rendered / "deploy")
    result = render(rendered)
    assert result.exit_code == 2
    assert (
        "refusing to overwrite files chartgen does not own: templates/zznew-configmap.yaml" in result.stderr
    )
    assert tree(rendered / "deploy") == before


def test_a_clash_in_the_examples_directory_leaves_the_chart_unchanged(rendered: Path) -> None:
    (rendered / EXAMPLES / MANIFEST).write_text("# nothing owned\n")
    before = tree(rendered / "deploy")
    result = render(rendered)
    assert result.exit_code == 2
    assert f"{rendered / EXAMPLES}: refusing to overwrite files chartgen does not own: " in result.stderr
    assert "values-minimal.yaml" in result.stderr
    assert tree(rendered / "deploy") == before


def test_an_output_path_that_is_a_file_is_never_replaced(rendered: Path) -> None:
    precious = rendered / "deploy" / "helm" / "precious.txt"
    precious.write_text("not chartgen's\n")
    set_output(rendered, "chart", "deploy/helm/precious.txt")
    result = render(rendered)
    assert result.exit_code == 2
    assert f"{precious}: the output path exists and is not a directory" in result.stderr
    assert precious.read_text() == "not chartgen's\n"
    assert leftovers(rendered) == []


def test_a_render_keeps_the_output_directory_mode(rendered: Path) -> None:
    chart = rendered / CHART
    chart.chmod(0o750)
    assert render(rendered).exit_code == 0
    assert (chart / "templates" / "zznew-configmap.yaml").is_file(), "the tree was swapped"
    assert chart.stat().st_mode & 0o777 == 0o750


def test_a_new_output_directory_gets_the_usual_mode_not_the_staging_one(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    assert render(project).exit_code == 0
    mask = os.umask(0)
    os.umask(mask)
    for directory in (CHART, EXAMPLES):
        assert (project / directory).stat().st_mode & 0o777 == 0o777 & ~mask, directory
