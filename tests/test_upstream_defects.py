"""Linting a chart that reproduces the upstream certctl chart's defects (spec section D) reports
each defect a static tool can see, with the template file and line."""

from __future__ import annotations

import json

import pytest
from helpers import ROOT
from typer.testing import CliRunner

from chartgen.cli import app

CHART = ROOT / "tests" / "fixtures" / "charts" / "upstream-defects"

# defect: (check, template file, line, a word of the message)
EXPECTED = {
    "D-1 $(VAR) in Secret data": ("variable-in-config-data", "server-secret.yaml", 6, "POSTGRES_PASSWORD"),
    "D-2 no CERTCTL_AGENT_ID": ("required-env-missing", "agent-daemonset.yaml", 16, "CERTCTL_AGENT_ID"),
    "D-4 api-key key missing": ("missing-config-reference", "agent-daemonset.yaml", 23, "api-key"),
    "D-6 container fields at pod level": (
        "kubernetes-schema-violation",
        "server-deployment.yaml",
        15,
        "allowPrivilegeEscalation",
    ),
    "D-7 env map dumped into a list": (
        "invalid-yaml",
        "server-deployment.yaml",
        37,
        "expected '-' indicator",
    ),
    "D-8 duplicate CERTCTL_DATABASE_URL": (
        "duplicate-env-name",
        "server-deployment.yaml",
        21,
        "CERTCTL_DATABASE_URL",
    ),
    "D-9 server key on every node": (
        "private-key-mounted-without-need",
        "agent-daemonset.yaml",
        27,
        "tls.key",
    ),
    "D-10 cluster-wide Secret access": ("cluster-wide-secret-access", "rbac.yaml", 12, "Secrets"),
    "D-15 hard-coded log format": ("unused-value", "values.yaml", 13, "server.logFormat"),
    "D-16 PDB values without template": ("unused-value", "values.yaml", 29, "podDisruptionBudget.enabled"),
    "D-21 names over 63 characters": ("name-too-long", "server-deployment.yaml", 4, "at most 63"),
    "D-25 not PSS restricted": ("seccomp-profile-missing", "agent-daemonset.yaml", 14, "seccomp"),
    "D-32 phantom variable in NOTES": (
        "unknown-env-var-in-docs",
        "NOTES.txt",
        1,
        "CERTCTL_AGENT_POLL_INTERVAL",
    ),
    "D-35 non-standard Chart.yaml field": ("helm-lint", "Chart.yaml", None, "license"),
    "D-36 agent pods without checksum": (
        "config-checksum-missing",
        "agent-daemonset.yaml",
        9,
        "certctl-certctl-server",
    ),
}


@pytest.fixture(scope="module")
def findings() -> list[dict]:
    result = CliRunner().invoke(
        app,
        [
            "lint",
            "matrix",
            "--project",
            str(ROOT),
            "--chart",
            str(CHART),
            "--values-dir",
            str(CHART / "ci"),
            "--k8s-version",
            "1.29",
            "--deep",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 1, result.output
    return json.loads(result.stdout)["findings"]


@pytest.mark.parametrize("defect", EXPECTED)
def test_each_statically_visible_defect_is_reported_with_file_and_line(
    defect: str, findings: list[dict]
) -> None:
    check, template, line, word = EXPECTED[defect]
    matching = [
        f
        for f in findings
        if f["check"] == check
        and f["template"].rsplit("/", 1)[-1] == template
        and f["line"] == line
        and word in f["message"]
    ]
    assert matching, (
        defect,
        sorted({(f["check"], f["template"].rsplit("/", 1)[-1], f["line"]) for f in findings}),
    )
