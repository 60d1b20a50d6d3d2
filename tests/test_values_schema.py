"""Schema composition: the rules that keep the values typed, closed and documented."""

from __future__ import annotations

import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml

from chartgen.errors import UserError
from chartgen.project import load_project
from chartgen.values.document import emit_values_yaml, values_table
from chartgen.values.schema import load_values_schema, walk

ROOT = Path(__file__).resolve().parents[1]


def write(directory: Path, name: str, text: str) -> None:
    (directory / name).write_text(textwrap.dedent(text))


def compose(directory: Path, sections: list[str], inline: set[str] | None = None):
    return load_values_schema(directory, sections, inline or set())


SECTION = """\
    type: object
    title: Server
    description: The server.
    properties:
      port:
        type: integer
        default: 8443
        description: Port.
      image:
        $ref: "#/definitions/image"
        description: Server image.
        properties:
          repository: {default: example/server}
"""
DEFINITIONS = """\
    image:
      type: object
      description: An image.
      properties:
        repository: {type: string, description: Repository.}
        tag: {type: string, default: "", description: Tag.}
"""


def test_refs_are_inlined_with_per_use_defaults(tmp_path: Path) -> None:
    write(tmp_path, "server.schema.yaml", SECTION)
    write(tmp_path, "definitions.yaml", DEFINITIONS)
    values = compose(tmp_path, ["server"])
    assert values.defaults == {"server": {"port": 8443, "image": {"repository": "example/server", "tag": ""}}}
    image = values.schema["properties"]["server"]["properties"]["image"]
    assert image["description"] == "Server image."
    assert image["additionalProperties"] is False


def test_objects_are_closed_so_typos_fail(tmp_path: Path) -> None:
    write(tmp_path, "server.schema.yaml", SECTION)
    write(tmp_path, "definitions.yaml", DEFINITIONS)
    schema = compose(tmp_path, ["server"]).json_schema()
    errors = list(jsonschema.Draft7Validator(schema).iter_errors({"server": {"prot": 1}}))
    assert errors and "prot" in errors[0].message


def test_key_without_description_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "server.schema.yaml", SECTION.replace("        description: Port.\n", ""))
    write(tmp_path, "definitions.yaml", DEFINITIONS)
    with pytest.raises(UserError, match="'server.port' has no description") as caught:
        compose(tmp_path, ["server"])
    assert caught.value.location.endswith("server.schema.yaml")


def test_default_failing_its_schema_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "server.schema.yaml", SECTION.replace("default: 8443", 'default: "8443"'))
    write(tmp_path, "definitions.yaml", DEFINITIONS)
    with pytest.raises(UserError, match="default of 'server.port' fails its own schema") as caught:
        compose(tmp_path, ["server"])
    assert caught.value.location.endswith("server.schema.yaml")


def test_leaf_without_default_must_be_marked_optional(tmp_path: Path) -> None:
    write(tmp_path, "server.schema.yaml", SECTION.replace("        default: 8443\n", ""))
    write(tmp_path, "definitions.yaml", DEFINITIONS)
    with pytest.raises(UserError, match="'server.port' has no default"):
        compose(tmp_path, ["server"])


def test_map_must_declare_its_entries(tmp_path: Path) -> None:
    write(
        tmp_path,
        "server.schema.yaml",
        SECTION + "      labels: {type: object, default: {}, description: Labels.}\n",
    )
    write(tmp_path, "definitions.yaml", DEFINITIONS)
    with pytest.raises(UserError, match="'server.labels' is an object without properties"):
        compose(tmp_path, ["server"])


def test_unknown_ref_and_unlisted_file_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "server.schema.yaml", SECTION.replace("#/definitions/image", "#/definitions/imgae"))
    write(tmp_path, "definitions.yaml", DEFINITIONS)
    with pytest.raises(UserError, match="unknown \\$ref '#/definitions/imgae'"):
        compose(tmp_path, ["server"])
    write(tmp_path, "server.schema.yaml", SECTION)
    write(tmp_path, "agent.schema.yaml", SECTION)
    with pytest.raises(UserError, match="not listed"):
        compose(tmp_path, ["server"])


def test_inline_section_contributes_top_level_keys(tmp_path: Path) -> None:
    write(tmp_path, "common.schema.yaml", SECTION.replace("title: Server", "title: Common"))
    write(tmp_path, "definitions.yaml", DEFINITIONS)
    values = compose(tmp_path, ["common"], {"common"})
    assert set(values.defaults) == {"port", "image"}


@pytest.fixture(scope="module")
def project_values():
    project = load_project(ROOT)
    return load_values_schema(project.schemas_dir, project.sections, project.inline_sections)


def test_emitted_values_yaml_round_trips_to_the_defaults(project_values) -> None:
    text = emit_values_yaml(project_values, "Header line.")
    assert yaml.safe_load(text) == project_values.defaults


def test_each_key_has_its_description_above_it(project_values) -> None:
    lines = emit_values_yaml(project_values, "Header line.").splitlines()
    port = lines.index("  port: 8443")
    assert lines[port - 1].startswith("  # ") and "CERTCTL_SERVER_PORT" in lines[port - 1]
    assert "## Server" in lines and "## Bundled PostgreSQL" in lines


def test_optional_keys_are_commented_out(project_values) -> None:
    text = emit_values_yaml(project_values, "Header line.")
    assert "# nodePort: 30443" in text
    assert "nodePort" not in yaml.safe_load(text)["server"]["service"]


def test_values_table_lists_every_leaf(project_values) -> None:
    table = values_table(project_values)
    for path, prop in walk(project_values.schema):
        if not (prop.get("type") == "object" and "properties" in prop):
            assert f"| `{path}` |" in table, path
