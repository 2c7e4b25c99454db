"""registry/root.py: the registry around a folder, in the working tree or at a revision."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CONFIG, GitRepo

from registry.files import FolderTree
from registry.findings import GitRequired, RegistryNotFound, RevisionNotFound
from registry.gitrepo import GitTree
from registry.root import RegistryRoot, find_registry, open_tree


def test_the_nearest_folder_upwards_with_aireg_yaml(git_repo: GitRepo) -> None:
    git_repo.write({"aireg.yaml": CONFIG, "inner/aireg.yaml": CONFIG, "inner/a/b/x.txt": ""})
    found = find_registry(git_repo.root / "inner" / "a" / "b")
    assert found == RegistryRoot(git_repo.root.resolve() / "inner", git_repo.root.resolve())
    assert found.prefix == "inner/"
    assert find_registry(git_repo.root).prefix == ""


def test_the_search_stops_at_the_git_work_tree(tmp_path: Path) -> None:
    (tmp_path / "aireg.yaml").write_text(CONFIG, encoding="utf-8")
    repo = GitRepo(tmp_path / "repo")
    with pytest.raises(RegistryNotFound):
        find_registry(repo.root)


def test_at_a_revision_the_folder_must_hold_aireg_yaml_there(git_repo: GitRepo) -> None:
    git_repo.commit("outer", {"aireg.yaml": CONFIG, "inner/x.txt": ""})
    git_repo.write({"inner/aireg.yaml": CONFIG})  # not committed
    root = git_repo.root.resolve()
    assert find_registry(root / "inner") == RegistryRoot(root / "inner", root)
    assert find_registry(root / "inner", "HEAD") == RegistryRoot(root, root)
    with pytest.raises(RevisionNotFound) as raised:
        find_registry(root, "no-such-branch")
    assert str(raised.value).startswith("unknown git revision `no-such-branch`: check the name")


def test_a_revision_outside_git_needs_git(tmp_path: Path) -> None:
    (tmp_path / "aireg.yaml").write_text(CONFIG, encoding="utf-8")
    with pytest.raises(GitRequired) as raised:
        find_registry(tmp_path, "HEAD", "--base")
    assert str(raised.value) == ("--base needs git, and this registry is not inside a git "
                                 "repository")


def test_not_a_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    with pytest.raises(RegistryNotFound) as raised:
        find_registry(tmp_path / "file")
    assert str(raised.value) == f"{(tmp_path / 'file').resolve()} is not a folder"


def test_the_tree_is_the_folder_or_the_revision(git_repo: GitRepo) -> None:
    commit = git_repo.commit("reg", {"reg/aireg.yaml": CONFIG})
    found = find_registry(git_repo.root / "reg")
    folder = open_tree(found, None)
    assert isinstance(folder, FolderTree) and folder.prefix == "reg/" and folder.commit is None
    at = open_tree(found, "HEAD")
    assert isinstance(at, GitTree) and at.prefix == "reg/" and at.commit == commit
    assert [entry.rel for entry in at.files()] == ["aireg.yaml"]
