"""Run what the chart ships: the rendered backup objects, a throwaway PostgreSQL (unix socket
only), a moto S3 server on 127.0.0.1, and scripts run as an unprivileged user with exactly the
environment their container gets. The fixtures in conftest.py wrap these.

Every service listens on loopback or a unix socket in a temporary directory, is bounded in time,
and is stopped in a ``finally`` even when the test fails.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers import env_of, find, objects, require_program, with_minimal

SERVICE_START_SECONDS = 30
SCRIPT_SECONDS = 60
PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
# A fixed "now" for dump.sh (through a `date` shim), so runs a second apart get distinct names.
FIRST_RUN_EPOCH = 1_767_225_600  # 2026-01-01T00:00:00Z


def pg_program(name: str) -> str:
    """A PostgreSQL server program: on Debian they live in /usr/lib/postgresql/<version>/bin."""
    for directory in PG_BIN_DIRS:
        if (directory / name).is_file():
            return str(directory / name)
    return require_program(name)


# --- the chart ---------------------------------------------------------------------------------


@dataclass
class Backup:
    """The backup objects of one render: the scripts and each container's environment."""

    objects: list[dict[str, Any]]

    @property
    def pod(self) -> dict[str, Any]:
        return find(self.objects, "CronJob")["spec"]["jobTemplate"]["spec"]["template"]["spec"]

    def script(self, name: str) -> str:
        return find(self.objects, "ConfigMap", "certctl-backup")["data"][name]

    def env(self, container: str) -> dict[str, str]:
        """The container's literal environment; values from Secrets are left to the test."""
        spec = next(
            c for c in self.pod.get("initContainers", []) + self.pod["containers"] if c["name"] == container
        )
        return {name: entry["value"] for name, entry in env_of(spec).items() if "value" in entry}


def render_backup(overlay: dict[str, Any]) -> Backup:
    return Backup(objects(with_minimal({"backup": {"enabled": True, **overlay}})))


# --- running a script as its container would ------------------------------------------------


class Runner:
    """Runs shell scripts as an unprivileged user (the backup pod runs as UID 70, not root:
    root would ignore file permissions), with exactly the environment given plus PATH."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.user = "postgres" if os.geteuid() == 0 else None
        self.shims = workdir / "shims"
        self.shims.mkdir(exist_ok=True)
        # `date` answers with the test's clock when CHARTGEN_TEST_EPOCH is set.
        real_date = shutil.which("date") or "/bin/date"
        shim = self.shims / "date"
        shim.write_text(f'#!/bin/sh\nexec {real_date} -d "@$CHARTGEN_TEST_EPOCH" "$@"\n')
        shim.chmod(0o755)
        self.path = os.pathsep.join(
            [str(self.shims), *map(str, PG_BIN_DIRS), str(Path(sys.executable).parent), "/usr/bin", "/bin"]
        )

    def give(self, path: Path) -> Path:
        """Hand a directory to the user the scripts run as."""
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(path, entry.pw_uid, entry.pw_gid)
        return path

    def run(
        self, script: str, env: dict[str, str], *, unprivileged: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """``unprivileged=False`` is for programs only the test's user can reach (the aws CLI in
        a virtualenv under /root); file permissions do not matter to what those scripts do."""
        script_file = self.workdir / "script.sh"
        script_file.write_text(script)
        script_file.chmod(0o644)
        switch = self.user and unprivileged
        prefix = ["setpriv", "--reuid", self.user, "--regid", self.user, "--clear-groups"] if switch else []
        return subprocess.run(
            [*prefix, "sh", str(script_file)],
            env={"PATH": self.path, "LANG": "C.UTF-8", **env},
            capture_output=True,
            text=True,
            timeout=SCRIPT_SECONDS,
            cwd=self.workdir,
            check=False,
        )


# --- PostgreSQL ------------------------------------------------------------------------------


@dataclass
class Postgres:
    """A throwaway cluster: no TCP, a unix socket in ``socket_dir``, password authentication."""

    data_dir: Path
    socket_dir: Path
    port: int
    user: str | None
    superuser_password: str = "postgres-test-password"

    def _as_owner(self, *command: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        prefix = (
            ["setpriv", "--reuid", self.user, "--regid", self.user, "--clear-groups"] if self.user else []
        )
        env = {"PATH": "/usr/bin:/bin", "PGPASSWORD": self.superuser_password, "LANG": "C.UTF-8"}
        return subprocess.run(
            [*prefix, *command],
            env=env,
            capture_output=True,
            text=True,
            timeout=SERVICE_START_SECONDS,
            check=True,
            **kwargs,
        )

    def start(self) -> None:
        self._as_owner(
            pg_program("pg_ctl"),
            "start",
            "--wait",
            f"--timeout={SERVICE_START_SECONDS}",
            "-D",
            str(self.data_dir),
            "-l",
            str(self.data_dir / "server.log"),
            "-o",
            f"-c listen_addresses='' -c unix_socket_directories={self.socket_dir} -p {self.port} -c fsync=off",
        )

    def stop(self) -> None:
        self._as_owner(pg_program("pg_ctl"), "stop", "--wait", "-m", "fast", "-D", str(self.data_dir))

    def sql(self, statement: str, database: str = "postgres") -> str:
        done = self._as_owner(
            pg_program("psql"),
            "--no-psqlrc",
            "--quiet",
            "--tuples-only",
            "--no-align",
            "--set=ON_ERROR_STOP=1",
            f"--host={self.socket_dir}",
            f"--port={self.port}",
            "--username=postgres",
            f"--dbname={database}",
            f"--command={statement}",
        )
        return done.stdout.strip()

    def env(self, database: str, user: str, password: str) -> dict[str, str]:
        """The PG* variables of the backup container, pointed at this cluster's socket."""
        return {
            "PGHOST": str(self.socket_dir),
            "PGPORT": str(self.port),
            "PGUSER": user,
            "PGPASSWORD": password,
            "PGDATABASE": database,
        }


@contextlib.contextmanager
def throwaway_postgres(base: Path) -> Iterator[Postgres]:
    initdb = pg_program("initdb")
    pg_program("pg_ctl")
    user = "postgres" if os.geteuid() == 0 else None
    data_dir, socket_dir = base / "data", base / "socket"
    for directory in (data_dir, socket_dir):
        directory.mkdir()
        if user:
            entry = pwd.getpwnam(user)
            os.chown(directory, entry.pw_uid, entry.pw_gid)
    cluster = Postgres(data_dir, socket_dir, free_port(), user)
    password_file = base / "superuser-password"
    password_file.write_text(cluster.superuser_password)
    password_file.chmod(0o644)
    cluster._as_owner(
        initdb,
        "--pgdata",
        str(data_dir),
        "--username=postgres",
        f"--pwfile={password_file}",
        "--auth-local=scram-sha-256",
        "--auth-host=reject",
        "--no-sync",
        "--encoding=UTF8",
    )
    try:
        cluster.start()
        yield cluster
    finally:
        with contextlib.suppress(Exception):
            cluster.stop()


# --- S3 ----------------------------------------------------------------------------------------


@dataclass
class S3:
    endpoint: str

    @property
    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="eu-west-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def credentials(self) -> dict[str, str]:
        """What `backup.s3.existingSecret` would put into the upload container."""
        return {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@contextlib.contextmanager
def moto_server(log_dir: Path) -> Iterator[S3]:
    server = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or require_program(
        "moto_server"
    )
    port = free_port()
    with (log_dir / "moto.log").open("w") as log:
        process = subprocess.Popen([server, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log)
        try:
            _wait_for_port(port, process)
            yield S3(f"http://127.0.0.1:{port}")
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def shared_tempdir(prefix: str) -> Iterator[Path]:
    """A temporary directory the unprivileged user can reach (pytest's own are private to root)."""
    with tempfile.TemporaryDirectory(prefix=prefix) as name:
        directory = Path(name)
        directory.chmod(0o755)
        yield directory


# --- helpers -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[Any]) -> None:
    deadline = time.monotonic() + SERVICE_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before listening on {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listened on 127.0.0.1:{port} within {SERVICE_START_SECONDS} s")
