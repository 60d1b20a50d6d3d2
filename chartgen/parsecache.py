"""Parse each rendered template text once while it keeps coming back, within a fixed budget.

Most template texts repeat across scenarios and versions (a ConfigMap no value touches), so
parsing is cached by (template, text). The cache keeps the most recently used texts up to a
budget in characters of rendered text, so a long generated tier runs in flat memory; its
hit rate is reported by scripts/bench.py. Cached objects are shared read-only by the checks.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from chartgen.manifests import Manifest, ParseFailure, parse_rendered

Parsed = tuple[list[Manifest], list[ParseFailure]]

# About 2 MB of rendered text: every template text of a few dozen renders of a large chart.
DEFAULT_BUDGET = 2_000_000


class ParseCache:
    def __init__(self, budget: int = DEFAULT_BUDGET) -> None:
        self.budget = budget
        self.hits = 0
        self.misses = 0
        self._held = 0  # characters of text behind the cached entries
        self._entries: OrderedDict[tuple[str, str], Parsed] = OrderedDict()
        self._lock = Lock()

    def parse(self, template: str, text: str) -> Parsed:
        key = (template, text)
        with self._lock:
            parsed = self._entries.get(key)
            if parsed is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return parsed
            self.misses += 1
        parsed = parse_rendered({template: text})
        with self._lock:
            if key not in self._entries and len(text) <= self.budget:
                self._entries[key] = parsed
                self._held += len(text)
                while self._held > self.budget:
                    (_, evicted), _ = self._entries.popitem(last=False)
                    self._held -= len(evicted)
        return parsed

    @property
    def hit_rate(self) -> float:
        lookups = self.hits + self.misses
        return self.hits / lookups if lookups else 0.0

    def __len__(self) -> int:
        return len(self._entries)
