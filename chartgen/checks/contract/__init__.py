"""Checks of the chart against what the application reads: environment variables (schemas/catalog)."""
