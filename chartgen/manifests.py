"""Turn Helm's rendered templates into Kubernetes objects with their source lines.

Documents are split exactly as Helm splits them (``releaseutil.SplitManifests``),
not by the YAML stream grammar: Helm accepts ``---# comment`` separators, which
``yaml.safe_load_all`` rejects, and a linter must see what Helm will apply.

Each document is then parsed on its own, so one broken document is reported
with its template and line while the others are still checked. Parsing is
stricter than PyYAML's default (duplicate keys are errors: the API server
would silently keep only one) and follows Go's YAML reading where PyYAML
differs, because Kubernetes is what consumes the output.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import Node

# Helm splits on the regex "(?:^|\s*\n)---\s*". Python's regex engine tries
# that pattern at every character (about 40 ns each); searching for the literal
# "\n---" instead finds the same separators some 30x faster.
_WHITESPACE = re.compile(r"[\t\n\f\r ]*")  # Go's \s
_MERGE_TAG = "tag:yaml.org,2002:merge"


class ManifestParseError(ValueError):
    """A YAML document that cannot be parsed; ``line``/``column`` are 1-based within the document."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"{line}:{column}: {message}")
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Manifest:
    """One object from a rendered template; ``line`` is where its document starts in the rendered text."""

    template: str
    line: int
    index: int
    obj: dict[str, Any]


@dataclass(frozen=True)
class ParseFailure:
    """A document that did not yield an object; ``line`` is absolute in the template's rendered text."""

    template: str
    line: int
    message: str


def split_documents(text: str) -> list[tuple[int, str]]:
    """Split rendered text into ``(start line, document)`` pairs the way Helm does.

    Like Helm, each document is stripped of surrounding whitespace; documents
    holding only whitespace and comments are dropped. The line number is that
    of the document's first non-blank line (1-based).
    """
    documents = []
    line, counted_to = 1, 0
    for begin, end in _document_spans(text):
        piece = text[begin:end]
        body = piece.strip()
        if _is_blank(body):
            continue
        first = begin + len(piece) - len(piece.lstrip())
        line += text.count("\n", counted_to, first)  # counted incrementally: rendered files can be large
        counted_to = first
        documents.append((line, body))
    return documents


def _document_spans(text: str) -> list[tuple[int, int]]:
    """``(begin, end)`` of the text around each separator (surrounding whitespace included)."""
    spans = []
    start = 0
    while (dashes := _next_separator(text, start)) != -1:
        spans.append((start, dashes))
        blank = _WHITESPACE.match(text, dashes + 3)
        assert blank is not None  # the pattern accepts the empty string
        start = blank.end()
    spans.append((start, len(text)))
    return spans


def _next_separator(text: str, start: int) -> int:
    """Index of the next separator's "---" at or after ``start``, or -1.

    A separator is "---" at the very start, or after a newline that is not
    part of the previous separator (so "---\n---" is one separator and a bare
    "---", exactly as with Helm's regex).
    """
    if start == 0 and text.startswith("---"):
        return 0
    newline = text.find("\n---", start)
    return newline + 1 if newline != -1 else -1


def _is_blank(document: str) -> bool:
    # A bare "---" survives splitting when separators follow each other
    # ("---\n---"): the first match eats the newline the second one needs.
    # Helm parses it as an empty document, so it is as blank as a comment.
    return all(_is_blank_line(line) for line in document.splitlines())


def _is_blank_line(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#") or stripped == "---"


class _ManifestLoader(yaml.CSafeLoader):
    """libyaml-backed safe loader that rejects duplicate keys and reads scalars as Go does."""

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        own_pairs = list(node.value)  # before "<<" merges are spliced in
        mapping = super().construct_mapping(node, deep=deep)
        # Only when pairs collapsed (a duplicate, or an allowed override of a
        # merged key) is it worth looking at the keys again.
        if len(mapping) < len(node.value):
            self._reject_duplicate_keys(own_pairs)
        return mapping

    def _reject_duplicate_keys(self, pairs: list[tuple[Node, Node]]) -> None:
        seen: set[Any] = set()
        for key_node, _ in pairs:
            if key_node.tag == _MERGE_TAG:
                continue
            key = self.construct_object(key_node)  # memoised: returns the key already built
            try:
                duplicate = key in seen
            except TypeError:
                continue  # unhashable key: the base constructor reports it
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)


# Go's YAML (behind sigs.k8s.io/yaml) keeps timestamp-looking scalars such as
# 2024-01-01 as strings, so the API server sees strings; PyYAML would make them
# dates, which are not JSON and would fail schema validation spuriously.
_ManifestLoader.add_constructor("tag:yaml.org,2002:timestamp", _ManifestLoader.construct_yaml_str)
# PyYAML resolves a bare "=" to the YAML 1.1 "value" type and then has no
# constructor for it; Go reads it as the string "=".
_ManifestLoader.add_constructor("tag:yaml.org,2002:value", _ManifestLoader.construct_yaml_str)


def parse_document(text: str) -> object:
    """Parse one YAML document; raise ``ManifestParseError`` for bad syntax or duplicate keys."""
    try:
        return yaml.load(text, Loader=_ManifestLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = f"{exc.context}: {exc.problem}" if exc.context else str(exc.problem)
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ManifestParseError(message, line, column) from None
    except yaml.reader.ReaderError as exc:
        # libyaml reports bad characters only by their offset into the UTF-8 bytes.
        before = text.encode()[: exc.position].decode(errors="ignore")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise ManifestParseError(f"unacceptable character #x{code:04x}: {exc.reason}", line, column) from None


def parse_rendered(rendered: dict[str, str]) -> tuple[list[Manifest], list[ParseFailure]]:
    """Parse Helm's render output ``{template path: text}`` into objects and failures.

    Templates are visited in sorted order so results are deterministic. The items of a
    ``kind: List`` are objects of their own.
    ``NOTES.txt`` and partials (``_*.tpl``) are not manifests and are skipped,
    as are empty documents.
    """
    manifests: list[Manifest] = []
    failures: list[ParseFailure] = []
    for template in sorted(rendered):
        if not _is_manifest_template(template):
            continue
        for index, (line, text) in enumerate(split_documents(rendered[template])):
            try:
                obj = parse_document(text)
            except ManifestParseError as exc:
                failures.append(ParseFailure(template, line + exc.line - 1, exc.message))
                continue
            if obj is None or obj == {}:
                continue
            if isinstance(obj, dict):
                manifests += [Manifest(template, line, index, item) for item in _flattened(obj)]
            else:
                failures.append(
                    ParseFailure(template, line, f"expected a mapping, found {type(obj).__name__}")
                )
    return manifests, failures


def _flattened(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """A ``kind: List`` document as the objects it holds (Helm's client applies each item, so
    each is checked); any other object as itself."""
    if obj.get("kind") == "List" and isinstance(obj.get("items"), list):
        return [item for item in obj["items"] if isinstance(item, dict) and item]
    return [obj]


def _is_manifest_template(template: str) -> bool:
    name = posixpath.basename(template)
    return name != "NOTES.txt" and not name.startswith("_")
