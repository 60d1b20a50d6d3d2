"""Checks Helm itself performs."""
