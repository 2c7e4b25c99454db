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

FORMAT_SCHEMAS = sorted(name for name in schemas() if not name.startswith("output/"))


def _properties(schema: dict[str, Any], where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (dotted place, property schema) of a schema, its definitions included."""
    for name, prop in schema.get("properties", {}).items():
        yield f"{where}.{name}" if where else name, prop
    for name, definition in schema.get("$defs", {}).items():
        yield from _properties(definition, name)


@pytest.mark.parametrize("name", FORMAT_SCHEMAS)
def test_every_field_has_a_description(name: str) -> None:
    schema = json.loads(schemas()[name])
    missing = [place for place, prop in _properties(schema, "") if not prop.get("description")]
    assert missing == [], (
        f"{name}: these fields have no description, which editors show as hover help and "
        f"docs/declarations.md lists: {', '.join(missing)}. Give each field a "
        "`Field(description=...)` on its model in registry/kinds.py, then run "
        "`aireg schema --out schemas` and `python scripts/docs.py`.")


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
