"""Meta-tests: every check is documented, named, coded and has fixtures."""

from __future__ import annotations

import dataclasses
import re

import pytest
from harness import FIXTURES
from helpers import ROOT

from chartgen.checks import CODE_PATTERN, ID_PATTERN, all_checks
from chartgen.checks.docs import markdown

CHECKS = all_checks()
FAMILY_PREFIX = {
    "render": "RND",
    "values": "VAL",
    "helm": "HLM",
    "kubernetes": "K8S",
    "engine": "ENG",
    "security": "SEC",
    "references": "REF",
    "monitoring": "MON",
    "contract": "CON",
}


def test_ids_and_codes_are_unique() -> None:
    assert len({c.id for c in CHECKS}) == len(CHECKS)
    assert len({c.code for c in CHECKS}) == len(CHECKS)


@pytest.mark.parametrize("check", CHECKS, ids=[c.id for c in CHECKS])
def test_metadata_is_complete(check) -> None:
    assert ID_PATTERN.match(check.id), "ids are kebab-case and name the problem"
    assert CODE_PATTERN.match(check.code)
    assert check.code.startswith(FAMILY_PREFIX[check.family]), "the code's prefix names the family"
    assert check.module.endswith("." + check.id.replace("-", "_")), "one module per check, named after it"
    assert check.description.endswith(".") and check.description[0].isupper()
    assert len(re.findall(r"[.!?](\s|$)", check.description)) == 1, "the description is one sentence"
    assert check.remediation.endswith(".") and check.remediation[0].isupper()


@pytest.mark.parametrize("check", CHECKS, ids=[c.id for c in CHECKS])
def test_docstring_has_the_fixed_sections_in_order(check) -> None:
    headings = re.findall(r"^## (.+)$", check.doc, flags=re.M)
    assert headings == list(check.doc_sections)
    for section in re.split(r"^## .+$", check.doc, flags=re.M)[1:]:
        assert section.strip(), "no empty section"


@pytest.mark.parametrize("check", CHECKS, ids=[c.id for c in CHECKS])
def test_options_are_a_frozen_dataclass_documented_option_by_option(check) -> None:
    assert dataclasses.is_dataclass(check.options) and check.options.__dataclass_params__.frozen
    documented = re.findall(r"^- `([a-z_]+)` \(", check.doc.split("## Options")[-1], flags=re.M)
    names = [field.name for field in dataclasses.fields(check.options)]
    assert documented == (names if names else []), "the Options section lists each option, in order"


@pytest.mark.parametrize("check", CHECKS, ids=[c.id for c in CHECKS])
def test_every_check_has_pass_and_fail_fixtures(check) -> None:
    directory = FIXTURES / check.id
    assert list(directory.glob("pass-*.yaml")), f"add {directory}/pass-<case>.yaml"
    assert list(directory.glob("fail-*.yaml")), f"add {directory}/fail-<case>.yaml"


def test_no_fixture_directory_without_a_check() -> None:
    ids = {c.id for c in CHECKS}
    assert sorted(p.name for p in FIXTURES.iterdir() if p.name not in ids) == []


def test_docs_checks_md_is_current() -> None:
    committed = (ROOT / "docs" / "checks.md").read_text()
    assert committed == markdown(), "run: chartgen checks list --format markdown --output docs/checks.md"
