"""scripts/certctl_catalog.py against a tiny certctl-shaped git repository built here (no network,
not the mirror): facts, first releases, curated fields kept, verify vs --write, bare repos."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import ROOT

from chartgen.catalog import load_certctl_catalog, load_env_catalog, load_metric_catalog

spec = importlib.util.spec_from_file_location("certctl_catalog", ROOT / "scripts" / "certctl_catalog.py")
assert spec and spec.loader
script = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = script  # dataclasses look their module up while the script loads
spec.loader.exec_module(script)

CONFIG_V1 = """package config

func Load() *Config {
	return &Config{
		// CERTCTL_COMMENTED_OUT is only named in a comment.
		Host: getEnv("CERTCTL_SERVER_HOST", "127.0.0.1"),
		Port: getEnvInt("CERTCTL_SERVER_PORT", 8080),
		URL: getEnv("CERTCTL_DATABASE_URL", "postgres://localhost/certctl"),
	}
}
"""
CONFIG_V2 = CONFIG_V1.replace(
    "\t}\n}",
    '\t\tEvery: getEnvDuration("CERTCTL_SCHEDULER_INTERVAL", 5*time.Minute),\n'
    '\t\tScan: getEnvBool("CERTCTL_SCAN_ENABLED", false),\n'
    '\t\tKey: getEnv("CERTCTL_SCEP_PROFILE_"+envName+"_ISSUER_ID", ""),\n\t}\n}',
)
CONFIG_HEAD = CONFIG_V2.replace("\t}\n}", '\t\tTok: getEnv("CERTCTL_BOOTSTRAP_TOKEN", ""),\n\t}\n}')
AGENT = """package main

func main() {
	agentID := flag.String("agent-id", getEnvDefault("CERTCTL_AGENT_ID", ""), "Agent ID")
	insecure := flag.Bool("insecure-skip-verify", getEnvBoolDefault("CERTCTL_INSECURE", false), "dev only")
	flag.Parse()
}
"""
METRICS = """package handler

func (h *H) Prometheus(w io.Writer) {
	fmt.Fprintf(w, "# TYPE certctl_certificate_total gauge\\n")
	fmt.Fprintf(w, "# TYPE certctl_issuance_total counter\\n")
	fmt.Fprintf(w, "certctl_issuance_total{issuer_type=%q,outcome=%q} %d\\n", a, b, c)
}
"""
ROUTER = """package router

func (r *Router) Routes() {
	r.mux.Handle("GET /health", h)
	r.Register("POST /api/v1/agents", h)
}
"""
DOCKERFILE = """FROM alpine
RUN addgroup -g 1000 certctl && \\
    adduser -D -u 1000 -G certctl certctl
RUN chown -R certctl:certctl /app
USER certctl
EXPOSE 8443
ENTRYPOINT ["/app/server"]
"""
CURATED_ENV = """# A curated header that the script keeps.

variables:
  - name: CERTCTL_SERVER_HOST
    binaries: [server]
    type: string
    default: "0.0.0.0"
    required: false
    secret: false
    since: null
    defined_at: null
    description: Address the server binds to
    values: [127.0.0.1, 0.0.0.0]
  - name: CERTCTL_FROM_A_SEED
    binaries: [server]
    type: bool
    default: "false"
    required: false
    secret: false
    description: A variable of an unreleased commit
    since: null
    defined_at: null
    seed: a seed document
rejected:
  - name: CERTCTL_PHANTOM
    reason: Named in docs only
libpq: []
exported_to_hooks: []
"""


def git(repo: Path, *args: str) -> str:
    command = ["git", "-C", str(repo), "-c", "user.name=test", "-c", "user.email=test@example.com", *args]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def commit(repo: Path, files: dict[str, str], tag: str | None = None) -> str:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"change {tag or 'untagged'}")
    if tag:
        git(repo, "tag", tag)
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="module")
def certctl_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("certctl")
    git(repo, "init", "-q")
    commit(
        repo,
        {
            "internal/config/config.go": CONFIG_V1,
            "cmd/agent/main.go": AGENT,
            "internal/api/handler/metrics.go": METRICS,
            "internal/api/router/router.go": ROUTER,
            "Dockerfile": DOCKERFILE,
            "internal/config/config_test.go": 'x := getEnv("CERTCTL_ONLY_IN_TESTS", "")\n',
        },
        tag="v1.0.0",
    )
    commit(repo, {"internal/config/config.go": CONFIG_V2}, tag="v1.2.0")
    commit(repo, {"README.md": "not a release\n"}, tag="nightly")
    commit(repo, {"internal/config/config.go": CONFIG_HEAD})
    return repo


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "env.yaml").write_text(CURATED_ENV)
    (catalog / "metrics.yaml").write_text("metrics: []\nnot_exported: []\n")
    return catalog


def run(repo: Path, catalog: Path, *args: str) -> tuple[int, str]:
    lines: list[str] = []
    code = script.main([str(repo), *args], catalog_dir=catalog, out=lines.append)
    return code, "\n".join(lines)


def entries(path: Path, section: str) -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in yaml.safe_load(path.read_text())[section]}


def test_write_records_facts_with_their_origin_and_first_release(
    certctl_repo: Path, catalog_dir: Path
) -> None:
    code, _ = run(certctl_repo, catalog_dir, "--write")
    assert code == 0
    env = entries(catalog_dir / "env.yaml", "variables")
    assert set(env) == {
        "CERTCTL_SERVER_HOST",
        "CERTCTL_SERVER_PORT",
        "CERTCTL_DATABASE_URL",
        "CERTCTL_SCHEDULER_INTERVAL",
        "CERTCTL_SCAN_ENABLED",
        "CERTCTL_SCEP_PROFILE_<NAME>_ISSUER_ID",
        "CERTCTL_BOOTSTRAP_TOKEN",
        "CERTCTL_AGENT_ID",
        "CERTCTL_INSECURE",
        "CERTCTL_FROM_A_SEED",
    }
    assert (
        env["CERTCTL_SERVER_PORT"].items()
        >= {
            "type": "int",
            "default": "8080",
            "since": "v1.0.0",
            "defined_at": "internal/config/config.go:7",
        }.items()
    )
    assert env["CERTCTL_DATABASE_URL"]["default"] == "postgres://localhost/certctl"
    assert (env["CERTCTL_SCHEDULER_INTERVAL"]["type"], env["CERTCTL_SCHEDULER_INTERVAL"]["default"]) == (
        "duration",
        "5m",
    )
    assert env["CERTCTL_SCHEDULER_INTERVAL"]["since"] == "v1.2.0"  # tags that are not releases are skipped
    assert env["CERTCTL_BOOTSTRAP_TOKEN"]["since"] is None  # after the last release
    assert env["CERTCTL_INSECURE"]["binaries"] == ["agent"] and env["CERTCTL_INSECURE"]["type"] == "bool"
    # Curated fields stay; facts from the code replace what was written by hand.
    host = env["CERTCTL_SERVER_HOST"]
    assert host["description"] == "Address the server binds to" and host["values"] == ["127.0.0.1", "0.0.0.0"]
    assert (host["default"], host["since"]) == ("127.0.0.1", "v1.0.0")
    assert env["CERTCTL_FROM_A_SEED"]["seed"] == "a seed document"
    assert env["CERTCTL_SCAN_ENABLED"]["description"].startswith("TODO")
    assert (catalog_dir / "env.yaml").read_text().startswith("# A curated header that the script keeps.\n")

    certctl = entries(catalog_dir / "certctl.yaml", "flags")
    flag = {
        "type": "string",
        "env": "CERTCTL_AGENT_ID",
        "since": "v1.0.0",
    }
    assert certctl["agent --agent-id"].items() >= flag.items()
    assert entries(catalog_dir / "certctl.yaml", "endpoints")["GET /health"]["authenticated"] is False
    assert entries(catalog_dir / "certctl.yaml", "endpoints")["POST /api/v1/agents"]["authenticated"] is True
    images = entries(catalog_dir / "certctl.yaml", "images")
    assert images["server uid"]["value"] == 1000 and images["server entrypoint"]["value"] == ["/app/server"]
    metrics = entries(catalog_dir / "metrics.yaml", "metrics")
    assert metrics["certctl_issuance_total"]["labels"] == ["issuer_type", "outcome"]

    # What the script writes is what chartgen loads.
    loaded = load_certctl_catalog(catalog_dir / "certctl.yaml")
    assert loaded.releases.versions == ("v1.0.0", "v1.2.0")
    assert loaded.releases.commit == git(certctl_repo, "rev-parse", "HEAD").strip()
    assert load_env_catalog(catalog_dir / "env.yaml").rejected_reason("CERTCTL_PHANTOM")
    assert load_metric_catalog(catalog_dir / "metrics.yaml").is_exported("certctl_certificate_total")


def test_verify_reports_drift_and_changes_nothing(
    certctl_repo: Path, catalog_dir: Path, tmp_path: Path
) -> None:
    assert run(certctl_repo, catalog_dir, "--write")[0] == 0
    assert run(certctl_repo, catalog_dir) == (0, "catalog matches certctl")
    written = (catalog_dir / "env.yaml").read_text()
    # An older ref lacks CERTCTL_BOOTSTRAP_TOKEN: verification fails with a diff naming it.
    code, diff = run(certctl_repo, catalog_dir, "--ref", "v1.2.0")
    assert code == 1
    assert "-  - name: CERTCTL_BOOTSTRAP_TOKEN" in diff
    assert (catalog_dir / "env.yaml").read_text() == written
    # A bare clone is read the same way.
    bare = tmp_path / "certctl.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(certctl_repo), str(bare)], check=True)
    assert run(bare, catalog_dir) == (0, "catalog matches certctl")


def test_usage_errors_exit_2(certctl_repo: Path, catalog_dir: Path, tmp_path: Path, capsys: Any) -> None:
    assert run(tmp_path / "absent", catalog_dir)[0] == 2
    assert "no such directory" in capsys.readouterr().err
    assert run(certctl_repo, catalog_dir, "--ref", "no-such-ref")[0] == 2
    assert "no-such-ref" in capsys.readouterr().err


def test_committed_catalog_is_what_the_script_writes() -> None:
    # Without certctl at hand, check the committed files are in the script's own format:
    # re-emitting them from their own content changes nothing.
    for name, section in (("env.yaml", "variables"), ("metrics.yaml", "metrics")):
        path = ROOT / "schemas" / "catalog" / name
        text = path.read_text()
        body = text[text.index(f"\n{section}:") + 1 :]
        doc = yaml.safe_load(text)
        emitted = "".join(
            ("\n" if index else "")
            + script._emit_list(key, doc[key], "defined_at" if key == "variables" else None)
            for index, key in enumerate(doc)
        )
        assert body == emitted, name
