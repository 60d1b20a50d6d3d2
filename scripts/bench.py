#!/usr/bin/env python3
"""Measure chartgen's lint matrix side by side with the per-process pipeline it replaces.

Issue 6 sets speed targets (the named tier in about a second, 10x the per-process
pipeline, peak memory, per-document validation cost...). This script measures all of
them in one run on the machine at hand, so the figures quoted in notes can be reproduced:

    python scripts/bench.py [--runs N] [--quick]     (with the project's dependencies installed)

Whole processes, each the median of several runs with the peak RSS of the largest process:
  (a) ``chartgen lint matrix --tier named``, as a user runs it (start-up included);
  (b) the pipeline the upstream bash guard implies: for each named scenario expected to
      render, one process for a Helm render, one for ``helm lint``, and one
      ``kubernetes-validate --strict -k VERSION`` per configured Kubernetes version;
  (c) ``checkov`` over the same rendered manifests, when it is on PATH.
In process: the stages of one (scenario, version) (render, parse, strict schema
validation, each check family), the parse cache's hit rate, and the random tier's
evaluation rate; then the random tier at growing sizes (``--scaling``): peak memory and
time per evaluation, which must stay flat and linear.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RANDOM_COUNT = 100
SCALING_SEED = 3
STAGE_SCENARIO = "defaults"

# One Helm render in a fresh process, written the way `helm template` prints it.
RENDER_SCRIPT = """
import json, posixpath, sys
import helm_python
chart_dir, values_file, release, namespace, output = sys.argv[1:]
rendered = helm_python.Chart.load(chart_dir).render(
    json.load(open(values_file)), name=release, namespace=namespace, is_install=True)
with open(output, "w") as out:
    for path in sorted(rendered):
        name = posixpath.basename(path)
        if name != "NOTES.txt" and not name.startswith("_") and rendered[path].strip():
            out.write(f"---\\n# Source: {path}\\n{rendered[path]}\\n")
"""
# One `helm lint --strict` in a fresh process.
LINT_SCRIPT = """
import json, sys
import helm_python
helm_python.lint(sys.argv[1], json.load(open(sys.argv[2])), strict=True)
"""


@dataclass(frozen=True)
class Sample:
    """One process (or sequence of processes): wall seconds and the largest RSS seen."""

    wall: float
    peak_mib: float
    exit_code: int = 0


@dataclass
class Measurement:
    label: str
    samples: list[Sample] = field(default_factory=list)
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(sample.wall for sample in self.samples)

    @property
    def peak_mib(self) -> float:
        return max(sample.peak_mib for sample in self.samples)


@dataclass(frozen=True)
class ScalingRow:
    count: int
    wall: float
    peak_mib: float
    per_evaluation_ms: float


@dataclass
class Stages:
    """Where the time of one (scenario, version) goes, in median milliseconds."""

    pair: str
    documents: int
    render: float
    parse: float
    validation: float
    families: dict[str, float] = field(default_factory=dict)  # per-pair checks, summed by family
    once: dict[str, float] = field(default_factory=dict)  # chart-scope checks, run once per run

    @property
    def total(self) -> float:
        """What chartgen spends on the pair (strict validation is inside the kubernetes checks)."""
        return self.render + self.parse + sum(self.families.values())

    @property
    def floor(self) -> float:
        """The least any linter can spend: a Helm render plus strict schema validation."""
        return self.render + self.validation


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, help="runs of chartgen lint matrix (default 5; 1 with --quick)")
    parser.add_argument(
        "--slow-runs",
        type=int,
        help="runs of the pipeline and of checkov, which take 10-20x longer "
        "(default 3, which keeps the default under 3 minutes on 2 cores; 1 with --quick)",
    )
    parser.add_argument("--quick", action="store_true", help="one run each and fewer in-process repetitions")
    parser.add_argument(
        "--scaling",
        help="comma-separated random-tier sizes whose peak memory and time per evaluation are measured "
        "(default 250,1000,4000, about 4 minutes on 2 cores; 250,1000 with --quick; '' skips)",
    )
    args = parser.parse_args()
    runs = args.runs if args.runs is not None else (1 if args.quick else 5)
    slow_runs = args.slow_runs if args.slow_runs is not None else (1 if args.quick else 3)
    if min(runs, slow_runs) < 1:
        parser.error("--runs and --slow-runs must be at least 1")
    repetitions = 10 if args.quick else 50
    scaling_text = (
        args.scaling if args.scaling is not None else ("250,1000" if args.quick else "250,1000,4000")
    )
    try:
        scaling = [int(part) for part in scaling_text.split(",") if part.strip()]
    except ValueError:
        parser.error(f"--scaling takes sizes like 250,1000,4000; got {scaling_text!r}")
    try:
        Bench(runs, slow_runs, repetitions, scaling).run()
    except BenchError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        return 2
    return 0


class BenchError(Exception):
    """The bench cannot run here (a tool is missing, chartgen fails): said in one line."""


class Bench:
    """One benchmark run: the project's lint target, loaded once, and the measurements over it."""

    def __init__(self, runs: int, slow_runs: int, repetitions: int, scaling: list[int]) -> None:
        sys.path.insert(0, str(ROOT))
        from chartgen.errors import UserError
        from chartgen.matrix.target import MatrixOptions, build_plan
        from chartgen.project import load_project

        self.runs = runs
        self.slow_runs = slow_runs
        self.repetitions = repetitions
        self.scaling_counts = scaling
        try:
            self.target = build_plan(load_project(ROOT), MatrixOptions(), ROOT).target
        except UserError as exc:
            raise BenchError(f"cannot load the project's lint matrix: {exc}") from None
        self.rendering = [s for s in self.target.scenarios if s.expect.fails is None]
        # Subprocesses run this checkout's chartgen, and print text even under GitHub Actions.
        self.env = {key: value for key, value in os.environ.items() if key != "GITHUB_ACTIONS"}
        self.env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        self.validate_cli = _tool("kubernetes-validate")
        self.checkov = shutil.which("checkov")

    def run(self) -> None:
        versions = ", ".join(self.target.kube_versions)
        load = ", ".join(f"{figure:.2f}" for figure in os.getloadavg())
        print(
            f"chartgen bench: {platform.python_implementation()} {platform.python_version()}, "
            f"{os.cpu_count()} CPUs, load average {load} at start"
        )
        print(
            f"named tier: {len(self.target.scenarios)} scenarios ({len(self.rendering)} expected to render) "
            f"x Kubernetes {versions}\n"
        )
        with tempfile.TemporaryDirectory(prefix="chartgen-bench-") as scratch:
            workdir = Path(scratch)
            whole = [self.chartgen_named(), self.pipeline(workdir)]
            whole.append(self.checkov_run(workdir / "rendered"))
        print_whole(whole)
        stages = self.stages()
        self.parse_cache_figures()
        random_rate = self.random_tier()
        scaling = self.scaling()
        print_targets(whole, stages, random_rate, self.pipeline_processes)
        print_scaling_targets(scaling)

    # --- whole processes --------------------------------------------------------------

    def chartgen_named(self) -> Measurement:
        command = [sys.executable, "-m", "chartgen", "lint", "matrix", "--tier", "named", "--format", "text"]
        measurement = Measurement("chartgen lint matrix --tier named")
        for _ in range(self.runs):
            sample = run_process(command, self.env)
            if sample.exit_code not in (0, 1):
                raise BenchError(f"chartgen lint matrix exited {sample.exit_code}; run it by hand to see why")
            measurement.samples.append(sample)
        return measurement

    @property
    def pipeline_processes(self) -> int:
        return len(self.rendering) * (2 + len(self.target.kube_versions))

    def pipeline(self, workdir: Path) -> Measurement:
        """The bash guard: every step of every scenario its own process, one after the other."""
        rendered = workdir / "rendered"
        rendered.mkdir()
        for scenario in self.rendering:
            (workdir / f"{scenario.name}.json").write_text(json.dumps(scenario.values))
        measurement = Measurement(
            f"per-process pipeline ({self.pipeline_processes} processes)",
            note=f"{len(self.rendering)} scenarios: render, helm lint, kubernetes-validate per version",
        )
        for _ in range(self.slow_runs):
            started, peak, failed = time.perf_counter(), 0.0, 0
            for scenario in self.rendering:
                values, manifests = workdir / f"{scenario.name}.json", rendered / f"{scenario.name}.yaml"
                steps = [
                    [
                        sys.executable,
                        "-c",
                        RENDER_SCRIPT,
                        str(self.target.chart_dir),
                        str(values),
                        scenario.release,
                        scenario.namespace,
                        str(manifests),
                    ],
                    [sys.executable, "-c", LINT_SCRIPT, str(self.target.chart_dir), str(values)],
                ]
                steps += [
                    [self.validate_cli, "--strict", "-k", version, str(manifests)]
                    for version in self.target.kube_versions
                ]
                for step in steps:
                    sample = run_process(step, self.env)
                    peak = max(peak, sample.peak_mib)
                    failed += sample.exit_code != 0
            measurement.samples.append(Sample(time.perf_counter() - started, peak))
        if failed:
            measurement.note += f"; {failed} steps exited non-zero in the last run"
        return measurement

    def checkov_run(self, rendered: Path) -> Measurement:
        measurement = Measurement(f"checkov -d ({len(self.rendering)} renders, one process)")
        if self.checkov is None:
            measurement.note = "skipped: checkov is not on PATH (pip install checkov)"
            return measurement
        command = [
            self.checkov,
            "-d",
            str(rendered),
            "--framework",
            "kubernetes",
            "--skip-download",
            "--quiet",
        ]
        measurement.samples = [run_process(command, self.env) for _ in range(self.slow_runs)]
        return measurement

    def random_tier(self) -> float | None:
        """Evaluations per second of the random tier, one run, start-up included (None if it broke)."""
        command = [
            sys.executable,
            "-m",
            "chartgen",
            "lint",
            "matrix",
            "--tier",
            "random",
            "--count",
            str(RANDOM_COUNT),
            "--format",
            "text",
        ]
        sample = run_process(command, self.env)
        versions = len(self.target.kube_versions)
        evaluations = RANDOM_COUNT * versions
        what = (
            f"{evaluations} (scenario, version) evaluations ({RANDOM_COUNT} value sets x {versions} versions)"
        )
        if sample.exit_code not in (0, 1):
            print(
                f"\nrandom tier: FAILED, exit {sample.exit_code} after {sample.wall:.2f} s; no rate (run it by hand)"
            )
            return None
        rate = evaluations / sample.wall
        print(
            f"\nrandom tier: {what} in {sample.wall:.2f} s = {rate:.0f}/s "
            f"(one run, start-up and shrinking included, exit {sample.exit_code}, peak {sample.peak_mib:.0f} MiB)"
        )
        return rate

    def scaling(self) -> list[ScalingRow]:
        """Peak memory and time per evaluation of the random tier at each size (one Kubernetes
        version, the same seed): memory must stay flat and time linear as the matrix grows."""
        if not self.scaling_counts:
            return []
        version = self.target.kube_versions[-1]

        def random_run(count: int) -> Sample:
            command = [sys.executable, "-m", "chartgen", "lint", "matrix", "--tier", "random"]
            command += ["--seed", str(SCALING_SEED), "--count", str(count), "--k8s-version", version]
            sample = run_process([*command, "--format", "text"], self.env)
            if sample.exit_code not in (0, 1):
                raise BenchError(f"the random tier with --count {count} exited {sample.exit_code}")
            return sample

        start_up = random_run(1).wall  # start-up and one evaluation, taken off each run below
        print(f"\nrandom tier scaling (seed {SCALING_SEED}, Kubernetes {version}; start-up {start_up:.2f} s)")
        print(f"  {'scenarios':>9}{'wall s':>9}{'peak MiB':>10}{'ms per evaluation':>19}")
        rows = []
        for count in self.scaling_counts:
            sample = random_run(count)
            per_evaluation = max(0.0, sample.wall - start_up) / max(1, count - 1) * 1000
            rows.append(ScalingRow(count, sample.wall, sample.peak_mib, per_evaluation))
            print(f"  {count:>9}{sample.wall:>9.2f}{sample.peak_mib:>10.0f}{per_evaluation:>19.2f}")
        return rows

    def parse_cache_figures(self) -> None:
        """Hits of the bounded parse cache on the named tier, in process."""
        from chartgen.engine import run_matrix
        from chartgen.parsecache import ParseCache

        cache = ParseCache()
        run_matrix(self.target, parse_cache=cache)
        print(
            f"\nparse cache, named tier: {cache.hits} hits, {cache.misses} misses "
            f"({100 * cache.hit_rate:.0f}% hit rate), {len(cache)} texts kept within {cache.budget:,} characters"
        )

    # --- one (scenario, version) in process ---------------------------------------------

    def stages(self) -> Stages:
        """Median milliseconds of each stage of one (scenario, version), checks by family."""
        from chartgen.store import RenderStore

        target = self.target
        scenario = next((s for s in target.scenarios if s.name == STAGE_SCENARIO), self.rendering[0])
        version = target.kube_versions[-1]
        store = RenderStore(target.chart_dir, target.api_versions)
        try:
            return self._stages(store, scenario, version)
        finally:
            store.close()

    def _stages(self, store: Any, scenario: Any, version: str) -> Stages:
        from chartgen.checks.context import RenderOutcome, Services
        from chartgen.kubeschema import SchemaNotFound
        from chartgen.manifests import parse_rendered
        from chartgen.sourcemap import TemplateLocator

        target = self.target
        rendered = store.render(scenario, version)
        manifests, failures = parse_rendered(rendered)

        def validate_all() -> None:
            for manifest in manifests:
                with contextlib.suppress(SchemaNotFound):  # a custom resource without a schema
                    target.schemas.validate(manifest.obj, version)

        validate_all()  # compiles the validators once, as a run does on its first render
        stages = Stages(
            f"{scenario.name} @ {version}",
            len(manifests),
            render=self.median_ms(lambda: store.render(scenario, version)),
            parse=self.median_ms(lambda: parse_rendered(rendered)),
            validation=self.median_ms(validate_all),
        )
        services = Services(
            chart_dir=target.chart_dir,
            store=store,
            schemas=target.schemas,
            locator=TemplateLocator(target.chart_dir, target.root),
            catalog_dir=target.catalog_dir,
            check_ids=frozenset(c.check.id for c in target.checks),
        )
        outcome = RenderOutcome(scenario, version, rendered, tuple(manifests), tuple(failures))
        self.time_checks(stages, services, outcome)
        print_stages(stages, self.repetitions)
        return stages

    def time_checks(self, stages: Stages, services: Any, outcome: Any) -> None:
        """Time every configured check on ``outcome``, called as the engine calls it, summed by family."""
        from chartgen.checks import Scope
        from chartgen.checks.context import CheckContext, Skip

        PAIR_SCOPES = (Scope.CHART, Scope.VALUES, Scope.RENDER, Scope.OBJECT)

        for configured in self.target.checks:
            check = configured.check
            if check.scope not in PAIR_SCOPES:
                continue  # matrix analyses and run invariants work on the whole run, not on one pair
            # Only render- and object-scope checks see the outcome; object checks run once per matching object.
            context = CheckContext(
                services, configured.options, outcome if check.scope in (Scope.RENDER, Scope.OBJECT) else None
            )
            if check.scope is Scope.OBJECT:
                subjects = [m for m in outcome.manifests if check.applies_to(str(m.obj.get("kind", "")))]
            else:
                subjects = [
                    {
                        Scope.CHART: self.target.chart_dir,
                        Scope.VALUES: outcome.scenario,
                        Scope.RENDER: outcome,
                    }[check.scope]
                ]

            def run_check(
                run: Callable[..., Any] = check.run, subjects: list[Any] = subjects, context: Any = context
            ) -> None:
                for subject in subjects:
                    with contextlib.suppress(Skip):
                        list(run(subject, context))

            if check.scope is Scope.CHART:  # once per run, not per (scenario, version): a few repetitions do
                stages.once[check.id] = statistics.median(_timed(run_check) for _ in range(3)) * 1000
            else:
                family = check.family or "other"
                stages.families[family] = stages.families.get(family, 0.0) + self.median_ms(run_check)

    def median_ms(self, function: Callable[[], Any]) -> float:
        function()  # warm-up
        return statistics.median(_timed(function) for _ in range(self.repetitions)) * 1000


def _timed(function: Callable[[], Any]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def _tool(name: str) -> str:
    """A console script installed beside this interpreter (its venv), else one on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if found is None:
        raise BenchError(f"{name} is not installed beside {sys.executable} or on PATH")
    return found


def run_process(command: list[str], env: dict[str, str]) -> Sample:
    """Run ``command`` to completion; wait4 gives this process's own peak RSS (KiB on Linux)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return Sample(wall, usage.ru_maxrss / 1024, process.returncode)


# --- printing ---------------------------------------------------------------------------


def print_whole(measurements: list[Measurement]) -> None:
    base = measurements[0].median
    print(
        f"{'whole runs':<48}{'runs':>5}{'median s':>9}{'min s':>8}{'max s':>8}{'peak MiB':>10}{'vs chartgen':>13}"
    )
    for m in measurements:
        if not m.samples:
            print(f"{m.label:<48}{m.note}")
            continue
        walls = [sample.wall for sample in m.samples]
        print(
            f"{m.label:<48}{len(walls):>5}{m.median:>9.2f}{min(walls):>8.2f}{max(walls):>8.2f}{m.peak_mib:>10.0f}"
            f"{m.median / base:>12.1f}x"
        )
        if m.note:
            print(f"  {m.note}")


def print_stages(stages: Stages, repetitions: int) -> None:
    print(
        f"\none (scenario, version) in process: {stages.pair}, {stages.documents} documents, "
        f"median of {repetitions} (ms)"
    )
    rows = {
        "render (Helm engine)": stages.render,
        "parse (parse_rendered)": stages.parse,
        "strict schema validation (all documents)": stages.validation,
    }
    rows |= {f"checks: {family}": ms for family, ms in sorted(stages.families.items())}
    for name, ms in rows.items():
        print(f"  {name:<44}{ms:>9.3f}")
    print(
        f"  {'total: render + parse + checks':<44}{stages.total:>9.3f}"
        f"   = {stages.total / stages.floor:.1f}x render + strict validation"
    )
    print(f"  strict validation per document: {stages.validation / stages.documents:.4f} ms")
    for check, ms in stages.once.items():
        print(f"  once per run (chart scope), {check}: {ms:.1f} ms")


def print_targets(
    whole: list[Measurement], stages: Stages, random_rate: float | None, processes: int
) -> None:
    chartgen, pipeline = whole[0], whole[1]
    ratio = stages.total / stages.floor
    per_document = stages.validation / stages.documents
    rows = [
        ("named tier wall, start-up included", f"{chartgen.median:.2f} s", "<= 1 s", chartgen.median <= 1.0),
        (
            f"speed-up over the pipeline ({processes} processes)",
            f"{pipeline.median / chartgen.median:.1f}x",
            ">= 10x",
            pipeline.median / chartgen.median >= 10,
        ),
        ("per (scenario, version) vs render + validation", f"{ratio:.1f}x", "<= 2x", ratio <= 2),
        ("chartgen peak memory", f"{chartgen.peak_mib:.0f} MiB", "<= 150 MiB", chartgen.peak_mib <= 150),
        (
            "random tier rate",
            "not measured" if random_rate is None else f"{random_rate:.0f}/s",
            ">= 100/s",
            random_rate is not None and random_rate >= 100,
        ),
        ("strict validation per document", f"{per_document:.4f} ms", "<= 0.05 ms", per_document <= 0.05),
    ]
    print("\ntargets (issue 6)")
    for name, measured, wanted, met in rows:
        print(f"  {name:<50}{measured:>12}   target {wanted:<11}{'met' if met else 'MISSED'}")


def print_scaling_targets(rows: list[ScalingRow]) -> None:
    if len(rows) < 2:
        return
    first, last = rows[0], rows[-1]
    memory_ratio = last.peak_mib / first.peak_mib
    time_ratio = last.per_evaluation_ms / first.per_evaluation_ms if first.per_evaluation_ms else float("inf")
    targets = [
        (
            f"peak at N={last.count} / peak at N={first.count}",
            f"{memory_ratio:.2f}x",
            "<= 1.2x",
            memory_ratio <= 1.2,
        ),
        (f"peak at N={last.count}", f"{last.peak_mib:.0f} MiB", "<= 200 MiB", last.peak_mib <= 200),
        (
            f"time per evaluation N={last.count} / N={first.count}",
            f"{time_ratio:.2f}x",
            "<= 1.1x",
            time_ratio <= 1.1,
        ),
    ]
    print("\ntargets (issue 16)")
    for name, measured, wanted, met in targets:
        print(f"  {name:<50}{measured:>12}   target {wanted:<11}{'met' if met else 'MISSED'}")


if __name__ == "__main__":
    sys.exit(main())
