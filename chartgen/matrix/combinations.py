"""Choose values scenarios: every pair of factor levels, or every combination.

Rendering and linting the chart once per combination of values switches grows
exponentially with the number of switches, but most chart bugs are triggered by
the interaction of at most two settings.  :func:`pairwise` builds a covering
array of strength 2: a short list of complete assignments in which every pair
of levels of every two factors appears together at least once.
:func:`exhaustive` lists every assignment, for small factor sets and as a
reference.

Some settings cannot be combined (backups need the bundled database, say).  A
:data:`Constraint` rules such assignments out; :func:`forbid` and
:func:`requires` build constraints from plain data so they can come from YAML.
Constraints are evaluated on partial assignments, which lets the search prune
early, and a pair that no valid assignment can contain is reported as
infeasible instead of being chased forever.

Everything here is deterministic: the same factors and constraints always give
the same rows in the same order, so scenario names and snapshots are stable.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Constraint = Callable[[Mapping[str, Any]], bool]
"""A rule over factor values, called with a partial assignment.

The mapping holds only the factors assigned so far.  The rule must return
False only if the assignment breaks it whatever values the absent factors
take; otherwise the search would discard assignments that are in fact valid.
"""


_Pair = tuple[int, int, int, int]
"""``(i, a, j, b)``: factor ``i`` at level position ``a`` with factor ``j > i`` at ``b``."""

_Row = Sequence[int | None]
"""Level position per factor, None where the factor is not assigned yet."""


@dataclass(frozen=True)
class Factor:
    """One values switch and the levels a scenario may give it.

    Levels are JSON-like scalars (bools, strings, numbers, None) and are
    compared with ``==``.
    """

    name: str
    levels: tuple[Any, ...]

    def __post_init__(self) -> None:
        # Levels usually arrive as a YAML list; a tuple keeps the factor hashable.
        object.__setattr__(self, "levels", tuple(self.levels))
        if not self.levels:
            raise ValueError(f"factor {self.name!r} has no levels")


@dataclass(frozen=True)
class Coverage:
    """How many feasible level pairs a list of rows covers.

    ``infeasible`` counts pairs that no valid assignment can contain; they are
    neither covered nor part of ``feasible``.
    """

    covered: int
    feasible: int
    infeasible: int

    @property
    def percent(self) -> float:
        """Covered share of the feasible pairs; 100.0 when there are none."""
        return 100.0 if self.feasible == 0 else 100.0 * self.covered / self.feasible


def forbid(**values: Any) -> Constraint:
    """Rule out assignments in which all the given factor values appear together.

    Dotted factor names need dict unpacking:
    ``forbid(**{"postgresql.enabled": False, "backup.enabled": True})``.
    """
    if not values:
        raise ValueError("forbid() needs at least one factor value; with none it forbids everything")

    def constraint(assignment: Mapping[str, Any]) -> bool:
        return not _matches(assignment, values)

    return constraint


def requires(if_: Mapping[str, Any], then: Mapping[str, Any]) -> Constraint:
    """Require the ``then`` values whenever every factor in ``if_`` has its given value.

    ``requires(if_={"backup.enabled": True}, then={"postgresql.enabled": True})``
    says backups need the bundled database.  An empty ``if_`` makes ``then``
    unconditional.
    """
    if not then:
        raise ValueError("requires() needs at least one factor value in 'then'")
    condition, consequence = dict(if_), dict(then)

    def constraint(assignment: Mapping[str, Any]) -> bool:
        if not _matches(assignment, condition):
            return True
        # An absent consequence factor may still take the required value.
        return all(assignment[name] == value for name, value in consequence.items() if name in assignment)

    return constraint


def _matches(assignment: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    """True if the assignment already sets every factor in ``values`` to its value."""
    return all(name in assignment and assignment[name] == value for name, value in values.items())


def exhaustive(factors: Sequence[Factor], constraints: Sequence[Constraint] = ()) -> list[dict[str, Any]]:
    """Every complete assignment that satisfies the constraints.

    Rows come in lexicographic order of level positions, last factor varying
    fastest.
    """
    space = _Space(factors, constraints)
    return [
        space.as_dict(row)
        for row in itertools.product(*(range(len(f.levels)) for f in space.factors))
        if space.allows(row)
    ]


def pairwise(factors: Sequence[Factor], constraints: Sequence[Constraint] = ()) -> list[dict[str, Any]]:
    """A short list of valid complete assignments covering every feasible level pair.

    Greedy, one row at a time: seed the row with the uncovered pair whose two
    levels take part in the most uncovered pairs, then fix the remaining
    factors (those with the most uncovered pairs first), giving each the level
    that covers the most uncovered pairs with the factors fixed so far.  A
    level is only taken if the row can still be completed validly, so every
    row covers at least its seed and the loop ends.  A seed that cannot be
    completed is infeasible and is dropped.

    With fewer than two factors there are no pairs; the result then holds one
    row per valid assignment, so that every valid level still appears.
    """
    space = _Space(factors, constraints)
    if len(space.factors) < 2:
        return exhaustive(space.factors, constraints)
    # Any valid complete row; each new row starts from the previous one.
    last = space.complete([None] * len(space.factors))
    if last is None:
        return []  # saves proving every pair infeasible one by one

    uncovered = set(space.pairs())
    rows: list[dict[str, Any]] = []
    while uncovered:
        seed = _best_seed(uncovered)
        row = _build_row(space, seed, uncovered, last)
        if row is None:
            uncovered.discard(seed)
            continue
        uncovered.difference_update(_row_pairs(row))
        rows.append(space.as_dict(row))
        last = row
    return rows


def pair_coverage(
    rows: Sequence[Mapping[str, Any]],
    factors: Sequence[Factor],
    constraints: Sequence[Constraint] = (),
) -> Coverage:
    """Count the feasible level pairs that ``rows`` cover.

    Only rows that are complete, valid assignments of ``factors`` count: any
    other row is not a scenario the constraints allow, so its pairs prove
    nothing.  A pair no valid row covers is searched for a valid completion to
    tell feasible from infeasible.
    """
    space = _Space(factors, constraints)
    covered: set[_Pair] = set()
    for mapping in rows:
        row = space.from_dict(mapping)
        if row is not None and space.allows(row):
            covered.update(_row_pairs(row))

    infeasible = 0
    for i, a, j, b in space.pairs():
        if (i, a, j, b) not in covered:
            partial: list[int | None] = [None] * len(space.factors)
            partial[i], partial[j] = a, b
            if space.complete(partial) is None:
                infeasible += 1
    return Coverage(covered=len(covered), feasible=space.pair_count() - infeasible, infeasible=infeasible)


class _Space:
    """Factors and constraints, working on rows of level positions.

    Positions rather than values keep pair bookkeeping cheap and independent
    of how the values compare or hash.
    """

    def __init__(self, factors: Sequence[Factor], constraints: Sequence[Constraint]) -> None:
        seen: set[str] = set()
        for factor in factors:
            if factor.name in seen:
                raise ValueError(f"duplicate factor name {factor.name!r}")
            seen.add(factor.name)
        self.factors = tuple(factors)
        self.constraints = tuple(constraints)

    def as_dict(self, row: _Row) -> dict[str, Any]:
        """The assigned factors of ``row`` by name, in factor order."""
        return {f.name: f.levels[pos] for f, pos in zip(self.factors, row, strict=False) if pos is not None}

    def from_dict(self, mapping: Mapping[str, Any]) -> list[int] | None:
        """The row for a complete assignment, or None if a factor is missing or off its levels."""
        row = []
        for factor in self.factors:
            if factor.name not in mapping or mapping[factor.name] not in factor.levels:
                return None
            row.append(factor.levels.index(mapping[factor.name]))
        return row

    def allows(self, row: _Row) -> bool:
        """True unless the assigned part of ``row`` already breaks a constraint."""
        assignment = self.as_dict(row)
        return all(constraint(assignment) for constraint in self.constraints)

    def complete(self, row: _Row) -> list[int] | None:
        """A valid complete row extending ``row``, or None if there is none.

        Depth-first search with forward checking: after each assignment, every
        unassigned factor must keep at least one level the constraints allow,
        and the factor with the fewest such levels is assigned next.  That
        catches a dead end as soon as it is certain instead of after trying
        every combination of the factors in between.  Levels are tried in
        order, so the answer is deterministic.
        """
        return self._extend(list(row)) if self.allows(row) else None

    def _extend(self, row: list[int | None]) -> list[int] | None:
        """:meth:`complete` for a row known to be allowed; assigns ``row`` in place."""
        assignment = self.as_dict(row)
        domains: dict[int, list[int]] = {}
        for f, pos in enumerate(row):
            if pos is None:
                levels = range(len(self.factors[f].levels))
                domains[f] = [level for level in levels if self._allows_with(assignment, f, level)]
                if not domains[f]:
                    return None
        if not domains:
            return row  # type: ignore[return-value]  # every factor is assigned
        f = min(domains, key=lambda f: (len(domains[f]), f))
        for level in domains[f]:
            row[f] = level
            found = self._extend(row)
            if found is not None:
                return found
        row[f] = None
        return None

    def _allows_with(self, assignment: dict[str, Any], f: int, level: int) -> bool:
        """:meth:`allows` for ``assignment`` plus factor ``f`` at ``level``, without copying it."""
        name = self.factors[f].name
        assignment[name] = self.factors[f].levels[level]
        try:
            return all(constraint(assignment) for constraint in self.constraints)
        finally:
            del assignment[name]

    def pairs(self) -> Iterator[_Pair]:
        """Every level pair of every two factors, in a fixed order."""
        for i, j in itertools.combinations(range(len(self.factors)), 2):
            for a in range(len(self.factors[i].levels)):
                for b in range(len(self.factors[j].levels)):
                    yield i, a, j, b

    def pair_count(self) -> int:
        """How many pairs :meth:`pairs` yields, without yielding them."""
        sizes = [len(f.levels) for f in self.factors]
        return sum(x * y for x, y in itertools.combinations(sizes, 2))


def _row_pairs(row: Sequence[int]) -> Iterator[_Pair]:
    """The pairs a complete row covers."""
    for i, j in itertools.combinations(range(len(row)), 2):
        yield i, row[i], j, row[j]


def _best_seed(uncovered: set[_Pair]) -> _Pair:
    """The uncovered pair whose two levels appear in the most uncovered pairs.

    Such levels are the hardest to fit in later rows.  Ties go to the smallest
    ``(i, a, j, b)`` tuple, since set iteration order is not fixed.
    """
    weight: Counter[tuple[int, int]] = Counter()
    for i, a, j, b in uncovered:
        weight[i, a] += 1
        weight[j, b] += 1
    return min(uncovered, key=lambda p: (-weight[p[0], p[1]] - weight[p[2], p[3]], p))


def _build_row(space: _Space, seed: _Pair, uncovered: set[_Pair], valid: list[int]) -> list[int] | None:
    """Greedily complete a valid row around ``seed``, or None if the seed is infeasible.

    ``valid`` is any valid complete row, used as a first guess at a completion.
    """
    n = len(space.factors)
    row: list[int | None] = [None] * n
    i, a, j, b = seed
    row[i], row[j] = a, b
    # A valid completion of the row so far: proof that the row can still be
    # completed, and a cheap first guess at a completion after the next choice.
    witness = _completion(space, row, valid)
    if witness is None:
        return None

    open_pairs: Counter[int] = Counter()
    for p in uncovered:
        open_pairs[p[0]] += 1
        open_pairs[p[2]] += 1
    order = sorted((f for f in range(n) if row[f] is None), key=lambda f: (-open_pairs[f], f))

    fixed = [i, j]
    for f in order:
        gain = {
            pos: sum(((g, row[g], f, pos) if g < f else (f, pos, g, row[g])) in uncovered for g in fixed)
            for pos in range(len(space.factors[f].levels))
        }
        for pos in sorted(gain, key=lambda pos: (-gain[pos], pos)):
            row[f] = pos
            completion = _completion(space, row, witness)
            if completion is not None:
                witness = completion
                break
        # The loop always stops at the latest on the witness's own level.
        fixed.append(f)
    return row  # type: ignore[return-value]  # every factor is now fixed


def _completion(space: _Space, row: _Row, witness: list[int]) -> list[int] | None:
    """A valid completion of ``row``, trying the old witness with the row's values first.

    Constraints usually involve few factors, so the patched witness is mostly
    valid and the search is rarely needed.
    """
    patched = [w if pos is None else pos for pos, w in zip(row, witness, strict=False)]
    return patched if space.allows(patched) else space.complete(row)
