"""The scenario model: a values overlay, how it is installed, and what must be true of its
render. It sits below the engine (which renders and checks scenarios) and the matrix (which
plans them: scenario files, generated tiers).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any


@dataclass(frozen=True)
class ObjectMatch:
    """Objects of ``kind`` whose name matches ``name`` (a full-match regex), if given."""

    kind: str
    name: str | None = None
    count: int | None = None

    def matches(self, obj: dict[str, Any]) -> bool:
        if obj.get("kind") != self.kind:
            return False
        return (
            self.name is None
            or re.fullmatch(self.name, str(obj.get("metadata", {}).get("name", ""))) is not None
        )

    def describe(self) -> str:
        return f"{self.kind}/{self.name}" if self.name else self.kind


@dataclass(frozen=True)
class Expectation:
    fails: str | None = None
    present: tuple[ObjectMatch, ...] = ()
    absent: tuple[ObjectMatch, ...] = ()
    count: tuple[tuple[str, int], ...] = ()

    @property
    def asserts_objects(self) -> bool:
        return bool(self.present or self.absent or self.count)

    @property
    def vacuous(self) -> bool:
        """Asserts nothing beyond "it rendered": such a scenario proves little."""
        return self.fails is None and not self.asserts_objects


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    values: dict[str, Any]
    expect: Expectation = field(default_factory=Expectation)
    release: str = "certctl"
    namespace: str = "certctl"
    upgrade: bool = False  # render as `helm upgrade` would (.Release.IsUpgrade), not as an install
    source: str = ""  # the file it came from, for messages
    implicit: bool = False  # a plain values file (``--values-dir``): "renders" is its whole promise

    @cached_property
    def key(self) -> str:
        """Stable across runs and equal exactly when two scenarios render alike at a version:
        the name plus a digest of what a render reads."""
        facts = [self.name, self.values, self.release, self.namespace, self.upgrade]
        digest = hashlib.blake2b(json.dumps(facts, sort_keys=True, default=str).encode(), digest_size=12)
        return f"{self.name}#{digest.hexdigest()}"
