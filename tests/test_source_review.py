"""The server-side points of the review of the chart against certctl v2.0.71's source
(shared/spec/certctl-source-review.md): each test fails on the chart as it was before."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import helm_python
import pytest
import yaml
from helpers import (
    CHART_DIR,
    EXAMPLES_DIR,
    ROOT,
    chart,
    containers,
    env_of,
    find,
    objects,
    pod_specs,
    render,
    with_minimal,
)

from chartgen import helm

SHARED_CA = {"issuer": {"local": {"existingSecret": "certctl-sub-ca"}}}
EXAMPLES = sorted(p.name for p in EXAMPLES_DIR.glob("values-*.yaml"))
PROFILES = {p.stem for p in (ROOT / "values" / "profiles").glob("*.yaml")}


def example_values(name: str) -> dict:
    """An example as operators use it: fleet profiles over values-minimal, the others alone."""
    values = yaml.safe_load((EXAMPLES_DIR / name).read_text())
    return with_minimal(values) if name.removeprefix("values-").removesuffix(".yaml") in PROFILES else values


def server_container(objs: list[dict]) -> dict:
    return find(objs, "Deployment", "certctl-server")["spec"]["template"]["spec"]["containers"][0]


def notes(values: dict) -> str:
    return helm.render(chart(), values)["certctl/templates/NOTES.txt"]


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("upgrade", [False, True], ids=["install", "upgrade"])
def test_every_example_has_an_encryption_key_and_one_ca_for_several_replicas(
    name: str, upgrade: bool
) -> None:
    """H2, H3: both shipped renders of every example give certctl what it needs."""
    values = example_values(name)
    rendered = helm.render(chart(), values, is_upgrade=upgrade)
    objs = [
        yaml.safe_load(text) for path, text in rendered.items() if path.endswith("server-deployment.yaml")
    ]
    server = objs[0]["spec"]["template"]["spec"]["containers"][0]
    assert "CERTCTL_CONFIG_ENCRYPTION_KEY" in env_of(server)
    if objs[0]["spec"].get("replicas", 2) > 1:
        assert values["server"]["issuer"]["local"]["existingSecret"]


def test_h2_an_encryption_key_is_required_and_never_silently_changed() -> None:
    values = with_minimal()
    del values["server"]["configEncryption"]
    with pytest.raises(helm.RenderFailure, match="certctl needs a configuration encryption key"):
        helm.render(chart(), values)
    external = with_minimal(
        {"server": {"configEncryption": {"key": "", "existingSecret": "certctl-config-key"}}}
    )
    ref = env_of(server_container(objects(external)))["CERTCTL_CONFIG_ENCRYPTION_KEY"]["valueFrom"]
    assert ref["secretKeyRef"] == {"name": "certctl-config-key", "key": "config-encryption-key"}


class FakeSecretsAPI(BaseHTTPRequestHandler):
    """Just enough of the Kubernetes API for Helm's `lookup` of Secrets in namespace certctl."""

    secrets: ClassVar[dict[str, dict[str, str]]] = {}

    def log_message(self, *args: object) -> None:  # keep the test output clean
        pass

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        prefix = "/api/v1/namespaces/certctl/secrets/"
        if path == "/api/v1":
            resource = {"name": "secrets", "singularName": "secret", "namespaced": True, "kind": "Secret"}
            self.reply(
                200,
                {
                    "kind": "APIResourceList",
                    "groupVersion": "v1",
                    "resources": [resource | {"verbs": ["get"]}],
                },
            )
        elif path.startswith(prefix) and path[len(prefix) :] in self.secrets:
            name = path[len(prefix) :]
            data = {
                key: base64.b64encode(value.encode()).decode() for key, value in self.secrets[name].items()
            }
            self.reply(200, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, "data": data})
        else:
            self.reply(
                404,
                {
                    "kind": "Status",
                    "apiVersion": "v1",
                    "status": "Failure",
                    "reason": "NotFound",
                    "code": 404,
                },
            )

    def reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def live_secrets() -> Iterator[tuple[helm_python.Config, dict[str, dict[str, str]]]]:
    """A cluster-aware Helm config whose `lookup` sees the Secrets put in the returned dict."""
    secrets: dict[str, dict[str, str]] = {}
    handler = type("Handler", (FakeSecretsAPI,), {"secrets": secrets})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield (
            helm_python.Config(kube_apiserver=f"http://127.0.0.1:{server.server_port}", namespace="certctl"),
            secrets,
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


KEY = "k" * 40


@pytest.mark.parametrize(
    "configured, existing, refused",
    [
        ({"key": KEY}, None, False),
        ({"key": "o" * 40}, None, True),
        ({"key": "", "existingSecret": "certctl-config-key"}, KEY, False),
        ({"key": "", "existingSecret": "certctl-config-key"}, "o" * 40, True),
    ],
    ids=["same-key", "changed-key", "moved-to-existing-secret", "moved-and-changed"],
)
def test_h2_the_live_encryption_key_is_never_silently_changed(
    live_secrets, configured, existing, refused
) -> None:
    config, secrets = live_secrets
    secrets["certctl-server"] = {"api-keys": "a", "config-encryption-key": KEY}
    if existing:
        secrets["certctl-config-key"] = {"config-encryption-key": existing}
    values = with_minimal({"server": {"configEncryption": configured}})
    if refused:
        with pytest.raises(helm_python.HelmRenderError, match="differs from the key in the live Secret"):
            config.render(chart(), values, name="certctl", namespace="certctl", is_upgrade=True)
    else:
        config.render(chart(), values, name="certctl", namespace="certctl", is_upgrade=True)
    # A release that had no key yet may get one.
    secrets["certctl-server"] = {"api-keys": "a"}
    config.render(chart(), values, name="certctl", namespace="certctl", is_upgrade=True)


@pytest.mark.parametrize(
    "overlay, source",
    [
        ({"replicas": 2}, "server.replicas=2"),
        ({"autoscaling": {"enabled": True, "maxReplicas": 2}}, "server.autoscaling.enabled=true"),
        (
            {"autoscaling": {"maxReplicas": 2, "keda": {"enabled": True}}},
            "server.autoscaling.keda.enabled=true",
        ),
    ],
)
def test_h3_several_server_pods_need_a_shared_local_ca(overlay: dict, source: str) -> None:
    with pytest.raises(helm.RenderFailure, match=f"{source} needs a shared local CA"):
        helm.render(chart(), with_minimal({"server": overlay}))
    server = server_container(objects(with_minimal({"server": overlay | SHARED_CA})))
    config = find(objects(with_minimal({"server": overlay | SHARED_CA})), "ConfigMap", "certctl-server")[
        "data"
    ]
    assert config["CERTCTL_CA_KEY_PATH"] == "/etc/certctl/ca/tls.key"
    assert any(m["mountPath"] == "/etc/certctl/ca" for m in server["volumeMounts"])


def test_h1_m3_acme_defaults_to_dns01_and_notes_tell_how_to_give_the_issuer_its_hooks() -> None:
    acme = {"server": {"issuer": {"acme": {"enabled": True, "directoryURL": "https://acme.example.com/dir"}}}}
    config = find(objects(with_minimal(acme)), "ConfigMap", "certctl-server")["data"]
    assert config["CERTCTL_ACME_CHALLENGE_TYPE"] == "dns-01"
    http01 = with_minimal({"server": {"issuer": {"acme": {"enabled": True, "challengeType": "http-01"}}}})
    with pytest.raises(helm.RenderFailure, match="challengeType") as caught:
        helm.render(chart(), http01)
    assert caught.value.values
    text = notes(example_values("values-acme-dns01.yaml"))
    assert "PUT" in text and "/api/v1/issuers/iss-acme-prod" in text
    assert '"dns_present_script": "/etc/certctl/dns-hooks/present.sh"' in text
    assert '"dns_cleanup_script": "/etc/certctl/dns-hooks/cleanup.sh"' in text


def test_m4_est_is_not_published_through_the_ingress_by_default() -> None:
    overlay = {"server": {"est": {"enabled": True}}, "ingress": {"enabled": True}}
    with pytest.raises(helm.RenderFailure, match="unauthenticated EST enrollment"):
        helm.render(chart(), with_minimal(overlay))
    published = with_minimal(overlay | {"ingress": {"enabled": True, "publishUnauthenticatedEST": True}})
    assert find(objects(published), "Ingress")
    find(objects(with_minimal({"server": {"est": {"enabled": True}}})), "ConfigMap", "certctl-server")


def test_m1_connection_arithmetic_uses_certctls_fixed_pool_of_25() -> None:
    big_pool = {"replicas": 3, "database": {"maxConnections": 200}} | SHARED_CA
    helm.render(chart(), with_minimal({"server": big_pool}))  # 3 x 25 + 10 = 85 <= 100
    with pytest.raises(helm.RenderFailure, match=r"\(4\) x 25 connections .* = 110 exceeds"):
        helm.render(
            chart(), with_minimal({"server": {"replicas": 4, "database": {"maxConnections": 1}} | SHARED_CA})
        )


@pytest.mark.parametrize("sslmode", ["allow", "prefer"])
def test_m2_sslmode_is_limited_to_what_lib_pq_accepts(sslmode: str) -> None:
    external = {
        "postgresql": {"enabled": False},
        "externalDatabase": {"host": "db.example.com", "existingSecret": "db", "sslmode": sslmode},
    }
    with pytest.raises(helm.RenderFailure, match="sslmode") as caught:
        helm.render(chart(), with_minimal(external))
    assert caught.value.values


def test_m5_m9_l1_values_describe_certctls_real_behaviour() -> None:
    values_yaml = (CHART_DIR / "values.yaml").read_text()
    assert "per API key" not in values_yaml and "share one key" not in values_yaml
    assert "per source IP" in values_yaml
    assert "always logs JSON" in values_yaml
    assert "stub" in values_yaml
    readme = (CHART_DIR / "README.md").read_text()
    assert "linux/amd64 only" in readme and "no in-place upgrade" in readme


def test_m8_an_opt_in_reloader_restarts_the_server_when_its_certificate_changes() -> None:
    deployment = find(objects(with_minimal()), "Deployment", "certctl-server")
    assert "secret.reloader.stakater.com/reload" not in deployment["metadata"].get("annotations", {})
    reloaded = find(
        objects(with_minimal({"server": {"tls": {"reloader": {"enabled": True}}} | SHARED_CA})),
        "Deployment",
        "certctl-server",
    )
    annotation = reloaded["metadata"]["annotations"]["secret.reloader.stakater.com/reload"]
    assert annotation == "certctl-server-tls,certctl-sub-ca"


def test_l6_grace_period_covers_pre_stop_and_certctls_shutdown() -> None:
    # The preStop sleep exists from Kubernetes 1.30 on.
    objs = objects(with_minimal(), kube_version="1.37")
    spec = find(objs, "Deployment", "certctl-server")["spec"]["template"]["spec"]
    pre_stop = spec["containers"][0]["lifecycle"]["preStop"]["sleep"]["seconds"]
    assert spec["terminationGracePeriodSeconds"] >= pre_stop + 30
    with pytest.raises(helm.RenderFailure, match=r"terminationGracePeriodSeconds \(30\) is below"):
        helm.render(chart(), with_minimal({"server": {"terminationGracePeriodSeconds": 30}}))


def test_l13_l14_email_needs_a_sender_and_may_leave_through_the_network_policy() -> None:
    smtp = {"enabled": True, "host": "smtp.example.com", "port": 2525}
    with pytest.raises(helm.RenderFailure, match="server.smtp.fromAddress"):
        helm.render(chart(), with_minimal({"server": {"smtp": smtp}}))
    overlay = {
        "server": {"smtp": smtp | {"fromAddress": "pki@example.com"}},
        "networkPolicy": {"enabled": True},
    }
    policy = find(objects(with_minimal(overlay)), "NetworkPolicy", "certctl-server")
    ports = [port["port"] for rule in policy["spec"]["egress"] for port in rule.get("ports", [])]
    assert 2525 in ports


def test_l16_no_pod_gets_service_links() -> None:
    overlay = {
        "backup": {"enabled": True},
        # The hook Job needs a certctl build with --migrate-only (no release has it yet).
        "migrations": {"viaHook": True, "serverHasMigrateOnly": True},
        "tests": {"enabled": True},
    }
    manifests = render(with_minimal(overlay))
    pods = [(m.obj["kind"], spec) for m in manifests for _, spec in pod_specs([m.obj])]
    pods += [("Pod", m.obj["spec"]) for m in manifests if m.obj["kind"] == "Pod"]
    assert {kind for kind, _ in pods} >= {"Deployment", "DaemonSet", "StatefulSet", "CronJob", "Pod"}
    for kind, spec in pods:
        assert spec.get("enableServiceLinks") is False, kind


def test_l17_ocsp_responder_keys_get_a_writable_directory() -> None:
    objs = objects(with_minimal())
    key_dir = find(objs, "ConfigMap", "certctl-server")["data"]["CERTCTL_OCSP_RESPONDER_KEY_DIR"]
    writable = [m["mountPath"] for m in server_container(objs)["volumeMounts"] if not m.get("readOnly")]
    assert any(key_dir.startswith(path + "/") for path in writable)


def test_named_admin_keys_come_from_a_secret() -> None:
    overlay = {"server": {"auth": {"namedKeys": {"existingSecret": "certctl-named-keys"}}}}
    server = server_container(objects(with_minimal(overlay)))
    ref = env_of(server)["CERTCTL_API_KEYS_NAMED"]["valueFrom"]["secretKeyRef"]
    assert ref == {"name": "certctl-named-keys", "key": "api-keys-named"}
    # certctl still requires CERTCTL_AUTH_SECRET in api-key mode, so the chart keeps it.
    assert "CERTCTL_AUTH_SECRET" in env_of(server)
    assert "CERTCTL_API_KEYS_NAMED" not in env_of(server_container(objects(with_minimal())))
    for _, spec in pod_specs(objects(with_minimal(overlay))):
        for container in containers(spec):
            if container["name"] != "server":
                assert "CERTCTL_API_KEYS_NAMED" not in env_of(container)


def test_the_bundled_database_password_is_never_silently_changed(live_secrets) -> None:
    """The same live-Secret gate, for the password PostgreSQL was initialised with."""
    config, secrets = live_secrets
    secrets["certctl-postgres"] = {"password": "change-me-database-password"}
    config.render(chart(), with_minimal(), name="certctl", namespace="certctl", is_upgrade=True)
    changed = with_minimal({"postgresql": {"auth": {"password": "another-password"}}})
    with pytest.raises(
        helm_python.HelmRenderError, match="differs from the password the database was initialised"
    ):
        config.render(chart(), changed, name="certctl", namespace="certctl", is_upgrade=True)
