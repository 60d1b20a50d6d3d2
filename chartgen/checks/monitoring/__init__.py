"""Checks of alerting and recording rules (Prometheus Operator PrometheusRule objects)."""
