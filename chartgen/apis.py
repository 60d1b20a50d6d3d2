"""Which Kubernetes API versions are deprecated or removed in which release."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class ApiLifecycle:
    api_version: str
    kind: str  # "*" for every kind of the apiVersion
    deprecated: str | None
    removed: str | None
    replacement: str

    def deprecated_in(self, kube_version: str) -> bool:
        return self.deprecated is not None and _minor(kube_version) >= _minor(self.deprecated)

    def removed_in(self, kube_version: str) -> bool:
        return self.removed is not None and _minor(kube_version) >= _minor(self.removed)


@lru_cache(maxsize=1)
def _table() -> dict[tuple[str, str], ApiLifecycle]:
    text = resources.files("chartgen").joinpath("data/kubernetes-apis.yaml").read_text(encoding="utf-8")
    return {
        (entry["apiVersion"], entry["kind"]): ApiLifecycle(
            entry["apiVersion"],
            entry["kind"],
            entry.get("deprecated"),
            entry.get("removed"),
            entry["replacement"],
        )
        for entry in yaml.load(text, Loader=yaml.CSafeLoader)["apis"]
    }


def lifecycle(api_version: str, kind: str) -> ApiLifecycle | None:
    """The deprecation record of an object's API, if it has one."""
    table = _table()
    return table.get((api_version, kind)) or table.get((api_version, "*"))


def _minor(version: str) -> tuple[int, int]:
    major, minor = version.lstrip("v").split(".")[:2]
    return int(major), int(minor)
