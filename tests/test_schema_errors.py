"""registry/schema_errors.py: pydantic's errors as one finding per place, in YAML's words."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from registry import kinds
from registry.findings import Pointer
from registry.schema_errors import describe, schema_findings, shape


def errors_of(data: dict[str, Any]) -> list[tuple[tuple[str | int, ...], bool, str]]:
    with pytest.raises(ValidationError) as raised:
        kinds.McpServer.model_validate(data)
    found = schema_findings(raised.value, data, Pointer("m.yaml", 0), kinds.McpServer)
    assert {f.rule for f in found} == {"schema"}
    return [(f.at.keys, f.at.on_key, f.message) for f in found if isinstance(f.at, Pointer)]


SERVER = {"apiVersion": "aireg/v1", "kind": "McpServer",
          "metadata": {"name": "z", "version": "1.0.0", "owner": "team/platform"}}


def test_each_kind_of_error_says_what_to_write() -> None:
    data = {**SERVER, "spec": {"transport": "htp", "trust": "first-party", "tols": [],
                               "auth": 3, "tools": [{"name": "ok", "digest": "md5:x"}]}}
    assert errors_of(data) == [
        (("spec", "transport"), False, "`spec.transport` must be one of stdio, http or sse; got "
         "`htp` (did you mean http?)"),
        (("spec", "auth"), False, "`spec.auth` must be one of none, oauth or token; got the "
         "number `3`"),
        (("spec", "tools", 0, "digest"), False, "`spec.tools[0].digest` must be sha256: "
         "followed by 64 lowercase hex digits; got `md5:x`"),
        (("spec", "tols"), True, "unknown field `spec.tols` (did you mean tools?); remove it "
         "or fix its name"),
    ]


def test_a_missing_field_is_reported_at_its_parent() -> None:
    data = {**SERVER, "spec": {"transport": "stdio", "command": "run"}}
    assert errors_of(data) == [(("spec",), True, "missing required field `spec.trust`; add it")]


def test_a_wrong_type_names_every_type_the_union_takes() -> None:
    data = {**SERVER, "metadata": {**SERVER["metadata"], "labels": {"tier": 1}},
            "spec": {"transport": "stdio", "command": ["a"], "trust": "first-party"}}
    assert errors_of(data) == [
        (("metadata", "labels", "tier"), False, "`metadata.labels.tier` must be a string, not "
         "the number `1`"),
        (("spec", "command"), False, "`spec.command` must be a string, not a list"),
    ]


@pytest.mark.parametrize(("value", "words", "yaml"), [
    ({}, "a mapping", "a mapping"), ([], "a list", "a list"), (None, "empty (null)",
                                                               "empty (null)"),
    (True, "the boolean `true`", "a boolean"), (1.5, "the number `1.5`", "a number"),
    ("x", "`x`", "a string"),
])
def test_values_are_described_as_yaml_has_them(value: object, words: str, yaml: str) -> None:
    assert (describe(value), shape(value)) == (words, yaml)
