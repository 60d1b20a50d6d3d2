"""Operational components: backups, alerts and scraping, availability, network policy, the
helm test pod, and the fleet profiles (migrations: tests/test_migrations.py)."""

from __future__ import annotations

import re

import pytest
import yaml
from helpers import ROOT, chart, env_of, find, kinds, objects, pod_specs, with_minimal

from chartgen import helm
from chartgen.catalog import load_metric_catalog
from chartgen.promql import metric_names, parse

METRICS = load_metric_catalog(ROOT / "schemas" / "catalog" / "metrics.yaml")
RULES_ON = {"monitoring": {"prometheusRules": {"enabled": True}}}
ALL_ON = {
    "backup": {"enabled": True},
    # An operator-declared certctl build with --migrate-only (no release has it): tests/test_migrations.py.
    "migrations": {"viaHook": True, "serverHasMigrateOnly": True},
    "monitoring": {"prometheusRules": {"enabled": True}, "serviceMonitor": {"enabled": True}},
    "networkPolicy": {"enabled": True},
    "ingress": {"enabled": True},
    "server": {"podDisruptionBudget": {"enabled": True}},
}


def rules(overlay: dict | None = None) -> list[dict]:
    values = with_minimal(RULES_ON)
    if overlay:
        values["monitoring"]["prometheusRules"].update(overlay)
    return find(objects(values), "PrometheusRule")["spec"]["groups"][0]["rules"]


# --- alerts -----------------------------------------------------------------------------


def test_one_switch_renders_the_four_alerts() -> None:
    assert [r["alert"] for r in rules()] == [
        "CertctlCertificateExpiringSoon",
        "CertctlAgentOffline",
        "CertctlJobFailureRateHigh",
        "CertctlIssuanceFailures",
    ]
    assert "PrometheusRule" not in kinds(objects(with_minimal()))


def test_every_expression_parses_and_reads_only_exported_metrics() -> None:
    for rule in rules():
        parse(rule["expr"])
        names = metric_names(rule["expr"])
        assert names, rule["alert"]
        for name in names:
            assert METRICS.is_exported(name), (rule["alert"], name)


@pytest.mark.parametrize(
    "threshold", ["expiringCertificateCount", "offlineAgentCount", "jobFailureRatio", "issuanceFailureRate"]
)
def test_a_threshold_set_to_zero_renders_as_zero(threshold: str) -> None:
    # A sprig `default` would turn 0 into the default; the template must not.
    alert = {
        "expiringCertificateCount": "CertctlCertificateExpiringSoon",
        "offlineAgentCount": "CertctlAgentOffline",
        "jobFailureRatio": "CertctlJobFailureRateHigh",
        "issuanceFailureRate": "CertctlIssuanceFailures",
    }[threshold]
    rendered = {r["alert"]: r for r in rules({"thresholds": {threshold: 0}})}
    assert rendered[alert]["expr"].rstrip().endswith("> 0")
    assert "more than 0" in rendered[alert]["annotations"]["summary"]


def test_summaries_and_descriptions_state_the_configured_thresholds() -> None:
    custom = {
        r["alert"]: r
        for r in rules(
            {"thresholds": {"offlineAgentCount": 7, "offlineAgentFor": "2h", "jobFailureRatio": 0.2}}
        )
    }
    offline = custom["CertctlAgentOffline"]
    assert offline["for"] == "2h" and offline["expr"].endswith("> 7")
    assert (
        "more than 7" in offline["annotations"]["summary"]
        and "for 2h" in offline["annotations"]["description"]
    )
    assert "more than 0.2" in custom["CertctlJobFailureRateHigh"]["annotations"]["summary"]


def test_alerts_carry_severity_runbook_and_extra_labels() -> None:
    for rule in rules({"alertLabels": {"team": "pki"}, "severity": "critical"}):
        assert rule["labels"]["severity"] == "critical" and rule["labels"]["team"] == "pki"
        assert rule["annotations"]["runbook_url"].startswith("https://")
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]


def test_database_gauges_are_deduplicated_and_counters_summed_across_replicas() -> None:
    by_alert = {r["alert"]: r["expr"] for r in rules()}
    for alert in ("CertctlCertificateExpiringSoon", "CertctlAgentOffline", "CertctlJobFailureRateHigh"):
        assert "max without (instance, pod)" in by_alert[alert], alert
    assert by_alert["CertctlIssuanceFailures"].startswith("sum without (instance, pod")


def test_job_failure_ratio_fires_at_low_volume() -> None:
    # The upstream rule divided by clamp_min(rate, 1): below one job per second the ratio was
    # about failures per second, so even 100% failure rarely fired. Now: failed / (failed + completed).
    expression = next(r["expr"] for r in rules() if r["alert"] == "CertctlJobFailureRateHigh")
    assert not re.search(r"clamp_min\([^()]*(\([^()]*\))*[^()]*,\s*1\)", expression)
    compact = " ".join(expression.split())
    assert (
        "/ ( clamp_min(max without (instance, pod) (delta(certctl_job_failed_total[15m])), 0) + " in compact
    )


# --- scraping ---------------------------------------------------------------------------


def test_service_monitor_scrapes_https_with_bearer_token_and_ca() -> None:
    objs = objects(with_minimal({"monitoring": {"serviceMonitor": {"enabled": True}}}))
    endpoint = find(objs, "ServiceMonitor")["spec"]["endpoints"][0]
    assert endpoint["scheme"] == "https" and endpoint["path"] == "/api/v1/metrics/prometheus"
    assert endpoint["port"] == "https"
    assert endpoint["bearerTokenSecret"] == {"name": "certctl-agent", "key": "api-key"}
    assert endpoint["tlsConfig"]["ca"] == {"secret": {"name": "certctl-server-tls", "key": "ca.crt"}}
    assert endpoint["tlsConfig"]["serverName"] == "certctl-server.certctl.svc"
    service = find(objs, "Service", "certctl-server")
    assert any(port["name"] == "https" for port in service["spec"]["ports"])


# --- backups ----------------------------------------------------------------------------


def backup_objects(overlay: dict) -> list[dict]:
    return objects(with_minimal({"backup": {"enabled": True, **overlay}}))


def test_backup_to_pvc_dumps_the_configured_database_and_prunes() -> None:
    objs = objects(
        with_minimal(
            {
                "backup": {"enabled": True, "retention": 4},
                "postgresql": {"auth": {"database": "pki", "username": "pkiuser"}},
            }
        )
    )
    cronjob = find(objs, "CronJob")
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    assert (
        cronjob["spec"]["successfulJobsHistoryLimit"] == 3 and cronjob["spec"]["failedJobsHistoryLimit"] == 3
    )
    job = cronjob["spec"]["jobTemplate"]["spec"]
    assert job["backoffLimit"] == 1 and job["activeDeadlineSeconds"] == 3600
    pod = job["template"]["spec"]
    dump = pod["containers"][0]
    env = env_of(dump)
    assert env["PGDATABASE"]["value"] == "pki" and env["PGUSER"]["value"] == "pkiuser"
    assert env["RETENTION"]["value"] == "4"
    assert env["PGPASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": "certctl-postgres", "key": "password"}
    script = find(objs, "ConfigMap", "certctl-backup")["data"]["dump.sh"]
    assert 'pg_dump --format=custom --no-owner --no-acl --dbname="$PGDATABASE"' in script
    assert "--dbname=certctl" not in script
    claim = next(v for v in pod["volumes"] if v["name"] == "backup")["persistentVolumeClaim"]["claimName"]
    assert find(objs, "PersistentVolumeClaim")["metadata"]["name"] == claim
    assert "initContainers" not in pod


def test_backup_to_s3_uploads_with_aws_cli() -> None:
    objs = backup_objects(
        {
            "destination": "s3",
            "s3": {"bucket": "dumps", "endpointUrl": "https://minio.local", "existingSecret": "s3-creds"},
        }
    )
    pod = find(objs, "CronJob")["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["initContainers"]] == ["dump"]
    upload = pod["containers"][0]
    assert upload["image"].startswith("docker.io/amazon/aws-cli:")
    env = env_of(upload)
    assert env["BUCKET"]["value"] == "dumps" and env["ENDPOINT_URL"]["value"] == "https://minio.local"
    assert upload["envFrom"] == [{"secretRef": {"name": "s3-creds"}}]
    assert "PersistentVolumeClaim" not in kinds(objs)
    # What upload.sh does with these is tested by running it: tests/runtime/test_backup_s3.py.


def test_pg_dump_comes_from_the_servers_image_unless_pinned() -> None:
    """pg_dump refuses a server of a newer major version: by default it is the server's own."""
    values = {"postgresql": {"image": {"tag": "17.2-alpine", "digest": "sha256:" + "a" * 64}}}
    default = find(objects(with_minimal({**values, "backup": {"enabled": True}})), "CronJob")
    [dump] = default["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    assert dump["image"] == "docker.io/library/postgres:17.2-alpine@sha256:" + "a" * 64
    pinned_image = {"repository": "registry.example.com/pg-tools", "tag": "18"}
    pinned = find(
        objects(with_minimal({**values, "backup": {"enabled": True, "image": pinned_image}})), "CronJob"
    )
    [dump] = pinned["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    assert dump["image"] == "registry.example.com/pg-tools:18"


def test_backup_gates() -> None:
    with pytest.raises(helm.RenderFailure, match="needs the bundled PostgreSQL"):
        helm.render(
            chart(),
            with_minimal(
                {
                    "backup": {"enabled": True},
                    "postgresql": {"enabled": False},
                    "externalDatabase": {"host": "db", "existingSecret": "db", "sslmode": "require"},
                }
            ),
        )
    with pytest.raises(helm.RenderFailure, match="needs backup.s3.bucket"):
        helm.render(chart(), with_minimal({"backup": {"enabled": True, "destination": "s3"}}))


# --- availability -----------------------------------------------------------------------


def server_pod(overlay: dict, kube_version: str = "1.29") -> tuple[dict, dict]:
    objs = objects(with_minimal(overlay), kube_version=kube_version)
    deployment = find(objs, "Deployment", "certctl-server")
    return deployment, deployment["spec"]["template"]["spec"]


def test_pdb_and_hpa_with_scale_down_behaviour() -> None:
    overlay = {
        "server": {
            "podDisruptionBudget": {"enabled": True},
            "autoscaling": {"enabled": True, "maxReplicas": 1, "minReplicas": 1},
            "issuer": {"local": {"existingSecret": "sub-ca"}},
        }
    }
    objs = objects(with_minimal(overlay))
    assert find(objs, "PodDisruptionBudget")["spec"]["maxUnavailable"] == 1
    hpa = find(objs, "HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"]["name"] == "certctl-server"
    assert hpa["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 300
    assert "replicas" not in find(objs, "Deployment", "certctl-server")["spec"], "the HPA owns replicas"
    pdb = find(
        objects(with_minimal({"server": {"podDisruptionBudget": {"enabled": True, "minAvailable": "50%"}}})),
        "PodDisruptionBudget",
    )["spec"]
    assert pdb == {"minAvailable": "50%", "selector": pdb["selector"]}


@pytest.mark.parametrize(
    "preset, key",
    [
        ("soft", "preferredDuringSchedulingIgnoredDuringExecution"),
        ("hard", "requiredDuringSchedulingIgnoredDuringExecution"),
    ],
)
def test_anti_affinity_presets_keep_other_affinity(preset: str, key: str) -> None:
    node = {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [
                {"matchExpressions": [{"key": "pool", "operator": "In", "values": ["pki"]}]}
            ]
        }
    }
    _, pod = server_pod({"server": {"podAntiAffinity": preset, "affinity": {"nodeAffinity": node}}})
    assert pod["affinity"]["nodeAffinity"] == node
    assert key in pod["affinity"]["podAntiAffinity"]
    _, pod = server_pod({"server": {"podAntiAffinity": "none"}})
    assert "affinity" not in pod


def test_topology_spread_gets_the_server_selector() -> None:
    constraint = {
        "maxSkew": 1,
        "topologyKey": "topology.kubernetes.io/zone",
        "whenUnsatisfiable": "ScheduleAnyway",
    }
    _, pod = server_pod({"server": {"topologySpreadConstraints": [constraint]}})
    spread = pod["topologySpreadConstraints"][0]
    assert spread["labelSelector"]["matchLabels"]["app.kubernetes.io/component"] == "server"


def test_prestop_sleep_only_where_kubernetes_supports_it() -> None:
    _, pod = server_pod({}, kube_version="1.30")
    assert pod["containers"][0]["lifecycle"]["preStop"] == {"sleep": {"seconds": 5}}
    assert pod["terminationGracePeriodSeconds"] > 5
    _, old = server_pod({}, kube_version="1.29")
    assert "lifecycle" not in old["containers"][0]


def test_every_workload_takes_scheduling_settings() -> None:
    placement = {
        "nodeSelector": {"pool": "pki"},
        "priorityClassName": "pki-critical",
        "tolerations": [{"key": "pki", "operator": "Exists", "effect": "NoSchedule"}],
    }
    overlay = {section: dict(placement) for section in ("server", "agent", "postgresql", "backup")}
    overlay["backup"]["enabled"] = True
    for workload, spec in pod_specs(objects(with_minimal(overlay))):
        for key, value in placement.items():
            assert spec[key] == value, (workload["metadata"]["name"], key)


# --- network policy ---------------------------------------------------------------------


def test_every_pod_of_the_release_is_isolated_by_a_policy() -> None:
    objs = objects(with_minimal(ALL_ON))
    policies = [o for o in objs if o["kind"] == "NetworkPolicy"]
    pods = list(pod_specs(objs)) + [(o, o["spec"]) for o in objs if o["kind"] == "Pod"]
    for workload, _ in pods:
        template = workload["spec"].get("template") or workload["spec"].get("jobTemplate", {}).get(
            "spec", {}
        ).get("template")
        labels = (template or workload)["metadata"]["labels"]
        covering = [
            p
            for p in policies
            if all(labels.get(k) == v for k, v in p["spec"]["podSelector"]["matchLabels"].items())
        ]
        assert covering, workload["metadata"]["name"]
        assert all(set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"} for p in covering)
        assert any(
            any(
                port.get("port") == 53
                for rule in p["spec"].get("egress", [])
                for port in rule.get("ports", [])
            )
            for p in covering
        ), "DNS is allowed"


def test_postgres_accepts_only_server_migration_and_backup() -> None:
    objs = objects(with_minimal(ALL_ON))
    policy = find(objs, "NetworkPolicy", "certctl-postgres")
    sources = [
        peer["podSelector"]["matchLabels"]["app.kubernetes.io/component"]
        for rule in policy["spec"]["ingress"]
        for peer in rule["from"]
    ]
    assert sorted(sources) == ["backup", "migrate", "server"]


def test_server_accepts_agents_ingress_controller_and_prometheus() -> None:
    policy = find(objects(with_minimal(ALL_ON)), "NetworkPolicy", "certctl-server")
    peers = policy["spec"]["ingress"][0]["from"]
    components = {
        p["podSelector"]["matchLabels"]["app.kubernetes.io/component"] for p in peers if "podSelector" in p
    }
    namespaces = {
        p["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
        for p in peers
        if "namespaceSelector" in p
    }
    assert components == {"agent", "test"} and namespaces == {"ingress-nginx", "monitoring"}


# --- helm test --------------------------------------------------------------------------


def test_helm_test_pod_checks_health_over_verified_tls() -> None:
    pod = find(objects(with_minimal()), "Pod")
    assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    args = pod["spec"]["containers"][0]["args"]
    assert args[-1] == "https://certctl-server.certctl.svc:8443/health"
    assert args[args.index("--cacert") + 1] == "/etc/certctl/ca-bundle/ca.crt"
    assert pod["spec"]["volumes"][0]["secret"]["items"] == [{"key": "ca.crt", "path": "ca.crt"}]


# --- fleet profiles ---------------------------------------------------------------------

PROFILES = sorted((ROOT / "values" / "profiles").glob("*.yaml"))


def fleet(path) -> dict:
    match = re.search(r"^# fleet: (\{.*\})$", path.read_text(), flags=re.M)
    assert match, f"{path.name} states its fleet size"
    return yaml.safe_load(match[1])


@pytest.mark.parametrize("path", PROFILES, ids=[p.stem for p in PROFILES])
def test_profile_invariants(path) -> None:
    values = with_minimal(yaml.safe_load(path.read_text()))
    server, postgres = values["server"], values["postgresql"]
    replicas = (
        server["autoscaling"]["maxReplicas"]
        if server.get("autoscaling", {}).get("enabled")
        else server["replicas"]
    )
    pool = 25  # certctl v2.0.71's fixed pool per server pod (repository/postgres/db.go)
    assert replicas * pool + 10 <= postgres["maxConnections"]
    assert server["renewalConcurrency"] <= pool
    if replicas > 1:
        assert server["issuer"]["local"]["existingSecret"], "several replicas need one local CA"
    text = path.read_text()
    assert "fixed pool of 25 connections per pod" in text and "per source IP" in text
    assert "maxConnections:" not in text.split("postgresql:")[0], (
        "server.database.maxConnections does nothing"
    )
    objs = objects(values)
    config = find(objs, "ConfigMap", "certctl-server")["data"]
    assert config["CERTCTL_RENEWAL_CONCURRENCY"] == str(server["renewalConcurrency"])
    args = find(objs, "StatefulSet")["spec"]["template"]["spec"]["containers"][0]["args"]
    assert f"max_connections={postgres['maxConnections']}" in args


def test_profiles_scale_up_and_the_big_ones_say_they_are_starter_values() -> None:
    sizes = {p.stem: fleet(p) for p in PROFILES}
    assert sizes["small"]["agents"] < sizes["medium"]["agents"] < sizes["large"]["agents"]
    for name in ("medium", "large"):
        assert "STARTER VALUES, pending" in (ROOT / "values" / "profiles" / f"{name}.yaml").read_text()
    for name in sizes:
        assert (ROOT / "deploy" / "helm" / "examples" / f"values-{name}.yaml").is_file()
