"""Acceptance (issue 10): every CERTCTL_* variable and every flag a shipped example passes to a
certctl container exists in certctl at the chart's pinned appVersion, according to the catalog.

Examples are rendered as shipped (deploy/helm/examples): fleet profiles layered over
values-minimal, the others alone, each as an install and as an upgrade. A container runs
certctl when its image is certctl's or its command is a certctl image's entrypoint; what it
gets is its env plus the keys of the rendered ConfigMaps and Secrets it imports with envFrom.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from helpers import CHART_DIR, EXAMPLES_DIR, ROOT, chart, containers, pod_specs, with_minimal

from chartgen import helm
from chartgen.catalog import load_certctl_catalog, load_env_catalog
from chartgen.manifests import parse_rendered

CATALOG_DIR = ROOT / "schemas" / "catalog"
ENV = load_env_catalog(CATALOG_DIR / "env.yaml")
CERTCTL = load_certctl_catalog(CATALOG_DIR / "certctl.yaml")
APP_VERSION = yaml.safe_load((CHART_DIR / "Chart.yaml").read_text())["appVersion"]
PINNED = CERTCTL.releases.known(str(APP_VERSION))
PROFILES = ("values-small.yaml", "values-medium.yaml", "values-large.yaml")
EXAMPLES = sorted(path.name for path in EXAMPLES_DIR.glob("values-*.yaml"))
BINARY_OF_IMAGE = {"certctl-server": "server", "certctl-agent": "agent"}


def example_values(name: str) -> dict[str, Any]:
    data = yaml.safe_load((EXAMPLES_DIR / name).read_text()) or {}
    return with_minimal(data) if name in PROFILES else data


def render(values: dict[str, Any], upgrade: bool) -> list[dict[str, Any]]:
    return [m.obj for m in parse_rendered(helm.render(chart(), values, is_upgrade=upgrade))[0]]


def binary_of(container: dict[str, Any]) -> str | None:
    repository = str(container.get("image", "")).split("@")[0].rsplit(":", 1)[0]
    binary = BINARY_OF_IMAGE.get(repository.rsplit("/", 1)[-1])
    command = container.get("command") or []
    return binary or (CERTCTL.binary_for_command(command[0]) if command else None)


def passed_to_certctl(objs: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(where, binary, ``CERTCTL_X`` or ``--flag``) for everything certctl containers get."""
    data = {
        (o["kind"], o["metadata"]["name"]): _data(o) for o in objs if o["kind"] in ("ConfigMap", "Secret")
    }
    passed = []
    for workload, spec in pod_specs(objs):
        for container in containers(spec):
            binary = binary_of(container)
            if binary is None:
                continue
            where = f"{workload['kind']}/{workload['metadata']['name']}/{container['name']}"
            names = [entry["name"] for entry in container.get("env", [])]
            for source in container.get("envFrom", []):
                for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
                    if key in source:
                        keys = data.get((kind, source[key]["name"]), {})
                        names += [source.get("prefix", "") + name for name in keys]
            passed += [(where, binary, name) for name in names if name.startswith("CERTCTL_")]
            command = container.get("command")
            if not command or command == CERTCTL.image(binary, "entrypoint"):
                passed += [
                    (where, binary, arg.split("=", 1)[0])
                    for arg in container.get("args", [])
                    if arg[:1] == "-"
                ]
    return passed


def _data(obj: dict[str, Any]) -> list[str]:
    return list(obj.get("data") or {}) + list(obj.get("stringData") or {})


def not_in_pinned_certctl(passed: list[tuple[str, str, str]]) -> list[str]:
    problems = []
    for where, binary, name in passed:
        if name.startswith("-"):
            fact = CERTCTL.flag(binary, "--" + name.lstrip("-"))
        else:
            fact = ENV.lookup(name)
            fact = fact if fact is not None and binary in fact.binaries else None
        if fact is None or not CERTCTL.releases.has(fact.provenance, PINNED):
            problems.append(f"{where}: {name}")
    return problems


def test_the_pinned_version_is_a_release_the_catalog_knows() -> None:
    assert f"v{APP_VERSION}" == PINNED
    assert set(EXAMPLES) >= {"values-minimal.yaml", "values-prod-ha.yaml", *PROFILES}


@pytest.mark.parametrize("upgrade", [False, True], ids=["install", "upgrade"])
@pytest.mark.parametrize("example", EXAMPLES)
def test_example_passes_certctl_only_what_the_pinned_version_has(example: str, upgrade: bool) -> None:
    passed = passed_to_certctl(render(example_values(example), upgrade))
    binaries = {binary for _, binary, _ in passed}
    assert binaries == {"server", "agent"}, "the example runs a server and agents"
    assert len({name for _, _, name in passed}) >= 10, "the server's configuration is read through envFrom"
    assert not_in_pinned_certctl(passed) == []


def test_the_proof_catches_what_the_pinned_version_lacks() -> None:
    # prod-ha passed the first two before C1; the third is a seed-only variable in extraEnv.
    values = with_minimal(
        {
            "server": {"extraEnv": [{"name": "CERTCTL_ASYNC_POLL_MAX_WAIT_SECONDS", "value": "900"}]},
            "migrations": {"viaHook": True, "serverHasMigrateOnly": True},
        }
    )
    problems = not_in_pinned_certctl(passed_to_certctl(render(values, upgrade=True)))
    assert "Deployment/certctl-server/server: CERTCTL_MIGRATIONS_VIA_HOOK" in problems
    assert "Job/certctl-migrate/migrate: --migrate-only" in problems
    assert "Deployment/certctl-server/server: CERTCTL_ASYNC_POLL_MAX_WAIT_SECONDS" in problems
    assert not any("CERTCTL_SERVER_HOST" in problem for problem in problems)


@pytest.mark.parametrize("example", EXAMPLES)
def test_certctl_pods_run_as_the_image_user(example: str) -> None:
    # The catalog's image facts (Dockerfile USER and adduser -u): a different UID would not own
    # the image's writable paths, and the agent's key directory lives under one of them.
    checked = 0
    for _, spec in pod_specs(render(example_values(example), upgrade=False)):
        for container in containers(spec):
            binary = binary_of(container)
            if binary is None:
                continue
            context = {**(spec.get("securityContext") or {}), **(container.get("securityContext") or {})}
            assert context.get("runAsUser") == CERTCTL.image(binary, "uid"), (example, container["name"])
            checked += 1
            if binary == "agent":
                writable = CERTCTL.image("agent", "writable")
                mounts = [mount["mountPath"] for mount in container.get("volumeMounts", [])]
                assert any(mount in writable for mount in mounts), "the key directory is on a volume"
    assert checked >= 2
