"""registry/subjects.py: what a finding is about when its rule did not say, read from where
its Pointer points: the declaration, the field, the value."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from registry.findings import Pointer, finding
from registry.project import Project
from registry.subjects import document_id, document_key, identify

BROKEN = """\
apiVersion: aireg/v1
kind: Prompt
metadata: {name: broken, version: 2.0.0, owner: team/platform}
spec: {template: Hi, colour: red}
"""


def test_a_raw_document_names_its_node_when_it_can() -> None:
    assert document_key({"kind": "Prompt", "metadata": {"name": "p", "version": "1.0.0"}}) == (
        "Prompt", "p", "1.0.0")
    assert document_id({"kind": "Team", "metadata": {"name": "t"}}) == "team/t"
    for data in ({"kind": "Nope", "metadata": {"name": "p"}}, {"kind": "Team"}, ["a list"],
                 {"kind": "Prompt", "metadata": {"name": "p", "version": 1.1}}):
        assert document_key(data) is None


def test_findings_take_the_subject_field_and_value_they_point_at(
        make_registry: Callable[..., Path]) -> None:
    project = Project.open(make_registry({"broken.yaml": BROKEN}))
    team = project.catalog.by_id["team/platform"]
    at_team = finding("schema", "about the contact", team.at("spec", "contact"))
    given = finding("schema", "said", team.at("spec"), subject="team/other", field="x")
    found = identify([at_team, given, *project.loaded.findings], project.loaded,
                     project.locator)
    assert [(f.subject, f.field, f.value) for f in found] == [
        ("team/platform", "spec.contact", "#platform"),
        ("team/other", "x", None),  # what the rule said is kept
        # A declaration that failed validation: its identity read from the raw document.
        ("prompt/broken@2.0.0", "spec.colour", "red"),
    ]


def test_a_version_is_never_a_value(make_registry: Callable[..., Path]) -> None:
    project = Project.open(make_registry({"broken.yaml": BROKEN}))
    at = Pointer("broken.yaml", 0, ("metadata", "version"))
    (found,) = identify([finding("schema", "m", at)], project.loaded, project.locator)
    assert (found.subject, found.field, found.value) == ("prompt/broken@2.0.0",
                                                         "metadata.version", None)
