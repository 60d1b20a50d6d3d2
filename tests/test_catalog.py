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
    EnvCatalog,
    MetricCatalog,
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
# Server variables added by later commits and read in cmd/server/main.go.
LATER_NAMES = {"CERTCTL_ASYNC_POLL_MAX_WAIT_SECONDS", "CERTCTL_MIGRATIONS_VIA_HOOK"}


@pytest.fixture(scope="module")
def env() -> EnvCatalog:
    return load_env_catalog(CATALOG_DIR / "env.yaml")


@pytest.fixture(scope="module")
def metrics() -> MetricCatalog:
    return load_metric_catalog(CATALOG_DIR / "metrics.yaml")


def test_server_config_go_has_201_entries(env: EnvCatalog) -> None:
    server = {var.name for var in env.variables if "server" in var.binaries}
    assert server >= G2_NAMES
    assert server >= LATER_NAMES
    assert len(server - G2_NAMES - LATER_NAMES) == 201


def test_later_commit_deltas(env: EnvCatalog) -> None:
    max_conns = env.lookup("CERTCTL_DATABASE_MAX_CONNS")
    assert max_conns is not None and max_conns.default == "50"

    max_wait = env.lookup("CERTCTL_ASYNC_POLL_MAX_WAIT_SECONDS")
    assert max_wait is not None
    assert (max_wait.type, max_wait.default, max_wait.binaries) == ("int", "", ("server",))

    via_hook = env.lookup("CERTCTL_MIGRATIONS_VIA_HOOK")
    assert via_hook is not None
    assert (via_hook.type, via_hook.default) == ("bool", "false")


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
        "metrics:\n  - name: certctl_x\n    type: gauge\n    labels: []\n    source: db\nnot_exported: []\n"
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
