"""A large synthetic matrix report, for the HTML report's paging test and scripts/bench_html.py."""

from __future__ import annotations

from chartgen.findings import CheckInfo, Report, Result, Summary

CHECKS = 20
SCENARIOS = 50
VERSIONS = ("1.29", "1.37")


def large_report(per_pair: int) -> Report:
    """``per_pair`` warnings of every check in every (scenario, version): 2,000 × ``per_pair``
    results, each root cause (a message naming its scenario) occurring at both versions."""
    checks = {
        f"check-{n:02d}": CheckInfo(f"check-{n:02d}", f"X{n:03d}", "synthetic", "warning", "d", "r.")
        for n in range(CHECKS)
    }
    scenarios = [f"scenario-{n:02d}" for n in range(SCENARIOS)]
    results = [
        Result(
            check,
            info.code,
            "warning",
            scenario,
            version,
            "Deployment",
            "app",
            "spec",
            f"problem {k} in {scenario}",
            "templates/app.yaml",
            7,
        )
        for check, info in checks.items()
        for scenario in scenarios
        for version in VERSIONS
        for k in range(per_pair)
    ]
    summary = Summary(
        scenarios=SCENARIOS,
        renders=SCENARIOS * len(VERSIONS),
        documents=10 * SCENARIOS * len(VERSIONS),
        checks=CHECKS,
        warnings=len(results),
        kube_versions=list(VERSIONS),
    )
    return Report(summary, results, checks, [(s, v) for s in scenarios for v in VERSIONS])
