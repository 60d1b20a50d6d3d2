"""Agents run under IDs the server issued (review C2, H4, M6, L11, L12, L15).

The chart's agent-identity.sh, taken from the rendered ConfigMap, runs with the real ``sh`` and
``curl`` against a local HTTPS stand-in for certctl's agent endpoints (certctl_agent_stub): with
the system's sh and tools, and with BusyBox's, the userland of the alpine agent image.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from certctl_agent_stub import Certctl, serve
from helpers import EXAMPLES_DIR, chart, env_of, find, objects, with_minimal

from chartgen import helm

API_KEY = "agent-key-0123456789"
TOOLS = ("sh", "curl", "openssl", "busybox")
# What agent-identity.sh runs besides curl, in the alpine image all BusyBox applets.
APPLETS = ("sh", "cat", "dirname", "grep", "head", "mktemp", "rm", "sed", "sleep", "uname")


@pytest.fixture(scope="module")
def tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing and os.environ.get("CI") == "true":
        pytest.fail(f"CI needs {', '.join(missing)} (.ci/run installs them)")
    if missing:
        pytest.skip(f"needs {', '.join(missing)}")


@dataclass(frozen=True)
class Pki:
    ca: Path
    cert: Path
    key: Path
    other_ca: Path  # a CA that did not sign the server certificate


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=30)


def _new_ca(directory: Path, name: str) -> None:
    _openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", f"{name}.key", "-out", f"{name}.crt", "-days", "1", "-subj", f"/CN={name}",
        cwd=directory,
    )  # fmt: skip


@pytest.fixture(scope="module")
def pki(tools: None, tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A throwaway CA and a server certificate for 127.0.0.1 that it signs."""
    directory = tmp_path_factory.mktemp("pki")
    _new_ca(directory, "ca")
    _new_ca(directory, "other-ca")
    (directory / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    _openssl(
        "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1", cwd=directory,
    )  # fmt: skip
    _openssl(
        "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.crt", "-days", "1", "-extfile", "san.ext", cwd=directory,
    )  # fmt: skip
    return Pki(
        directory / "ca.crt", directory / "server.crt", directory / "server.key", directory / "other-ca.crt"
    )


def agent_configmap(overlay: dict | None = None) -> dict[str, str]:
    return find(objects(with_minimal(overlay)), "ConfigMap", "certctl-agent")["data"]


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


class Node:
    """One agent container of the chart, started as the kubelet would start it."""

    def __init__(
        self, directory: Path, url: str, ca: Path, overlay: dict | None = None, userland: str = "system"
    ) -> None:
        data = agent_configmap(overlay)
        self.directory = directory
        path = os.environ["PATH"]
        if userland == "busybox":
            bin_dir = directory / "bin"
            bin_dir.mkdir()
            for applet in APPLETS:
                (bin_dir / applet).symlink_to(shutil.which("busybox") or "busybox")
            (bin_dir / "curl").symlink_to(shutil.which("curl") or "curl")
            path = str(bin_dir)
        (directory / "agent-identity.sh").write_text(data["agent-identity.sh"])
        fake_agent = directory / "agent"
        fake_agent.write_text(
            '#!/bin/sh\necho "agent running as $CERTCTL_AGENT_ID named $CERTCTL_AGENT_NAME"\n'
        )
        fake_agent.chmod(0o755)
        # The rendered settings, then what a test may not wait for: fewer, quicker tries, and
        # a stand-in for /app/agent. Later assignments win when the script sources the file.
        overrides = f"attempts=3\nretry_seconds=0\nagent_binary={fake_agent}\n"
        (directory / "identity.conf").write_text(data["identity.conf"] + "\n" + overrides)
        self.env = {
            "PATH": path,
            "CERTCTL_SERVER_URL": url,
            "CERTCTL_API_KEY": API_KEY,
            "CERTCTL_SERVER_CA_BUNDLE_PATH": str(ca),
        }

    def set_config(self, line: str) -> None:
        with (self.directory / "identity.conf").open("a") as conf:
            conf.write(line + "\n")

    def start(self, agent_name: str, **env: str) -> Run:
        done = subprocess.run(
            ["sh", str(self.directory / "agent-identity.sh")],  # sh from PATH, as in the container
            env=self.env | {"CERTCTL_AGENT_NAME": agent_name} | env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert API_KEY not in done.stdout + done.stderr, "the API key is never printed"
        return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def certctl(pki: Pki) -> Iterator[tuple[Certctl, str]]:
    state = Certctl(api_keys={API_KEY})
    with serve(state, pki.cert, pki.key) as url:
        yield state, url


@pytest.fixture(params=["system", "busybox"])
def node(request: pytest.FixtureRequest, certctl: tuple[Certctl, str], pki: Pki, tmp_path: Path) -> Node:
    return Node(tmp_path, certctl[1], pki.ca, userland=request.param)


# --- the registration step, executed -------------------------------------------------------


def test_first_start_registers_and_restarts_keep_the_issued_id(
    certctl: tuple[Certctl, str], node: Node
) -> None:
    state, _ = certctl
    first = node.start("node-1")
    assert first.returncode == 0, first.stderr
    (agent,) = state.named("certctl-agent-node-1")
    assert first.stdout.strip() == f"agent running as {agent['id']} named certctl-agent-node-1"
    assert len(state.posts()) == 1
    for _ in range(2):  # container restarts, upgrades, a new pod on the same node
        again = node.start("node-1")
        assert again.returncode == 0, again.stderr
        assert again.stdout.strip() == first.stdout.strip()
    assert len(state.posts()) == 1, "a restart does not register again"
    other = node.start("node-2")
    assert other.returncode == 0 and agent["id"] not in other.stdout
    assert len(state.agents) == 2


def test_lookups_present_the_api_key_and_registration_the_bootstrap_token(
    certctl: tuple[Certctl, str], node: Node, tmp_path: Path
) -> None:
    state, _ = certctl
    state.bootstrap_token = "bootstrap-0123456789"
    state.api_keys.add(state.bootstrap_token)  # certctl authenticates the same header first
    refused = node.start("node-1")
    assert refused.returncode == 1 and "agent.bootstrapToken.existingSecret" in refused.stderr
    assert not state.agents
    token = tmp_path / "token"
    token.write_text(state.bootstrap_token)
    node.set_config(f"bootstrap_token_file={token}")
    run = node.start("node-1")
    assert run.returncode == 0, run.stderr
    assert state.bootstrap_token not in run.stdout + run.stderr
    assert {bearer for method, _, bearer in state.requests if method == "GET"} == {API_KEY}
    assert [bearer for _, _, bearer in state.posts()] == [API_KEY, state.bootstrap_token]


def test_a_retired_agent_is_not_started_again(certctl: tuple[Certctl, str], node: Node) -> None:
    state, _ = certctl
    assert node.start("node-1").returncode == 0
    (agent,) = state.named("certctl-agent-node-1")
    state.retire(agent["id"])  # DELETE /api/v1/agents/{id}: the agent gets 410 and exits 0
    run = node.start("node-1")
    assert run.returncode == 1
    assert "agent running" not in run.stdout
    assert f"agent certctl-agent-node-1 ({agent['id']}) is retired" in run.stderr
    assert "agent.nodeSelector" in run.stderr
    assert len(state.posts()) == 1, "no new registration under a retired name"


def test_a_certctl_without_retirement_is_understood(certctl: tuple[Certctl, str], node: Node) -> None:
    state, _ = certctl
    state.retired_listing = False
    run = node.start("node-1")
    assert run.returncode == 0, run.stderr
    assert [a["name"] for a in state.agents.values()] == ["certctl-agent-node-1"]


def test_the_lookup_reads_every_page(certctl: tuple[Certctl, str], node: Node) -> None:
    state, _ = certctl
    for index in range(600):
        state.add_agent(f"elsewhere-{index}")
    wanted = state.add_agent("certctl-agent-node-1")
    run = node.start("node-1")
    assert run.returncode == 0, run.stderr
    assert wanted in run.stdout and not state.posts()
    assert [path for _, path, _ in state.requests] == ["/api/v1/agents", "/api/v1/agents"]


def test_a_concurrent_registration_is_looked_up_not_duplicated(
    certctl: tuple[Certctl, str], node: Node
) -> None:
    state, _ = certctl
    state.rival_registers_first = True
    run = node.start("node-1")
    assert run.returncode == 0, run.stderr
    (agent,) = state.named("certctl-agent-node-1")
    assert agent["id"] in run.stdout and "registered meanwhile" in run.stderr


def test_a_busy_server_is_retried_a_bounded_number_of_times(certctl: tuple[Certctl, str], node: Node) -> None:
    state, _ = certctl
    state.fail_next = [503, 503]
    run = node.start("node-1")
    assert run.returncode == 0, run.stderr
    assert run.stderr.count("HTTP 503, will retry") == 2
    state.fail_next = [503] * 3
    run = node.start("node-2")
    assert run.returncode == 1 and "gave up after 3 attempts" in run.stderr
    assert "agent running" not in run.stdout


def test_an_unreachable_server_gives_up(pki: Pki, tmp_path: Path) -> None:
    with serve(Certctl(api_keys={API_KEY}), pki.cert, pki.key) as url:
        pass  # stopped: nothing listens on that port any more
    run = Node(tmp_path, url, pki.ca).start("node-1")
    assert run.returncode == 1
    assert "no answer from" in run.stderr and "gave up after 3 attempts" in run.stderr


def test_the_server_certificate_is_verified(certctl: tuple[Certctl, str], pki: Pki, tmp_path: Path) -> None:
    state, url = certctl
    run = Node(tmp_path, url, pki.other_ca).start("node-1")
    assert run.returncode == 1 and "no answer from" in run.stderr
    assert not state.requests, "nothing is sent to a server the CA bundle does not vouch for"


def test_a_wrong_api_key_stops_with_a_message(certctl: tuple[Certctl, str], node: Node) -> None:
    run = node.start("node-1", CERTCTL_API_KEY="not-a-key")
    assert run.returncode == 1 and "refused the agent API key" in run.stderr
    assert len(certctl[0].requests) == 1, "refused credentials are not retried"


def test_an_operator_registered_id_is_checked(certctl: tuple[Certctl, str], pki: Pki, tmp_path: Path) -> None:
    state, url = certctl
    node = Node(tmp_path, url, pki.ca, {"agent": {"kind": "Deployment", "id": "agent-ops"}})
    missing = node.start("certctl-agent", CERTCTL_AGENT_ID="agent-ops")
    assert missing.returncode == 1 and "agent ID agent-ops (agent.id) is not registered" in missing.stderr
    registered = state.add_agent("ops")
    run = node.start("certctl-agent", CERTCTL_AGENT_ID=registered)
    assert run.returncode == 0 and f"agent running as {registered} named certctl-agent" in run.stdout
    state.retire(registered)
    assert "is retired" in node.start("certctl-agent", CERTCTL_AGENT_ID=registered).stderr
    assert not state.posts()


def test_a_self_registering_deployment_uses_its_name(
    certctl: tuple[Certctl, str], pki: Pki, tmp_path: Path
) -> None:
    state, url = certctl
    node = Node(tmp_path, url, pki.ca, {"agent": {"kind": "Deployment"}})
    run = node.start("certctl-agent")
    assert run.returncode == 0, run.stderr
    assert [a["name"] for a in state.agents.values()] == ["certctl-agent"]


# --- the chart around it ------------------------------------------------------------------


def agent_pod(overlay: dict | None = None, kind: str = "DaemonSet") -> dict:
    return find(objects(with_minimal(overlay)), kind, "certctl-agent")["spec"]["template"]["spec"]


def test_daemonset_agents_get_no_invented_id() -> None:
    pod = agent_pod()
    agent = pod["containers"][0]
    assert agent["command"] == ["/bin/sh", "/etc/certctl-agent/agent-identity.sh"]
    env = env_of(agent)
    assert "CERTCTL_AGENT_ID" not in env, "the server issues agent IDs"
    assert env["CERTCTL_AGENT_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "spec.nodeName"
    mounts = {m["name"]: m["mountPath"] for m in agent["volumeMounts"]}
    assert mounts["identity"] == "/etc/certctl-agent"
    assert {"name": "identity", "configMap": {"name": "certctl-agent"}} in pod["volumes"]


def test_agent_name_names_the_daemonset_agents() -> None:
    assert "name_prefix='certctl-agent-'" in agent_configmap()["identity.conf"]
    assert "name_prefix='edge-'" in agent_configmap({"agent": {"name": "edge"}})["identity.conf"]


def test_daemonset_rollouts_never_run_two_pods_per_node() -> None:
    daemonset = find(objects(with_minimal()), "DaemonSet", "certctl-agent")
    assert daemonset["spec"]["updateStrategy"]["rollingUpdate"] == {"maxSurge": 0, "maxUnavailable": 1}


def test_a_changed_script_rolls_the_agents() -> None:
    def checksum(overlay: dict) -> str:
        template = find(objects(with_minimal(overlay)), "DaemonSet", "certctl-agent")["spec"]["template"]
        return template["metadata"]["annotations"]["checksum/identity"]

    assert checksum({}) != checksum({"agent": {"name": "edge"}})


def test_one_agent_deployment_pod_and_no_overlap() -> None:
    with pytest.raises(helm.RenderFailure, match="agent.replicas=2: an agent Deployment runs one pod"):
        helm.render(chart(), with_minimal({"agent": {"kind": "Deployment", "replicas": 2}}))
    deployment = find(objects(with_minimal({"agent": {"kind": "Deployment"}})), "Deployment", "certctl-agent")
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    assert deployment["spec"]["replicas"] == 1


@pytest.mark.parametrize(
    ("overlay", "message"),
    [
        ({"id": "agent-1"}, "agent.id applies to kind Deployment"),
        ({"persistence": {"enabled": True}}, "agent.persistence.enabled applies to kind Deployment"),
    ],
)
def test_deployment_only_settings_are_refused_for_the_daemonset(overlay: dict, message: str) -> None:
    with pytest.raises(helm.RenderFailure, match=message):
        helm.render(chart(), with_minimal({"agent": overlay}))


def test_deployment_keys_can_persist() -> None:
    objs = objects(
        with_minimal({"agent": {"kind": "Deployment", "persistence": {"enabled": True, "size": "2Gi"}}})
    )
    claim = find(objs, "PersistentVolumeClaim", "certctl-agent-keys")
    assert claim["spec"]["resources"]["requests"]["storage"] == "2Gi"
    pod = find(objs, "Deployment", "certctl-agent")["spec"]["template"]["spec"]
    assert {"name": "data", "persistentVolumeClaim": {"claimName": "certctl-agent-keys"}} in pod["volumes"]
    existing = {"kind": "Deployment", "persistence": {"enabled": True, "existingClaim": "keys"}}
    objs = objects(with_minimal({"agent": existing}))
    assert not [o for o in objs if o["kind"] == "PersistentVolumeClaim" and "agent" in o["metadata"]["name"]]
    assert {"name": "data", "persistentVolumeClaim": {"claimName": "keys"}} in agent_pod(
        {"agent": existing}, "Deployment"
    )["volumes"]


def test_the_bootstrap_token_reaches_the_server_and_the_registration_step_only() -> None:
    overlay = {"agent": {"bootstrapToken": {"existingSecret": "agent-bootstrap", "existingSecretKey": "t"}}}
    objs = objects(with_minimal(overlay))
    server = find(objs, "Deployment", "certctl-server")["spec"]["template"]["spec"]["containers"][0]
    reference = {"secretKeyRef": {"name": "agent-bootstrap", "key": "t"}}
    assert env_of(server)["CERTCTL_AGENT_BOOTSTRAP_TOKEN"]["valueFrom"] == reference
    pod = agent_pod(overlay)
    assert "CERTCTL_AGENT_BOOTSTRAP_TOKEN" not in env_of(pod["containers"][0]), (
        "the agent binary never reads it"
    )
    volume = next(v for v in pod["volumes"] if v["name"] == "bootstrap-token")
    assert volume["secret"] == {"secretName": "agent-bootstrap", "items": [{"key": "t", "path": "token"}]}
    mount = next(m for m in pod["containers"][0]["volumeMounts"] if m["name"] == "bootstrap-token")
    conf = agent_configmap(overlay)["identity.conf"]
    assert f"bootstrap_token_file='{mount['mountPath']}/token'" in conf
    assert "bootstrap_token_file=''" in agent_configmap()["identity.conf"]


def test_the_script_verifies_the_server_and_keeps_keys_off_command_lines() -> None:
    script = agent_configmap()["agent-identity.sh"]
    assert script.startswith("#!/bin/sh\n") and "\nset -eu\n" in script
    assert "--cacert" in script and " -k " not in script and "--insecure" not in script
    assert "--header @-" in script, "the Authorization header is read from stdin"


def test_notes_tell_how_daemonset_agents_get_their_ids() -> None:
    rendered = helm.render(chart(), with_minimal())
    notes = next(text for path, text in rendered.items() if path.endswith("NOTES.txt"))
    assert 'registers itself once as "certctl-agent-N"' in notes
    assert "register one agent per node" not in notes


def test_examples_with_agents_let_agents_generate_keys() -> None:
    for path in sorted(EXAMPLES_DIR.glob("values-*.yaml")):
        values = yaml.safe_load(path.read_text()) or {}
        if values.get("agent", {}).get("enabled", True):
            mode = values.get("server", {}).get("keygen", {}).get("mode", "agent")
            assert mode == "agent", f"{path.name}: agents deploy only keys they generated"
