"""registry/bom_extras.py: what the CycloneDX library cannot model, put in by bom-ref."""

from __future__ import annotations

import json

import pytest

from registry.bom_extras import apply

SERIALIZED = json.dumps({
    "dependencies": [{"ref": "app", "dependsOn": ["m"]}],
    "components": [{"bom-ref": "m", "name": "model"}],
    "metadata": {"timestamp": "2026-01-01T00:00:00Z", "component": {"bom-ref": "app"}},
    "services": [{"bom-ref": "svc", "services": [{"bom-ref": "tool"}]}],
    "specVersion": "1.6", "bomFormat": "CycloneDX",
})


def test_extras_go_to_their_bom_ref_and_keys_come_in_the_specs_order() -> None:
    done = apply(SERIALIZED, {"m": {"modelCard": {"x": 1}}, "tool": {"trustZone": "third"},
                              "app": {"data": []}}, keep_timestamp=False,
                 tool_dependencies={"app": {"tool"}, "svc": set()})
    assert list(done) == ["bomFormat", "specVersion", "metadata", "components", "services",
                          "dependencies"]
    assert done["components"][0] == {"bom-ref": "m", "name": "model", "modelCard": {"x": 1}}
    assert done["services"][0]["services"][0] == {"bom-ref": "tool", "trustZone": "third"}
    assert done["metadata"] == {"component": {"bom-ref": "app", "data": []}}
    assert done["dependencies"] == [{"ref": "app", "dependsOn": ["m", "tool"]},
                                    {"ref": "svc"}]


def test_the_timestamp_stays_when_asked() -> None:
    assert "timestamp" in apply(SERIALIZED, {}, keep_timestamp=True)["metadata"]


def test_an_extra_for_a_bom_ref_not_in_the_bom_is_a_bug_caught_here() -> None:
    with pytest.raises(ValueError, match="extras for bom-refs that are not in the BOM: ghost"):
        apply(SERIALIZED, {"ghost": {}}, keep_timestamp=False)
