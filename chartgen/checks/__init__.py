"""The check framework: how a check declares itself, and the registry that finds them.

One module per check under ``chartgen/checks/<family>/``. The module docstring is the
check's documentation (sections: What it does, Why is this bad?, Example, Use instead,
Options when it has any, References); the ``@check`` decorator on its ``run`` function carries the metadata.
The engine stamps check id, code, level, scenario, version and location onto each
finding, so a check only says what is wrong and where inside the object.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from enum import Enum
from functools import lru_cache
from typing import Any

from chartgen.checks.options import NoOptions
from chartgen.findings import CheckInfo, Finding, Level

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "References")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")
CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{2}[0-9]{3}$")


class Scope(str, Enum):
    """What a check reads. The engine hands each check only that."""

    CHART = "chart"  # the chart directory, once per run (e.g. helm lint)
    VALUES = "values"  # one scenario's merged values
    RENDER = "render"  # one (scenario, version) render outcome
    OBJECT = "object"  # one rendered object, with read-only access to its siblings
    MATRIX = "matrix"  # the records of every render of the run (a matrix analysis)
    RUN = "run"  # the run's own record: renders and skipped evaluations (an engine invariant)
    SUPPRESSIONS = "suppressions"  # what the suppression stage did (an engine invariant)


@dataclass(frozen=True)
class Check:
    id: str
    code: str
    scope: Scope
    description: str
    remediation: str
    level: Level
    run: Callable[..., Iterable[Finding]]
    kinds: tuple[str, ...] = ()  # OBJECT scope: the kinds it looks at; empty means all
    module: str = ""
    doc: str = ""
    options: type[Any] = NoOptions  # a frozen dataclass: the typed options and their defaults
    flag: str | None = None  # runs only when `lint matrix` gets this flag ("deep", "coverage")
    evidence: frozenset[str] = frozenset()  # MATRIX scope: what each render must leave ("branches")
    # The default level for a chart linted from outside the project, when it differs: style
    # checks are info there, and an object no schema covers is a warning.
    outside_level: Level | None = None

    @property
    def family(self) -> str:
        return self.module.split(".")[-2] if self.module.count(".") >= 3 else ""

    def info(self, level: Level | None = None) -> CheckInfo:
        return CheckInfo(
            id=self.id,
            code=self.code,
            family=self.family,
            level=(level or self.level).value,
            description=self.description,
            remediation=self.remediation,
        )

    @property
    def doc_sections(self) -> tuple[str, ...]:
        """The docstring's sections in order; a check with options documents them before References."""
        if not fields(self.options):
            return DOC_SECTIONS
        return (*DOC_SECTIONS[:-1], "Options", DOC_SECTIONS[-1])

    def applies_to(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


_DECLARED: list[Check] = []


def check(
    *,
    id: str,
    code: str,
    scope: Scope,
    description: str,
    remediation: str,
    level: Level = Level.ERROR,
    kinds: tuple[str, ...] = (),
    options: type[Any] = NoOptions,
    flag: str | None = None,
    evidence: frozenset[str] = frozenset(),
    outside_level: Level | None = None,
) -> Callable[[Callable[..., Iterable[Finding]]], Callable[..., Iterable[Finding]]]:
    """Declare the decorated function as a check. Metadata is validated by the meta-tests."""

    def register(function: Callable[..., Iterable[Finding]]) -> Callable[..., Iterable[Finding]]:
        module = importlib.import_module(function.__module__)
        _DECLARED.append(
            Check(
                id=id,
                code=code,
                scope=scope,
                description=description,
                remediation=remediation,
                level=level,
                run=function,
                kinds=kinds,
                module=function.__module__,
                doc=(module.__doc__ or "").strip(),
                options=options,
                flag=flag,
                evidence=evidence,
                outside_level=outside_level,
            )
        )
        return function

    return register


@lru_cache(maxsize=1)
def all_checks() -> tuple[Check, ...]:
    """Every check, imported once, sorted by code."""
    for family in pkgutil.iter_modules(__path__):
        if family.ispkg:
            package = importlib.import_module(f"{__name__}.{family.name}")
            for module in pkgutil.iter_modules(package.__path__):
                importlib.import_module(f"{package.__name__}.{module.name}")
    return tuple(sorted(_DECLARED, key=lambda c: c.code))


def find_check(key: str) -> Check | None:
    """A check by id or code."""
    for candidate in all_checks():
        if key in (candidate.id, candidate.code):
            return candidate
    return None
