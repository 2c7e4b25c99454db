"""registry/versions.py: the version rules over two catalogs, each finding at the version it
is about."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from registry.findings import Finding
from registry.project import Project
from registry.versions import Edited, findings


def prompt(version: str, name: str = "style") -> str:
    return (f"apiVersion: aireg/v1\nkind: Prompt\nmetadata:\n  name: {name}\n"
            f"  version: {version}\n  owner: team/platform\nspec:\n  template: Hi\n")


USER = ("apiVersion: aireg/v1\nkind: Prompt\nmetadata:\n  name: user\n  version: 1.0.0\n"
        "  owner: team/platform\nspec:\n  template: Hi\n  includes: [prompt/style@2.0.0]\n")


def located(project: Project, found: list[Finding]) -> list[str]:
    return [f"{f.span}: {f.rule}: {f.message}" for f in project.locate(found)]


def test_an_edit_in_place_that_needed_a_bump(tmp_path: Path,
                                             make_registry: Callable[..., Path]) -> None:
    base = Project.open(make_registry({"style.yaml": prompt("1.0.0")}, root=tmp_path / "b"))
    head = Project.open(make_registry({"style.yaml": prompt("1.0.0")}, root=tmp_path / "h"))
    decl = head.catalog.by_id["prompt/style@1.0.0"]
    found = findings(base.catalog, head.catalog,
                     [Edited(decl, ("behavior: spec.template",))], set())
    assert located(head, found) == [
        "style.yaml:5:12: version-not-bumped: prompt/style@1.0.0 changed (behavior: "
        "spec.template) but its version did not; give it a new version (aireg bump "
        "prompt/style@1.0.0 patch|minor|major)"]
    assert findings(base.catalog, head.catalog, [Edited(decl, ())], set()) == []


def test_a_version_that_went_down_in_its_file(tmp_path: Path,
                                              make_registry: Callable[..., Path]) -> None:
    base = Project.open(make_registry({"style.yaml": prompt("2.1.0")}, root=tmp_path / "b"))
    head = Project.open(make_registry({"style.yaml": prompt("2.0.5")}, root=tmp_path / "h"))
    assert located(head, findings(base.catalog, head.catalog, [], set())) == [
        "style.yaml:5:12: version-decreased: the version of prompt/style in this file went "
        "down from 2.1.0 to 2.0.5; versions only go up: use a version above 2.1.0"]


def test_a_removed_version_still_in_use(tmp_path: Path,
                                        make_registry: Callable[..., Path]) -> None:
    base = Project.open(make_registry({"style.yaml": prompt("2.0.0"), "user.yaml": USER},
                                      root=tmp_path / "b"))
    head = Project.open(make_registry({"style.yaml": prompt("3.0.0"), "user.yaml": USER},
                                      root=tmp_path / "h"))
    found = findings(base.catalog, head.catalog, [], {base.catalog.by_id[
        "prompt/style@2.0.0"].id})
    assert located(head, found) == [
        "user.yaml:9:14: removed-in-use: `prompt/style@2.0.0` resolved to prompt/style@2.0.0, "
        "which this change removes with no successor; keep prompt/style@2.0.0, or point the "
        "ref at a declared version (3.0.0)"]
