"""`aireg export backstage`: catalog entities valid under Backstage's own schemas.

The example registry's entities against a golden file, each validated here with the
`jsonschema` library against the schemas vendored from @backstage/catalog-model, the mapping of
every kind, and every dependsOn naming an entity of the export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLE, REPO_ROOT, Result, Run, check_golden

SCHEMAS = REPO_ROOT / "registry" / "data" / "backstage"
KIND_SCHEMA = {"Component": "Component.v1alpha1.schema.json",
               "Resource": "Resource.v1alpha1.schema.json",
               "API": "API.v1alpha1.mcp-server.schema.json",
               "Group": "Group.v1alpha1.schema.json"}


def validate(entity: dict[str, Any]) -> None:
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    loaded = {p.name: json.loads(p.read_text(encoding="utf-8"))
              for p in SCHEMAS.glob("*.schema.json")}
    registry: Registry[Any] = Registry().with_resources(
        (doc["$id"], Resource.from_contents(doc, default_specification=DRAFT7))
        for doc in loaded.values())
    jsonschema.Draft7Validator(loaded[KIND_SCHEMA[entity["kind"]]], registry=registry).validate(
        entity)
    # The generic API schema too, for the MCP server's API entity.
    if entity["kind"] == "API":
        spec = {**entity["spec"], "definition": "x"}
        jsonschema.Draft7Validator(loaded["API.v1alpha1.schema.json"], registry=registry
                                   ).validate({**entity, "spec": spec})


@pytest.fixture
def exported(aireg: Run) -> Result:
    return aireg("-C", str(EXAMPLE), "export", "backstage")


def test_example_entities_golden(request: pytest.FixtureRequest, exported: Result) -> None:
    assert (exported.code, exported.err) == (0, "")
    check_golden(request, "backstage-acme.yaml", exported.out)


def test_every_entity_is_valid_and_every_edge_names_one(exported: Result) -> None:
    entities = list(yaml.safe_load_all(exported.out))
    for entity in entities:
        validate(entity)
    refs = {f"{e['kind'].lower()}:default/{e['metadata']['name']}" for e in entities}
    assert len(refs) == len(entities)  # names are unique per kind
    for entity in entities:
        for ref in [*entity["spec"].get("dependsOn", []),
                    *entity["spec"].get("consumesApis", [])]:
            assert ref in refs, (entity["metadata"]["name"], ref)


def test_each_kind_maps_to_its_entity(exported: Result) -> None:
    entities = {e["metadata"]["annotations"]["aireg.dev/ref"]: e
                for e in yaml.safe_load_all(exported.out)}
    bot = entities["feature/support-bot"]
    assert (bot["kind"], bot["spec"]["type"], bot["spec"]["owner"]) == (
        "Component", "ai-feature", "group:default/support")
    assert bot["spec"]["consumesApis"] == ["api:default/zendesk-2.3.0"]
    assert "resource:default/ticket-classifier-1.2.0" in bot["spec"]["dependsOn"]
    assert {(e["kind"], e["spec"]["type"]) for ref, e in entities.items()
            if ref.split("/")[0] in ("prompt", "adapter", "dataset", "model")} == {
        ("Resource", "ai-prompt"), ("Resource", "ai-adapter"), ("Resource", "dataset"),
        ("Resource", "ai-model")}
    zendesk = entities["mcp/zendesk@2.3.0"]
    assert (zendesk["kind"], zendesk["spec"]["type"], zendesk["spec"]["remotes"]) == (
        "API", "mcp-server", [{"type": "streamable-http",
                               "url": "https://mcp.internal.acme.example/zendesk"}])
    assert entities["mcp/hubspot@0.4.0"]["spec"]["remotes"][0]["type"] == "stdio"
    team = entities["team/support"]
    assert (team["kind"], team["spec"]["type"], team["metadata"]["name"]) == (
        "Group", "team", "support")
    assert not any(ref.startswith("eval/") for ref in entities)
    mistral = entities["model/mistral-7b-instruct-v0.2"]
    assert mistral["spec"]["type"] == "ai-model" and "lifecycle" not in mistral["spec"]


def test_output_directory(aireg: Run, tmp_path: Path, exported: Result) -> None:
    result = aireg("-C", str(EXAMPLE), "export", "backstage", "-o", str(tmp_path / "out"))
    target = tmp_path / "out" / "catalog-info.yaml"
    assert result == Result(0, "", f"wrote {target} (44 entities)\n")
    assert target.read_text(encoding="utf-8") == exported.out


def test_long_names_stay_within_backstage_limits() -> None:
    from registry import kinds
    from registry.backstage import entity_name
    from registry.decl import Decl

    model = kinds.Prompt.model_validate({
        "apiVersion": "aireg/v1", "kind": "Prompt",
        "metadata": {"name": "a" * 100, "version": "1.0.0+build.7", "owner": "team/x"},
        "spec": {"template": "x"}})
    name = entity_name(Decl(model=model, path="p.yaml", doc=0))
    assert len(name) == 63 and "+" not in name
