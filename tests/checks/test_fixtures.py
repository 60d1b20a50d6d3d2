"""Every check on its pass and fail fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import FIXTURES, load_fixture, matches, run_fixture
from helpers import require_program

CASES = sorted(FIXTURES.glob("*/*.yaml"))


@pytest.mark.parametrize("path", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES])
def test_check_on_fixture(path: Path, tmp_path: Path) -> None:
    fixture = load_fixture(path)
    for program in fixture.get("requires", []):
        require_program(program)
    expected = fixture.get("findings") or []
    if path.stem.startswith("pass-"):
        assert not expected, "a pass fixture expects no findings"
    else:
        assert expected, "a fail fixture names the findings it expects"
    results = run_fixture(path.parent.name, fixture, tmp_path)
    assert len(results) == len(expected), [r.message for r in results]
    unmatched = list(results)
    for wanted in expected:
        match = next((r for r in unmatched if matches(r, wanted)), None)
        assert match is not None, (wanted, unmatched)
        unmatched.remove(match)
