"""The generated certctl chart, rendered by the Helm engine: valid, lint-clean, typed."""

from __future__ import annotations

import json

import pytest
from helpers import CHART_DIR, EXAMPLES_DIR, ROOT, chart, minimal_values, objects, render, with_minimal

from chartgen import helm
from chartgen.generate.build import build
from chartgen.generate.writer import compare
from chartgen.kubeschema import SchemaValidator
from chartgen.project import load_project

KUBE_VERSIONS = ["1.29", "1.35", *load_project(ROOT).kube_versions]
SCENARIOS = {
    "minimal": {},
    "cert-manager": {
        "server": {
            "tls": {"existingSecret": "", "certManager": {"enabled": True, "issuerRef": {"name": "ca"}}}
        }
    },
    "external-db": {
        "postgresql": {"enabled": False},
        "externalDatabase": {"host": "db.example.com", "existingSecret": "db", "caSecret": {"name": "db-ca"}},
    },
    "everything-on": {
        "agent": {"kind": "Deployment", "id": "agent-1"},
        "kubernetesSecrets": {"enabled": True, "namespaces": ["apps", "edge"]},
        "ingress": {
            "enabled": True,
            "tls": [{"secretName": "web", "hosts": ["certctl.local"]}],
            "certManager": {"enabled": True, "issuerRef": {"name": "letsencrypt"}},
        },
        "server": {
            "smtp": {
                "enabled": True,
                "host": "smtp.example.com",
                "fromAddress": "certctl@example.com",
                "password": "secret",
            },
            "configEncryption": {"key": "k" * 32},
            "issuer": {"local": {"existingSecret": "sub-ca"}},
            "extraEnv": [{"name": "CERTCTL_DEMO_SEED", "value": "true"}],
            "service": {"type": "NodePort", "nodePort": 30443},
            "nodeSelector": {"kubernetes.io/os": "linux"},
            "tolerations": [{"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}],
        },
        "imagePullSecrets": [{"name": "registry"}],
        "commonLabels": {"team": "pki"},
        "commonAnnotations": {"owner": "pki"},
    },
}
VALIDATOR = SchemaValidator()


def test_committed_chart_is_in_sync_with_its_sources() -> None:
    project = load_project(ROOT)
    for directory, files in build(project).items():
        report = compare(directory, files)
        assert report.in_sync, (report.changed, report.missing, report.extra)


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_rendered_objects_pass_strict_schema_validation(scenario: str, kube_version: str) -> None:
    manifests = render(with_minimal(SCENARIOS[scenario]), kube_version=kube_version)
    assert manifests
    for manifest in manifests:
        obj = manifest.obj
        if obj["apiVersion"].startswith("cert-manager.io/"):
            continue  # custom resource: checked against its CRD schema by the lint matrix
        assert VALIDATOR.validate(obj, kube_version) == [], (manifest.template, obj["kind"])


def test_helm_lint_strict_reports_nothing_worse_than_info() -> None:
    for kube_version in KUBE_VERSIONS:
        messages = helm.lint(CHART_DIR, minimal_values(), kube_version=kube_version)
        assert [m for m in messages if m.level != "info"] == []


def test_misspelt_key_is_rejected_by_the_values_schema_naming_it() -> None:
    values = with_minimal({"server": {"replcias": 3}})
    with pytest.raises(helm.RenderFailure, match="additional properties 'replcias' not allowed"):
        helm.render(chart(), values)


def test_wrong_type_is_rejected_naming_the_path() -> None:
    with pytest.raises(helm.RenderFailure, match="/server/port"):
        helm.render(chart(), with_minimal({"server": {"port": "8443"}}))


@pytest.mark.parametrize("release", ["a", "certctl", "prod", "r" * 53])
@pytest.mark.parametrize("override", ["", "f" * 63])
def test_every_object_name_fits_in_63_characters(release: str, override: str) -> None:
    overlay = SCENARIOS["everything-on"] | {"fullnameOverride": override}
    for obj in objects(with_minimal(overlay), release=release):
        name = obj["metadata"]["name"]
        limit = 52 if obj["kind"] in ("StatefulSet", "CronJob") else 63
        assert len(name) <= limit, (obj["kind"], name)
        assert not name.endswith("-")


def test_values_schema_is_draft07_and_closed_at_the_top() -> None:
    schema = json.loads((CHART_DIR / "values.schema.json").read_text())
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["additionalProperties"] is False
    assert "x-optional" not in json.dumps(schema)


def test_defaults_alone_fail_with_the_tls_message() -> None:
    with pytest.raises(helm.RenderFailure, match="refuses to start without TLS") as caught:
        helm.render(chart(), {})
    assert caught.value.template == "certctl/templates/server-deployment.yaml"
    assert caught.value.line


PROFILES = {f"values-{p.stem}.yaml" for p in (ROOT / "values" / "profiles").glob("*.yaml")}
EXAMPLES = sorted(p.name for p in EXAMPLES_DIR.glob("*.yaml"))


def example_values(example: str) -> dict:
    """An example as an operator uses it; fleet profiles are layered on the minimal values."""
    import yaml

    values = yaml.safe_load((EXAMPLES_DIR / example).read_text())
    return with_minimal(values) if example in PROFILES else values


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_renders_valid_objects_custom_resources_included(example: str) -> None:
    from chartgen.crds import load_schema_files

    validator = SchemaValidator()
    load_schema_files(validator, [ROOT / "schemas" / "crds"])
    for kube_version in ("1.29", KUBE_VERSIONS[-1]):
        for manifest in render(example_values(example), kube_version=kube_version):
            assert validator.validate(manifest.obj, kube_version) == [], (
                manifest.template,
                manifest.obj["kind"],
            )


@pytest.mark.parametrize("example", EXAMPLES)
def test_rendered_manifests_snapshot(example: str, snapshot) -> None:
    rendered = helm.render(chart(), example_values(example), kube_version="1.29")
    text = "".join(
        f"# Source: {name}\n{rendered[name].strip()}\n---\n"
        for name in sorted(rendered)
        if rendered[name].strip()
    )
    snapshot.snapshot_dir = ROOT / "tests" / "snapshots" / "manifests"
    snapshot.assert_match(text, example)


def test_server_restarts_when_its_config_or_secrets_change() -> None:
    from helpers import find

    def annotations(overlay: dict) -> dict:
        objs = objects(with_minimal(overlay))
        return find(objs, "Deployment", "certctl-server")["spec"]["template"]["metadata"]["annotations"]

    base = annotations({})
    assert set(base) >= {"checksum/config", "checksum/secret", "checksum/database-secret"}
    assert (
        annotations({"server": {"logging": {"level": "debug"}}})["checksum/config"] != base["checksum/config"]
    )
    assert (
        annotations({"server": {"auth": {"apiKey": "rotated"}}})["checksum/secret"] != base["checksum/secret"]
    )
    assert (
        annotations({"postgresql": {"auth": {"password": "other"}}})["checksum/database-secret"]
        != base["checksum/database-secret"]
    )


def test_server_has_startup_liveness_and_readiness_probes() -> None:
    from helpers import find

    server = find(objects(minimal_values()), "Deployment", "certctl-server")["spec"]["template"]["spec"][
        "containers"
    ][0]
    assert server["startupProbe"]["httpGet"] == {"path": "/health", "port": "https", "scheme": "HTTPS"}
    assert server["livenessProbe"]["httpGet"]["path"] == "/health"
    assert server["readinessProbe"]["httpGet"]["path"] == "/ready"


def test_postgres_max_connections_and_pool_arithmetic() -> None:
    from helpers import find

    postgres = find(
        objects(with_minimal({"postgresql": {"maxConnections": 300, "config": {"shared_buffers": "256MB"}}})),
        "StatefulSet",
    )["spec"]["template"]["spec"]["containers"][0]
    assert postgres["args"] == ["-c", "max_connections=300", "-c", "shared_buffers=256MB"]
    # certctl's pool is 25 per pod whatever server.database.maxConnections says.
    shared_ca = {"issuer": {"local": {"existingSecret": "sub-ca"}}}
    helm.render(
        chart(), with_minimal({"server": {"replicas": 3, **shared_ca, "database": {"maxConnections": 90}}})
    )
    with pytest.raises(
        helm.RenderFailure, match=r"\(4\) x 25 .* = 110 exceeds postgresql.maxConnections \(100\)"
    ):
        helm.render(chart(), with_minimal({"server": {"replicas": 4, **shared_ca}}))
