"""The rendered dump.sh against a real PostgreSQL, as the PVC CronJob runs it: the dump restores
to the same rows, retention keeps the newest, and every failure (wrong password, database down,
unwritable directory, full volume) exits non-zero, leaves no partial file, keeps the kept dumps
as they were, and the next good run recovers."""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from shipped import FIRST_RUN_EPOCH, Backup, Postgres, Runner, pg_program, render_backup

DAY = 86_400
PASSWORD = "certctl-db-password"
ROWS = 3000


@pytest.fixture(scope="module")
def backup() -> Backup:
    return render_backup({"retention": 3})


@pytest.fixture(scope="module")
def database(postgres: Postgres, backup: Backup) -> str:
    """The database and owner the chart's dump container names, with certctl-like rows."""
    env = backup.env("dump")
    name, user = env["PGDATABASE"], env["PGUSER"]
    postgres.sql(f"CREATE ROLE {user} LOGIN PASSWORD '{PASSWORD}'")
    postgres.sql(f"CREATE DATABASE {name} OWNER {user}")
    postgres.sql(
        f"SET ROLE {user};"
        "CREATE TABLE managed_certificates (id text PRIMARY KEY, common_name text, pem text);"
        "CREATE TABLE agents (id text PRIMARY KEY, last_heartbeat_at timestamptz);"
        "INSERT INTO managed_certificates SELECT 'mc-' || i, 'host' || i || '.example.com',"
        f"  repeat(md5(i::text), 8) FROM generate_series(1, {ROWS}) i;"
        "INSERT INTO agents SELECT 'agent-' || i, now() FROM generate_series(1, 20) i;",
        database=name,
    )
    return name


def fingerprint(postgres: Postgres, database: str) -> str:
    return postgres.sql(
        "SELECT (SELECT count(*) || ':' || md5(string_agg(id || common_name || pem, ',' ORDER BY id))"
        " FROM managed_certificates) || '/' || (SELECT count(*) FROM agents)",
        database=database,
    )


class Dumps:
    """dump.sh with the CronJob's environment, pointed at the test's database and directory."""

    def __init__(self, backup: Backup, postgres: Postgres, runner: Runner, directory: Path) -> None:
        self.backup, self.postgres, self.runner, self.directory = backup, postgres, runner, directory
        self.runs = 0

    def run(self, password: str = PASSWORD) -> subprocess.CompletedProcess[str]:
        env = self.backup.env("dump")
        assert env["DUMP_DIR"] == "/backup" and env["RETENTION"] == "3"
        env.update(self.postgres.env(env["PGDATABASE"], env["PGUSER"], password))
        env.update(DUMP_DIR=str(self.directory), CHARTGEN_TEST_EPOCH=str(FIRST_RUN_EPOCH + self.runs * DAY))
        self.runs += 1
        return self.runner.run(self.backup.script("dump.sh"), env)

    def kept(self) -> dict[str, str]:
        """Every file in the directory with a digest of its content."""
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(self.directory.iterdir())}


@pytest.fixture
def dumps(backup: Backup, postgres: Postgres, runner: Runner, database: str) -> Dumps:
    directory = runner.workdir / "backup"
    directory.mkdir()
    return Dumps(backup, postgres, runner, runner.give(directory))


def test_the_dump_restores_to_the_same_rows(dumps: Dumps, postgres: Postgres, database: str) -> None:
    done = dumps.run()
    assert done.returncode == 0, done.stderr
    [name] = dumps.kept()
    assert name == "certctl-20260101T000000Z.dump"
    assert f"wrote {dumps.directory / name}" in done.stdout
    postgres.sql("DROP DATABASE IF EXISTS restored")
    postgres.sql("CREATE DATABASE restored")
    restore = subprocess.run(
        [
            *(
                ["setpriv", "--reuid", postgres.user, "--regid", postgres.user, "--clear-groups"]
                if postgres.user
                else []
            ),
            pg_program("pg_restore"),
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            f"--host={postgres.socket_dir}",
            f"--port={postgres.port}",
            "--username=postgres",
            "--dbname=restored",
            str(dumps.directory / name),
        ],
        env={"PGPASSWORD": postgres.superuser_password, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert restore.returncode == 0, restore.stderr
    assert fingerprint(postgres, "restored") == fingerprint(postgres, database)
    assert fingerprint(postgres, "restored").startswith(f"{ROWS}:")


def test_retention_keeps_the_newest_dumps(dumps: Dumps) -> None:
    for _ in range(5):
        done = dumps.run()
        assert done.returncode == 0, done.stderr
    assert list(dumps.kept()) == [
        "certctl-20260103T000000Z.dump",
        "certctl-20260104T000000Z.dump",
        "certctl-20260105T000000Z.dump",
    ]
    assert "pruned" in done.stdout


def test_a_killed_runs_partial_file_is_removed_by_the_next_run(dumps: Dumps) -> None:
    assert dumps.run().returncode == 0
    # One killed longer ago than a run may last (activeDeadlineSeconds), one maybe still running.
    stale_minutes = int(dumps.backup.env("dump")["PARTIAL_STALE_MINUTES"])
    assert stale_minutes * 60 > 3600  # the default activeDeadlineSeconds
    leftover = dumps.directory / "certctl-20251231T000000Z.dump.partial"
    recent = dumps.directory / "certctl-20251231T120000Z.dump.partial"
    for path in (leftover, recent):
        path.write_bytes(b"half a dump")
    old = time.time() - (stale_minutes + 1) * 60
    os.utime(leftover, (old, old))
    done = dumps.run()
    assert done.returncode == 0, done.stderr
    assert not leftover.exists() and recent.exists()
    assert len([name for name in dumps.kept() if name.endswith(".dump")]) == 2


# --- failures ----------------------------------------------------------------------------------


@contextlib.contextmanager
def wrong_password(dumps: Dumps, postgres: Postgres) -> Iterator[dict[str, str]]:
    yield {"password": "not-the-password"}


@contextlib.contextmanager
def database_down(dumps: Dumps, postgres: Postgres) -> Iterator[dict[str, str]]:
    postgres.stop()
    try:
        yield {}
    finally:
        postgres.start()


@contextlib.contextmanager
def unwritable_directory(dumps: Dumps, postgres: Postgres) -> Iterator[dict[str, str]]:
    os.chown(dumps.directory, 0, 0)
    try:
        yield {}
    finally:
        dumps.runner.give(dumps.directory)


@contextlib.contextmanager
def full_volume(dumps: Dumps, postgres: Postgres) -> Iterator[dict[str, str]]:
    """Something else filled the volume: less than half a dump is free."""
    newest = max(p.stat().st_size for p in dumps.directory.glob("certctl-*.dump"))
    filler = dumps.directory / "filler"
    stats = os.statvfs(dumps.directory)
    filler.write_bytes(b"\0" * (stats.f_bavail * stats.f_frsize - newest // 2))
    try:
        yield {}
    finally:
        filler.unlink()


@contextlib.contextmanager
def small_volume(directory: Path) -> Iterator[None]:
    """A 4 MiB tmpfs on the dump directory (mounting needs root, as in CI)."""
    if os.geteuid() != 0:
        require_root = "mounting a small volume for the full-volume case needs root"
        if os.environ.get("CI") == "true":
            pytest.fail(require_root)
        pytest.skip(require_root)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", str(directory)], check=True, timeout=30
    )
    try:
        yield
    finally:
        subprocess.run(["umount", "--lazy", str(directory)], check=False, timeout=30)


FAILURES: dict[
    str, tuple[Callable[[Dumps, Postgres], contextlib.AbstractContextManager[dict[str, str]]], str]
] = {
    "wrong password": (wrong_password, "password authentication failed"),
    "database down": (database_down, "failed"),
    "unwritable directory": (unwritable_directory, "is not a writable directory"),
    "full volume": (full_volume, "No space left on device"),
}


@pytest.mark.parametrize("failure", list(FAILURES))
def test_a_failed_run_changes_nothing_and_the_next_run_recovers(
    failure: str, dumps: Dumps, postgres: Postgres
) -> None:
    breaks, says = FAILURES[failure]
    with contextlib.ExitStack() as stack:
        if failure == "full volume":
            stack.enter_context(small_volume(dumps.directory))
            dumps.runner.give(dumps.directory)
        for _ in range(2):
            good = dumps.run()
            assert good.returncode == 0, good.stderr
        before = dumps.kept()
        with breaks(dumps, postgres) as arguments:
            failed = dumps.run(**arguments)
            kept = {name: digest for name, digest in dumps.kept().items() if name != "filler"}
        assert failed.returncode != 0
        assert "dump.sh: " in failed.stderr and says in failed.stderr, failed.stderr
        assert kept == before, "a failed run left a partial file or touched a kept dump"
        recovered = dumps.run()
        assert recovered.returncode == 0, recovered.stderr
        assert len(dumps.kept()) == 3 and set(before) < set(dumps.kept())
