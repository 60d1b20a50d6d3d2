"""The S3 sink as the CronJob runs it: the dump container's dump.sh against a real PostgreSQL,
then the upload container's upload.sh with the aws CLI against a real S3 API (moto on
127.0.0.1): the dump lands under bucket and prefix through `endpointUrl`, a missing bucket fails
the job, and the NetworkPolicy lets the job reach the endpoint's port."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import find, objects, with_minimal
from shipped import FIRST_RUN_EPOCH, S3, Backup, Postgres, Runner, render_backup

PASSWORD = "certctl-s3-password"
BUCKET = "certctl-backups"


def s3_backup(endpoint: str, bucket: str = BUCKET) -> Backup:
    return render_backup(
        {
            "destination": "s3",
            "s3": {
                "bucket": bucket,
                "prefix": "nightly/",
                "region": "eu-west-1",
                "endpointUrl": endpoint,
                "existingSecret": "certctl-s3",
            },
        }
    )


@pytest.fixture(scope="module")
def database(postgres: Postgres, s3: S3) -> dict[str, str]:
    """A small database named as the chart names it, and the dump container's PG* variables."""
    env = s3_backup(s3.endpoint).env("dump")
    user, name = env["PGUSER"] + "_s3", env["PGDATABASE"] + "_s3"
    postgres.sql(f"CREATE ROLE {user} LOGIN PASSWORD '{PASSWORD}'")
    postgres.sql(f"CREATE DATABASE {name} OWNER {user}")
    postgres.sql(
        f"SET ROLE {user}; CREATE TABLE agents AS SELECT 'agent-' || i AS id FROM generate_series(1, 50) i",
        name,
    )
    return postgres.env(name, user, PASSWORD)


def run_job(backup: Backup, database: dict[str, str], s3: S3, runner: Runner, bucket_dir: Path) -> tuple:
    """The init container, then the main container, sharing the emptyDir `bucket_dir`."""
    dump_env = backup.env("dump")
    assert "RETENTION" not in dump_env  # the emptyDir holds one dump; S3 lifecycle rules expire them
    dump_env.update(database, DUMP_DIR=str(bucket_dir), CHARTGEN_TEST_EPOCH=str(FIRST_RUN_EPOCH))
    dumped = runner.run(backup.script("dump.sh"), dump_env)
    assert dumped.returncode == 0, dumped.stderr
    upload_env = backup.env("upload")
    assert upload_env["ENDPOINT_URL"] == s3.endpoint and upload_env["HOME"] == "/tmp"
    home = runner.give(runner.workdir / "home")
    upload_env.update(s3.credentials(), DUMP_DIR=str(bucket_dir), HOME=str(home))
    return dumped, runner.run(backup.script("upload.sh"), upload_env, unprivileged=False)


@pytest.fixture
def empty_dir(runner: Runner) -> Path:
    (runner.workdir / "home").mkdir()
    directory = runner.workdir / "backup"
    directory.mkdir()
    return runner.give(directory)


def test_the_dump_lands_under_bucket_and_prefix_through_the_endpoint(
    s3: S3, database: dict[str, str], runner: Runner, empty_dir: Path
) -> None:
    s3.client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    _, uploaded = run_job(s3_backup(s3.endpoint), database, s3, runner, empty_dir)
    assert uploaded.returncode == 0, uploaded.stderr
    key = "nightly/certctl-20260101T000000Z.dump"
    assert f"uploaded s3://{BUCKET}/{key}" in uploaded.stdout
    stored = s3.client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert stored == (empty_dir / "certctl-20260101T000000Z.dump").read_bytes()
    assert stored.startswith(b"PGDMP")  # pg_dump's custom format


def test_a_missing_bucket_fails_the_job(
    s3: S3, database: dict[str, str], runner: Runner, empty_dir: Path
) -> None:
    _, uploaded = run_job(s3_backup(s3.endpoint, bucket="no-such-bucket"), database, s3, runner, empty_dir)
    assert uploaded.returncode != 0
    assert "upload.sh: could not copy" in uploaded.stderr and "NoSuchBucket" in uploaded.stderr, (
        uploaded.stderr
    )


def test_nothing_to_upload_fails_the_job(s3: S3, runner: Runner, empty_dir: Path) -> None:
    backup = s3_backup(s3.endpoint)
    env = {
        **backup.env("upload"),
        **s3.credentials(),
        "DUMP_DIR": str(empty_dir),
        "HOME": str(runner.workdir),
    }
    done = runner.run(backup.script("upload.sh"), env, unprivileged=False)
    assert done.returncode != 0 and "upload.sh: no dump in" in done.stderr


def open_ports(endpoint: str) -> list[dict]:
    """The ports the backup's NetworkPolicy opens to anywhere (DNS and PostgreSQL have targets)."""
    values = with_minimal(
        {
            "networkPolicy": {"enabled": True},
            "backup": {
                "enabled": True,
                "destination": "s3",
                "s3": {"bucket": BUCKET, "endpointUrl": endpoint},
            },
        }
    )
    policy = find(objects(values), "NetworkPolicy", "certctl-backup")
    return [port for rule in policy["spec"]["egress"] if "to" not in rule for port in rule["ports"]]


@pytest.mark.parametrize(
    ("endpoint", "port"), [("", 443), ("https://minio.example.com", 443), ("http://minio.storage.svc", 80)]
)
def test_the_network_policy_opens_the_stores_default_port(endpoint: str, port: int) -> None:
    assert open_ports(endpoint) == [{"port": port, "protocol": "TCP"}]


def test_the_network_policy_opens_the_port_of_the_endpoint_the_job_used(s3: S3) -> None:
    port = int(s3.endpoint.rsplit(":", 1)[1])
    assert open_ports(s3.endpoint) == [{"port": port, "protocol": "TCP"}]
