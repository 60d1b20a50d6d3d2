"""Tests for chartgen.catalog against the real catalog files in schemas/catalog."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chartgen.catalog import (
    BINARIES,
    ENV_TYPES,
    METRIC_SOURCES,
    METRIC_TYPES,
    CertctlCatalog,
    EnvCatalog,
    MetricCatalog,
    load_certctl_catalog,
    load_env_catalog,
    load_metric_catalog,
)
from chartgen.errors import UserError

CATALOG_DIR = Path(__file__).parents[1] / "schemas/catalog"

# Server variables read outside internal/config/config.go (spec G.2).
G2_NAMES = {
    "CERTCTL_STEPCA_URL",
    "CERTCTL_STEPCA_ROOT_CERT",
    "CERTCTL_STEPCA_PROVISIONER",
    "CERTCTL_STEPCA_KEY_PATH",
    "CERTCTL_STEPCA_PASSWORD",
    "CERTCTL_OPENSSL_SIGN_SCRIPT",
    "CERTCTL_OPENSSL_REVOKE_SCRIPT",
    "CERTCTL_OPENSSL_CRL_SCRIPT",
    "CERTCTL_ZEROSSL_EAB_URL",
}
# Server variables that only the seed documents (later certctl commits) describe.
LATER_NAMES = {"CERTCTL_ASYNC_POLL_MAX_WAIT_SECONDS", "CERTCTL_MIGRATIONS_VIA_HOOK"}


@pytest.fixture(scope="module")
def env() -> EnvCatalog:
    return load_env_catalog(CATALOG_DIR / "env.yaml")


@pytest.fixture(scope="module")
def certctl() -> CertctlCatalog:
    return load_certctl_catalog(CATALOG_DIR / "certctl.yaml")


@pytest.fixture(scope="module")
def metrics() -> MetricCatalog:
    return load_metric_catalog(CATALOG_DIR / "metrics.yaml")


def test_server_config_go_has_201_entries(env: EnvCatalog) -> None:
    server = {var.name for var in env.variables if "server" in var.binaries}
    assert server >= G2_NAMES
    assert server >= LATER_NAMES
    assert len(server - G2_NAMES - LATER_NAMES) == 201


def test_seed_only_facts_are_in_no_release(env: EnvCatalog, certctl: CertctlCatalog) -> None:
    # Review L2: the seed documents describe certctl commits no release has.
    for name in sorted(LATER_NAMES):
        var = env.lookup(name)
        assert var is not None, name
        assert var.provenance.since is None and var.provenance.defined_at is None, name
        assert var.provenance.seed and "in no release" in var.provenance.seed, name
        assert not certctl.releases.has(var.provenance, "v2.0.71"), name
    migrate_only = certctl.flag("server", "--migrate-only")
    assert migrate_only is not None and migrate_only.provenance.since is None
    assert "d6f4d5c5e8" in (migrate_only.provenance.seed or "")
    # cmd/server parses no flags at all (review C1).
    assert [flag.name for flag in certctl.flags if flag.binary == "server"] == ["--migrate-only"]


def test_validated_but_ignored_variables(env: EnvCatalog) -> None:
    # Review M1: the pool is fixed at 25 whatever CERTCTL_DATABASE_MAX_CONNS says.
    max_conns = env.lookup("CERTCTL_DATABASE_MAX_CONNS")
    assert max_conns is not None and max_conns.default == "25"
    assert "fixed at 25" in max_conns.ignored and "db.go:33" in max_conns.ignored
    # Review L1: output is always JSON.
    log_format = env.lookup("CERTCTL_LOG_FORMAT")
    assert log_format is not None and log_format.values == ("json", "text")
    assert "main.go:72" in log_format.ignored
    assert env.lookup("CERTCTL_SERVER_HOST").ignored == ""


def test_every_fact_names_its_origin_and_first_release(
    env: EnvCatalog, metrics: MetricCatalog, certctl: CertctlCatalog
) -> None:
    versions = set(certctl.releases.versions)
    assert {"v1.0.0", "v2.0.71"} <= versions
    facts = [*env.variables, *metrics.metrics, *certctl.flags, *certctl.endpoints, *certctl.images]
    for fact in facts:
        provenance = fact.provenance
        if provenance.seed:
            continue
        assert provenance.defined_at, fact.name
        assert provenance.since in versions, fact.name


def test_first_versions_of_other_branches_variables(env: EnvCatalog, certctl: CertctlCatalog) -> None:
    # The agent and server branches add values for these; both exist at the pinned version.
    bootstrap = env.lookup("CERTCTL_AGENT_BOOTSTRAP_TOKEN")
    named_keys = env.lookup("CERTCTL_API_KEYS_NAMED")
    assert bootstrap is not None and bootstrap.provenance.since == "v2.0.56"
    assert named_keys is not None and named_keys.provenance.since == "v2.0.45"
    assert certctl.releases.has(bootstrap.provenance, "v2.0.71")
    assert not certctl.releases.has(bootstrap.provenance, "v2.0.55")


def test_image_facts(certctl: CertctlCatalog) -> None:
    assert certctl.image("server", "entrypoint") == ["/app/server"]
    assert certctl.image("agent", "uid") == 1000
    assert certctl.image("server", "ports") == ["8443"]
    assert certctl.binary_for_command("/app/agent") == "agent"
    assert certctl.binary_for_command("/bin/sh") is None
    assert certctl.releases.known("2.0.71") == "v2.0.71"
    assert certctl.releases.known("latest") is None


def test_required_variables(env: EnvCatalog) -> None:
    assert env.required_for("server") == [
        "CERTCTL_SERVER_TLS_CERT_PATH",
        "CERTCTL_SERVER_TLS_KEY_PATH",
        "CERTCTL_DATABASE_URL",
    ]
    assert set(env.required_for("agent")) == {"CERTCTL_API_KEY", "CERTCTL_AGENT_ID"}
    assert env.required_for("cli") == []
    with pytest.raises(ValueError, match="unknown binary"):
        env.required_for("web")


def test_shared_client_variables_list_every_binary(env: EnvCatalog) -> None:
    for name in (
        "CERTCTL_SERVER_URL",
        "CERTCTL_API_KEY",
        "CERTCTL_SERVER_CA_BUNDLE_PATH",
        "CERTCTL_SERVER_TLS_INSECURE_SKIP_VERIFY",
    ):
        var = env.lookup(name)
        assert var is not None
        assert set(var.binaries) == {"agent", "cli", "mcp-server"}, name
    server_url = env.lookup("CERTCTL_SERVER_URL")
    assert server_url is not None and server_url.default == "https://localhost:8443"
    log_level = env.lookup("CERTCTL_LOG_LEVEL")
    assert log_level is not None and set(log_level.binaries) == {"server", "agent"}


def test_profile_templates(env: EnvCatalog) -> None:
    var = env.lookup("CERTCTL_SCEP_PROFILE_CORP_ISSUER_ID")
    assert var is not None and var.name == "CERTCTL_SCEP_PROFILE_<NAME>_ISSUER_ID"
    assert env.is_known("CERTCTL_EST_PROFILE_IOT_2_SERVERKEYGEN_ENABLED")
    assert not env.is_known("CERTCTL_SCEP_PROFILE__ISSUER_ID")
    assert not env.is_known("CERTCTL_SCEP_PROFILE_corp_ISSUER_ID")
    # The legacy single-profile names are distinct, exact entries.
    assert env.lookup("CERTCTL_SCEP_PROFILE_ID") is not None
    assert not env.lookup("CERTCTL_SCEP_PROFILE_ID").is_template


def test_names_with_digits_are_known(env: EnvCatalog) -> None:
    for name in (
        "CERTCTL_ACME_SERVER_HTTP01_CONCURRENCY",
        "CERTCTL_ACME_SERVER_DNS01_RESOLVER",
        "CERTCTL_ACME_SERVER_TLSALPN01_CONCURRENCY",
    ):
        assert env.is_known(name), name


def test_rejected_names(env: EnvCatalog) -> None:
    reason = env.rejected_reason("CERTCTL_AGENT_POLL_INTERVAL")
    assert reason
    assert not env.is_known("CERTCTL_AGENT_POLL_INTERVAL")
    keygen = env.rejected_reason("CERTCTL_EST_PROFILE_CORP_SERVER_KEYGEN_ENABLED")
    assert keygen is not None and "SERVERKEYGEN" in keygen
    assert env.rejected_reason("CERTCTL_SERVER_HOST") is None
    assert env.rejected_reason("POSTGRES_PASSWORD") is None


def test_libpq_and_hook_variables(env: EnvCatalog) -> None:
    assert env.is_libpq("PGPASSWORD")
    assert env.is_libpq("PGSSLROOTCERT")
    assert not env.is_libpq("POSTGRES_PASSWORD")
    assert not env.is_known("PGPASSWORD")
    assert set(env.exported_to_hooks) == {
        "CERTCTL_DNS_DOMAIN",
        "CERTCTL_DNS_FQDN",
        "CERTCTL_DNS_TOKEN",
        "CERTCTL_DNS_VALUE",
    }
    assert not env.is_known("CERTCTL_DNS_TOKEN")


def test_env_entries_are_well_formed(env: EnvCatalog) -> None:
    names = [var.name for var in env.variables]
    assert len(names) == len(set(names))
    for var in env.variables:
        assert var.description.strip(), var.name
        assert var.type in ENV_TYPES, var.name
        assert set(var.binaries) <= BINARIES, var.name
    all_names = names + list(env.rejected) + list(env.libpq) + list(env.exported_to_hooks)
    assert len(all_names) == len(set(all_names))
    assert all(reason.strip() for reason in env.rejected.values())


def test_secrets_are_marked(env: EnvCatalog) -> None:
    for name in ("CERTCTL_SMTP_PASSWORD", "CERTCTL_API_KEY", "CERTCTL_CONFIG_ENCRYPTION_KEY"):
        var = env.lookup(name)
        assert var is not None and var.secret, name
    assert not env.lookup("CERTCTL_SERVER_HOST").secret


def test_histogram_series_are_exported(metrics: MetricCatalog) -> None:
    base = "certctl_issuance_duration_seconds"
    for series in (base, f"{base}_bucket", f"{base}_sum", f"{base}_count"):
        assert metrics.is_exported(series), series
        assert metrics.source(series) == "memory"
    assert not metrics.is_exported("certctl_issuance_total_bucket")
    assert not metrics.is_exported("certctl_uptime_seconds_count")


def test_metric_sources(metrics: MetricCatalog) -> None:
    assert metrics.source("certctl_certificate_expiring_soon") == "db"
    assert metrics.source("certctl_job_failed_total") == "db"
    assert metrics.source("certctl_deploy_attempts_total") == "memory"
    assert metrics.source("certctl_nope") is None


def test_not_exported_metrics(metrics: MetricCatalog) -> None:
    for name in (
        "certctl_approval_decisions_total",
        "certctl_approval_pending_age_seconds",
        "certctl_acme_new_order_total",
        "certctl_acme_gc_run_failures_total",
    ):
        assert not metrics.is_exported(name), name
        assert metrics.not_exported_reason(name), name
    assert metrics.not_exported_reason("certctl_certificate_total") is None


def test_every_metric_the_chart_queries_is_exported(metrics: MetricCatalog) -> None:
    """The alert rules query metrics by name: each must be one certctl exports."""
    templates = CATALOG_DIR.parents[1] / "deploy" / "helm" / "certctl" / "templates"
    queried = {
        name
        for path in templates.rglob("*.yaml")
        for name in re.findall(r"\bcertctl_[a-z_]+\b", path.read_text())
        if not name.endswith("_")
    }
    assert queried, "the chart's alert rules query certctl metrics"
    for name in sorted(queried):
        assert metrics.is_exported(name), name


def test_metric_entries_are_well_formed(metrics: MetricCatalog) -> None:
    names = [metric.name for metric in metrics.metrics]
    assert len(names) == len(set(names))
    for metric in metrics.metrics:
        assert metric.description.strip(), metric.name
        assert metric.type in METRIC_TYPES, metric.name
        assert metric.source in METRIC_SOURCES, metric.name


def test_malformed_entry_names_file_and_entry(tmp_path: Path) -> None:
    path = tmp_path / "env.yaml"
    path.write_text(
        "variables:\n"
        "  - name: CERTCTL_FOO\n"
        "    binaries: [server]\n"
        "    type: str\n"
        '    default: ""\n'
        "    required: false\n"
        "    secret: false\n"
        "    description: A test entry\n"
        "    since: v2.0.0\n"
        "    defined_at: internal/config/config.go:1\n"
        "rejected: []\n"
        "libpq: []\n"
        "exported_to_hooks: []\n"
    )
    with pytest.raises(UserError) as excinfo:
        load_env_catalog(path)
    message = str(excinfo.value)
    assert str(path) in message
    assert "variables[0] (CERTCTL_FOO)" in message
    assert "type must be one of" in message


def test_missing_field_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "metrics.yaml"
    path.write_text(
        "metrics:\n  - name: certctl_x\n    type: gauge\n    labels: []\n    source: db\n"
        "    since: v2.0.0\n    defined_at: a.go:1\nnot_exported: []\n"
    )
    expected = r"metrics\[0\] \(certctl_x\): missing field\(s\): description"
    with pytest.raises(UserError, match=expected):
        load_metric_catalog(path)


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not found"):
        load_env_catalog(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("metrics: [\n")
    with pytest.raises(UserError) as excinfo:
        load_metric_catalog(bad)
    assert excinfo.value.location is not None and excinfo.value.location.startswith(f"{bad}:")


@pytest.mark.parametrize(
    ("provenance", "message"),
    [
        ("    since: v2.0\n    defined_at: a.go:1\n", "since must be a release tag"),
        ("    since: v2.0.1\n    defined_at: a.go\n", "defined_at must be file:line"),
        ("    since: null\n    defined_at: null\n", "name the seed document"),
        ("    since: v2.0.1\n    defined_at: null\n    seed: a seed\n", "a seed fact is in no release"),
    ],
)
def test_provenance_is_validated(tmp_path: Path, provenance: str, message: str) -> None:
    path = tmp_path / "env.yaml"
    path.write_text(
        "variables:\n"
        "  - name: CERTCTL_FOO\n"
        "    binaries: [server]\n"
        "    type: string\n"
        '    default: ""\n'
        "    required: false\n"
        "    secret: false\n"
        "    description: A test entry\n" + provenance + "rejected: []\nlibpq: []\nexported_to_hooks: []\n"
    )
    with pytest.raises(UserError, match=message) as excinfo:
        load_env_catalog(path)
    assert "variables[0] (CERTCTL_FOO)" in str(excinfo.value)


def test_certctl_catalog_since_must_be_a_known_version(tmp_path: Path) -> None:
    path = tmp_path / "certctl.yaml"
    path.write_text(
        f"commit: {'a' * 40}\nversions: [v1.0.0]\n"
        "flags:\n  - {name: agent --x, type: bool, env: null, since: v1.1.0, defined_at: cmd/agent/main.go:1}\n"
        "endpoints: []\nimages: []\n"
    )
    with pytest.raises(UserError, match="agent --x: since v1.1.0 is not one of versions"):
        load_certctl_catalog(path)
