"""Fixtures that run what the chart ships (see shipped.py): a throwaway PostgreSQL and a moto
S3 server per session, started on first use and stopped at the end even when a test fails."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from shipped import S3, Postgres, Runner, moto_server, shared_tempdir, throwaway_postgres


@pytest.fixture
def runner() -> Iterator[Runner]:
    with shared_tempdir("chartgen-run-") as workdir:
        yield Runner(workdir)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    with shared_tempdir("chartgen-pg-") as base, throwaway_postgres(base) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3]:
    with moto_server(tmp_path_factory.mktemp("moto")) as server:
        yield server
