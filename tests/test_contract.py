"""Environment variables the chart sets are ones certctl reads (schemas/catalog/env.yaml)."""

from __future__ import annotations

import re

import kubernetes_validate
import pytest
from helpers import CHART_DIR, ROOT, containers, env_of, find, objects, pod_specs, with_minimal
from test_chart import SCENARIOS

from chartgen.catalog import load_env_catalog

CATALOG = load_env_catalog(ROOT / "schemas" / "catalog" / "env.yaml")
BINARY = {"server": "server", "agent": "agent"}
POSTGRES_IMAGE_ENV = {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_INITDB_ARGS", "PGDATA"}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_env_name_is_in_the_catalog(scenario: str) -> None:
    objs = objects(with_minimal(SCENARIOS[scenario]))
    config = find(objs, "ConfigMap", "certctl-server")["data"]
    names = set(config)
    for _, spec in pod_specs(objs):
        for container in containers(spec):
            if container["name"] == "postgres":
                assert set(env_of(container)) <= POSTGRES_IMAGE_ENV
                continue
            names |= set(env_of(container))
    for name in names:
        assert CATALOG.is_known(name) or CATALOG.is_libpq(name), name


@pytest.mark.parametrize(
    "agent", [{"kind": "DaemonSet"}, {"kind": "Deployment"}, {"kind": "Deployment", "id": "agent-1"}]
)
def test_required_env_of_each_binary_is_set(agent: dict) -> None:
    objs = objects(with_minimal({"agent": agent}))
    config = find(objs, "ConfigMap", "certctl-server")["data"]
    for workload, spec in pod_specs(objs):
        for container in containers(spec):
            binary = BINARY.get(container["name"])
            if binary:
                present = set(env_of(container)) | (set(config) if binary == "server" else set())
                if "/etc/certctl-agent/agent-identity.sh" in container.get("command", []):
                    present.add("CERTCTL_AGENT_ID")  # the server-issued ID (test_agent_identity)
                assert set(CATALOG.required_for(binary)) <= present, (workload["kind"], container["name"])


def test_no_certctl_name_in_docs_is_unknown() -> None:
    for path in [CHART_DIR / "values.yaml", CHART_DIR / "README.md", CHART_DIR / "templates" / "NOTES.txt"]:
        for name in set(re.findall(r"\bCERTCTL_[A-Z0-9_]+\b", path.read_text())):
            assert CATALOG.is_known(name), (path.name, name)


@pytest.mark.parametrize("version", ["1.29", "1.35"])
def test_minimal_example_passes_kubernetes_validate_strict(version: str) -> None:
    # The public (slow) API, as an independent check of chartgen's own validator.
    for obj in objects(with_minimal(), kube_version=version):
        kubernetes_validate.validate(obj, version, strict=True)
