"""The loadtest component: the rendered Jobs, the seed SQL on a real PostgreSQL, and the k6
scripts under node (syntax, thresholds from the values, and the requests they make against a
stub of certctl's routes)."""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import ROOT, env_of, find, objects, with_minimal

FIXTURES = ROOT / "tests" / "fixtures" / "loadtest"
SCRIPTS = ("main.js", "lib.js", "bulk_renewal.js", "acme_burst.js", "agent_storm.js")
LOADTEST = {"loadtest": {"enabled": True}}


def require_tool(path: str | None, name: str) -> str:
    """The tool's path; a missing tool fails the test in CI (`CI=true`) and skips it elsewhere."""
    if path:
        return path
    message = f"{name} is not installed (.ci/run installs it with apt-get)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def rendered(overlay: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return objects(with_minimal({**LOADTEST, **(overlay or {})}))


def write_scripts(objs: list[dict[str, Any]], directory: Path) -> Path:
    """The ConfigMap's k6 scripts and config.json as files, beside the k6 module shim."""
    shutil.copytree(FIXTURES / "k6-shim", directory, dirs_exist_ok=True)
    data = find(objs, "ConfigMap", "certctl-loadtest")["data"]
    for name in (*SCRIPTS, "config.json"):
        (directory / name).write_text(data[name])
    (directory / "package.json").write_text('{"type": "module"}\n')
    return directory


# --- rendering ------------------------------------------------------------------------------


def test_loadtest_is_off_by_default() -> None:
    names = {(o["kind"], o["metadata"]["name"]) for o in objects(with_minimal())}
    assert not [n for n in names if "loadtest" in n[1]]


def test_the_seed_job_runs_psql_with_the_sizes_of_the_values() -> None:
    objs = rendered({"loadtest": {"enabled": True, "seed": {"certificates": 1234, "agents": 56}}})
    job = find(objs, "Job", "certctl-loadtest-seed")
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["psql"]
    assert container["args"][-2:] == ["--file=/scripts/seed-size.sql", "--file=/scripts/seed.sql"]
    sizes = find(objs, "ConfigMap", "certctl-loadtest")["data"]["seed-size.sql"]
    assert sizes == "\\set certificates 1234\n\\set agents 56\n"
    # The Job's pod template does not depend on the sizes (it cannot change on upgrade).
    assert job["spec"]["template"] == find(rendered(), "Job", "certctl-loadtest-seed")["spec"]["template"]
    env = env_of(container)
    assert env["DATABASE_URL"]["value"].startswith("postgres://certctl@certctl-postgres:5432/certctl")
    assert env["PGPASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": "certctl-postgres", "key": "password"}


def test_the_seed_job_reaches_an_external_database_with_its_ca() -> None:
    objs = rendered(
        {
            "postgresql": {"enabled": False},
            "externalDatabase": {
                "host": "db.example.com",
                "existingSecret": "db",
                "caSecret": {"name": "db-ca"},
            },
        }
    )
    container = find(objs, "Job", "certctl-loadtest-seed")["spec"]["template"]["spec"]["containers"][0]
    env = env_of(container)
    assert env["DATABASE_URL"]["value"].startswith("postgres://certctl@db.example.com:5432/")
    assert env["PGSSLROOTCERT"]["value"] == "/etc/certctl/database-ca/ca.crt"
    assert env["PGPASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "db"


def test_the_k6_job_goes_through_the_service_and_verifies_tls_with_the_chart_ca() -> None:
    objs = rendered()
    pod = find(objs, "Job", "certctl-loadtest-k6")["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["image"] == "docker.io/grafana/k6:0.54.0"
    env = env_of(container)
    assert env["LOADTEST_URL"]["value"] == "https://certctl-server.certctl.svc:8443"
    assert env["LOADTEST_API_KEYS"]["valueFrom"]["secretKeyRef"] == {
        "name": "certctl-server",
        "key": "api-keys",
    }
    assert env["SSL_CERT_FILE"]["value"] == "/etc/certctl/ca-bundle/ca.crt"
    volume = next(v for v in pod["volumes"] if v["name"] == "ca-bundle")
    assert volume["secret"] == {
        "secretName": "certctl-server-tls",
        "items": [{"key": "ca.crt", "path": "ca.crt"}],
    }
    data = find(objs, "ConfigMap", "certctl-loadtest")["data"]
    assert not [name for name in SCRIPTS if re.search(r"insecureSkipTLSVerify|insecure-skip-tls", data[name])]
    assert "--insecure-skip-tls-verify" not in container["args"]


def test_load_test_pods_meet_the_restricted_pod_security_standard() -> None:
    for job in (o for o in rendered() if o["kind"] == "Job"):
        pod = job["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert pod["automountServiceAccountToken"] is False
        for container in pod["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False
            assert context["capabilities"]["drop"] == ["ALL"]
            assert context["readOnlyRootFilesystem"] is True


def test_network_policies_let_the_load_test_reach_the_server_and_the_database() -> None:
    objs = rendered({"networkPolicy": {"enabled": True}})
    server = find(objs, "NetworkPolicy", "certctl-server")["spec"]["ingress"][0]["from"]
    postgres = find(objs, "NetworkPolicy", "certctl-postgres")["spec"]["ingress"][0]["from"]
    components = [peer["podSelector"]["matchLabels"]["app.kubernetes.io/component"] for peer in server]
    assert "loadtest-k6" in components
    components = [peer["podSelector"]["matchLabels"]["app.kubernetes.io/component"] for peer in postgres]
    assert "loadtest-seed" in components
    k6_egress = find(objs, "NetworkPolicy", "certctl-loadtest-k6")["spec"]["egress"]
    assert {"port": 8443, "protocol": "TCP"} in k6_egress[1]["ports"]

    # Without the load test, nothing of it is admitted.
    without = objects(with_minimal({"networkPolicy": {"enabled": True}}))
    peers = [
        find(without, "NetworkPolicy", name)["spec"]["ingress"][0]["from"]
        for name in ("certctl-server", "certctl-postgres")
    ]
    assert "loadtest" not in json.dumps(peers)


def test_the_fleet_profiles_scale_the_seed() -> None:
    sizes = {}
    for profile in ("small", "medium", "large"):
        values = yaml.safe_load((ROOT / "values/profiles" / f"{profile}.yaml").read_text())
        sizes[profile] = (values["loadtest"]["seed"]["certificates"], values["loadtest"]["seed"]["agents"])
    assert sizes == {"small": (500, 100), "medium": (5000, 1000), "large": (50000, 10000)}


# --- the seed SQL on PostgreSQL ---------------------------------------------------------------


@pytest.fixture(scope="module")
def postgres() -> Iterator[list[str]]:
    """A throwaway PostgreSQL on a unix socket in a temporary directory (no TCP), run as an
    unprivileged user; yields the psql command that reaches its `certctl` database."""
    bin_dir = Path(
        require_tool(next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))), None), "postgresql")
    ).parent
    psql = require_tool(shutil.which("psql"), "psql")
    base = Path(tempfile.mkdtemp(prefix="chartgen-loadtest-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root
        shutil.chown(base, "nobody")
        as_user = ["runuser", "-u", "nobody", "--"]
    data, log = base / "data", base / "log"

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, text=True, timeout=60)

    started = False
    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust")
        options = f"-c listen_addresses='' -k {base} -F"
        run(
            str(bin_dir / "pg_ctl"), "start", "-w", "-t", "30", "-D", str(data), "-l", str(log), "-o", options
        )
        started = True
        command = [
            psql,
            "--no-psqlrc",
            "--set=ON_ERROR_STOP=1",
            f"--dbname=host={base} user=postgres dbname=certctl",
        ]
        subprocess.run(
            [psql, f"--dbname=host={base} user=postgres dbname=postgres", "-c", "CREATE DATABASE certctl"],
            check=True,
            capture_output=True,
            timeout=30,
        )
        subprocess.run(
            [*command, "--file", str(FIXTURES / "certctl-schema.sql")],
            check=True,
            capture_output=True,
            timeout=30,
        )
        yield command
    finally:
        if started:
            run(str(bin_dir / "pg_ctl"), "stop", "-D", str(data), "-m", "immediate")
        shutil.rmtree(base, ignore_errors=True)


def query(psql: list[str], sql: str) -> str:
    result = subprocess.run([*psql, "-tA", "-c", sql], check=True, capture_output=True, text=True, timeout=60)
    return result.stdout.strip()


def run_seed_job(psql: list[str], directory: Path) -> None:
    """psql with the seed Job's own arguments, pointed at the test database and script."""
    objs = rendered()
    data = find(objs, "ConfigMap", "certctl-loadtest")["data"]
    for name in ("seed-size.sql", "seed.sql"):
        (directory / name).write_text(data[name])
    args = find(objs, "Job", "certctl-loadtest-seed")["spec"]["template"]["spec"]["containers"][0]["args"]
    args = [
        a.replace("--file=/scripts/", f"--file={directory}/") for a in args if not a.startswith("--dbname=")
    ]
    subprocess.run([*psql, *args], check=True, capture_output=True, text=True, timeout=120)


# Every row of the tables the seed writes, hashed: a second run must leave it as it was.
TABLES_DIGEST = " UNION ALL ".join(
    f"SELECT '{table}', md5(string_agg(t::text, ',' ORDER BY t.id)) FROM {table} t"
    for table in ("teams", "owners", "renewal_policies", "issuers", "managed_certificates", "agents")
)


def test_the_seed_loads_the_fleet_once_on_certctls_schema(postgres: list[str], tmp_path: Path) -> None:
    run_seed_job(postgres, tmp_path)
    assert (
        query(postgres, "SELECT count(*) FROM managed_certificates WHERE name LIKE 'loadtest-bulk-%'")
        == "10000"
    )
    assert query(postgres, "SELECT count(*) FROM agents WHERE name LIKE 'loadtest-agent-%'") == "5000"
    linked = "SELECT DISTINCT issuer_id || ' ' || owner_id || ' ' || team_id || ' ' || renewal_policy_id || ' ' || status FROM managed_certificates"
    assert query(postgres, linked) == "iss-local o-alice t-platform rp-standard Active"
    within_30_days = "SELECT bool_and(expires_at > NOW() AND expires_at <= NOW() + INTERVAL '30 days') FROM managed_certificates"
    assert query(postgres, within_30_days) == "t"
    # Heartbeats staggered over the last 60 s, one second apart (relative to the insert's NOW()).
    staggered = "SELECT bool_and(status = 'Online'), count(DISTINCT last_heartbeat_at), max(last_heartbeat_at) - min(last_heartbeat_at) FROM agents"
    assert query(postgres, staggered) == "t|60|00:00:59"
    assert query(
        postgres,
        "SELECT string_agg(os || '=' || n, ' ' ORDER BY os) FROM (SELECT os, count(*) n FROM agents GROUP BY os) s",
    ) == ("darwin=500 linux=4000 windows=500")

    before = query(postgres, TABLES_DIGEST)
    run_seed_job(postgres, tmp_path)
    assert query(postgres, TABLES_DIGEST) == before
    assert query(postgres, "SELECT count(*) FROM managed_certificates") == "10000"
    assert query(postgres, "SELECT count(*) FROM agents") == "5000"


# --- the k6 scripts under node ----------------------------------------------------------------


@pytest.fixture(scope="module")
def node() -> str:
    return require_tool(shutil.which("node"), "node (Debian package nodejs)")


def test_the_k6_scripts_are_valid_es_modules(node: str, tmp_path: Path) -> None:
    directory = write_scripts(rendered(), tmp_path)
    for name in SCRIPTS:
        result = subprocess.run(
            [node, "--check", str(directory / name)], capture_output=True, text=True, timeout=30
        )
        assert result.returncode == 0, (name, result.stderr)


def run_scripts(node: str, directory: Path, env: dict[str, str]) -> dict[str, Any]:
    result = subprocess.run(
        [
            node,
            "--import",
            str(directory / "globals.mjs"),
            str(directory / "run.mjs"),
            str(directory / "main.js"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": os.environ.get("PATH", ""), "K6_SCRIPTS_DIR": str(directory), **env},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def expected_thresholds(scenarios: dict[str, Any]) -> dict[str, list[str]]:
    bulk, acme, storm = scenarios["bulkRenewal"], scenarios["acmeBurst"], scenarios["agentStorm"]
    return {
        "http_req_duration{scenario:bulk_renewal}": [f"p(99)<{bulk['p99Ms']}", f"p(95)<{bulk['p95Ms']}"],
        "http_req_failed{scenario:bulk_renewal}": [f"rate<{bulk['errorRate']}"],
        "acme_directory_duration": [f"p(95)<{acme['directoryP95Ms']}"],
        "acme_new_nonce_duration": [f"p(95)<{acme['nonceP95Ms']}"],
        "acme_renewal_info_duration": [f"p(95)<{acme['renewalInfoP95Ms']}"],
        "acme_server_errors": [f"rate<{acme['serverErrorRate']}"],
        "acme_rate_limit_shape_bad": ["count<1"],
        "checks{scenario:acme_burst}": ["rate>0.99"],  # a 200 from the web UI is no ACME answer
        "http_req_duration{scenario:agent_storm}": [f"p(99)<{storm['p99Ms']}", f"p(95)<{storm['p95Ms']}"],
        "http_req_failed{scenario:agent_storm}": [f"rate<{storm['errorRate']}"],
    }


ISSUE_DEFAULTS = {
    "bulkRenewal": {"p99Ms": 5000, "p95Ms": 2000, "errorRate": 0.01},
    "acmeBurst": {
        "directoryP95Ms": 500,
        "nonceP95Ms": 300,
        "renewalInfoP95Ms": 800,
        "serverErrorRate": 0.001,
    },
    "agentStorm": {"p99Ms": 1000, "p95Ms": 500, "errorRate": 0.001},
}


@pytest.mark.parametrize(
    "overlay, thresholds, rates",
    [
        (
            {},
            ISSUE_DEFAULTS,
            {"bulk_renewal": (5, "5m"), "acme_burst": (200, "5m"), "agent_storm": (167, "5m")},
        ),
        (
            {
                "bulkRenewal": {
                    "rate": 2,
                    "duration": "1m",
                    "thresholds": {"p99Ms": 900, "p95Ms": 400, "errorRate": 0.05},
                },
                "acmeBurst": {
                    "vus": 20,
                    "duration": "30s",
                    "thresholds": {
                        "directoryP95Ms": 90,
                        "nonceP95Ms": 80,
                        "renewalInfoP95Ms": 70,
                        "serverErrorRate": 0.02,
                    },
                },
                "agentStorm": {
                    "rate": 33,
                    "duration": "2m",
                    "thresholds": {"p99Ms": 300, "p95Ms": 200, "errorRate": 0.5},
                },
            },
            {
                "bulkRenewal": {"p99Ms": 900, "p95Ms": 400, "errorRate": 0.05},
                "acmeBurst": {
                    "directoryP95Ms": 90,
                    "nonceP95Ms": 80,
                    "renewalInfoP95Ms": 70,
                    "serverErrorRate": 0.02,
                },
                "agentStorm": {"p99Ms": 300, "p95Ms": 200, "errorRate": 0.5},
            },
            {"bulk_renewal": (2, "1m"), "acme_burst": (20, "30s"), "agent_storm": (33, "2m")},
        ),
    ],
    ids=["issue-defaults", "from-values"],
)
def test_the_k6_options_carry_the_scenarios_and_thresholds_of_the_values(
    node: str,
    stub: StubServer,
    tmp_path: Path,
    overlay: dict[str, Any],
    thresholds: dict[str, Any],
    rates: dict[str, Any],
) -> None:
    directory = write_scripts(rendered({"loadtest": {"enabled": True, "scenarios": overlay}}), tmp_path)
    options = run_scripts(node, directory, {"LOADTEST_URL": stub.url, "LOADTEST_API_KEYS": "k"})["options"]
    assert options["thresholds"] == expected_thresholds(thresholds)
    scenarios = options["scenarios"]
    assert list(scenarios) == ["bulk_renewal", "acme_burst", "agent_storm"]
    assert (scenarios["bulk_renewal"]["rate"], scenarios["bulk_renewal"]["duration"]) == rates["bulk_renewal"]
    assert (scenarios["acme_burst"]["vus"], scenarios["acme_burst"]["duration"]) == rates["acme_burst"]
    assert (scenarios["agent_storm"]["rate"], scenarios["agent_storm"]["duration"]) == rates["agent_storm"]
    # One after the other: each starts when the previous one and its 30 s graceful stop are over.
    assert scenarios["bulk_renewal"]["startTime"] == "0s"
    if not overlay:
        assert (scenarios["acme_burst"]["startTime"], scenarios["agent_storm"]["startTime"]) == (
            "330s",
            "660s",
        )


def test_a_switched_off_scenario_has_no_scenario_and_no_thresholds(
    node: str, stub: StubServer, tmp_path: Path
) -> None:
    directory = write_scripts(
        rendered({"loadtest": {"enabled": True, "scenarios": {"acmeBurst": {"enabled": False}}}}), tmp_path
    )
    options = run_scripts(node, directory, {"LOADTEST_URL": stub.url})["options"]
    assert list(options["scenarios"]) == ["bulk_renewal", "agent_storm"]
    assert not [name for name in options["thresholds"] if name.startswith("acme_")]
    assert options["scenarios"]["agent_storm"]["startTime"] == "330s"


# --- the requests, against a stub of certctl's routes -----------------------------------------

# certctl's routes the scripts may call (internal/api/router/router.go at v2.0.71: lines 235,
# 239, 287, 289, 462-464, 477), as method and path pattern.
CERTCTL_ROUTES = [
    ("POST", r"/api/v1/certificates/bulk-renew"),
    ("GET", r"/api/v1/certificates/[^/]+"),
    ("GET", r"/api/v1/agents/[^/]+"),
    ("POST", r"/api/v1/agents/[^/]+/heartbeat"),
    ("GET", r"/acme/profile/[^/]+/directory"),
    ("HEAD", r"/acme/profile/[^/]+/new-nonce"),
    ("GET", r"/acme/profile/[^/]+/new-nonce"),
    ("GET", r"/acme/profile/[^/]+/renewal-info/[^/]+"),
]


class StubServer:
    """certctl's answers on the routes above (loopback only); ``rate_limit`` makes every ACME
    GET answer 429, with certctl's RFC 7807 problem document or with plain text."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.rate_limit: str | None = None
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                stub.answer(self)

            do_HEAD = do_POST = do_GET

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length).decode() if length else ""
        self.requests.append(
            {"method": handler.command, "path": handler.path, "headers": dict(handler.headers), "body": body}
        )
        status, headers, payload = self.route(handler.command, handler.path)
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(payload)

    def route(self, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
        problem = {"Content-Type": "application/problem+json"}
        if self.rate_limit and path.startswith("/acme/") and method == "GET":
            if self.rate_limit == "rfc7807":
                return 429, problem, b'{"type": "urn:ietf:params:acme:error:rateLimited", "status": 429}'
            return 429, {"Content-Type": "text/plain"}, b"too many requests"
        if path.endswith("/directory"):
            return 200, {"Content-Type": "application/json"}, b'{"newNonce": "x", "renewalInfo": "y"}'
        if path.endswith("/new-nonce"):
            return 200, {"Replay-Nonce": "nonce-1", "Cache-Control": "no-store"}, b""
        if "/renewal-info/" in path:
            return 404, problem, b'{"type": "urn:ietf:params:acme:error:malformed", "status": 404}'
        return 200, {"Content-Type": "application/json"}, b'{"status": "ok"}'


@pytest.fixture
def stub() -> Iterator[StubServer]:
    server = StubServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()


def test_the_scripts_make_certctls_requests(node: str, stub: StubServer, tmp_path: Path) -> None:
    directory = write_scripts(rendered(), tmp_path)
    result = run_scripts(node, directory, {"LOADTEST_URL": stub.url, "LOADTEST_API_KEYS": "key-one,key-two"})

    assert result["checks"] and all(c["ok"] for c in result["checks"]), result["checks"]
    for request in stub.requests:
        assert any(request["method"] == m and re.fullmatch(p, request["path"]) for m, p in CERTCTL_ROUTES), (
            request
        )
    calls = [(r["method"], r["path"]) for r in stub.requests]
    assert calls[:2] == [
        ("GET", "/api/v1/certificates/mc-loadtest-0010000"),
        ("GET", "/api/v1/agents/ag-loadtest-0005000"),
    ]
    assert [m for m, _ in calls[2:]] == ["POST", "GET", "HEAD", "GET", "POST"]

    api = [r for r in stub.requests if r["path"].startswith("/api/v1/")]
    assert {r["headers"]["Authorization"] for r in api} == {"Bearer key-one"}
    acme = [r for r in stub.requests if r["path"].startswith("/acme/")]
    assert [r["path"] for r in acme] == [
        "/acme/profile/prof-standard-tls/directory",
        "/acme/profile/prof-standard-tls/new-nonce",
        "/acme/profile/prof-standard-tls/renewal-info/aaaa.bbbb",
    ]
    assert not [r for r in acme if "Authorization" in r["headers"]]

    bulk = next(r for r in stub.requests if r["path"].endswith("/bulk-renew"))
    assert bulk["headers"]["Content-Type"] == "application/json"
    ids = json.loads(bulk["body"])["certificate_ids"]  # certctl's bulkRenewRequest field
    assert len(ids) == 50 and all(
        re.fullmatch(r"mc-loadtest-\d{7}", i) and 1 <= int(i[-7:]) <= 10000 for i in ids
    )
    heartbeat = next(r for r in stub.requests if r["path"].endswith("/heartbeat"))
    # The metadata fields certctl's Heartbeat handler decodes.
    assert set(json.loads(heartbeat["body"])) == {"version", "hostname", "os", "architecture", "ip_address"}
    assert re.fullmatch(r"/api/v1/agents/ag-loadtest-\d{7}/heartbeat", heartbeat["path"])
    assert result["metrics"]["acme_server_errors"] == [0, 0, 0]


@pytest.mark.parametrize("shape, ok, bad", [("rfc7807", 2, 0), ("plain", 0, 2)])
def test_rate_limit_answers_are_counted_by_their_shape(
    node: str, stub: StubServer, tmp_path: Path, shape: str, ok: int, bad: int
) -> None:
    stub.rate_limit = shape
    directory = write_scripts(rendered(), tmp_path)
    metrics = run_scripts(node, directory, {"LOADTEST_URL": stub.url})["metrics"]
    assert (sum(metrics["acme_rate_limit_shape_ok"]), sum(metrics["acme_rate_limit_shape_bad"])) == (ok, bad)
