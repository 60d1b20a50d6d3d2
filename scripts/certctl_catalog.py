#!/usr/bin/env python3
"""Verify or refresh ``schemas/catalog/`` against certctl's source.

    python scripts/certctl_catalog.py CERTCTL_GIT_DIR_OR_CHECKOUT [--ref REF] [--write]

Reads certctl at REF (default HEAD) from a checkout or a bare git directory — committed
content only, a dirty work tree is not looked at — and derives every fact the catalog
states about it: the environment variables each binary reads (parser type and default),
the command-line flags of each binary, the HTTP routes (and whether they bypass
authentication), the Prometheus metrics (type and labels), and each image's user, ports,
entrypoint and writable paths. Each fact gets where it is defined (``file:line`` at REF)
and the first release tag (``vX.Y.Z``, an ancestor of REF) that has it.

Fields people write stay as they are: descriptions, ``required``, ``secret``, enum
``values``, ``ignored`` notes, metric sources, the ``rejected``/``libpq``/
``exported_to_hooks`` lists, and entries marked ``seed`` (facts known only from the seed
documents, in no release the project can read).

Without ``--write`` the script changes nothing: it prints a diff and exits 1 when the
committed catalog differs from what REF says (0 when it agrees, 2 on a usage error).
With ``--write`` it rewrites the catalog files. A new certctl release is a re-run:
``--ref vX.Y.Z --write``, review the diff, fill in descriptions of new entries.

First versions are found by bisecting the sorted release tags with one ``git grep`` per
visited tag (cached), so the cost is bounded by the number of tags whatever the number of
facts; bisection assumes a fact, once added, stays (true of certctl's history so far).
"""

from __future__ import annotations

import argparse
import difflib
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CATALOG_DIR = Path(__file__).resolve().parents[1] / "schemas" / "catalog"
TODO_DESCRIPTION = "TODO: describe (added by scripts/certctl_catalog.py)"

# One git grep per tree finds every line a fact can come from.
GREP_PATTERN = (
    r"CERTCTL_|# TYPE certctl_|certctl_[a-z_]+\{|mux\.Handle\(\"|\.Register\(\"|"
    r"(flag|fs)\.[A-Z][A-Za-z0-9]*\(\"|^(USER|EXPOSE|ENTRYPOINT) |adduser |chown -R |mkdir -p "
)
GREP_PATHS = ("*.go", ":!*_test.go", "Dockerfile", "Dockerfile.*")

_GETTERS = {
    "getEnv": "string",
    "getEnvInt": "int",
    "getEnvInt64": "int",
    "getEnvDuration": "duration",
    "getEnvBool": "bool",
    "getEnvFloat": "float",
    "getEnvList": "list",
    "getEnvDefault": "string",
    "getEnvBoolDefault": "bool",
    "getEnvForSeed": "string",
}
_ENV_CALL = re.compile(
    r"\b(?P<getter>getEnv[A-Za-z0-9]*|os\.Getenv|os\.LookupEnv)\("
    r"\"(?P<name>CERTCTL_[A-Z0-9_]*)\"(?:\+[A-Za-z]+\+\"(?P<suffix>_[A-Z0-9_]+)\")?"
    r"(?:,\s*(?P<default>[^)]*?))?\)"
)
_FLAG_CALL = re.compile(
    r"\b(?:flag|fs)\.(?P<type>String|Bool|Int|Int64|Duration)\(\"(?P<name>[a-z][a-z0-9-]*)\","
)
_METRIC_TYPE = re.compile(r"# TYPE (?P<name>certctl_[a-z0-9_]+) (?P<type>gauge|counter|histogram)")
_METRIC_SAMPLE = re.compile(r"\"(?P<name>certctl_[a-z0-9_]+)\{(?P<labels>[^}]*)\}")
_ROUTE = re.compile(r"(?P<how>mux\.Handle|\.Register)\(\"(?P<route>[A-Z]+ /[^\"]*)\"")
_DURATION_UNITS = {"time.Hour": 3600, "time.Minute": 60, "time.Second": 1}
_FLAG_TYPES = {"String": "string", "Bool": "bool", "Int": "int", "Int64": "int", "Duration": "duration"}
_BINARY_DIRS = {
    "cmd/server/": "server",
    "cmd/agent/": "agent",
    "cmd/cli/": "cli",
    "cmd/mcp-server/": "mcp-server",
}
_IMAGES = {"Dockerfile": "server", "Dockerfile.agent": "agent"}
_VERSION_TAG = re.compile(r"v(\d+)\.(\d+)\.(\d+)")


class UsageError(Exception):
    """Bad arguments or an unreadable repository: exit 2 with the message."""


@dataclass
class Facts:
    """Everything one certctl tree says, keyed the way the catalog keys it."""

    env: dict[str, dict[str, Any]] = field(default_factory=dict)
    flags: dict[str, dict[str, Any]] = field(default_factory=dict)  # "binary --flag"
    endpoints: dict[str, dict[str, Any]] = field(default_factory=dict)  # "GET /health"
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    images: dict[str, dict[str, Any]] = field(default_factory=dict)  # "server user" ...

    def keys(self) -> set[tuple[str, str]]:
        return {
            (section, key)
            for section in ("env", "flags", "endpoints", "metrics", "images")
            for key in getattr(self, section)
        }


class Repo:
    """A certctl checkout or bare git directory, read through git only."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise UsageError(f"{path}: no such directory")
        self.git = ["git", f"--git-dir={path}"] if (path / "HEAD").is_file() else ["git", "-C", str(path)]
        self._grep_cache: dict[str, list[tuple[str, int, str]]] = {}

    def run(self, *args: str) -> str:
        result = subprocess.run([*self.git, *args], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise UsageError(f"git {' '.join(args)}: {result.stderr.strip() or 'failed'}")
        return result.stdout

    def commit(self, ref: str) -> str:
        return self.run("rev-parse", "--verify", f"{ref}^{{commit}}").strip()

    def release_tags(self, commit: str) -> list[str]:
        """Release tags that are ancestors of ``commit``, oldest first."""
        tags = [tag for tag in self.run("tag", "--merged", commit).split() if _VERSION_TAG.fullmatch(tag)]
        return sorted(tags, key=version_key)

    def grep(self, ref: str) -> list[tuple[str, int, str]]:
        """(path, line number, text) of every line of ``ref`` a fact can come from."""
        if ref not in self._grep_cache:
            args = ["grep", "-n", "-I", "-E", GREP_PATTERN, ref, "--", *GREP_PATHS]
            result = subprocess.run([*self.git, *args], capture_output=True, text=True, check=False)
            if result.returncode not in (0, 1):  # 1: nothing matched
                raise UsageError(f"git grep at {ref}: {result.stderr.strip()}")
            lines = []
            for raw in result.stdout.splitlines():
                _, path, number, text = raw.split(":", 3)
                lines.append((path, int(number), text))
            self._grep_cache[ref] = lines
        return self._grep_cache[ref]


def version_key(tag: str) -> tuple[int, int, int]:
    match = _VERSION_TAG.fullmatch(tag)
    if not match:
        raise ValueError(f"not a release tag: {tag}")
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch)


def extract(lines: list[tuple[str, int, str]]) -> Facts:
    """The facts stated by grep lines of one tree (first definition wins, config.go first)."""
    facts = Facts()
    ordered = sorted(lines, key=lambda item: (item[0] != "internal/config/config.go", item[0], item[1]))
    for path, number, text in ordered:
        if text.lstrip().startswith("//"):
            continue  # comments name variables and routes that nothing reads
        code = text
        where = f"{path}:{number}"
        binary = _binary_of(path)
        if path.endswith(".go"):
            _env_facts(facts, code, where, binary)
            _flag_facts(facts, code, where, binary, path)
            _route_facts(facts, code, where, path)
            _metric_facts(facts, code, where, path)
        elif path in _IMAGES:
            _image_facts(facts, code.strip(), where, _IMAGES[path])
    return facts


def _binary_of(path: str) -> str:
    for prefix, binary in _BINARY_DIRS.items():
        if path.startswith(prefix):
            return binary
    return "server"  # internal/ packages are linked into the server (the CLI's client reads no env)


def _env_facts(facts: Facts, code: str, where: str, binary: str) -> None:
    for match in _ENV_CALL.finditer(code):
        name = match["name"]
        if match["suffix"]:
            name = f"{name}<NAME>{match['suffix']}"
        getter = match["getter"]
        kind = _GETTERS.get(getter, "string")
        if getter == "os.Getenv" and "EqualFold" in code[max(0, match.start() - 20) : match.start()]:
            kind = "bool"
        entry = facts.env.setdefault(
            name,
            {"binaries": [], "type": kind, "default": _go_default(match["default"]), "defined_at": where},
        )
        if binary not in entry["binaries"]:
            entry["binaries"].append(binary)


def _go_default(expression: str | None) -> str:
    """A Go default expression as the string an operator would write."""
    if expression is None or expression.strip() in ("", "nil", '""'):
        return ""
    expression = expression.strip()
    if expression.startswith('"') and expression.endswith('"'):
        return expression[1:-1]
    if expression.startswith("[]string{"):
        return ",".join(re.findall(r'"([^"]*)"', expression))
    factors = [part.strip() for part in expression.split("*")]
    seconds = 1
    is_duration = False
    for factor in factors:
        if factor in _DURATION_UNITS:
            seconds *= _DURATION_UNITS[factor]
            is_duration = True
        elif factor.isdigit():
            seconds *= int(factor)
        else:
            return expression
    if not is_duration:
        return str(seconds)
    for unit, size in (("h", 3600), ("m", 60), ("s", 1)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return expression


def _flag_facts(facts: Facts, code: str, where: str, binary: str, path: str) -> None:
    if not path.startswith("cmd/"):
        return
    for match in _FLAG_CALL.finditer(code):
        key = f"{binary} --{match['name']}"
        env = re.search(r"\"(CERTCTL_[A-Z0-9_]+)\"", code[match.end() :])
        facts.flags.setdefault(
            key,
            {
                "type": _FLAG_TYPES.get(match["type"], match["type"].lower()),
                "env": env.group(1) if env else None,
                "defined_at": where,
            },
        )


def _route_facts(facts: Facts, code: str, where: str, path: str) -> None:
    if path != "internal/api/router/router.go":
        return
    for match in _ROUTE.finditer(code):
        # Routes registered on the mux directly skip the authentication middleware.
        facts.endpoints.setdefault(
            match["route"], {"authenticated": match["how"] == ".Register", "defined_at": where}
        )


def _metric_facts(facts: Facts, code: str, where: str, path: str) -> None:
    if path != "internal/api/handler/metrics.go":
        return
    declared = _METRIC_TYPE.search(code)
    if declared:
        facts.metrics.setdefault(
            declared["name"], {"type": declared["type"], "labels": [], "defined_at": where}
        )
    for sample in _METRIC_SAMPLE.finditer(code):
        labels = re.findall(r"([a-z_]+)=", sample["labels"])
        base = re.sub(r"_(bucket|sum|count)$", "", sample["name"])
        for name in (sample["name"], base):
            if name in facts.metrics:
                known = facts.metrics[name]["labels"]
                known.extend(label for label in labels if label not in known)
                break


def _image_facts(facts: Facts, line: str, where: str, image: str) -> None:
    if line.startswith("USER "):
        facts.images.setdefault(f"{image} user", {"value": line.split()[1], "defined_at": where})
    elif line.startswith("EXPOSE "):
        facts.images.setdefault(f"{image} ports", {"value": line.split()[1:], "defined_at": where})
    elif line.startswith("ENTRYPOINT "):
        facts.images.setdefault(
            f"{image} entrypoint", {"value": yaml.safe_load(line[11:]), "defined_at": where}
        )
    elif uid := re.search(r"adduser .*-u (\d+)", line):
        facts.images.setdefault(f"{image} uid", {"value": int(uid.group(1)), "defined_at": where})
    elif chown := re.search(r"chown -R \S+ (.+?)\s*(?:&&|\\|$)", line):
        facts.images.setdefault(f"{image} writable", {"value": chown.group(1).split(), "defined_at": where})


def first_versions(
    repo: Repo, tags: list[str], keys: set[tuple[str, str]]
) -> dict[tuple[str, str], str | None]:
    """The earliest tag having each key (None: in no release), by bisection over ``tags``."""
    cache: dict[str, set[tuple[str, str]]] = {}

    def has(index: int, key: tuple[str, str]) -> bool:
        tag = tags[index]
        if tag not in cache:
            cache[tag] = extract(repo.grep(tag)).keys()
        return key in cache[tag]

    result: dict[tuple[str, str], str | None] = {}
    for key in sorted(keys):
        if not tags or not has(len(tags) - 1, key):
            result[key] = None
            continue
        low, high = 0, len(tags) - 1  # invariant: tags[high] has the key
        while low < high:
            middle = (low + high) // 2
            if has(middle, key):
                high = middle
            else:
                low = middle + 1
        result[key] = tags[high]
    return result


# ---- catalog files -------------------------------------------------------------------


def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _header(path: Path) -> str:
    """The comment block at the top of a catalog file, kept verbatim."""
    if not path.is_file():
        return ""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            break
        lines.append(line)
    header = "\n".join(lines).rstrip()
    return header + "\n\n" if header else ""


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(item) for item in value) + "]"
    text = str(value)
    if text and text.strip() == text and _reads_back_plain(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _reads_back_plain(text: str) -> bool:
    """Whether ``text`` written without quotes is read back by YAML as the same string."""
    try:
        return yaml.safe_load(f"key: {text}") == {"key": text}
    except yaml.YAMLError:
        return False


def _emit_list(name: str, entries: list[dict[str, Any]], group_by: str | None = None) -> str:
    out = [f"{name}:"] if entries else [f"{name}: []"]
    group = None
    for entry in entries:
        if group_by:
            current = str(entry.get(group_by) or "seed documents (in no release)").split(":")[0]
            if current != group:
                out.append(f"  # --- {current} ---")
                group = current
        first = True
        for key, value in entry.items():
            out.append(f"  {'- ' if first else '  '}{key}: {_scalar(value)}")
            first = False
    return "\n".join(out) + "\n"


def _source_order(entry: dict[str, Any]) -> tuple[int, str, int, str]:
    where = entry.get("defined_at")
    if not where:
        return (1, "", 0, entry["name"])
    path, _, line = where.rpartition(":")
    return (0, path, int(line), entry["name"])


def build_env(
    facts: Facts, since: dict[tuple[str, str], str | None], old: dict[str, Any]
) -> list[dict[str, Any]]:
    kept = {entry["name"]: entry for entry in old.get("variables") or []}
    entries = []
    for name, fact in facts.env.items():
        previous = kept.get(name, {})
        entry: dict[str, Any] = {
            "name": name,
            "binaries": fact["binaries"],
            # certctl reads some lists with os.Getenv and splits them itself: keep the curated "list".
            "type": "list" if fact["type"] == "string" and previous.get("type") == "list" else fact["type"],
            "default": fact["default"],
            "required": previous.get("required", False),
            "secret": previous.get("secret", False),
            "since": since[("env", name)],
            "defined_at": fact["defined_at"],
            "description": previous.get("description", TODO_DESCRIPTION),
        }
        for optional in ("values", "url_schemes", "ignored"):
            if optional in previous:
                entry[optional] = previous[optional]
        entries.append(entry)
    entries += [entry for entry in kept.values() if entry.get("seed") and entry["name"] not in facts.env]
    return sorted(entries, key=_source_order)


def build_metrics(
    facts: Facts, since: dict[tuple[str, str], str | None], old: dict[str, Any]
) -> list[dict[str, Any]]:
    kept = {entry["name"]: entry for entry in old.get("metrics") or []}
    entries = []
    for name, fact in facts.metrics.items():
        previous = kept.get(name, {})
        entries.append(
            {
                "name": name,
                "type": fact["type"],
                "labels": fact["labels"],
                "description": previous.get("description", TODO_DESCRIPTION),
                "source": previous.get("source", "memory"),
                "since": since[("metrics", name)],
                "defined_at": fact["defined_at"],
            }
        )
    return sorted(entries, key=_source_order)


def build_certctl(
    facts: Facts, since: dict[tuple[str, str], str | None], old: dict[str, Any], commit: str, tags: list[str]
) -> str:
    kept_flags = {entry["name"]: entry for entry in old.get("flags") or []}
    flags = [{"name": key, **fact, "since": since[("flags", key)]} for key, fact in facts.flags.items()]
    flags += [
        entry for entry in kept_flags.values() if entry.get("seed") and entry["name"] not in facts.flags
    ]
    endpoints = [
        {"name": key, **fact, "since": since[("endpoints", key)]} for key, fact in facts.endpoints.items()
    ]
    images = [{"name": key, **fact, "since": since[("images", key)]} for key, fact in facts.images.items()]
    return (
        f"commit: {commit}\n"
        f"versions: {_scalar(tags)}\n\n"
        + _emit_list("flags", sorted(flags, key=_source_order), "defined_at")
        + "\n"
        + _emit_list("endpoints", sorted(endpoints, key=_source_order))
        + "\n"
        + _emit_list("images", sorted(images, key=lambda entry: entry["name"]))
    )


def render_catalog(repo: Repo, ref: str, catalog_dir: Path) -> dict[Path, str]:
    """The catalog files as REF of ``repo`` states them, curated fields taken from ``catalog_dir``."""
    commit = repo.commit(ref)
    tags = repo.release_tags(commit)
    facts = extract(repo.grep(commit))
    since = first_versions(repo, tags, facts.keys())
    env_path, metrics_path, certctl_path = (
        catalog_dir / name for name in ("env.yaml", "metrics.yaml", "certctl.yaml")
    )
    old_env, old_metrics, old_certctl = _load(env_path), _load(metrics_path), _load(certctl_path)

    env_text = _header(env_path) + _emit_list("variables", build_env(facts, since, old_env), "defined_at")
    for section in ("rejected", "libpq", "exported_to_hooks"):
        env_text += "\n" + _emit_list(section, old_env.get(section) or [])
    metrics_text = _header(metrics_path) + _emit_list("metrics", build_metrics(facts, since, old_metrics))
    metrics_text += "\n" + _emit_list("not_exported", old_metrics.get("not_exported") or [])
    certctl_text = _header(certctl_path) + build_certctl(facts, since, old_certctl, commit, tags)
    return {env_path: env_text, metrics_path: metrics_text, certctl_path: certctl_text}


def main(
    argv: list[str] | None = None, catalog_dir: Path = CATALOG_DIR, out: Callable[[str], Any] = print
) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("certctl", type=Path, help="a certctl checkout or bare git directory")
    parser.add_argument("--ref", default="HEAD", help="commit or tag to read (default HEAD)")
    parser.add_argument("--write", action="store_true", help="rewrite the catalog instead of verifying it")
    args = parser.parse_args(argv)
    try:
        files = render_catalog(Repo(args.certctl), args.ref, catalog_dir)
    except UsageError as exc:
        print(f"certctl_catalog: {exc}", file=sys.stderr)
        return 2
    drift = False
    for path, text in files.items():
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if current == text:
            continue
        drift = True
        if args.write:
            path.write_text(text, encoding="utf-8")
            out(f"wrote {path}")
        else:
            out(
                "".join(
                    difflib.unified_diff(
                        current.splitlines(True), text.splitlines(True), str(path), "certctl"
                    )
                )
            )
    if args.write or not drift:
        out("catalog matches certctl" if not drift else "catalog refreshed; review the diff")
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
