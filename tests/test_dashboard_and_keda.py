"""The Grafana dashboard ConfigMap and the KEDA ScaledObject of the server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from helpers import ROOT, find, kinds, objects, with_minimal

from chartgen import helm
from chartgen.catalog import load_metric_catalog
from chartgen.checks.monitoring.dashboard_query_invalid import _unknown, _without_grafana_variables
from chartgen.promql import metric_names

DASHBOARD = {"monitoring": {"grafanaDashboard": {"enabled": True}}}


def dashboard_queries(objs: list[dict[str, Any]]) -> list[str]:
    dashboard = json.loads(find(objs, "ConfigMap", "certctl-dashboard")["data"]["certctl.json"])
    panels = [p for row in dashboard["panels"] for p in [row, *row.get("panels", [])]]
    return [target["expr"] for panel in panels for target in panel.get("targets", [])]


def test_the_dashboard_is_off_by_default() -> None:
    assert not [o for o in objects(with_minimal()) if o["metadata"]["name"] == "certctl-dashboard"]


def test_every_dashboard_query_parses_and_reads_known_metrics() -> None:
    queries = dashboard_queries(objects(with_minimal(DASHBOARD)))
    catalog = load_metric_catalog(ROOT / "schemas" / "catalog" / "metrics.yaml")
    read: set[str] = set()
    for query in queries:
        names = metric_names(_without_grafana_variables(query))
        assert names, query
        assert not [(n, _unknown(n, "certctl_", catalog)) for n in names if _unknown(n, "certctl_", catalog)]
        read |= names
    # What the issue asks the dashboard to show.
    assert {
        "certctl_certificate_expiring_soon",
        "certctl_agent_online",
        "certctl_agent_total",
        "certctl_job_completed_total",
        "certctl_job_failed_total",
        "certctl_issuance_failures_total",
        "container_cpu_usage_seconds_total",
        "container_cpu_cfs_throttled_periods_total",
        "container_memory_working_set_bytes",
        "kube_pod_container_status_restarts_total",
        "kube_deployment_status_replicas_available",
        "kube_horizontalpodautoscaler_status_current_replicas",
    } <= read
    assert any("by (error_class)" in q and "certctl_issuance_failures_total" in q for q in queries)


def test_the_dashboard_targets_this_release_and_keeps_grafanas_legends() -> None:
    objs = objects(with_minimal(DASHBOARD), release="fleet")
    text = find(objs, "ConfigMap", "fleet-certctl-dashboard")["data"]["certctl.json"]
    dashboard = json.loads(text)
    variables = {v["name"]: v.get("query") for v in dashboard["templating"]["list"]}
    assert variables["namespace"] == "certctl" and variables["server"] == "fleet-certctl-server"
    assert '"legendFormat": "{{pod}}"' in text


@pytest.mark.parametrize(
    "settings, labels, annotations",
    [
        ({}, {"grafana_dashboard": "1"}, None),
        ({"folder": "PKI"}, {"grafana_dashboard": "1"}, {"grafana_folder": "PKI"}),
        (
            {
                "label": {"name": "dashboards", "value": "certctl"},
                "folder": "PKI",
                "folderAnnotation": "k8s-sidecar-target-directory",
            },
            {"dashboards": "certctl"},
            {"k8s-sidecar-target-directory": "PKI"},
        ),
    ],
)
def test_the_sidecar_label_and_folder_are_settable(
    settings: dict, labels: dict, annotations: dict | None
) -> None:
    values = with_minimal({"monitoring": {"grafanaDashboard": {"enabled": True, **settings}}})
    metadata = find(objects(values), "ConfigMap", "certctl-dashboard")["metadata"]
    assert labels.items() <= metadata["labels"].items()
    if "label" in settings:
        assert "grafana_dashboard" not in metadata["labels"]
    assert metadata.get("annotations") == annotations


KEDA = {
    "server": {
        "autoscaling": {
            "minReplicas": 1,
            "maxReplicas": 3,
            "scaleDownPodsPerMinute": 2,
            "keda": {"enabled": True},
        },
        # Several server pods need one shared local CA (source review H3).
        "issuer": {"local": {"existingSecret": "certctl-sub-ca"}},
    },
    "postgresql": {"maxConnections": 200},
}


def test_keda_renders_a_scaled_object_instead_of_the_hpa() -> None:
    objs = objects(with_minimal(KEDA), release="certctl")
    assert "HorizontalPodAutoscaler" not in kinds(objs)
    scaled = find(objs, "ScaledObject", "certctl-server")["spec"]
    assert scaled["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "certctl-server",
    }
    assert (scaled["minReplicaCount"], scaled["maxReplicaCount"]) == (1, 3)
    assert scaled["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]["scaleDown"] == {
        "stabilizationWindowSeconds": 300,
        "policies": [{"type": "Pods", "value": 2, "periodSeconds": 60}],
    }
    trigger = scaled["triggers"][0]
    assert trigger["type"] == "prometheus"
    assert trigger["metadata"]["query"] == 'max(certctl_job_pending{namespace="certctl"})'
    assert "replicas" not in find(objs, "Deployment", "certctl-server")["spec"]


def test_keda_triggers_come_from_the_values() -> None:
    cron = {
        "type": "cron",
        "metadata": {"timezone": "UTC", "start": "0 8 * * *", "end": "0 18 * * *", "desiredReplicas": "3"},
    }
    values = with_minimal(KEDA)
    values["server"]["autoscaling"]["keda"]["triggers"] = [cron]
    assert find(objects(values), "ScaledObject", "certctl-server")["spec"]["triggers"] == [cron]


def test_keda_and_the_hpa_together_are_refused() -> None:
    values = with_minimal(KEDA)
    values["server"]["autoscaling"]["enabled"] = True
    with pytest.raises(
        helm.RenderFailure,
        match="server.autoscaling.enabled and server.autoscaling.keda.enabled are both set",
    ):
        objects(values)


def test_the_connection_gate_counts_kedas_maximum() -> None:
    values = with_minimal(KEDA)
    values["postgresql"]["maxConnections"] = 80
    with pytest.raises(
        helm.RenderFailure, match=r"server.autoscaling.maxReplicas \(3\) x 25 .* = 85 exceeds"
    ):
        objects(values)
