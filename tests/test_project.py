"""registry/project.py: one registry at one revision, found from any folder inside it, read
from the working tree or git; its settings' problems known as soon as it is opened."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CONFIG, TEAM, GitRepo

from registry.findings import RegistryNotFound, finding
from registry.project import Project

PROMPT = """\
apiVersion: aireg/v1
kind: Prompt
metadata:
  name: reply
  version: {version}
  owner: team/platform
spec:
  template: Hi
  includes: {includes}
"""


def reply(version: str = "1.0.0", includes: str = "[]") -> str:
    return PROMPT.format(version=version, includes=includes)


def test_a_registry_is_found_from_any_folder_inside_it(
        make_registry: Callable[..., Path]) -> None:
    root = make_registry({"prompts/deep/reply.yaml": reply()})
    project = Project.open(root / "prompts" / "deep", today=dt.date(2026, 11, 21))
    assert project.location.root == root.resolve()
    assert project.location.toplevel is None
    assert project.location.prefix == ""
    assert project.name == "test"
    assert sorted(project.catalog.by_id) == ["prompt/reply@1.0.0", "team/platform"]
    assert project.today == dt.date(2026, 11, 21)


def test_outside_a_registry_the_error_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(RegistryNotFound) as raised:
        Project.open(tmp_path)
    assert str(raised.value) == (
        f"no aireg.yaml in {tmp_path.resolve()} or any folder above it: run aireg inside a "
        "registry, or point -C at the folder that holds aireg.yaml")


def test_a_revision_is_read_from_git_not_from_the_working_tree(git_repo: GitRepo) -> None:
    first = git_repo.commit("one", {"reg/aireg.yaml": CONFIG, "reg/teams/platform.yaml": TEAM,
                                    "reg/reply.yaml": reply("1.0.0")})
    git_repo.write({"reg/reply.yaml": reply("2.0.0")})  # not committed
    now = Project.open(git_repo.root / "reg")
    then = Project.open(git_repo.root / "reg", rev="HEAD")
    assert now.location.prefix == then.location.prefix == "reg/"
    assert "prompt/reply@2.0.0" in now.catalog.by_id
    assert "prompt/reply@1.0.0" in then.catalog.by_id
    assert (now.loaded.tree.commit, then.loaded.tree.commit) == (None, first)
    # Paths are relative to the repository root.
    assert then.catalog.by_id["prompt/reply@1.0.0"].path == "reg/reply.yaml"


def test_a_base_without_the_registry_is_an_empty_registry(git_repo: GitRepo) -> None:
    git_repo.commit("nothing yet", {"README.md": "hello\n"})
    git_repo.write({"My Registry/aireg.yaml": CONFIG, "My Registry/reply.yaml": reply()})
    head = Project.open(git_repo.root / "My Registry")
    base = Project.base_of(head, "HEAD")
    assert base.absent and not head.absent
    assert base.catalog.by_id == {}
    assert base.name == "my-registry"  # made from the folder's name
    assert base.check().findings == []


def own_retirements(setting: str) -> str:
    return CONFIG + f"spec:\n  retirements: {setting}\n"


def test_a_broken_retirements_setting_is_known_when_the_project_opens(
        make_registry: Callable[..., Path]) -> None:
    root = make_registry({"reply.yaml": reply()}, config=own_retirements("gone.yaml"))
    project = Project.open(root)
    # Known before anything asks for lifecycle or the retirements themselves.
    assert [(str(f.span), f.rule, f.message) for f in project.locate(project.setup_findings)
            ] == [("aireg.yaml:6:16", "schema", "retirements file `gone.yaml` does not exist; "
                   "write `bundled`, `none` or the path of a retirements file relative to "
                   "the registry root")]
    # Asking for them has no side effect, and the bundled data is used instead.
    assert len(project.retirements) > 0
    assert len(project.setup_findings) == 1
    # check reports it once, with the rules' findings.
    found = [f for f in project.check().findings if f.rule == "schema"]
    assert [(str(f.span), f.message[:28]) for f in found] == [
        ("aireg.yaml:6:16", "retirements file `gone.yaml`")]


def test_a_retirements_file_of_its_own_is_added_to_the_bundled_data(
        make_registry: Callable[..., Path]) -> None:
    own = ("records:\n  - platform: openai\n    modelId: gpt-made-up\n"
           "    sunset: 2027-01-31\n")
    root = make_registry({"own.yaml": own}, config=own_retirements("own.yaml"))
    project = Project.open(root)
    assert project.setup_findings == []
    record = project.retirements.lookup("openai", "gpt-made-up")
    assert record is not None and record.sunset == dt.date(2027, 1, 31)
    bundled = Project.open(make_registry({}, root=root.parent / "plain"))
    assert len(project.retirements) == len(bundled.retirements) + 1


def test_retirements_none_is_no_data(make_registry: Callable[..., Path]) -> None:
    project = Project.open(make_registry({}, config=own_retirements("none")))
    assert (len(project.retirements), project.setup_findings) == (0, [])


def test_the_version_rules_explain_a_ref_they_broke(make_registry: Callable[..., Path]) -> None:
    """check(versions): a removed-in-use finding stands for the dangling ref at its ref."""
    root = make_registry({"reply.yaml": reply(includes="[prompt/style@^1]")})
    project = Project.open(root)
    alone = [f.rule for f in project.check().findings]
    assert "dangling-ref" in alone
    decl = project.catalog.by_id["prompt/reply@1.0.0"]
    removed = finding("removed-in-use", "`prompt/style@^1` resolved to prompt/style@1.0.0, "
                      "which this change removes", decl.at("spec", "includes", 0),
                      subject=decl.id, field="spec.includes", value="prompt/style@^1")
    result = project.check([removed])
    assert [f.rule for f in result.findings] == [
        "removed-in-use" if rule == "dangling-ref" else rule for rule in alone]
    assert (result.declarations, result.files) == (2, 3)  # aireg.yaml is a file read
