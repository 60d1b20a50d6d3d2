"""PromQL helpers: parse an expression and list the metrics it reads (promql-parser)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import promql_parser


class PromQLError(ValueError):
    """The expression does not parse."""


def parse(expression: str) -> Any:
    try:
        return promql_parser.parse(expression)
    except (ValueError, TypeError, RuntimeError) as exc:
        raise PromQLError(str(exc).strip()) from None


def metric_names(expression: str) -> set[str]:
    """Every metric name an expression selects (``x`` in ``rate(x[5m])``, ``{__name__="x"}``)."""
    return {name for name in _selected(parse(expression)) if name}


def _selected(node: Any) -> Iterator[str]:
    if isinstance(node, promql_parser.VectorSelector):
        yield node.name or ""
        for matcher in getattr(node.matchers, "matchers", []) or []:
            if getattr(matcher, "name", None) == "__name__":
                yield matcher.value
        return
    if isinstance(node, promql_parser.MatrixSelector):
        yield from _selected(node.vector_selector)
        return
    for child in _children(node):
        yield from _selected(child)


def _children(node: Any) -> list[Any]:
    if isinstance(node, promql_parser.BinaryExpr):
        return [node.lhs, node.rhs]
    if isinstance(node, promql_parser.Call):
        return list(node.args)
    if isinstance(
        node,
        (
            promql_parser.AggregateExpr,
            promql_parser.ParenExpr,
            promql_parser.UnaryExpr,
            promql_parser.SubqueryExpr,
        ),
    ):
        children = [node.expr]
        if isinstance(node, promql_parser.AggregateExpr) and node.param is not None:
            children.append(node.param)
        return children
    return []
