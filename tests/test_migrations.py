"""Review C1: the migration hook is gated on a certctl release that has `server --migrate-only`.

No release the catalog knows has the flag (nor CERTCTL_MIGRATIONS_VIA_HOOK), so the chart
refuses `migrations.viaHook` at the pinned appVersion, every example migrates at start-up, and
an operator can run the hook only for a certctl build they vouch for.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from helpers import CHART_DIR, EXAMPLES_DIR, ROOT, chart, env_of, find, kinds, with_minimal

from chartgen import helm
from chartgen.catalog import FirstRelease
from chartgen.manifests import parse_rendered

CATALOG_DIR = ROOT / "schemas" / "catalog"
HOOK = {"migrations": {"viaHook": True}}
BUILD = {"migrations": {"viaHook": True, "serverHasMigrateOnly": True}}
HOOK_FACTS = ("server --migrate-only", "CERTCTL_MIGRATIONS_VIA_HOOK")


def render_objects(values: dict, *, upgrade: bool, chart_obj: object = None) -> list[dict]:
    rendered = helm.render(chart_obj or chart(), values, is_upgrade=upgrade)
    return [m.obj for m in parse_rendered(rendered)[0]]


@pytest.mark.parametrize("upgrade", [False, True])
def test_the_hook_is_refused_at_the_pinned_version(upgrade: bool) -> None:
    expected = (
        r"migrations\.viaHook needs a certctl release whose server has --migrate-only and reads "
        r"CERTCTL_MIGRATIONS_VIA_HOOK; no release has them yet \(certctl v2\.0\.71 does not"
    )
    with pytest.raises(helm.RenderFailure, match=expected):
        helm.render(chart(), with_minimal(HOOK), is_upgrade=upgrade)


def test_the_version_table_comes_from_the_catalog() -> None:
    assert FirstRelease(CATALOG_DIR)(*HOOK_FACTS) == ""
    helpers = (CHART_DIR / "templates" / "_migrations.tpl").read_text()
    assert '{{- define "certctl.migrations.requiredVersion" -}}\n{{- print "" -}}' in helpers


def test_first_release_is_the_latest_since_of_the_facts(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, catalog)
    certctl = yaml.safe_load((catalog / "certctl.yaml").read_text())
    env = yaml.safe_load((catalog / "env.yaml").read_text())
    flag = next(entry for entry in certctl["flags"] if entry["name"] == "server --migrate-only")
    var = next(entry for entry in env["variables"] if entry["name"] == "CERTCTL_MIGRATIONS_VIA_HOOK")
    for entry, since in ((flag, "v2.0.70"), (var, "v2.0.9")):
        entry.update(since=since, defined_at="cmd/server/main.go:1", seed=None)
        del entry["seed"]
    (catalog / "certctl.yaml").write_text(yaml.safe_dump(certctl, sort_keys=False))
    (catalog / "env.yaml").write_text(yaml.safe_dump(env, sort_keys=False))
    first = FirstRelease(catalog)
    assert first(*HOOK_FACTS) == "v2.0.70"  # by release order, not string order
    assert first("CERTCTL_AGENT_BOOTSTRAP_TOKEN", "CERTCTL_API_KEYS_NAMED") == "v2.0.56"
    assert first("CERTCTL_ASYNC_POLL_MAX_WAIT_SECONDS") == ""
    with pytest.raises(ValueError, match="not in the certctl catalog"):
        first("server --no-such-flag")


@pytest.fixture(scope="module")
def chart_with_a_release(tmp_path_factory: pytest.TempPathFactory) -> object:
    """The chart as generated once a catalog knows v2.1.0 has the hook's flag and variable."""
    copy = tmp_path_factory.mktemp("chart") / "certctl"
    shutil.copytree(CHART_DIR, copy)
    helpers = copy / "templates" / "_migrations.tpl"
    text = helpers.read_text()
    helpers.write_text(text.replace('{{- print "" -}}', '{{- print "v2.1.0" -}}', 1))
    return helm.load_chart(copy)


@pytest.mark.parametrize("tag", ["v2.1.0", "v2.3.4"])
def test_a_release_with_the_flag_runs_the_hook(chart_with_a_release: object, tag: str) -> None:
    values = with_minimal({**HOOK, "server": {"image": {"tag": tag}}})
    job = find(render_objects(values, upgrade=True, chart_obj=chart_with_a_release), "Job", "certctl-migrate")
    assert job["spec"]["template"]["spec"]["containers"][0]["image"].endswith(f":{tag}")


@pytest.mark.parametrize("tag", [None, "v2.0.71", "latest"])
def test_an_older_release_is_refused_naming_the_version_it_needs(
    chart_with_a_release: object, tag: str
) -> None:
    overlay = {**HOOK, "server": {"image": {"tag": tag}}} if tag else HOOK
    # A tag that is not a version ("latest") is judged by the chart's appVersion.
    expected = r"migrations\.viaHook needs certctl v2\.1\.0 or later .+ the server runs certctl v2\.0\.71\."
    with pytest.raises(helm.RenderFailure, match=expected):
        helm.render(chart_with_a_release, with_minimal(overlay), is_upgrade=True)


def test_an_operator_declared_build_runs_the_server_binary_before_upgrades() -> None:
    job = find(render_objects(with_minimal(BUILD), upgrade=True), "Job", "certctl-migrate")
    annotations = job["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "pre-upgrade"
    assert annotations["helm.sh/hook-delete-policy"] == "before-hook-creation,hook-succeeded"
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["image"].startswith("ghcr.io/certctl-io/certctl-server:")
    assert container["args"] == ["--migrate-only"]
    assert "command" not in container, "the image's entrypoint (/app/server) runs"
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"


def test_the_job_has_the_servers_configuration() -> None:
    objs = render_objects(with_minimal(BUILD), upgrade=True)
    config = find(objs, "ConfigMap", "certctl-server")["data"]
    job_env = env_of(find(objs, "Job")["spec"]["template"]["spec"]["containers"][0])
    server_env = env_of(
        find(objs, "Deployment", "certctl-server")["spec"]["template"]["spec"]["containers"][0]
    )
    for name, value in config.items():
        assert job_env[name]["value"] == value
    for name in ("CERTCTL_AUTH_SECRET", "PGPASSWORD"):
        assert job_env[name] == server_env[name]


def test_servers_skip_boot_migrations_only_after_the_first_install() -> None:
    def server_env(upgrade: bool) -> dict:
        deployment = find(
            render_objects(with_minimal(BUILD), upgrade=upgrade), "Deployment", "certctl-server"
        )
        return env_of(deployment["spec"]["template"]["spec"]["containers"][0])

    assert "CERTCTL_MIGRATIONS_VIA_HOOK" not in server_env(upgrade=False)
    assert server_env(upgrade=True)["CERTCTL_MIGRATIONS_VIA_HOOK"]["value"] == "true"


@pytest.mark.parametrize("example", sorted(path.name for path in EXAMPLES_DIR.glob("values-*.yaml")))
def test_every_example_migrates_at_start_up(example: str) -> None:
    data = yaml.safe_load((EXAMPLES_DIR / example).read_text()) or {}
    assert not (data.get("migrations") or {}).get("viaHook"), example
    values = with_minimal(data) if re.fullmatch(r"values-(small|medium|large)\.yaml", example) else data
    for upgrade in (False, True):
        objs = render_objects(values, upgrade=upgrade)
        assert "Job" not in kinds(objs), example
        server = find(objs, "Deployment", "certctl-server")["spec"]["template"]["spec"]["containers"][0]
        assert "CERTCTL_MIGRATIONS_VIA_HOOK" not in env_of(server), example
        assert "args" not in server, example
