"""Map a finding inside a rendered object back to a line of its template source.

Helm does not say which template line produced which output line, so this is a
best effort that is right for the common case: find the rendered line of the
finding's path, then the template line that wrote it — the same literal text,
or else the same key — choosing the candidate nearest the expected position.
Lines the template did not write literally (values dumped with toYaml) walk up
to the nearest line it did write, e.g. ``env:`` for a broken env entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from chartgen.manifests import Manifest, split_documents

_PATH_TOKEN = re.compile(r'\.?([^.\[\]"]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]')


def parse_path(path: str) -> list[str | int]:
    """``spec.containers[0].env`` or ``metadata.labels["a.b/c"]`` → its keys and indexes."""
    parts: list[str | int] = []
    for name, index, quoted in _PATH_TOKEN.findall(path):
        if index:
            parts.append(int(index))
        else:
            parts.append(quoted if quoted else name)
    return parts


def rendered_line(document: str, path: str) -> int:
    """The 1-based line in ``document`` where ``path`` is written (its key), or 1."""
    try:
        node = yaml.compose(document, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return 1
    line = 1
    for part in parse_path(path):
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            match = next(((k, v) for k, v in node.value if getattr(k, "value", None) == part), None)
            if match is None:
                break
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def source_line(source: str, document: str, line_in_document: int, kind: str | None = None) -> int:
    """The template source line that most likely wrote ``line_in_document`` of ``document``.

    Literal template lines keep their indentation in the output, so a candidate at the same
    indentation is trusted first; a rendered line no template line wrote literally (toYaml
    output) walks up to the nearest one that was, and then points at the expression after it.
    """
    raw_source = source.splitlines()
    source_lines = [text.strip() for text in raw_source]
    indents = [len(text) - len(text.lstrip()) for text in raw_source]
    rendered = document.splitlines()
    anchor = _anchor(source_lines, kind, rendered)
    for index in range(min(line_in_document, len(rendered)) - 1, -1, -1):
        text = rendered[index].strip()
        if not text:
            continue
        indent = len(rendered[index]) - len(rendered[index].lstrip())
        key = _key(text)
        exact = [n for n in range(anchor, len(source_lines)) if source_lines[n] == text]
        keyed = [n for n in range(anchor, len(source_lines)) if key and _key(source_lines[n]) == key]
        candidates = (
            [n for n in exact if indents[n] == indent]
            or [n for n in keyed if indents[n] == indent]
            or (exact if index == 0 else [])
        )
        if candidates:
            estimate = anchor + index
            best = min(candidates, key=lambda n: (abs(n - estimate), n))
            walked_up = index < line_in_document - 1
            # Output no template line wrote literally comes from the expression that follows
            # (a Helm action, or a chartgen Jinja2 macro call "[[ ... ]]").
            if walked_up and best + 1 < len(source_lines) and _is_expression(source_lines[best + 1]):
                return best + 2
            return best + 1
    return anchor + 1


def _anchor(source_lines: list[str], kind: str | None, rendered: list[str]) -> int:
    """Where the object starts in the source: the ``kind:`` line of the source document (between
    ``---`` separators) that wrote most of the rendered document's lines literally, so a template
    that repeats text (four ClusterRoles in one file) anchors each object on its own document;
    else the top."""
    starts = [number for number, text in enumerate(source_lines) if kind and text == f"kind: {kind}"]
    if not starts:
        return 0
    wanted = {text.strip() for text in rendered if text.strip()}
    separators = [number for number, text in enumerate(source_lines) if text.startswith("---")]

    def written(start: int) -> int:
        first = max((s for s in separators if s < start), default=-1) + 1
        last = min((s for s in separators if s > start), default=len(source_lines))
        return sum(1 for number in range(first, last) if source_lines[number] in wanted)

    best = max(starts, key=lambda start: (written(start), -start))
    return max(0, best - 1)


def _is_expression(text: str) -> bool:
    return "{{" in text or text.startswith("[[")


def _key(text: str) -> str:
    text = text.removeprefix("- ").strip()
    if text.startswith(("{{", "#")) or ":" not in text:
        return ""
    return text.split(":", 1)[0].strip().strip("\"'")


class TemplateLocator:
    """Turns Helm template paths into repository paths and object findings into source lines."""

    def __init__(self, chart_dir: Path, root: Path) -> None:
        self.chart_dir = chart_dir
        self.root = root
        self._sources: dict[str, str | None] = {}
        self._texts: dict[Path, str | None] = {}

    def jinja_source(self, file: str, line: int | None) -> str:
        """In a chartgen project, the Jinja2 source line behind a line of a generated template
        (``templates/components/server/deployment.yaml.j2:30`` for
        ``templates/server-deployment.yaml:42``), found as ``source_line`` finds a template line
        behind rendered output; "" when the file was not generated from a component source."""
        generated = self.root / file
        if line is None or generated.parent.resolve() != (self.chart_dir / "templates").resolve():
            return ""
        components = self.root / "templates" / "components"
        name, suffix = generated.name.split(".", 1)[0], generated.name.split(".", 1)[-1]
        for cut in (i for i, char in enumerate(name) if char == "-"):
            jinja = components / name[:cut] / f"{name[cut + 1 :]}.{suffix}.j2"
            source, output = self._text(jinja), self._text(generated)
            if source is not None and output is not None:
                number = source_line(source, output, line)
                return f"{jinja.relative_to(self.root).as_posix()}:{number}"
        return ""

    def _text(self, path: Path) -> str | None:
        if path not in self._texts:
            self._texts[path] = path.read_text(encoding="utf-8") if path.is_file() else None
        return self._texts[path]

    def path_of(self, helm_template: str) -> Path:
        # Helm names templates "<chart name>/templates/x.yaml"; the first part is the chart.
        return self.chart_dir / helm_template.split("/", 1)[-1]

    def file_for(self, helm_template: str) -> str:
        path = self.path_of(helm_template)
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def source(self, helm_template: str) -> str | None:
        if helm_template not in self._sources:
            path = self.path_of(helm_template)
            self._sources[helm_template] = path.read_text(encoding="utf-8") if path.is_file() else None
        return self._sources[helm_template]

    def locate_object(
        self, manifest: Manifest, rendered: Mapping[str, str], path: str
    ) -> tuple[str, int | None]:
        """File and source line of ``path`` inside a rendered object."""
        document = next(
            (
                body
                for start, body in split_documents(rendered.get(manifest.template, ""))
                if start == manifest.line
            ),
            None,
        )
        source = self.source(manifest.template)
        file = self.file_for(manifest.template)
        if document is None or source is None:
            return file, manifest.line
        line = rendered_line(document, path) if path else 1
        return file, source_line(source, document, line, str(manifest.obj.get("kind", "")) or None)

    def source_line_of(self, helm_template: str, rendered_text: str, line: int) -> int:
        """The source line behind ``line`` of a template's rendered text."""
        source = self.source(helm_template)
        return source_line(source, rendered_text, line) if source else line
