"""registry/kinds.py: the declaration format's models: what each kind accepts and refuses,
with the messages that say what to write."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from registry import kinds

META = {"name": "x", "version": "1.0.0", "owner": "team/platform"}


def declare(kind: str, spec: Any, metadata: dict[str, Any] | None = None) -> Any:
    return kinds.KINDS[kind].model_validate({"apiVersion": "aireg/v1", "kind": kind,
                                             "metadata": metadata or META, "spec": spec})


def problems(kind: str, spec: Any, metadata: dict[str, Any] | None = None) -> list[str]:
    with pytest.raises(ValidationError) as raised:
        declare(kind, spec, metadata)
    return [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in raised.value.errors()]


def test_a_version_yaml_reads_as_a_number_says_what_to_write() -> None:
    assert problems("Prompt", {"template": "t"}, {**META, "version": 1.10}) == [
        "metadata.version: Value error, `1.1` is read by YAML as the number 1.1; write a full "
        "version such as 1.1.0"]


def test_a_prompt_has_exactly_one_template() -> None:
    message = ("spec: Value error, give exactly one of `template` (inline text) or "
               "`templateFile` (a path relative to this file)")
    assert problems("Prompt", {}) == [message]
    assert problems("Prompt", {"template": "a", "templateFile": "a.j2"}) == [message]


def test_a_server_needs_what_its_transport_needs() -> None:
    assert problems("McpServer", {"transport": "stdio", "trust": "first-party"}) == [
        "spec: Value error, a stdio server needs `command`: how to start it"]
    assert problems("McpServer", {"transport": "sse", "trust": "third-party"}) == [
        "spec: Value error, an sse server needs `url`"]
    assert problems("McpServer", {"transport": "stdio", "command": "run",
                                  "trust": "first-party",
                                  "tools": [{"name": "a"}, {"name": "a"}]}) == [
        "spec: Value error, tool `a` is listed twice in `tools`"]


def test_days_are_days() -> None:
    retention = {"retention": {"until": "2027-06-30"}}
    assert declare("Dataset", retention).spec.retention.until == dt.date(2027, 6, 30)
    assert problems("Dataset", {"retention": {"until": "next year"}}) == [
        "spec.retention.until: Value error, `next year` is not a day; write it as YYYY-MM-DD"]


def test_unknown_fields_are_errors_everywhere() -> None:
    assert problems("Feature", {"tier": "low", "usess": []}) == [
        "spec.usess: Extra inputs are not permitted"]


def test_defaults_are_what_the_reference_says() -> None:
    team = kinds.Team.model_validate({"apiVersion": "aireg/v1", "kind": "Team",
                                      "metadata": {"name": "t"}})
    assert (team.spec.active, team.spec.members) == (True, [])
    feature = declare("Feature", {}, {"name": "f", "owner": "team/platform"})
    assert feature.spec.tier == "medium"
    config = kinds.RegistryConfig.model_validate({"apiVersion": "aireg/v1", "kind": "Registry",
                                                  "metadata": {"name": "r"}})
    assert (config.spec.include, config.spec.retirements, config.spec.policy.failOn,
            config.spec.policy.deprecationWindowDays) == (["**/*.yaml", "**/*.yml"], "bundled",
                                                          "error", 90)


def test_a_policy_names_known_rules_and_reads_yamls_off() -> None:
    def policy(rules: dict[Any, Any]) -> kinds.Policy:
        return kinds.Policy.model_validate({"rules": rules})

    assert policy({"unused-artifact": False}).rules == {"unused-artifact": "off"}
    with pytest.raises(ValidationError) as raised:
        policy({"unused-artifacts": "off"})
    assert "unknown rule `unused-artifacts` (did you mean unused-artifact?)" in str(raised.value)


def test_every_field_is_described() -> None:
    """Editors show these as hover help (schemas/), and docs/declarations.md lists them."""
    models = {kinds.RegistryConfig, kinds.RegistrySpec, kinds.Policy, kinds.RegistryMetadata,
              *kinds.KINDS.values()}
    seen: set[type] = set()
    while models:
        model = models.pop()
        seen.add(model)
        for name, info in model.model_fields.items():
            assert info.description, f"{model.__name__}.{name} has no Field(description=...)"
            for arg in _models_in(info.annotation):
                if arg not in seen:
                    models.add(arg)


def _models_in(annotation: Any) -> list[type]:
    import typing

    found: list[type] = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found.append(annotation)
    for arg in typing.get_args(annotation):
        found += _models_in(arg)
    return found
