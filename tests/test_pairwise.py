"""Tests for chartgen.matrix.combinations: covering arrays, constraints and coverage."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chartgen.matrix.combinations import (
    Constraint,
    Coverage,
    Factor,
    exhaustive,
    forbid,
    pair_coverage,
    pairwise,
    requires,
)

BOOL = (True, False)


def booleans(count: int, prefix: str = "b") -> list[Factor]:
    return [Factor(f"{prefix}{i}", BOOL) for i in range(count)]


def pairs_in(rows: Sequence[Mapping[str, Any]]) -> set[tuple[str, Any, str, Any]]:
    """Every (name, value, name, value) pair the rows contain, names in row order."""
    found = set()
    for row in rows:
        for (n1, v1), (n2, v2) in itertools.combinations(row.items(), 2):
            found.add((n1, v1, n2, v2))
    return found


def all_pairs(factors: Sequence[Factor]) -> set[tuple[str, Any, str, Any]]:
    return {
        (f.name, a, g.name, b)
        for f, g in itertools.combinations(factors, 2)
        for a in f.levels
        for b in g.levels
    }


def assert_valid_rows(
    rows: Sequence[Mapping[str, Any]], factors: Sequence[Factor], constraints: Sequence[Constraint]
) -> None:
    """Every row is a complete assignment, keys in factor order, that satisfies every constraint."""
    names = [f.name for f in factors]
    for row in rows:
        assert list(row) == names
        for factor in factors:
            assert row[factor.name] in factor.levels
        assert all(c(row) for c in constraints), row


MIXED = [
    *booleans(10),
    Factor("tier", ("small", "medium", "large")),
    Factor("replicas", (1, 2, 3, 5)),
    Factor("storage", ("none", "pvc", "emptyDir", None)),
]


# --- Factor -----------------------------------------------------------------


def test_factor_without_levels_is_rejected_by_name() -> None:
    with pytest.raises(ValueError, match="'ingress.enabled'"):
        Factor("ingress.enabled", ())


def test_factor_levels_from_a_yaml_list_become_a_tuple() -> None:
    factor = Factor("x", [1, 2])  # type: ignore[arg-type]
    assert factor.levels == (1, 2)
    assert hash(factor) == hash(Factor("x", (1, 2)))


@pytest.mark.parametrize("function", [pairwise, exhaustive, lambda fs: pair_coverage([], fs)])
def test_duplicate_factor_names_are_rejected(function: Any) -> None:
    with pytest.raises(ValueError, match="duplicate factor name 'a'"):
        function([Factor("a", BOOL), Factor("b", BOOL), Factor("a", (1, 2))])


# --- forbid / requires --------------------------------------------------------


def test_forbid_rejects_only_when_every_value_is_present() -> None:
    rule = forbid(**{"postgresql.enabled": False, "backup.enabled": True})
    assert rule({"postgresql.enabled": False, "backup.enabled": True}) is False
    assert rule({"postgresql.enabled": False, "backup.enabled": True, "other": 1}) is False
    assert rule({"postgresql.enabled": True, "backup.enabled": True}) is True
    assert rule({"postgresql.enabled": False, "backup.enabled": False}) is True
    # Partial assignments: the missing factor could still take another value.
    assert rule({"postgresql.enabled": False}) is True
    assert rule({"backup.enabled": True}) is True
    assert rule({}) is True


def test_forbid_none_is_a_value_not_an_absent_factor() -> None:
    rule = forbid(storage=None, tier="large")
    assert rule({"tier": "large"}) is True
    assert rule({"storage": None, "tier": "large"}) is False


def test_forbid_needs_a_value() -> None:
    with pytest.raises(ValueError, match="at least one"):
        forbid()


def test_requires_semantics_on_partial_assignments() -> None:
    rule = requires(
        if_={"backup.enabled": True, "backup.s3": True}, then={"secrets.s3": True, "tier": "large"}
    )
    full_condition = {"backup.enabled": True, "backup.s3": True}
    assert rule({**full_condition, "secrets.s3": True, "tier": "large"}) is True
    assert rule({**full_condition, "secrets.s3": False, "tier": "large"}) is False
    assert rule({**full_condition, "secrets.s3": True, "tier": "small"}) is False
    # Consequence factors not assigned yet may still take the required value.
    assert rule(full_condition) is True
    assert rule({**full_condition, "secrets.s3": True}) is True
    # Condition not (yet) met: nothing is required.
    assert rule({"backup.enabled": True, "secrets.s3": False}) is True
    assert rule({"backup.enabled": False, "backup.s3": True, "secrets.s3": False}) is True


def test_requires_with_empty_condition_is_unconditional() -> None:
    rule = requires(if_={}, then={"a": 1})
    assert rule({"a": 2}) is False
    assert rule({"a": 1}) is True
    assert rule({}) is True


def test_requires_needs_a_consequence() -> None:
    with pytest.raises(ValueError, match="then"):
        requires(if_={"a": 1}, then={})


def test_requires_prunes_rows_in_generation() -> None:
    factors = [Factor("backup", BOOL), Factor("postgresql", BOOL), Factor("tier", ("s", "m", "l"))]
    rule = requires(if_={"backup": True}, then={"postgresql": True})
    rows = pairwise(factors, [rule])
    assert_valid_rows(rows, factors, [rule])
    assert not any(r["backup"] and not r["postgresql"] for r in rows)
    assert pair_coverage(rows, factors, [rule]) == Coverage(covered=15, feasible=15, infeasible=1)


# --- exhaustive ---------------------------------------------------------------


def test_exhaustive_is_the_filtered_product_in_level_order() -> None:
    factors = [Factor("a", BOOL), Factor("b", ("x", "y"))]
    assert exhaustive(factors, [forbid(a=True, b="y")]) == [
        {"a": True, "b": "x"},
        {"a": False, "b": "x"},
        {"a": False, "b": "y"},
    ]
    assert len(exhaustive(MIXED)) == 2**10 * 3 * 4 * 4


# --- pairwise: coverage and size ------------------------------------------------


@pytest.mark.parametrize(
    ("factors", "max_rows"),
    [
        # Lower bound 16 (4 x 4 for replicas and storage); the greedy reaches it.
        (MIXED, 20),
        # Lower bound 4; the optimum for 10 booleans is 6.
        (booleans(10), 10),
        # Lower bound 9, which is also the optimum (an orthogonal array).
        ([Factor(f"e{i}", (0, 1, 2)) for i in range(4)], 12),
        # Lower bound 16; greedy covering arrays land in the low twenties.
        ([Factor(f"e{i}", ("a", "b", "c", "d")) for i in range(5)], 26),
    ],
    ids=["10-bools-3-enums", "10-bools", "4-ternary", "5-quaternary"],
)
def test_pairwise_covers_every_pair_with_few_rows(factors: list[Factor], max_rows: int) -> None:
    rows = pairwise(factors)
    assert_valid_rows(rows, factors, ())
    assert pairs_in(rows) == all_pairs(factors)
    coverage = pair_coverage(rows, factors)
    assert coverage == Coverage(
        covered=len(all_pairs(factors)), feasible=len(all_pairs(factors)), infeasible=0
    )
    assert coverage.percent == 100.0
    lower_bound = max(len(f.levels) * len(g.levels) for f, g in itertools.combinations(factors, 2))
    assert lower_bound <= len(rows) <= max_rows
    assert len(rows) * 8 < len(exhaustive(factors))


def test_pairwise_with_constraints_at_scale() -> None:
    """30 booleans and 6 four-level enums: about 4e12 combinations."""
    factors = booleans(30) + [Factor(f"e{i}", (0, 1, 2, 3)) for i in range(6)]
    constraints = [
        forbid(b0=False, b1=True),
        forbid(e0=3, b2=True),
        forbid(e1=0, e2=1),
        forbid(b3=True, b4=True, e3=2),
        requires(if_={"e4": 1}, then={"b5": True}),
    ]
    rows = pairwise(factors, constraints)
    assert_valid_rows(rows, factors, constraints)
    coverage = pair_coverage(rows, factors, constraints)
    # Infeasible: b0=False with b1=True, e0=3 with b2=True, e1=0 with e2=1, e4=1 with b5=False.
    assert coverage.infeasible == 4
    assert coverage.covered == coverage.feasible == len(all_pairs(factors)) - 4
    assert 16 <= len(rows) <= 32


def test_single_level_factor_is_in_every_row() -> None:
    factors = [Factor("fixed", ("only",)), Factor("a", BOOL), Factor("b", (1, 2, 3))]
    rows = pairwise(factors)
    assert all(row["fixed"] == "only" for row in rows)
    assert len(rows) == 6
    assert pair_coverage(rows, factors).percent == 100.0


# --- infeasible pairs -------------------------------------------------------------


def test_infeasible_pairs_are_counted_not_covered_and_do_not_hang() -> None:
    # a=True forces b=True, which c=True forbids, so a=True never meets c=True
    # even though no single rule mentions both.
    factors = [Factor("a", BOOL), Factor("b", BOOL), Factor("c", BOOL), Factor("d", (1, 2, 3))]
    constraints = [requires(if_={"a": True}, then={"b": True}), forbid(b=True, c=True)]
    rows = pairwise(factors, constraints)
    assert_valid_rows(rows, factors, constraints)
    found = pairs_in(rows)
    assert ("a", True, "c", True) not in found
    assert ("a", True, "b", False) not in found
    assert ("b", True, "c", True) not in found
    coverage = pair_coverage(rows, factors, constraints)
    assert coverage == Coverage(covered=len(found), feasible=len(found), infeasible=3)
    assert coverage.covered + coverage.infeasible == len(all_pairs(factors))


def test_infeasible_level_never_appears() -> None:
    factors = [Factor("a", (1, 2, 3)), Factor("b", BOOL)]
    constraints = [forbid(a=3)]
    rows = pairwise(factors, constraints)
    assert {row["a"] for row in rows} == {1, 2}
    assert pair_coverage(rows, factors, constraints) == Coverage(covered=4, feasible=4, infeasible=2)


def test_infeasibility_through_a_chain_of_rules_is_found_quickly() -> None:
    # b0=True forces b1=True, which forces b39=True, which b2=True forbids.  A
    # search that only noticed this on reaching b39 would try 2**36 rows.
    factors = booleans(40)
    constraints = [
        requires(if_={"b0": True}, then={"b1": True}),
        requires(if_={"b1": True}, then={"b39": True}),
        forbid(b39=True, b2=True),
    ]
    rows = pairwise(factors, constraints)
    assert_valid_rows(rows, factors, constraints)
    assert not any(row["b0"] and row["b2"] for row in rows)
    coverage = pair_coverage(rows, factors, constraints)
    assert coverage.percent == 100.0
    # b0=T/b1=F, b1=T/b39=F, b39=T/b2=T, b0=T/b39=F, b0=T/b2=T, b1=T/b2=T.
    assert coverage.infeasible == 6


def test_no_valid_assignment_gives_no_rows() -> None:
    factors = [*booleans(12), Factor("e", (1, 2, 3))]
    constraints = [forbid(b11=True), forbid(b11=False)]
    assert pairwise(factors, constraints) == []
    assert exhaustive(factors[-3:], constraints) == []
    coverage = pair_coverage([], factors, constraints)
    assert coverage == Coverage(covered=0, feasible=0, infeasible=len(all_pairs(factors)))
    assert coverage.percent == 100.0


# --- small factor sets --------------------------------------------------------------


def test_zero_factors_give_one_empty_row() -> None:
    assert pairwise([]) == [{}]
    assert exhaustive([]) == [{}]
    assert pair_coverage([{}], []) == Coverage(0, 0, 0)


def test_one_factor_gives_one_row_per_valid_level() -> None:
    factor = Factor("mode", ("a", "b", "c"))
    assert pairwise([factor]) == [{"mode": "a"}, {"mode": "b"}, {"mode": "c"}]
    assert pairwise([factor], [forbid(mode="b")]) == [{"mode": "a"}, {"mode": "c"}]


# --- pair_coverage -----------------------------------------------------------------


def test_pair_coverage_of_partial_rows() -> None:
    factors = booleans(3)
    coverage = pair_coverage([{"b0": True, "b1": True, "b2": True}], factors)
    assert coverage == Coverage(covered=3, feasible=12, infeasible=0)
    assert coverage.percent == 25.0


def test_pair_coverage_ignores_invalid_and_incomplete_rows() -> None:
    factors = booleans(3)
    constraints = [forbid(b0=True, b1=True)]
    rows = [
        {"b0": True, "b1": True, "b2": True},  # breaks the constraint
        {"b0": False, "b1": False},  # incomplete
        {"b0": False, "b1": False, "b2": "maybe"},  # not a level
    ]
    assert pair_coverage(rows, factors, constraints) == Coverage(covered=0, feasible=11, infeasible=1)


# --- determinism -----------------------------------------------------------------------


def test_pairwise_is_deterministic() -> None:
    constraints = [forbid(b0=True, tier="large"), requires(if_={"b1": False}, then={"storage": "pvc"})]
    assert pairwise(MIXED, constraints) == pairwise(MIXED, constraints)


def test_pairwise_does_not_depend_on_hash_seed() -> None:
    script = (
        "from chartgen.matrix.combinations import Factor, forbid, pairwise\n"
        "fs = [Factor(n, ('x', 'y', 'z')) for n in 'pqrstu']\n"
        "print(pairwise(fs, [forbid(p='x', q='y')]))\n"
    )
    root = str(Path(__file__).resolve().parents[1])
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONPATH": root, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1


# --- property ---------------------------------------------------------------------------


@st.composite
def factor_sets(draw: st.DrawFn) -> tuple[list[Factor], list[Constraint]]:
    sizes = draw(st.lists(st.integers(1, 3), max_size=5))
    factors = [Factor(f"f{i}", tuple(f"v{k}" for k in range(size))) for i, size in enumerate(sizes)]
    constraints: list[Constraint] = []
    if factors:
        for _ in range(draw(st.integers(0, 4))):
            chosen = draw(
                st.lists(st.sampled_from(factors), min_size=1, max_size=2, unique_by=lambda f: f.name)
            )
            constraints.append(forbid(**{f.name: draw(st.sampled_from(f.levels)) for f in chosen}))
    return factors, constraints


@settings(max_examples=50, deadline=None)
@given(factor_sets())
def test_pairwise_covers_exactly_the_feasible_pairs(case: tuple[list[Factor], list[Constraint]]) -> None:
    factors, constraints = case
    valid = exhaustive(factors, constraints)
    feasible = pairs_in(valid)

    rows = pairwise(factors, constraints)
    assert_valid_rows(rows, factors, constraints)
    assert all(row in valid for row in rows)
    assert pairs_in(rows) == feasible
    if len(factors) < 2:
        assert rows == valid
    elif not valid:
        assert rows == []
    assert pair_coverage(rows, factors, constraints) == Coverage(
        covered=len(feasible), feasible=len(feasible), infeasible=len(all_pairs(factors)) - len(feasible)
    )
