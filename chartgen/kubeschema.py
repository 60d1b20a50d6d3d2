"""Strict, fast validation of rendered manifests against the Kubernetes API schemas.

``kubernetes_validate`` ships one JSON schema per kind and Kubernetes version,
but its ``validate()`` re-reads the schema and the 1.2 MB ``_definitions.json``
on every call (about 10 ms per document) and stops at the first error. The lint
matrix validates every document of every render at several Kubernetes versions,
so this module reuses the bundled schemas but compiles each one with
``jsonschema_rs`` once per process and then validates in microseconds,
reporting every error.

Validation is always strict (the ``-strict`` schema directories, where unknown
fields are errors): a misspelt or misplaced key in a chart is silently dropped
by the API server, which is exactly the kind of bug a chart linter must catch.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema_rs

_STRICT_DIR = re.compile(r"v(\d+)\.(\d+)\.(\d+)-local-strict")
# Accepts "1.29", "1.29.3", "v1.29.0" and provider builds such as "v1.29.3-gke.1".
_REQUESTED_VERSION = re.compile(r"v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+][0-9A-Za-z.+-]*)?")
# apiVersion parts and kinds become a file name; anything else cannot name a bundled schema.
_SAFE_NAME = re.compile(r"[\w.-]*")
# Path segments printed without quoting; others (label keys with dots or slashes) are quoted.
_PLAIN_KEY = re.compile(r"[\w-]+")
_Kind = jsonschema_rs.ValidationErrorKind


class UnsupportedKubeVersion(ValueError):
    """The requested Kubernetes version is malformed or outside the bundled schemas."""


class SchemaNotFound(LookupError):
    """No schema for this apiVersion/kind: a removed or future API, or an unregistered custom resource."""

    def __init__(self, kind: str, api_version: str, version: str) -> None:
        super().__init__(f"no schema for kind {kind} with apiVersion {api_version} in Kubernetes {version}")
        self.kind = kind
        self.api_version = api_version
        self.version = version


@dataclass(frozen=True, order=True)
class SchemaError:
    """One violation; ``path`` is inside the object, e.g. ``spec.containers[0].image`` ("" = the object)."""

    path: str
    message: str


# --- Kubernetes versions ---------------------------------------------------


@functools.cache
def _schema_root() -> Path:
    # Found without importing kubernetes_validate (files() would import it, ~150 ms
    # of start-up for a package whose schema files are all that is needed here).
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("kubernetes-validate is not installed (it provides the Kubernetes schemas)")
    return Path(next(iter(spec.submodule_search_locations))) / "kubernetes-json-schema"


@functools.cache
def _bundled_versions() -> tuple[tuple[int, int, int], ...]:
    found = (_STRICT_DIR.fullmatch(entry.name) for entry in _schema_root().iterdir())
    return tuple(sorted((int(match[1]), int(match[2]), int(match[3])) for match in found if match))


def supported_versions() -> list[str]:
    """The bundled schema versions, oldest first, e.g. ``["1.25.0", ..., "1.37.0"]``."""
    return [_dotted(version) for version in _bundled_versions()]


@functools.lru_cache(maxsize=256)
def resolve_version(requested: str) -> str:
    """Map a Kubernetes version to the bundled schema version used for it.

    Like ``kubernetes_validate``, this picks the newest bundled version not
    newer than the requested major.minor (the patch level is irrelevant: the
    schemas are per minor release), but it compares numerically and also
    rejects versions older than the oldest bundled one.
    """
    match = _REQUESTED_VERSION.fullmatch(requested.strip())
    if match is None:
        raise UnsupportedKubeVersion(f"malformed Kubernetes version {requested!r}; {_supported_range()}")
    wanted = (int(match[1]), int(match[2]))
    bundled = _bundled_versions()
    candidates = [version for version in bundled if version[:2] <= wanted]
    if not candidates or wanted > bundled[-1][:2]:
        raise UnsupportedKubeVersion(
            f"Kubernetes {wanted[0]}.{wanted[1]} is not supported; {_supported_range()}"
        )
    return _dotted(candidates[-1])


def _supported_range() -> str:
    bundled = _bundled_versions()
    oldest, newest = bundled[0], bundled[-1]
    return f"supported versions are {oldest[0]}.{oldest[1]} to {newest[0]}.{newest[1]}"


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(str(part) for part in version)


# --- bundled schemas ---------------------------------------------------------


@dataclass(frozen=True)
class _CompiledSchema:
    validator: jsonschema_rs.Validator
    # (group, version) pairs from x-kubernetes-group-version-kind; file names keep
    # only the first label of the group, so "apps.example.com/v1" would otherwise
    # be validated as the built-in "apps/v1".
    group_versions: frozenset[tuple[str, str]]


class _BundledSchemas:
    """Compiled bundled schemas, shared process-wide because they never change.

    Lookups read the dict without a lock (entries are complete when stored);
    only a miss takes the lock, so each definitions table is parsed at most once
    per version and each kind compiled once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._registries: dict[str, jsonschema_rs.Registry] = {}
        self._compiled: dict[tuple[str, str], _CompiledSchema | None] = {}

    def lookup(self, schema_dir: str, filename: str) -> _CompiledSchema | None:
        key = (schema_dir, filename)
        try:
            return self._compiled[key]
        except KeyError:
            pass
        with self._lock:
            if key not in self._compiled:
                self._compiled[key] = self._compile(schema_dir, filename)
            return self._compiled[key]

    def _compile(self, schema_dir: str, filename: str) -> _CompiledSchema | None:
        path = _schema_root() / schema_dir / filename
        if not path.is_file():
            return None  # cached too, so unknown kinds stay cheap
        schema = json.loads(path.read_bytes())
        validator = jsonschema_rs.validator_for(
            _without_descriptions(schema), registry=self._registry(schema_dir), offline=True
        )
        group_versions = frozenset(
            (entry["group"], entry["version"]) for entry in schema.get("x-kubernetes-group-version-kind", ())
        )
        return _CompiledSchema(validator, group_versions)

    def _registry(self, schema_dir: str) -> jsonschema_rs.Registry:
        # Kind schemas $ref "/api/_definitions.json#/$defs/..." relative to their
        # https://kubernetes.io/api/... $id; registering the table under its own
        # $id lets jsonschema_rs resolve those refs without rewriting them.
        if schema_dir not in self._registries:
            definitions = _without_descriptions(
                json.loads((_schema_root() / schema_dir / "_definitions.json").read_bytes())
            )
            self._registries[schema_dir] = jsonschema_rs.Registry([(definitions["$id"], definitions)])
        return self._registries[schema_dir]


_BUNDLED = _BundledSchemas()

# Keywords whose values map names (of properties, definitions) to schemas.
_NAMED_SCHEMAS = frozenset({"properties", "patternProperties", "$defs", "definitions"})


def _without_descriptions(schema: Any) -> Any:
    """``schema`` without its ``description`` annotations. They are three quarters of the bundled
    schemas' text and validation never reads them, but a compiled validator keeps them: a
    Deployment's takes 5 MiB with them and 1 MiB without."""
    if isinstance(schema, list):
        return [_without_descriptions(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    return {
        key: (
            {name: _without_descriptions(item) for name, item in value.items()}
            if key in _NAMED_SCHEMAS and isinstance(value, dict)
            else _without_descriptions(value)
        )
        for key, value in schema.items()
        if key != "description"
    }


@functools.lru_cache(maxsize=1024)
def _bundled_filename(api_version: str, kind: str) -> str | None:
    """kubernetes_validate's naming: ``<kind>-<first label of group>-<version>.json``."""
    group, _, version = api_version.rpartition("/")
    if not all(_SAFE_NAME.fullmatch(part) for part in (group, version, kind)):
        return None
    group_prefix = group.split(".", 1)[0]
    suffix = f"{group_prefix}-{version}" if group else version
    return f"{kind.lower()}-{suffix}.json"


# --- validation ----------------------------------------------------------------


class SchemaValidator:
    """Validate Kubernetes objects strictly; safe to share between threads.

    Custom resources are validated only against schemas registered with
    ``add_schema``; they take precedence over bundled schemas and apply to
    every Kubernetes version.
    """

    def __init__(self) -> None:
        self._custom: dict[tuple[str, str], jsonschema_rs.Validator] = {}

    def add_schema(self, api_version: str, kind: str, schema: dict[str, Any]) -> None:
        """Register a JSON schema for ``kind`` in ``api_version``; compiled now, so a bad schema fails here."""
        self._custom[(api_version, kind)] = jsonschema_rs.validator_for(schema, offline=True)

    def has_schema(self, api_version: str, kind: str, kube_version: str) -> bool:
        """Whether ``validate`` would find a schema; compiles it if needed, so validating next is fast."""
        try:
            self._validator_for(api_version, kind, resolve_version(kube_version))
        except SchemaNotFound:
            return False
        return True

    def validate(self, doc: dict[str, Any], kube_version: str) -> list[SchemaError]:
        """Every schema violation in ``doc``, sorted by path then message.

        Raises ``UnsupportedKubeVersion`` for a bad ``kube_version`` and
        ``SchemaNotFound`` when no schema covers the document's apiVersion/kind.
        """
        version = resolve_version(kube_version)
        if not isinstance(doc, dict):
            return [SchemaError("", f"expected an object, got {_json_type(doc)}")]
        api_version, kind = doc.get("apiVersion"), doc.get("kind")
        missing = [
            name for name, value in (("apiVersion", api_version), ("kind", kind)) if not _is_name(value)
        ]
        if missing:
            return [SchemaError("", f"{name} must be a non-empty string") for name in missing]
        return _errors(self._validator_for(str(api_version), str(kind), version), doc)

    def _validator_for(self, api_version: str, kind: str, version: str) -> jsonschema_rs.Validator:
        custom = self._custom.get((api_version, kind))
        if custom is not None:
            return custom
        filename = _bundled_filename(api_version, kind)
        compiled = _BUNDLED.lookup(f"v{version}-local-strict", filename) if filename else None
        group, _, group_version = api_version.rpartition("/")
        if compiled is None or (group, group_version) not in compiled.group_versions:
            raise SchemaNotFound(kind, api_version, version)
        return compiled.validator


def _is_name(value: object) -> bool:
    return isinstance(value, str) and value != ""


def _errors(validator: jsonschema_rs.Validator, doc: dict[str, Any]) -> list[SchemaError]:
    try:
        found = list(validator.iter_errors(doc))
        problems: list[SchemaError] = []
    except ValueError:
        # jsonschema_rs accepts only JSON types; YAML can also produce dates,
        # bytes and non-string keys. Retrying on a JSON copy keeps the common
        # case free of a Python-level walk over the document.
        problems = []
        found = list(validator.iter_errors(_json_compatible(doc, (), problems)))
    errors = problems + [SchemaError(_format_path(error.instance_path), _message(error)) for error in found]
    return sorted(errors)


def _json_compatible(value: Any, path: tuple[str | int, ...], problems: list[SchemaError]) -> Any:
    """A JSON-typed copy of ``value``; values JSON cannot hold are reported and replaced by null."""
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            json_key = key if isinstance(key, str) else _json_key(key)
            result[json_key] = _json_compatible(item, (*path, json_key), problems)
        return result
    if isinstance(value, (list, tuple)):
        return [_json_compatible(item, (*path, index), problems) for index, item in enumerate(value)]
    if value is None or isinstance(value, (str, int, float)):
        return value
    problems.append(
        SchemaError(_format_path(path), f"{type(value).__name__} value {value} is not a JSON value; quote it")
    )
    return None


def _json_key(key: object) -> str:
    # Kubernetes converts YAML to JSON before validating, turning keys such as
    # 80 or true into the strings "80" and "true"; json.dumps does the same.
    if key is None or isinstance(key, (int, float)):
        return json.dumps(key)
    return str(key)


def _format_path(parts: list[str | int] | tuple[str | int, ...]) -> str:
    """``["spec", "containers", 0, "image"]`` -> ``spec.containers[0].image``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(part):
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(part)}]"
    return text


def _message(error: jsonschema_rs.ValidationError) -> str:
    kind = error.kind
    if isinstance(kind, _Kind.AdditionalProperties):
        keys = ", ".join(repr(key) for key in kind.unexpected)
        return f"unexpected key{'s' if len(kind.unexpected) > 1 else ''} {keys}"
    if isinstance(kind, _Kind.Type):
        return _expected(kind.types, error.instance)
    if isinstance(kind, (_Kind.OneOfNotValid, _Kind.AnyOf)) and _only_type_errors(kind.context):
        # Int-or-string and quantity fields are a oneOf of plain types; the
        # generic "not valid under any of the schemas" hides what was expected.
        types = [name for branch in kind.context for name in branch[0].kind.types]  # type: ignore[attr-defined]
        return _expected(types, error.instance)
    return error.message


def _only_type_errors(branches: list[list[jsonschema_rs.ValidationError]]) -> bool:
    return all(len(branch) == 1 and isinstance(branch[0].kind, _Kind.Type) for branch in branches)


def _expected(types: list[str], instance: Any) -> str:
    # Every Kubernetes field is nullable, so "null" in the list is noise.
    wanted = [name for name in dict.fromkeys(types) if name != "null"] or ["null"]
    return f"expected {' or '.join(wanted)}, got {_describe(instance)}"


def _describe(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, default=str, separators=(",", ":"))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"{_json_type(value)} {text}"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return type(value).__name__
