"""Checks of rendered objects against the Kubernetes API."""
