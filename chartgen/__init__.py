"""chartgen: build the certctl Helm chart from typed values and prove it correct."""

__version__ = "0.1.0"
