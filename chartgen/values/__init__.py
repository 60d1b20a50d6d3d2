"""Typed values: compose the schema files, derive defaults, emit values.yaml and docs."""
