"""The JSON Schemas of the declaration format (registry/schema.py): hover help for every field,
and errors about the kind a document names."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import REPO_ROOT

from registry.schema import schemas

SCHEMAS = REPO_ROOT / "schemas"
SCHEMA_FILES = sorted(path.relative_to(SCHEMAS).as_posix()
                      for path in SCHEMAS.rglob("*.schema.json"))


def _properties(node: Any, where: str) -> Iterator[tuple[str, Any]]:
    """Every (dotted place, property schema) of a schema, however deep: the properties of
    its definitions, of nested objects, of array items and of alternatives. The condition of
    an if/then (which kind a document names) is a test, not a field, so it is left out."""
    if isinstance(node, list):
        for item in node:
            yield from _properties(item, where)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            for name, prop in value.items():
                place = f"{where}.{name}" if where else name
                yield place, prop
                yield from _properties(prop, place)
        elif key == "$defs" and isinstance(value, dict):
            for name, definition in value.items():
                yield from _properties(definition, name)
        elif key != "if":
            yield from _properties(value, where)


def test_the_schema_files_are_found() -> None:
    assert "declaration.schema.json" in SCHEMA_FILES
    assert "output/check.schema.json" in SCHEMA_FILES
    assert len(SCHEMA_FILES) == len(schemas())


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_every_field_has_a_description(name: str) -> None:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    missing = [place for place, prop in _properties(schema, "")
               if not (isinstance(prop, dict) and prop.get("description"))]
    where = ("its model in registry/render/ (json.py, or the module of its format; shared "
             "fields in fields.py)" if name.startswith("output/") else
             "its model in registry/kinds.py")
    assert missing == [], (
        f"{name}: these fields have no description, which editors show as hover help and "
        f"the reference lists: {', '.join(missing)}. Give each field a "
        f"`Field(description=...)` on {where}, then run "
        "`aireg schema --out schemas` and `python scripts/docs.py`.")


def test_the_walk_finds_nested_fields_without_a_description() -> None:
    """The check reaches a field however deep it is written."""
    schema = {"properties": {"a": {"description": "x", "items": {"properties": {"b": {}}}}},
              "$defs": {"D": {"anyOf": [{"properties": {"c": {"description": "y"}}}]}},
              "allOf": [{"if": {"properties": {"kind": {"const": "K"}}}}]}
    assert [(place, bool(prop.get("description")))
            for place, prop in _properties(schema, "")] == [
        ("a", True), ("a.b", False), ("D.c", True)]


PROMPT = """\
apiVersion: aireg/v1
kind: Prompt
metadata:
  name: support-triage
  owner: team/support
spec:
  template: 42
  colour: red
"""


def test_a_wrong_prompt_gets_errors_about_prompts_only() -> None:
    """The kind is chosen with if/then, so a validator reports what is wrong with the Prompt
    (the missing version, the unknown field, the template that is not text), not that the
    document fails to be a Model, an Adapter and every other kind."""
    schema = json.loads(schemas()["declaration.schema.json"])
    errors = jsonschema.Draft202012Validator(schema).iter_errors(yaml.safe_load(PROMPT))
    found = sorted((e.json_path, e.message) for e in errors)
    assert found == [
        ("$.metadata", "'version' is a required property"),
        ("$.spec", "Additional properties are not allowed ('colour' was unexpected)"),
        ("$.spec.template", "42 is not valid under any of the given schemas"),
    ]


def test_check_jsonschema_names_the_prompts_own_problems(tmp_path: Path) -> None:
    path = tmp_path / "triage.yaml"
    path.write_text(PROMPT, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--schemafile",
         str(REPO_ROOT / "schemas" / "declaration.schema.json"), str(path)],
        capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert f"{path}::$.metadata: 'version' is a required property" in done.stdout
    assert "$.spec.template: 42 is not of type 'string'" in done.stdout
    assert f"{path}::$: " not in done.stdout  # not "the document fails every kind"


def test_an_unknown_kind_is_named_as_such() -> None:
    schema = json.loads(schemas()["declaration.schema.json"])
    document = {"apiVersion": "aireg/v1", "kind": "Promt", "metadata": {"name": "x"}}
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(document))
    assert [(e.json_path, e.validator) for e in errors] == [("$.kind", "enum")]
