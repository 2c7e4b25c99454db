"""registry/decl.py: a validated declaration, what it is, and where it was written."""

from __future__ import annotations

from registry import kinds
from registry.decl import Decl
from registry.findings import Pointer


def test_a_declaration_knows_its_node_and_its_places() -> None:
    model = kinds.Prompt.model_validate({
        "apiVersion": "aireg/v1", "kind": "Prompt",
        "metadata": {"name": "reply", "version": "2.0.0", "owner": "team/support"},
        "spec": {"template": "Hi"}})
    decl = Decl(model, "prompts/reply.yaml", 1)
    assert (decl.kind, decl.name, decl.version, decl.owner, decl.id) == (
        "Prompt", "reply", "2.0.0", "team/support", "prompt/reply@2.0.0")
    assert decl.at("spec", "includes", 0) == Pointer("prompts/reply.yaml", 1,
                                                     ("spec", "includes", 0))
    assert decl.at("metadata", on_key=True).on_key


def test_an_unversioned_declaration_is_its_kind_and_name() -> None:
    team = kinds.Team.model_validate({"apiVersion": "aireg/v1", "kind": "Team",
                                      "metadata": {"name": "support"}})
    decl = Decl(team, "teams.yaml", 0)
    assert (decl.id, decl.version, decl.owner) == ("team/support", None, None)
