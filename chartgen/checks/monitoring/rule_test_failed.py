"""
## What it does
Runs the Prometheus rule unit tests a project declares (`promtool test rules` files) against the
rules each scenario renders, and reports every failing case at the rule it tests. Declare them
in the lint configuration, per scenario (globs, relative to the project root):

```yaml
lint:
  checks:
    rule-test-failed:
      options:
        tests:
          - files: [tests/alerts/default/*.yaml]
            scenarios: [prometheus-rules, example-prod-ha]
```

A test file is a standard promtool unit test file; its `rule_files` are replaced by the
scenario's rendered rules (every PrometheusRule of the render). A declared test needs
`promtool` on PATH: without it the run fails.

## Why is this bad?
An alert that parses can still never fire, fire on a healthy system, fire once per replica, or
carry an annotation whose template breaks at run time. Only evaluating the rules over sample
series shows it, and only for the values a scenario renders.

## Example
```yaml
# rules rendered with a threshold of 0 and `for: 5m`
- alert: CertctlCertificateExpiringSoon
  expr: max(certctl_certificate_expiring_soon) > 0
  for: 5m
# the test expects routine renewals (a few hours in the window) to stay silent: it fails
```

## Use instead
```yaml
- alert: CertctlCertificateExpiringSoon
  expr: max(certctl_certificate_expiring_soon) > 0
  for: 24h
```

## Options
- `tests` (list, default empty): the declared tests, each `{files: [globs], scenarios: [globs]}`;
  `scenarios` defaults to every scenario.

## References
- https://prometheus.io/docs/prometheus/latest/configuration/unit_testing_rules/
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from chartgen import promtool
from chartgen.checks import Scope, check
from chartgen.checks.context import CheckContext, Skip
from chartgen.findings import Finding
from chartgen.manifests import Manifest

OPTION = "lint.checks.rule-test-failed.options.tests"


@dataclass(frozen=True)
class RuleTest:
    files: tuple[str, ...]  # globs of promtool test files, relative to the project root
    scenarios: tuple[str, ...] = ("*",)  # globs of the scenarios whose rules they test


@dataclass(frozen=True)
class RuleTestFailedOptions:
    tests: tuple[RuleTest, ...] = ()


@check(
    id="rule-test-failed",
    code="MON006",
    scope=Scope.OBJECT,
    kinds=("PrometheusRule",),
    description="A declared promtool rule unit test fails against the scenario's rendered rules.",
    remediation="Fix the rule (or, when the new behaviour is intended, the test) so that the unit test passes.",
    options=RuleTestFailedOptions,
)
def run(manifest: Manifest, ctx: CheckContext) -> Iterator[Finding]:
    if ctx.outcome is None:
        return
    root = ctx.services.locator.root
    files = _test_files(ctx.options.tests, ctx.outcome.scenario.name, root)
    if not files:
        return
    try:
        promtool.executable()
    except promtool.PromtoolMissing as missing:
        raise Skip(f"{missing}; {OPTION} declares tests for this scenario") from None
    # Tests see every PrometheusRule of the render at once; each object reports its own groups.
    documents = [m.obj for m in ctx.objects if m.obj.get("kind") == "PrometheusRule"]
    first = next(i for i, obj in enumerate(documents) if obj is manifest.obj)
    offset = sum(len(promtool.rule_groups(obj)) for obj in documents[:first])
    own = range(offset, offset + len(promtool.rule_groups(manifest.obj)))
    groups = [group for obj in documents for group in promtool.rule_groups(obj)]
    for test_file in files:
        for problem in promtool.test_rules(groups, test_file, _relative(test_file, root)):
            if problem.group in own:
                yield Finding(problem.message, path=_rebased(problem, offset).path)
            elif problem.group is None and first == 0:
                yield Finding(problem.message, path="spec.groups")


def _test_files(entries: tuple[RuleTest, ...], scenario: str, root: Path) -> list[Path]:
    files: list[Path] = []
    for number, entry in enumerate(entries):
        where = f"{OPTION}[{number}]"
        if not any(fnmatch(scenario, pattern) for pattern in entry.scenarios):
            continue
        for pattern in entry.files:
            if Path(pattern).is_absolute():
                raise Skip(f"{where}.files: {pattern!r} is not a glob relative to the project root")
            matched = sorted(root.glob(pattern))
            if not matched:
                raise Skip(f"{where}: no file matches {pattern!r} under {root}")
            files += matched
    return files


def _rebased(problem: promtool.Problem, offset: int) -> promtool.Problem:
    group = None if problem.group is None else problem.group - offset
    return promtool.Problem(problem.message, group, problem.rule)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
