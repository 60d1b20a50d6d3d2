"""The operator runbooks in the chart README name only what the chart really renders.

Every values key the runbooks cite exists in the values schema, and every object, container and
Secret key their commands use is rendered under the default release, except the objects the
commands create themselves (a Job from the CronJob, a reader pod, a Secret for Prometheus).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.helpers import CHART_DIR, objects, with_minimal

RUNBOOKS = ["Upgrade and rollback", "Backup and restore", "Credential rotation", "Metrics scrape credentials"]
SECTIONS = (
    "server",
    "postgresql",
    "externalDatabase",
    "agent",
    "ingress",
    "backup",
    "migrations",
    "monitoring",
)
VALUES_KEY = re.compile(rf"`((?:{'|'.join(SECTIONS)})(?:\.[A-Za-z0-9]+)+)`")
OBJECT_REF = re.compile(r"\b(deployment|daemonset|statefulset|cronjob|secret|pod|job)[/ ](certctl[a-z0-9-]*)")
CREATED = re.compile(r"(?:create job|run|create secret generic) (certctl[a-z0-9-]*)")
POSTGRES_POD = "certctl-postgres-0"
KINDS = {
    "deployment": "Deployment",
    "daemonset": "DaemonSet",
    "statefulset": "StatefulSet",
    "cronjob": "CronJob",
    "secret": "Secret",
    "job": "Job",
    "pod": "Pod",
}


def readme_sections() -> dict[str, str]:
    text = (CHART_DIR / "README.md").read_text()
    parts = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
    return {title.strip(): body for title, body in zip(parts[1::2], parts[2::2], strict=True)}


def runbook_text() -> str:
    sections = readme_sections()
    return "\n".join(sections[title] for title in RUNBOOKS)


def shell_blocks(text: str) -> list[str]:
    return [block.replace("\\\n", " ") for block in re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)]


def rendered() -> list[dict[str, Any]]:
    """Everything the runbooks talk about switched on, under the default release."""
    return objects(
        with_minimal(
            {
                "backup": {"enabled": True, "destination": "pvc"},
                "monitoring": {"serviceMonitor": {"enabled": True}},
            }
        )
    )


def schema_has(schema: dict[str, Any], dotted: str) -> bool:
    node = schema
    for key in dotted.split("."):
        properties = node.get("properties") or {}
        if key not in properties:
            return False
        node = properties[key]
    return True


def test_the_four_runbooks_are_in_the_generated_readme() -> None:
    sections = readme_sections()
    missing = [title for title in RUNBOOKS if title not in sections]
    assert not missing, f"README.md lacks the runbook sections {missing}"


def test_every_values_key_the_runbooks_cite_exists() -> None:
    schema = json.loads((CHART_DIR / "values.schema.json").read_text())
    cited = set(VALUES_KEY.findall(runbook_text()))
    assert len(cited) >= 10, "the runbooks should cite the values they rely on"
    unknown = sorted(key for key in cited if not schema_has(schema, key))
    assert not unknown, f"runbooks cite values the schema does not have: {unknown}"


def test_every_object_the_commands_use_is_rendered() -> None:
    objs = rendered()
    names = {(o["kind"], o["metadata"]["name"]) for o in objs}
    commands = "\n".join(shell_blocks(runbook_text()))
    created = set(CREATED.findall(commands))
    references = {(KINDS[kind], name) for kind, name in OBJECT_REF.findall(commands) if name not in created}
    references.discard(("Pod", POSTGRES_POD))
    assert references, "the runbook commands should name the chart's objects"
    missing = sorted(ref for ref in references if ref not in names)
    assert not missing, f"runbook commands name objects the chart does not render: {missing}"


def test_the_postgres_pod_and_container_the_commands_exec_into_exist() -> None:
    commands = "\n".join(shell_blocks(runbook_text()))
    assert POSTGRES_POD in commands
    statefulset = next(o for o in rendered() if o["kind"] == "StatefulSet")
    assert f"{statefulset['metadata']['name']}-0" == POSTGRES_POD
    containers = {c["name"] for c in statefulset["spec"]["template"]["spec"]["containers"]}
    for container in re.findall(rf"{POSTGRES_POD}(?::\S+)? -c (\S+)", commands):
        assert container in containers


def test_the_secret_keys_the_commands_write_exist() -> None:
    commands = "\n".join(shell_blocks(runbook_text()))
    patches = re.findall(r"patch secret (\S+) -p '\{\"stringData\":\{\"([^\"]+)\"", commands)
    assert patches, "the password rotation patches the database Secret"
    secrets = {o["metadata"]["name"]: o.get("data") or {} for o in rendered() if o["kind"] == "Secret"}
    for name, key in patches:
        assert key in secrets.get(name, {}), f"Secret {name} has no key {key}"


@pytest.mark.parametrize(
    ("kind", "annotation"),
    [
        ("Deployment", "checksum/config"),
        ("Deployment", "checksum/secret"),
        ("Deployment", "checksum/database-secret"),
        ("DaemonSet", "checksum/secret"),
    ],
)
def test_the_restart_annotations_the_upgrade_runbook_describes_exist(kind: str, annotation: str) -> None:
    assert f"`{annotation}`" in readme_sections()["Upgrade and rollback"]
    workload = next(o for o in rendered() if o["kind"] == kind)
    assert annotation in workload["spec"]["template"]["metadata"]["annotations"]


def test_the_database_is_never_restarted_by_an_upgrade_as_the_runbook_says() -> None:
    assert "`updateStrategy: OnDelete`" in readme_sections()["Upgrade and rollback"]
    statefulset = next(o for o in rendered() if o["kind"] == "StatefulSet")
    assert statefulset["spec"]["updateStrategy"]["type"] == "OnDelete"
