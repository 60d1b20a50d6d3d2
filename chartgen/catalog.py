"""Facts about certctl that lint checks compare generated output against.

Three YAML catalogs live in ``schemas/catalog/``, written by
``scripts/certctl_catalog.py`` from certctl's source (curated fields aside):

* ``certctl.yaml``: the certctl commit the facts were read at, the release tags
  the catalog knows (oldest first), each binary's command-line flags, the HTTP
  routes, and each image's user, ports, entrypoint and writable paths.

* ``env.yaml``: every environment variable a certctl binary reads, plus names
  that look real but are read by nothing (``rejected``), the libpq client
  variables a chart may set on the server (``libpq``) and the variables the
  server exports to ACME DNS hook scripts (``exported_to_hooks``).
* ``metrics.yaml``: the metrics the Prometheus endpoint exposes, and metrics
  that exist in code or docs but are never exposed (``not_exported``).

Every fact names where certctl defines it (``defined_at``, file:line at the
commit) and the first release that has it (``since``); ``since: null`` marks a
fact in no release the project can read, known only from a ``seed`` document.
The loaders validate every entry; a missing file, bad YAML or a malformed
entry raises :class:`chartgen.errors.UserError` naming the file and the entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from chartgen.errors import UserError

BINARIES = frozenset({"server", "agent", "cli", "mcp-server"})
ENV_TYPES = frozenset({"string", "int", "float", "bool", "duration", "list"})
METRIC_TYPES = frozenset({"gauge", "counter", "histogram"})
METRIC_SOURCES = frozenset({"db", "memory"})
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")

PROFILE_PLACEHOLDER = "<NAME>"
"""Stands for a SCEP/EST profile name inside per-profile variable names."""
_PROFILE_NAME_PATTERN = "[A-Z0-9_]+"

_ENV_NAME_RE = re.compile(r"[A-Z][A-Z0-9_]*(<NAME>[A-Z0-9_]*)?")
_METRIC_NAME_RE = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_NAME_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")

_VERSION_RE = re.compile(r"v\d+\.\d+\.\d+")
_DEFINED_AT_RE = re.compile(r"[\w./-]+:\d+")
_FLAG_NAME_RE = re.compile(r"(server|agent|cli|mcp-server) --[a-z][a-z0-9-]*")
_PROVENANCE_KEYS = ("since", "defined_at")
_ENV_VAR_KEYS = (
    "name",
    "binaries",
    "type",
    "default",
    "required",
    "secret",
    "description",
    *_PROVENANCE_KEYS,
)
_ENV_VAR_OPTIONAL = ("seed", "values", "url_schemes", "ignored")
_METRIC_KEYS = ("name", "type", "labels", "description", "source", *_PROVENANCE_KEYS)
_FLAG_KEYS = ("name", "type", "env", *_PROVENANCE_KEYS)
_FACT_KEYS = ("name", *_PROVENANCE_KEYS)


@dataclass(frozen=True)
class Provenance:
    """Where certctl defines a fact, and the first release that has it."""

    since: str | None
    """First release tag (``vX.Y.Z``); None when no release the catalog knows has it."""
    defined_at: str | None
    """``file:line`` at the catalog's commit; None for a fact known only from a seed document."""
    seed: str | None = None
    """The seed document describing a fact that no readable certctl has."""

    def describe(self) -> str:
        """Where the fact comes from, for messages."""
        if self.seed:
            return f"known only from {self.seed}"
        return f"defined at {self.defined_at}" + (
            f", since {self.since}" if self.since else ", in no release"
        )


@dataclass(frozen=True)
class EnvVar:
    """One environment variable read by one or more certctl binaries."""

    name: str
    binaries: tuple[str, ...]
    type: str
    default: str
    required_by: tuple[str, ...]
    """Binaries that refuse to start without this variable (often empty)."""
    secret: bool
    description: str
    provenance: Provenance
    values: tuple[str, ...] = ()
    """The only values the server accepts (empty: any value of the type)."""
    url_schemes: tuple[str, ...] = ()
    """For URLs: the schemes certctl accepts."""
    ignored: str = ""
    """Why setting the variable changes nothing at runtime (empty: it has an effect)."""

    @property
    def is_template(self) -> bool:
        """True for per-profile names such as ``CERTCTL_SCEP_PROFILE_<NAME>_ISSUER_ID``."""
        return PROFILE_PLACEHOLDER in self.name


@dataclass(frozen=True)
class Metric:
    """One metric exposed by ``GET /api/v1/metrics/prometheus``."""

    name: str
    type: str
    labels: tuple[str, ...]
    description: str
    source: str
    """``db`` (same on every replica, aggregate with max) or ``memory`` (per replica, sum)."""
    provenance: Provenance


@dataclass(frozen=True)
class Flag:
    """One command-line flag of a certctl binary."""

    binary: str
    name: str
    """With its dashes: ``--agent-id``."""
    type: str
    env: str | None
    """The variable that gives the flag its default, if any."""
    provenance: Provenance


@dataclass(frozen=True)
class Fact:
    """A route (``GET /health``) or an image fact (``server uid``) and its value."""

    name: str
    value: Any
    provenance: Provenance


class Releases:
    """The certctl commit the catalog was read at and the release tags it knows, oldest first."""

    def __init__(self, commit: str, versions: list[str]) -> None:
        self.commit = commit
        self.versions = tuple(versions)
        self._order = {version: index for index, version in enumerate(self.versions)}

    def known(self, version: str | None) -> str | None:
        """``version`` as a catalog tag (``2.0.71`` and ``v2.0.71`` both give ``v2.0.71``), or None."""
        if not version:
            return None
        tag = version if version.startswith("v") else f"v{version}"
        return tag if tag in self._order else None

    def has(self, provenance: Provenance, version: str) -> bool:
        """Whether the certctl release ``version`` (a known tag) has the fact."""
        if provenance.since is None:
            return False
        return self._order[version] >= self._order[provenance.since]


class CertctlCatalog:
    """Releases, flags, routes and image facts of certctl (``certctl.yaml``)."""

    def __init__(
        self, releases: Releases, flags: list[Flag], endpoints: list[Fact], images: list[Fact]
    ) -> None:
        self.releases = releases
        self.flags = tuple(flags)
        self.endpoints = tuple(endpoints)
        self.images = tuple(images)
        self._flags = {(flag.binary, flag.name): flag for flag in self.flags}
        self._images = {fact.name: fact for fact in self.images}

    def flag(self, binary: str, name: str) -> Flag | None:
        """The flag ``name`` (``--agent-id``; a ``=value`` suffix is ignored) of ``binary``."""
        return self._flags.get((binary, name.split("=", 1)[0]))

    def image(self, binary: str, fact: str) -> Any:
        """An image fact's value (``image("server", "entrypoint")``), or None."""
        entry = self._images.get(f"{binary} {fact}")
        return entry.value if entry else None

    def binary_for_command(self, command: str) -> str | None:
        """The binary whose image entrypoint is ``command`` (``/app/server``), or None."""
        for binary in BINARIES:
            if self.image(binary, "entrypoint") == [command]:
                return binary
        return None


class EnvCatalog:
    """The environment variables certctl reads, and names it does not."""

    def __init__(
        self,
        variables: list[EnvVar],
        rejected: dict[str, str],
        libpq: dict[str, str],
        exported_to_hooks: dict[str, str],
    ) -> None:
        self.variables = tuple(variables)
        self.rejected = rejected
        """Name -> why it must not be used."""
        self.libpq = libpq
        """PostgreSQL client variable -> description."""
        self.exported_to_hooks = exported_to_hooks
        """Variable the server sets for DNS hook scripts -> description."""
        self._exact = {var.name: var for var in self.variables}
        self._templates = [(_template_regex(var.name), var) for var in self.variables if var.is_template]
        self._rejected_templates = [
            (_template_regex(name), reason)
            for name, reason in rejected.items()
            if PROFILE_PLACEHOLDER in name
        ]

    def lookup(self, name: str) -> EnvVar | None:
        """The entry for ``name``; concrete profile names match ``<NAME>`` templates."""
        if name in self._exact:
            return self._exact[name]
        for regex, var in self._templates:
            if regex.fullmatch(name):
                return var
        return None

    def is_known(self, name: str) -> bool:
        """True if some certctl binary reads ``name``."""
        return self.lookup(name) is not None

    def rejected_reason(self, name: str) -> str | None:
        """Why ``name`` must not be used, or None if it is not a rejected name."""
        if name in self.rejected:
            return self.rejected[name]
        for regex, reason in self._rejected_templates:
            if regex.fullmatch(name):
                return reason
        return None

    def required_for(self, binary: str) -> list[str]:
        """Names ``binary`` refuses to start without, in catalog order."""
        if binary not in BINARIES:
            raise ValueError(f"unknown binary {binary!r}; expected one of {sorted(BINARIES)}")
        return [var.name for var in self.variables if binary in var.required_by]

    def is_libpq(self, name: str) -> bool:
        """True for PostgreSQL client variables (PGPASSWORD, ...) honoured by lib/pq."""
        return name in self.libpq


class MetricCatalog:
    """The metrics certctl exposes to Prometheus, and ones it does not."""

    def __init__(self, metrics: list[Metric], not_exported: dict[str, str]) -> None:
        self.metrics = tuple(metrics)
        self.not_exported = not_exported
        """Name -> why it never appears in the exposition."""
        self._by_name = {metric.name: metric for metric in self.metrics}

    def lookup(self, name: str) -> Metric | None:
        """The metric for ``name``; histogram series (``_bucket`` ...) resolve to their base."""
        if name in self._by_name:
            return self._by_name[name]
        for suffix in HISTOGRAM_SUFFIXES:
            if name.endswith(suffix):
                base = self._by_name.get(name.removesuffix(suffix))
                if base is not None and base.type == "histogram":
                    return base
        return None

    def is_exported(self, name: str) -> bool:
        """True for exposed metric names and the series of exposed histograms."""
        return self.lookup(name) is not None

    def source(self, name: str) -> str | None:
        """``db`` or ``memory`` for an exposed metric or series, None otherwise."""
        metric = self.lookup(name)
        return metric.source if metric else None

    def not_exported_reason(self, name: str) -> str | None:
        """Why ``name`` never appears in the exposition, or None if it is not listed."""
        return self.not_exported.get(name)


class FirstRelease:
    """For generation-time gates: the first certctl release that has every fact a feature needs.

    Chart sources call it as ``[[ certctl_release("server --migrate-only", "CERTCTL_X") ]]``:
    a fact is an env var name or ``<binary> --<flag>``. The answer is ``""`` while some fact is
    in no release, so the chart can refuse the feature with a message naming what it needs.
    """

    def __init__(self, catalog_dir: Path) -> None:
        self.env = load_env_catalog(catalog_dir / "env.yaml")
        self.certctl = load_certctl_catalog(catalog_dir / "certctl.yaml")

    def __call__(self, *facts: str) -> str:
        releases = self.certctl.releases
        needed: list[str] = []
        for fact in facts:
            provenance = self._provenance(fact)
            if provenance.since is None:
                return ""
            needed.append(provenance.since)
        return max(needed, key=releases.versions.index, default="")

    def _provenance(self, fact: str) -> Provenance:
        found: Flag | EnvVar | None
        if " --" in fact:
            binary, flag = fact.split(" ", 1)
            found = self.certctl.flag(binary, flag)
        else:
            found = self.env.lookup(fact)
        if found is None:
            # Raised while a chart source renders: reported with the source's file and line.
            raise ValueError(f"{fact!r} is not in the certctl catalog (schemas/catalog)")
        return found.provenance


def load_env_catalog(path: Path) -> EnvCatalog:
    """Read and validate ``env.yaml``."""
    doc = _read_document(path, ("variables", "rejected", "libpq", "exported_to_hooks"))
    entries = _entries(doc, "variables", path, _ENV_VAR_KEYS, _ENV_VAR_OPTIONAL)
    variables = [_env_var(entry) for entry in entries]
    _check_unique([var.name for var in variables], "variables", path)
    rejected = _named_texts(doc, "rejected", "reason", path, _ENV_NAME_RE)
    known = {var.name for var in variables}
    for name in rejected:
        if name in known:
            raise UserError(f"rejected: {name} is also listed under variables", str(path))
    return EnvCatalog(
        variables,
        rejected,
        _named_texts(doc, "libpq", "description", path, _ENV_NAME_RE),
        _named_texts(doc, "exported_to_hooks", "description", path, _ENV_NAME_RE),
    )


def load_metric_catalog(path: Path) -> MetricCatalog:
    """Read and validate ``metrics.yaml``."""
    doc = _read_document(path, ("metrics", "not_exported"))
    metrics = [_metric(entry) for entry in _entries(doc, "metrics", path, _METRIC_KEYS)]
    exported = [metric.name for metric in metrics]
    _check_unique(exported, "metrics", path)
    not_exported = _named_texts(doc, "not_exported", "reason", path, _METRIC_NAME_RE)
    for name in not_exported:
        if name in exported:
            raise UserError(f"not_exported: {name} is also listed under metrics", str(path))
    return MetricCatalog(metrics, not_exported)


class _Entry:
    """One mapping from a catalog list, with typed field access and located errors."""

    def __init__(
        self, raw: Any, path: Path, where: str, keys: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> None:
        self.path = path
        self.where = where
        if not isinstance(raw, dict):
            raise self.error(f"expected a mapping, got {type(raw).__name__}")
        self.raw = raw
        name = raw.get("name")
        if isinstance(name, str):
            self.where = f"{where} ({name})"
        missing = [key for key in keys if key not in raw]
        unknown = [str(key) for key in raw if key not in keys and key not in optional]
        if missing:
            raise self.error(f"missing field(s): {', '.join(missing)}")
        if unknown:
            raise self.error(f"unknown field(s): {', '.join(unknown)}")

    def error(self, message: str) -> UserError:
        return UserError(f"{self.where}: {message}", str(self.path))

    def text(self, key: str, *, allow_empty: bool = False) -> str:
        value = self.raw[key]
        if not isinstance(value, str):
            raise self.error(f"{key} must be a string, got {value!r}")
        if not allow_empty and not value.strip():
            raise self.error(f"{key} must not be empty")
        if "\n" in value:
            raise self.error(f"{key} must be a single line")
        return value

    def flag(self, key: str) -> bool:
        value = self.raw[key]
        if not isinstance(value, bool):
            raise self.error(f"{key} must be true or false, got {value!r}")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.raw[key]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.error(f"{key} must be a list of strings, got {value!r}")
        return tuple(value)

    def choice(self, key: str, allowed: frozenset[str]) -> str:
        value = self.text(key)
        if value not in allowed:
            raise self.error(f"{key} must be one of {sorted(allowed)}, got {value!r}")
        return value

    def optional_text(self, key: str) -> str | None:
        return None if self.raw.get(key) is None else self.text(key)

    def provenance(self) -> Provenance:
        since, defined_at = self.optional_text("since"), self.optional_text("defined_at")
        seed = self.optional_text("seed")
        if since is not None and not _VERSION_RE.fullmatch(since):
            raise self.error(f"since must be a release tag like v2.0.71 or null, got {since!r}")
        if defined_at is not None and not _DEFINED_AT_RE.fullmatch(defined_at):
            raise self.error(f"defined_at must be file:line or null, got {defined_at!r}")
        if seed is not None and (since is not None or defined_at is not None):
            raise self.error("a seed fact is in no release: since and defined_at must be null")
        if seed is None and defined_at is None:
            raise self.error("defined_at is null: name the seed document the fact comes from")
        return Provenance(since, defined_at, seed)

    def name(self, pattern: re.Pattern[str]) -> str:
        value = self.text("name")
        if not pattern.fullmatch(value):
            raise self.error(f"name {value!r} is not a valid name")
        return value


def _env_var(entry: _Entry) -> EnvVar:
    name = entry.name(_ENV_NAME_RE)
    binaries = entry.texts("binaries")
    if not binaries or not set(binaries) <= BINARIES:
        raise entry.error(f"binaries must be a non-empty subset of {sorted(BINARIES)}")
    required = entry.raw["required"]
    if isinstance(required, bool):
        required_by = binaries if required else ()
    else:
        required_by = entry.texts("required")
        if not set(required_by) <= set(binaries):
            raise entry.error("required must be true, false or a list of the entry's binaries")
    return EnvVar(
        name=name,
        binaries=binaries,
        type=entry.choice("type", ENV_TYPES),
        default=entry.text("default", allow_empty=True),
        required_by=required_by,
        secret=entry.flag("secret"),
        description=entry.text("description"),
        provenance=entry.provenance(),
        values=entry.texts("values") if "values" in entry.raw else (),
        url_schemes=entry.texts("url_schemes") if "url_schemes" in entry.raw else (),
        ignored=entry.optional_text("ignored") or "",
    )


def _metric(entry: _Entry) -> Metric:
    labels = entry.texts("labels")
    for label in labels:
        if not _LABEL_NAME_RE.fullmatch(label):
            raise entry.error(f"label {label!r} is not a valid Prometheus label name")
    return Metric(
        name=entry.name(_METRIC_NAME_RE),
        type=entry.choice("type", METRIC_TYPES),
        labels=labels,
        description=entry.text("description"),
        source=entry.choice("source", METRIC_SOURCES),
        provenance=entry.provenance(),
    )


def _flag(entry: _Entry) -> Flag:
    binary, name = entry.name(_FLAG_NAME_RE).split(" ")
    env = entry.optional_text("env")
    return Flag(binary, name, entry.choice("type", ENV_TYPES), env, entry.provenance())


def _fact(entry: _Entry, value_key: str) -> Fact:
    return Fact(entry.text("name"), entry.raw.get(value_key), entry.provenance())


def load_certctl_catalog(path: Path) -> CertctlCatalog:
    """Read and validate ``certctl.yaml``; every ``since`` must be one of its versions."""
    doc = _read_document(path, ("commit", "versions", "flags", "endpoints", "images"))
    versions = doc["versions"]
    if not isinstance(versions, list) or not all(
        isinstance(v, str) and _VERSION_RE.fullmatch(v) for v in versions
    ):
        raise UserError("versions must be a list of release tags like v2.0.71", str(path))
    if not isinstance(doc["commit"], str) or not re.fullmatch(r"[0-9a-f]{40}", doc["commit"]):
        raise UserError("commit must be a full 40-digit commit id", str(path))
    flags = [_flag(entry) for entry in _entries(doc, "flags", path, _FLAG_KEYS, ("seed",))]
    endpoints = [
        _fact(entry, "authenticated")
        for entry in _entries(doc, "endpoints", path, (*_FACT_KEYS, "authenticated"))
    ]
    images = [_fact(entry, "value") for entry in _entries(doc, "images", path, (*_FACT_KEYS, "value"))]
    named = [(f"{flag.binary} {flag.name}", flag.provenance) for flag in flags]
    named += [(fact.name, fact.provenance) for fact in (*endpoints, *images)]
    for name, provenance in named:
        if provenance.since is not None and provenance.since not in versions:
            raise UserError(f"{name}: since {provenance.since} is not one of versions", str(path))
    return CertctlCatalog(Releases(doc["commit"], versions), flags, endpoints, images)


def _read_document(path: Path, sections: tuple[str, ...]) -> dict[str, Any]:
    """Parse ``path`` and check it is a mapping with exactly ``sections`` as keys."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError("catalog file not found", str(path)) from None
    except OSError as exc:
        raise UserError(f"cannot read catalog file: {exc.strerror}", str(path)) from None
    try:
        doc = yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        location = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise UserError(f"invalid YAML: {problem}", location) from None
    if not isinstance(doc, dict):
        raise UserError(f"expected a mapping with keys {', '.join(sections)}", str(path))
    missing = [key for key in sections if key not in doc]
    unknown = [str(key) for key in doc if key not in sections]
    if missing:
        raise UserError(f"missing top-level key(s): {', '.join(missing)}", str(path))
    if unknown:
        raise UserError(f"unknown top-level key(s): {', '.join(unknown)}", str(path))
    return doc


def _entries(
    doc: dict[str, Any], section: str, path: Path, keys: tuple[str, ...], optional: tuple[str, ...] = ()
) -> list[_Entry]:
    """The items of list ``section``, each checked to have ``keys`` and nothing but ``optional`` besides."""
    items = doc[section]
    if not isinstance(items, list):
        raise UserError(f"{section} must be a list", str(path))
    return [_Entry(raw, path, f"{section}[{index}]", keys, optional) for index, raw in enumerate(items)]


def _named_texts(
    doc: dict[str, Any], section: str, field: str, path: Path, name_re: re.Pattern[str]
) -> dict[str, str]:
    """A ``[{name, <field>}]`` list as a name -> text mapping."""
    entries = _entries(doc, section, path, ("name", field))
    names = [entry.name(name_re) for entry in entries]
    _check_unique(names, section, path)
    return {name: entry.text(field) for name, entry in zip(names, entries, strict=False)}


def _check_unique(names: list[str], section: str, path: Path) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise UserError(f"{section}: {name} is listed more than once", str(path))
        seen.add(name)


def _template_regex(name: str) -> re.Pattern[str]:
    """A regex matching the concrete names a ``<NAME>`` template stands for."""
    parts = name.split(PROFILE_PLACEHOLDER)
    return re.compile(_PROFILE_NAME_PATTERN.join(re.escape(part) for part in parts))
