"""Strict Kubernetes schema validation (chartgen.kubeschema)."""

from __future__ import annotations

import copy
import datetime
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import kubernetes_validate
import pytest

from chartgen.kubeschema import (
    SchemaError,
    SchemaNotFound,
    SchemaValidator,
    UnsupportedKubeVersion,
    resolve_version,
    supported_versions,
)


def deployment() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "certctl-server", "labels": {"app.kubernetes.io/name": "certctl"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app.kubernetes.io/name": "certctl"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": "certctl"}},
                "spec": {
                    "securityContext": {"runAsNonRoot": True, "fsGroup": 10001},
                    "containers": [
                        {
                            "name": "server",
                            "image": "ghcr.io/example/certctl:1.0.0",
                            "ports": [
                                {"name": "http", "containerPort": 8080},
                                {"name": "metrics", "containerPort": 9090},
                            ],
                            "securityContext": {
                                "allowPrivilegeEscalation": False,
                                "capabilities": {"drop": ["ALL"]},
                                "readOnlyRootFilesystem": True,
                            },
                            "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}},
                        }
                    ],
                },
            },
        },
    }


def pod_spec(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["spec"]["template"]["spec"]


@pytest.fixture(scope="module")
def validator() -> SchemaValidator:
    return SchemaValidator()


@pytest.mark.parametrize("version", ["1.29", "1.35"])
def test_valid_deployment_passes(validator: SchemaValidator, version: str) -> None:
    assert validator.validate(deployment(), version) == []


def test_container_fields_at_pod_level_are_one_error_naming_every_key(validator: SchemaValidator) -> None:
    doc = deployment()
    pod_spec(doc)["securityContext"].update(
        {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": True}
    )

    errors = validator.validate(doc, "1.29")

    assert len(errors) == 1
    assert errors[0].path == "spec.template.spec.securityContext"
    for key in ("allowPrivilegeEscalation", "capabilities", "readOnlyRootFilesystem"):
        assert repr(key) in errors[0].message


def test_type_error_has_the_precise_path(validator: SchemaValidator) -> None:
    doc = deployment()
    pod_spec(doc)["containers"][0]["ports"][1]["containerPort"] = "9090"

    assert validator.validate(doc, "1.29") == [
        SchemaError(
            "spec.template.spec.containers[0].ports[1].containerPort", 'expected integer, got string "9090"'
        )
    ]


def test_all_errors_are_returned_sorted(validator: SchemaValidator) -> None:
    doc = deployment()
    doc["spec"]["replicas"] = "two"
    doc["spec"]["strategy"]["rollingUpdate"]["maxSurge"] = True  # int-or-string
    del pod_spec(doc)["containers"][0]["name"]
    doc["metadata"]["labels"]["app.kubernetes.io/name"] = 3

    errors = validator.validate(doc, "1.29")

    assert errors == sorted(errors)
    assert [error.path for error in errors] == [
        'metadata.labels["app.kubernetes.io/name"]',
        "spec.replicas",
        "spec.strategy.rollingUpdate.maxSurge",
        "spec.template.spec.containers[0]",
    ]
    assert errors[2].message == "expected string or integer, got boolean true"
    assert errors[3].message == '"name" is a required property'


def test_unknown_top_level_key_is_reported_at_the_root(validator: SchemaValidator) -> None:
    doc = deployment()
    doc["specs"] = {}

    assert validator.validate(doc, "1.29") == [SchemaError("", "unexpected key 'specs'")]


def test_removed_api_raises_schema_not_found(validator: SchemaValidator) -> None:
    pdb = {
        "apiVersion": "policy/v1beta1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "certctl"},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "certctl"}}},
    }
    with pytest.raises(SchemaNotFound) as caught:
        validator.validate(pdb, "1.29")
    assert (caught.value.kind, caught.value.api_version, caught.value.version) == (
        "PodDisruptionBudget",
        "policy/v1beta1",
        "1.29.0",
    )

    pdb["apiVersion"] = "policy/v1"
    assert validator.validate(pdb, "1.29") == []


@pytest.mark.parametrize(
    ("api_version", "kind", "expected"),
    [
        ("policy/v1", "PodDisruptionBudget", True),
        ("rbac.authorization.k8s.io/v1", "ClusterRole", True),
        ("v1", "ConfigMap", True),
        ("policy/v1beta1", "PodSecurityPolicy", False),
        ("cert-manager.io/v1", "Certificate", False),
        # Same file name as apps/v1 Deployment, but a different API group.
        ("apps.example.com/v1", "Deployment", False),
        # A bundled sub-schema, not an API kind.
        ("v1", "Affinity", False),
        ("../../v1", "Pod", False),
    ],
)
def test_has_schema(validator: SchemaValidator, api_version: str, kind: str, expected: bool) -> None:
    assert validator.has_schema(api_version, kind, "1.29") is expected


@pytest.mark.parametrize(
    "doc",
    [
        {"kind": "ConfigMap"},
        {"apiVersion": "v1"},
        {"apiVersion": "v1", "kind": ""},
        {"apiVersion": 1, "kind": "Pod"},
    ],
)
def test_missing_identity_is_an_error_at_the_root(validator: SchemaValidator, doc: dict[str, Any]) -> None:
    [error] = validator.validate(doc, "1.29")
    assert error.path == ""
    assert "must be a non-empty string" in error.message


def test_values_outside_json_are_reported_not_raised(validator: SchemaValidator) -> None:
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "ports", "annotations": {"built": datetime.date(2024, 1, 1)}},
        "data": {80: "http"},  # Kubernetes turns the key into "80", so this is fine
    }

    assert validator.validate(config_map, "1.29") == [
        SchemaError("metadata.annotations.built", "date value 2024-01-01 is not a JSON value; quote it")
    ]


@pytest.mark.parametrize(
    ("requested", "resolved"),
    [
        ("1.29", "1.29.0"),
        ("1.29.3", "1.29.0"),
        ("v1.29.0", "1.29.0"),
        ("v1.30.2-gke.1", "1.30.0"),
        ("1.37.9", "1.37.0"),
    ],
)
def test_resolve_version(requested: str, resolved: str) -> None:
    assert resolve_version(requested) == resolved


@pytest.mark.parametrize("requested", ["1.40", "1.24", "abc", "1", ""])
def test_resolve_version_rejects_out_of_range_and_malformed(requested: str) -> None:
    with pytest.raises(UnsupportedKubeVersion, match=r"supported versions are 1\.25 to 1\.37"):
        resolve_version(requested)


def test_unsupported_version_is_a_value_error(validator: SchemaValidator) -> None:
    with pytest.raises(ValueError, match="Kubernetes 1.40 is not supported"):
        validator.validate(deployment(), "1.40")


def test_supported_versions_are_numerically_sorted() -> None:
    versions = supported_versions()
    assert versions[0] == "1.25.0"
    assert versions[-1] == "1.37.0"
    assert versions == sorted(versions, key=lambda v: tuple(map(int, v.split("."))))


CERTIFICATE_SCHEMA = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "cert-manager.io/v1"},
        "kind": {"const": "Certificate"},
        "metadata": {"type": "object"},
        "spec": {
            "type": "object",
            "required": ["secretName", "issuerRef"],
            "additionalProperties": False,
            "properties": {
                "secretName": {"type": "string"},
                "dnsNames": {"type": "array", "items": {"type": "string"}},
                "issuerRef": {"type": "object", "required": ["name"]},
            },
        },
    },
}


def certificate() -> dict[str, Any]:
    return {
        "apiVersion": "cert-manager.io/v1",
        "kind": "Certificate",
        "metadata": {"name": "certctl-tls"},
        "spec": {"secretName": "certctl-tls", "dnsNames": ["certctl.example"], "issuerRef": {"name": "ca"}},
    }


def test_custom_schema_validates_a_custom_resource_at_any_version() -> None:
    validator = SchemaValidator()
    validator.add_schema("cert-manager.io/v1", "Certificate", CERTIFICATE_SCHEMA)
    broken = certificate()
    broken["spec"]["dnsName"] = broken["spec"].pop("dnsNames")

    assert validator.has_schema("cert-manager.io/v1", "Certificate", "1.25")
    assert validator.validate(certificate(), "1.25") == []
    assert validator.validate(certificate(), "1.37") == []
    assert validator.validate(broken, "1.29") == [SchemaError("spec", "unexpected key 'dnsName'")]


def test_custom_schemas_belong_to_their_validator() -> None:
    SchemaValidator().add_schema("cert-manager.io/v1", "Certificate", CERTIFICATE_SCHEMA)

    assert not SchemaValidator().has_schema("cert-manager.io/v1", "Certificate", "1.29")


def test_custom_schema_takes_precedence_over_bundled() -> None:
    validator = SchemaValidator()
    validator.add_schema("apps/v1", "Deployment", {"required": ["team"]})

    assert validator.validate(deployment(), "1.29") == [SchemaError("", '"team" is a required property')]


def test_invalid_custom_schema_is_rejected_when_added() -> None:
    with pytest.raises(ValueError):
        SchemaValidator().add_schema("example.com/v1", "Widget", {"type": 12})


def _agreement_cases() -> list[tuple[str, dict[str, Any]]]:
    unknown_field = deployment()
    pod_spec(unknown_field)["containers"][0]["imagePullPolice"] = "Always"
    wrong_type = deployment()
    wrong_type["spec"]["replicas"] = "2"
    pod_level_container_fields = deployment()
    pod_spec(pod_level_container_fields)["securityContext"]["readOnlyRootFilesystem"] = True
    missing_required = deployment()
    del missing_required["spec"]["selector"]
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "certctl"},
        "spec": {"selector": {"app": "certctl"}, "ports": [{"port": 443, "targetPort": "https"}]},
    }
    bad_service = copy.deepcopy(service)
    bad_service["spec"]["ports"][0]["targetPort"] = 1.5
    cluster_role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": "certctl"},
        "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]}],
    }
    bad_cluster_role = copy.deepcopy(cluster_role)
    bad_cluster_role["rules"][0]["verbs"] = "get"
    return [
        ("valid deployment", deployment()),
        ("unknown field", unknown_field),
        ("wrong type", wrong_type),
        ("pod-level container fields", pod_level_container_fields),
        ("missing required", missing_required),
        ("valid service", service),
        ("float target port", bad_service),
        ("valid cluster role", cluster_role),
        ("verbs not a list", bad_cluster_role),
    ]


@pytest.mark.parametrize(("name", "doc"), _agreement_cases(), ids=[name for name, _ in _agreement_cases()])
def test_verdict_agrees_with_kubernetes_validate(
    validator: SchemaValidator, name: str, doc: dict[str, Any]
) -> None:
    try:
        kubernetes_validate.validate(copy.deepcopy(doc), "1.29", strict=True)
        reference_valid = True
    except kubernetes_validate.ValidationError:
        reference_valid = False

    assert (validator.validate(doc, "1.29") == []) is reference_valid


def test_concurrent_first_use_matches_serial(validator: SchemaValidator) -> None:
    # 1.32 is used by no other test, so the threads race to compile its schemas.
    docs = [doc for _, doc in _agreement_cases()]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda doc: validator.validate(doc, "1.32"), docs * 20))

    assert results == [validator.validate(doc, "1.32") for doc in docs] * 20
