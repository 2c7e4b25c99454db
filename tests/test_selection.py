"""registry/selection.py: which files are declaration files, and the links that cannot be
followed."""

from __future__ import annotations

from pathlib import Path

from conftest import write_files

from registry import kinds
from registry.files import FolderTree
from registry.findings import Finding, Pointer
from registry.load import default_config
from registry.selection import select, usable_globs


def settings(include: list[str] | None = None, exclude: list[str] | None = None
             ) -> kinds.RegistryConfig:
    config = default_config("test")
    update = {k: v for k, v in (("include", include), ("exclude", exclude)) if v is not None}
    return config.model_copy(update={"spec": config.spec.model_copy(update=update)})


def test_the_globs_select_and_aireg_yaml_is_read_apart(tmp_path: Path) -> None:
    write_files(tmp_path, {"aireg.yaml": "", "a.yaml": "", "b.yml": "", "c.json": "",
                           "ci/w.yaml": "", "deep/d.yaml": ""})
    tree = FolderTree(tmp_path, "")
    assert select(tree, settings()) == (["a.yaml", "b.yml", "ci/w.yaml", "deep/d.yaml"], [])
    assert select(tree, settings(exclude=["ci/**"]))[0] == ["a.yaml", "b.yml", "deep/d.yaml"]
    assert select(tree, settings(include=["deep/*"]))[0] == ["deep/d.yaml"]


def test_a_link_that_cannot_be_followed_is_a_finding(tmp_path: Path) -> None:
    root = tmp_path / "reg"
    write_files(root, {"aireg.yaml": "", "ok.yaml": ""})
    write_files(tmp_path, {"outside.yaml": ""})
    (root / "out.yaml").symlink_to(tmp_path / "outside.yaml")
    (root / "gone.yaml").symlink_to(root / "missing.yaml")
    (root / "away").symlink_to(tmp_path, target_is_directory=True)
    rels, found = select(FolderTree(root, "reg/"), settings())
    assert rels == ["ok.yaml"]
    assert [(f.rule, str(f.at), f.message) for f in found] == [
        ("path-escape", "reg/away:1:1", "this folder is a link that leads out of the registry; "
         "aireg does not follow it: move its files into the registry or exclude it"),
        ("yaml-syntax", "reg/gone.yaml:1:1", "this file is a link to a file that does not "
         "exist, so aireg cannot read it: point the link at a file, remove it or exclude it"),
        ("path-escape", "reg/out.yaml:1:1", "this file is a link that leads out of the "
         "registry; aireg reads no file outside it: move the file into the registry or "
         "exclude it"),
    ]
    # Excluded, a link says nothing.
    assert select(FolderTree(root, "reg/"), settings(exclude=["away", "*.yaml"])) == ([], [])


def test_a_glob_that_cannot_be_used_is_left_out_and_reported() -> None:
    at = Pointer("aireg.yaml", 0)
    found: list[Finding] = []
    config = usable_globs(settings(include=["**/*.yaml", "[oops"]), at, found)
    assert config.spec.include == ["**/*.yaml"]
    assert [(f.rule, f.at, f.message) for f in found] == [
        ("schema", Pointer("aireg.yaml", 0, ("spec", "include", 1)),
         "`spec.include[1]`: the glob `[oops` opens a `[` (character 1) that no `]` closes: "
         "close it, or write `[[]` to match a `[` itself; until then aireg leaves this glob "
         "out")]
    clean = settings()
    assert usable_globs(clean, at, found) is clean
