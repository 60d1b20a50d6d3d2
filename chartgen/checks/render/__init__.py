"""Render and scenario-expectation checks."""
