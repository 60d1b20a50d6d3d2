"""Splitting and parsing Helm's rendered output (chartgen.manifests)."""

from __future__ import annotations

import re

import pytest

from chartgen.manifests import (
    Manifest,
    ManifestParseError,
    ParseFailure,
    parse_document,
    parse_rendered,
    split_documents,
)

CERT_MANAGER_STYLE = """\
---# Source: certctl/templates/a.yaml
apiVersion: v1
kind: ServiceAccount
---# Source: certctl/templates/b.yaml
apiVersion: v1
kind: ConfigMap
"""


def test_split_accepts_separator_followed_by_comment() -> None:
    assert split_documents(CERT_MANAGER_STYLE) == [
        (1, "# Source: certctl/templates/a.yaml\napiVersion: v1\nkind: ServiceAccount"),
        (4, "# Source: certctl/templates/b.yaml\napiVersion: v1\nkind: ConfigMap"),
    ]


def test_documents_after_a_separator_with_a_comment_are_two_objects() -> None:
    # The YAML stream grammar reads "---#" as part of a key; Helm's split (ours) does not.
    manifests, failures = parse_rendered({"certctl/templates/a.yaml": CERT_MANAGER_STYLE})
    assert not failures
    assert [(m.obj["kind"], m.line) for m in manifests] == [("ServiceAccount", 1), ("ConfigMap", 4)]


# Helm's own separator (pkg/releaseutil/manifest.go), with Go's ASCII-only \s.
HELM_SEPARATOR = re.compile(r"(?:^|[\t\n\f\r ]*\n)---[\t\n\f\r ]*")


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\n---\nb: 2\n",
        "---a: 1\n---   b: 2",
        "a: 1\n---\n---\nb: 2\n",
        "a: |\n  x\n  ---\n---b: 1\n",
        "  \n\n---  \t\na: 1\n\n  ---\nb: 2\n--- \n\n",
        "a: x---\n--- ---\nb: 1\n-----BEGIN\n",
    ],
)
def test_split_finds_the_same_documents_as_helms_regex(text: str) -> None:
    expected = [document.strip() for document in HELM_SEPARATOR.split(text) if document.strip()]

    assert [document for _, document in split_documents(text)] == expected


def test_split_reports_the_first_non_blank_line_of_each_document() -> None:
    text = "\n\n# leading comment\nkind: A\n---\n\n\n  kind: B\n---   \nkind: C\n\n"

    assert split_documents(text) == [(3, "# leading comment\nkind: A"), (8, "kind: B"), (10, "kind: C")]


def test_split_drops_blank_and_comment_only_documents() -> None:
    # "---\n---" leaves a bare "---" between the separators, as it does in Helm.
    text = "---\n---\n   \n---\n# only a comment\n  # another\n---\nkind: A\n---\n"

    assert split_documents(text) == [(8, "kind: A")]


def test_split_needs_the_separator_at_the_start_of_a_line() -> None:
    text = "data:\n  banner: a---b\n  pem: |\n    -----BEGIN CERTIFICATE-----\n"

    assert split_documents(text) == [(1, text.strip())]


def test_parse_document_returns_plain_data() -> None:
    assert parse_document("kind: ConfigMap\ndata:\n  a: '1'\n  b: [x, y]\n") == {
        "kind": "ConfigMap",
        "data": {"a": "1", "b": ["x", "y"]},
    }


def test_duplicate_key_is_reported_with_its_position() -> None:
    with pytest.raises(ManifestParseError) as caught:
        parse_document("metadata:\n  name: a\n  labels: {}\n  name: b\n")

    assert (caught.value.message, caught.value.line, caught.value.column) == ("duplicate key 'name'", 4, 3)


def test_merge_keys_may_be_overridden() -> None:
    assert parse_document("base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  x: 3\n")["derived"] == {
        "x": 3,
        "y": 2,
    }


def test_syntax_error_has_line_and_column() -> None:
    with pytest.raises(ManifestParseError) as caught:
        parse_document("kind: Service\nspec:\n  ports:\n  - port: 80\n   name: http\n")

    assert (caught.value.line, caught.value.column) == (5, 4)
    assert caught.value.message == "while parsing a block mapping: did not find expected key"
    assert str(caught.value).startswith("5:4: ")


def test_bad_character_position_counts_characters_not_bytes() -> None:
    with pytest.raises(ManifestParseError) as caught:
        parse_document("name: ok\nnote: café \x07\n")

    assert (caught.value.line, caught.value.column) == (2, 12)
    assert caught.value.message.startswith("unacceptable character #x0007")


def test_scalars_are_read_as_go_yaml_reads_them() -> None:
    # Kubernetes sees these as strings; PyYAML's defaults would make a date or fail.
    assert parse_document("created: 2024-01-01\nseparator: =\n") == {
        "created": "2024-01-01",
        "separator": "=",
    }


RENDERED = {
    "certctl/templates/server-deployment.yaml": (
        "# Source: certctl/templates/server-deployment.yaml\n"
        "apiVersion: apps/v1\n"
        "kind: Deployment\n"
        "metadata:\n"
        "  name: server\n"
        "  name: again\n"
        "---\n"
        "apiVersion: v1\n"
        "kind: Service\n"
        "---\n"
        "just a string\n"
        "---\n"
        "{}\n"
        "---\n"
        "kind: [unclosed\n"
        "---\n"
        "apiVersion: v1\n"
        "kind: ConfigMap\n"
    ),
    "certctl/templates/NOTES.txt": "Thank you for installing: {{ broken\n",
    "certctl/templates/_helpers.tpl": "{{- define x -}}: [\n",
    "certctl/charts/sub/templates/_more.tpl": "a: [\n",
    "certctl/templates/a-serviceaccount.yaml": "---\napiVersion: v1\nkind: ServiceAccount\n",
}


def test_parse_rendered_keeps_going_past_broken_documents() -> None:
    manifests, failures = parse_rendered(RENDERED)

    assert manifests == [
        Manifest(
            "certctl/templates/a-serviceaccount.yaml", 2, 0, {"apiVersion": "v1", "kind": "ServiceAccount"}
        ),
        Manifest("certctl/templates/server-deployment.yaml", 8, 1, {"apiVersion": "v1", "kind": "Service"}),
        Manifest(
            "certctl/templates/server-deployment.yaml", 17, 5, {"apiVersion": "v1", "kind": "ConfigMap"}
        ),
    ]
    assert [(failure.template, failure.line) for failure in failures] == [
        ("certctl/templates/server-deployment.yaml", 6),
        ("certctl/templates/server-deployment.yaml", 11),
        ("certctl/templates/server-deployment.yaml", 16),
    ]
    assert failures[0] == ParseFailure("certctl/templates/server-deployment.yaml", 6, "duplicate key 'name'")
    assert failures[1].message == "expected a mapping, found str"


def test_parse_rendered_skips_notes_and_partials() -> None:
    not_manifests = {name: text for name, text in RENDERED.items() if "/_" in name or "NOTES" in name}

    manifests, failures = parse_rendered(not_manifests)

    assert (manifests, failures) == ([], [])


def test_parse_rendered_skips_null_and_empty_documents_but_keeps_indices() -> None:
    manifests, failures = parse_rendered({"c/templates/x.yaml": "null\n---\n{}\n---\nkind: A\n"})

    assert (manifests, failures) == ([Manifest("c/templates/x.yaml", 5, 2, {"kind": "A"})], [])
