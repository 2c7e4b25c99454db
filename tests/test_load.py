"""Bad input (SPEC section 10): every bad file gets one finding with file:line:column and what
to do, and every other file of the registry still loads."""

from __future__ import annotations

import json
import os
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CONFIG, TEAM, GitRepo, Result, Run, findings

# A valid declaration in its own file: whatever is wrong elsewhere, it must still load.
KEPT_ID = "dataset/kept@1.0.0"
KEPT = """\
apiVersion: aireg/v1
kind: Dataset
metadata:
  name: kept
  version: 1.0.0
  owner: team/platform
spec:
  license: CC-BY-4.0
  records: 5
"""
KEPT_UNUSED = ("data/kept.yaml:4:9: info[unused-artifact] nothing uses dataset/kept@1.0.0; "
               "remove it if it is no longer needed")

# Prompt envelope; `spec:` is line 7, so the first spec field is on line 8.
PROMPT_HEAD = """\
apiVersion: aireg/v1
kind: Prompt
metadata:
  name: p
  version: 1.0.0
  owner: team/platform
spec:
"""


def prompt_with_file(template_file: str) -> str:
    return PROMPT_HEAD + f"  templateFile: {template_file}\n"


def lines_for(result: Result, path: str) -> list[str]:
    """The finding lines of `aireg check` text output that are about one file."""
    return [line for line in result.out.splitlines() if line.startswith(f"{path}:")]


def errors_for(result: Result, path: str) -> list[str]:
    return [line for line in lines_for(result, path) if ": error[" in line]


def declared_ids(aireg: Run, root: Path) -> set[str]:
    result = aireg("-C", str(root), "ls", "--format", "json")
    assert result.code == 0, result.err
    return {d["id"] for d in json.loads(result.out)["declarations"]}


Checker = Callable[..., Result]


@pytest.fixture
def check_bad(make_registry: Callable[..., Path], aireg: Run) -> Checker:
    """Build a registry of KEPT plus `files`, run `aireg check`, and assert that the check
    fails (exit 1) and that KEPT still loads; returns the check's result."""

    def run(files: dict[str, str | bytes], root: Path | None = None) -> Result:
        root = make_registry({"data/kept.yaml": KEPT, **files}, root=root)
        result = aireg("-C", str(root), "check")
        assert result.code == 1, result.out + result.err
        assert result.err == ""
        assert KEPT_ID in declared_ids(aireg, root)
        return result

    return run


def test_invalid_yaml_syntax(check_bad: Checker) -> None:
    result = check_bad({"bad.yaml": """\
        apiVersion: aireg/v1
        kind: Dataset
        metadata:
          name: x
          version: 1.0.0
           owner: team/platform
        """})
    assert lines_for(result, "bad.yaml") == [
        "bad.yaml:6:9: error[yaml-syntax] invalid YAML: mapping values are not allowed in this "
        "context; a `: ` where YAML expects no key: quote the value, or fix the indentation"]


def test_documents_before_a_syntax_error_still_load(check_bad: Checker, aireg: Run,
                                                   tmp_path: Path) -> None:
    result = check_bad({"bad.yaml": """\
        apiVersion: aireg/v1
        kind: Dataset
        metadata: {name: first, version: 1.0.0, owner: team/platform}
        spec: {}
        ---
        apiVersion: aireg/v1
        kind: Prompt
        metadata: {name: x, version: 1.0.0
        spec: {}
        """})
    assert "bad.yaml:9:5: error[yaml-syntax] invalid YAML: did not find expected ',' or '}' " \
        "(while parsing a flow mapping)" in lines_for(result, "bad.yaml")
    assert "dataset/first@1.0.0" in declared_ids(aireg, tmp_path / "reg")


def billion_laughs() -> str:
    """Nine levels of nine aliases each: 9**9 values once expanded."""
    lines = ["apiVersion: aireg/v1", "kind: Dataset",
             'lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        lines.append(f"lol{level}: &lol{level} [{', '.join([f'*lol{level - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_rejected(check_bad: Checker) -> None:
    result = check_bad({"bomb.yaml": billion_laughs()})
    # lol5 (line 8) is the first anchor whose expansion passes 100,000 values.
    assert lines_for(result, "bomb.yaml") == [
        "bomb.yaml:8:7: error[yaml-syntax] YAML aliases expand this document to more than "
        "100,000 values; aireg does not expand aliases that far: write the values out"]


def test_alias_to_itself_is_rejected(check_bad: Checker) -> None:
    result = check_bad({"loop.yaml": "apiVersion: aireg/v1\nkind: Dataset\nx: &a [1, *a]\n"})
    assert lines_for(result, "loop.yaml") == [
        "loop.yaml:3:4: error[yaml-syntax] a YAML alias refers to itself; write the value out"]


def write_huge_declaration(path: Path, mebibytes: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        out.write(b"apiVersion: aireg/v1\nkind: Dataset\ndescription: |\n")
        chunk = b"  " + b"x" * 1022 + b"\n"
        for _ in range(mebibytes * 1024):
            out.write(chunk)


HUGE_FINDING = ("huge.yaml:1:1: error[yaml-syntax] file is 50.0 MiB, over the 4 MiB that aireg "
                "reads in one declaration file: split it into smaller files")


def test_enormous_file_is_refused_not_parsed(check_bad: Checker, tmp_path: Path) -> None:
    root = tmp_path / "reg"
    write_huge_declaration(root / "huge.yaml", 50)
    result = check_bad({}, root=root)
    assert lines_for(result, "huge.yaml") == [HUGE_FINDING]


def test_enormous_file_is_not_read_into_memory(check_bad: Checker, aireg: Run,
                                               tmp_path: Path) -> None:
    root = tmp_path / "reg"
    write_huge_declaration(root / "huge.yaml", 50)
    check_bad({}, root=root)  # imports and warms every module first
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = aireg("-C", str(root), "check")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert lines_for(result, "huge.yaml") == [HUGE_FINDING]
    assert peak - before < 16 * 1024 * 1024


def test_non_utf8_byte_is_located(check_bad: Checker) -> None:
    result = check_bad({"latin1.yaml": (
        b"apiVersion: aireg/v1\nkind: Dataset\nmetadata:\n  name: x\n"
        b"  description: caf\xe9 au lait\n")})
    assert lines_for(result, "latin1.yaml") == [
        "latin1.yaml:5:19: error[yaml-syntax] byte 0xe9 is not UTF-8; save the file as UTF-8"]


@pytest.mark.parametrize(("text", "at", "code"), [
    (b"apiVersion: aireg/v1\nkind: Dataset\nmetadata:\n  name: caf\xc3\xa9\x01\n", "4:13", "01"),
    (b"apiVersion: aireg/v1\nkind: Dataset\n\x00\n", "3:1", "00"),
    (b"# aireg/v1\r\nname: \x1b[0m\r\n", "2:7", "1B"),
], ids=["control-character", "nul", "escape"])
def test_a_character_yaml_does_not_allow_is_located(check_bad: Checker, text: bytes, at: str,
                                                    code: str) -> None:
    result = check_bad({"ctl.yaml": text})
    assert lines_for(result, "ctl.yaml") == [
        f"ctl.yaml:{at}: error[yaml-syntax] invalid YAML: character U+00{code} is not allowed in "
        f"YAML; delete it, or write it as `\\x{code}` inside a double-quoted string"]


def test_findings_before_a_syntax_error_are_located(check_bad: Checker) -> None:
    result = check_bad({"bad.yaml": """\
        apiVersion: aireg/v1
        kind: Dataset
        metadata: {name: first, version: 1.0.0, owner: team/platform}
        spec: {recrods: 5}
        ---
        kind: [
        """})
    assert lines_for(result, "bad.yaml") == [
        "bad.yaml:4:8: error[schema] unknown field `spec.recrods` (did you mean records?); "
        "remove it or fix its name",
        "bad.yaml:7:1: error[yaml-syntax] invalid YAML: did not find expected node content "
        "(while parsing a flow node)"]


@pytest.mark.parametrize(("codec", "name"), [
    ("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"), ("utf-32", "UTF-32"),
], ids=["utf-16-bom", "utf-16-le", "utf-16-be", "utf-32-bom"])
def test_a_declaration_file_in_utf16_or_utf32_is_a_finding(check_bad: Checker, codec: str,
                                                           name: str) -> None:
    result = check_bad({"wide.yaml": KEPT.replace("kept", "wide").encode(codec)})
    assert lines_for(result, "wide.yaml") == [
        f"wide.yaml:1:1: error[yaml-syntax] this file is {name}, not UTF-8; aireg reads only "
        "UTF-8: save the file as UTF-8"]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le"])
def test_other_yaml_in_utf16_is_skipped_silently(make_registry: Callable[..., Path],
                                                 aireg: Run, codec: str) -> None:
    root = make_registry({"data/kept.yaml": KEPT,
                          "tool.yaml": "name: CI\non: [push]\n".encode(codec)})
    result = aireg("-C", str(root), "check")
    assert (result.code, findings(result)) == (0, [KEPT_UNUSED])


def test_document_that_is_a_list_of_declarations(check_bad: Checker) -> None:
    result = check_bad({"list.yaml": """\
        - apiVersion: aireg/v1
          kind: Dataset
          metadata: {name: x, version: 1.0.0, owner: team/platform}
          spec: {}
        """})
    assert lines_for(result, "list.yaml") == [
        "list.yaml:1:1: error[schema] this document is a list; a declaration is a mapping with "
        "apiVersion, kind, metadata and spec (one per document, separated by ---)"]


def test_scalar_document_beside_a_declaration(check_bad: Checker, aireg: Run,
                                              tmp_path: Path) -> None:
    result = check_bad({"mixed.yaml": """\
        apiVersion: aireg/v1
        kind: Dataset
        metadata: {name: beside, version: 1.0.0, owner: team/platform}
        spec: {}
        ---
        just a sentence
        """})
    assert "mixed.yaml:6:1: error[schema] this document is a string; a declaration is a mapping " \
        "with apiVersion, kind, metadata and spec (one per document, separated by ---)" \
        in lines_for(result, "mixed.yaml")
    assert "dataset/beside@1.0.0" in declared_ids(aireg, tmp_path / "reg")


def test_wrong_types(check_bad: Checker) -> None:
    result = check_bad({"types.yaml": """\
        apiVersion: aireg/v1
        kind: Dataset
        metadata: {name: x, version: 1.0.0, owner: team/platform}
        spec:
          records: many
        ---
        apiVersion: aireg/v1
        kind: Model
        metadata: {name: m, owner: team/platform}
        spec:
          provider: openai
          modelId: gpt-4o
          contextWindow: "12"
        """})
    assert lines_for(result, "types.yaml") == [
        "types.yaml:5:12: error[schema] `spec.records` must be a whole number, not the string "
        "`many`",
        "types.yaml:13:18: error[schema] `spec.contextWindow` must be a whole number, not the "
        "string `12`",
    ]


def test_wrong_type_in_a_scalar_mapping_is_one_finding(check_bad: Checker) -> None:
    result = check_bad({"adapter.yaml": """\
        apiVersion: aireg/v1
        kind: Adapter
        metadata: {name: a, version: 1.0.0, owner: team/platform}
        spec:
          baseModel: model/base
          method: lora
          hyperparameters: {rank: [8, 16]}
        """})
    found = lines_for(result, "adapter.yaml")
    assert len(found) == 1
    assert found[0].startswith(
        "adapter.yaml:7:27: error[schema] `spec.hyperparameters.rank` must be ")


@pytest.mark.parametrize(("line", "column"), [
    ("  retention: {until: 2026-02-29}", 22),
    ("  personalData: !!bool maybe", 17),
])
def test_value_yaml_cannot_construct(check_bad: Checker, line: str, column: int) -> None:
    result = check_bad({"dates.yaml": (
        "apiVersion: aireg/v1\nkind: Dataset\n"
        "metadata: {name: x, version: 1.0.0, owner: team/platform}\n"
        f"spec:\n{line}\n")})
    found = lines_for(result, "dates.yaml")
    assert len(found) == 1
    assert found[0].startswith(f"dates.yaml:5:{column}: error[")


@pytest.mark.parametrize(("written", "advice"), [
    ("1.10", "`1.10` is read by YAML as the number 1.1; write a full version such as 1.10.0"),
    ("2", "`2` is read by YAML as the number 2; write a full version such as 2.0.0"),
])
def test_unquoted_short_version(check_bad: Checker, written: str, advice: str) -> None:
    result = check_bad({"version.yaml": f"""\
        apiVersion: aireg/v1
        kind: Dataset
        metadata:
          name: x
          version: {written}
          owner: team/platform
        spec: {{}}
        """})
    assert lines_for(result, "version.yaml") == [
        f"version.yaml:5:12: error[schema] `metadata.version`: {advice}"]


def test_duplicate_key_in_one_mapping(check_bad: Checker) -> None:
    result = check_bad({"dup.yaml": """\
        apiVersion: aireg/v1
        kind: Dataset
        metadata:
          name: x
          version: 1.0.0
          owner: team/platform
          name: y
        spec: {}
        """})
    assert lines_for(result, "dup.yaml") == [
        "dup.yaml:7:3: error[yaml-syntax] duplicate key `name` in one mapping (first at line 4); "
        "YAML would keep only the last one: remove or rename one of them"]


def test_duplicate_key_does_not_hide_later_documents(check_bad: Checker, aireg: Run,
                                                     tmp_path: Path) -> None:
    check_bad({"dup.yaml": """\
        apiVersion: aireg/v1
        kind: Dataset
        kind: Dataset
        ---
        apiVersion: aireg/v1
        kind: Dataset
        metadata: {name: after, version: 1.0.0, owner: team/platform}
        spec: {}
        """})
    assert "dataset/after@1.0.0" in declared_ids(aireg, tmp_path / "reg")


def test_refs_that_do_not_parse(check_bad: Checker) -> None:
    result = check_bad({"feature.yaml": """\
        apiVersion: aireg/v1
        kind: Feature
        metadata: {name: bot, owner: team/platform}
        spec:
          uses:
            - prompt/house style
            - prmpt/x
            - prompt/x@^^3
            - team/platform@^1
        """})
    assert lines_for(result, "feature.yaml") == [
        "feature.yaml:6:7: error[schema] `spec.uses[0]`: `prompt/house style` has an invalid name "
        "`house style`; names are lowercase letters, digits, `.`, `_` and `-`, starting with a "
        "letter or digit",
        "feature.yaml:7:7: error[schema] `spec.uses[1]`: `prmpt/x` has an unknown kind `prmpt` "
        "(did you mean prompt?); kinds are model, prompt, adapter, dataset, mcp, feature, eval, "
        "team, env, user, index, revocation",
        "feature.yaml:8:7: error[schema] `spec.uses[2]`: `prompt/x@^^3`: `^^3` is not a version "
        "range; write one in npm syntax, such as 3.1.0, ^3, ~3.1.0, 3.x or \">=3.0.0 <4.0.0\"",
        "feature.yaml:9:7: error[schema] `spec.uses[3]`: `team/platform@^1`: team refs take no "
        "version range; write team/platform",
    ]


@pytest.mark.parametrize(("path", "template_file"), [
    ("p.yaml", "../outside.j2"),
    ("prompts/p.yaml", "../../outside.j2"),
    ("prompts/p.yaml", "/etc/hosts"),
])
def test_template_file_outside_the_root(check_bad: Checker, path: str,
                                        template_file: str) -> None:
    result = check_bad({path: prompt_with_file(template_file)})
    assert errors_for(result, path) == [
        f"{path}:8:17: error[path-escape] templateFile `{template_file}` resolves outside the "
        "registry root; keep templates inside the registry"]


def test_template_file_up_a_folder_but_inside_the_root_is_fine(
        make_registry: Callable[..., Path], aireg: Run) -> None:
    root = make_registry({"prompts/p.yaml": prompt_with_file("../shared/p.j2"),
                          "shared/p.j2": "Be brief.\n"})
    result = aireg("-C", str(root), "check")
    assert result.code == 0, result.out
    assert findings(result) == [
        "prompts/p.yaml:4:9: info[unused-artifact] nothing uses prompt/p@1.0.0; remove it if it "
        "is no longer needed"]


def test_template_file_through_a_link_out_of_the_repository(check_bad: Checker,
                                                            tmp_path: Path) -> None:
    secret = tmp_path / "elsewhere" / "secret.j2"
    secret.parent.mkdir()
    secret.write_text("not yours\n", encoding="utf-8")
    root = tmp_path / "reg"
    (root / "prompts").mkdir(parents=True)
    (root / "prompts" / "p.j2").symlink_to(secret)
    result = check_bad({"prompts/p.yaml": prompt_with_file("p.j2")}, root=root)
    assert errors_for(result, "prompts/p.yaml") == [
        "prompts/p.yaml:8:17: error[path-escape] templateFile `p.j2` is a link that leads out of "
        "the registry; replace the link with the file"]


LONG_NAME = "a" * 5000
LONG_PATH = "/".join(["d" * 200] * 25)  # every name fits, the whole does not


@pytest.mark.parametrize(("written", "message"), [
    ('"a\\0b.j2"', "templateFile `a\\x00b.j2` holds a NUL character, which no file name can; "
                   "write the path of the template file, relative to this file"),
    (LONG_NAME, f"templateFile `{'a' * 60}…` is 5000 bytes long, more than a file system takes "
                "(255 bytes a name, 4096 in all); write the path of the template file, relative "
                "to this file"),
    (LONG_PATH, f"templateFile `{'d' * 60}…` is 5024 bytes long, more than a file system takes "
                "(255 bytes a name, 4096 in all); write the path of the template file, relative "
                "to this file"),
], ids=["nul", "long-name", "long-path"])
def test_template_file_path_no_file_system_holds(check_bad: Checker, written: str,
                                                 message: str) -> None:
    result = check_bad({"p.yaml": prompt_with_file(written)})
    assert errors_for(result, "p.yaml") == [f"p.yaml:8:17: error[template] {message}"]


def test_template_file_that_is_a_link_loop(make_registry: Callable[..., Path]) -> None:
    from registry.files import FolderTree
    from registry.load import load_files
    from registry.locate import Locator
    from registry.render.text import finding_line

    # Loaded by name: the folder walk of a whole registry is another matter (see files.py).
    root = make_registry({"p.yaml": prompt_with_file("loop.j2")})
    (root / "loop.j2").symlink_to("loop.j2")
    tree = FolderTree(root, "")
    loaded = load_files(tree, ["p.yaml"])
    locator = Locator(tree, loaded.texts)
    assert [finding_line(locator.locate(f)) for f in loaded.findings] == [
        "p.yaml:8:17: error[template] templateFile `loop.j2` is a link that leads round in a "
        "loop; replace the link with the file"]
    assert loaded.decls[0].template is None


def test_template_file_that_is_a_pipe_is_not_opened(check_bad: Checker, tmp_path: Path) -> None:
    root = tmp_path / "reg"
    root.mkdir()
    os.mkfifo(root / "p.j2")  # opening it to read would wait for a writer for ever
    result = check_bad({"p.yaml": prompt_with_file("p.j2")}, root=root)
    assert errors_for(result, "p.yaml") == [
        "p.yaml:8:17: error[template] templateFile `p.j2` is not a regular file (a pipe, socket "
        "or device); point it at a template"]


HUGE_TEMPLATE = ("p.yaml:8:17: error[template] templateFile `p.j2` is 5.0 MiB, over the 4 MiB "
                 "that aireg reads in one template: split it into prompts that include each "
                 "other")


@pytest.mark.parametrize("linked", [False, True], ids=["file", "link"])
def test_enormous_template_file_is_refused_unread(check_bad: Checker, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  linked: bool) -> None:
    from registry.files import FolderTree

    root = tmp_path / "reg"
    big = root / ("big/huge.txt" if linked else "p.j2")
    big.parent.mkdir(parents=True)
    with big.open("wb") as out:
        out.truncate(5 * 1024 * 1024)  # sparse: no disk space, but 5 MiB to read
    if linked:
        (root / "p.j2").symlink_to("big/huge.txt")
    read: list[str] = []
    real_read = FolderTree.read

    def recording_read(self: FolderTree, rel: str) -> bytes | None:
        read.append(rel)
        return real_read(self, rel)

    monkeypatch.setattr(FolderTree, "read", recording_read)
    result = check_bad({"p.yaml": prompt_with_file("p.j2")}, root=root)
    assert errors_for(result, "p.yaml") == [HUGE_TEMPLATE]
    assert "p.j2" not in read
    assert "p.yaml" in read


@pytest.mark.parametrize(("path", "template_file"), [
    ("p.yaml", ".git/config"),
    ("prompts/p.yaml", "../.git/config"),
    ("p.yaml", ".GIT/config"),
    ("p.yaml", "vendor/lib/.git"),  # a submodule's or worktree's .git file
    ("p.yaml", ".git./config"),  # Windows drops the trailing dot
])
def test_template_file_may_not_read_git_files(check_bad: Checker, path: str,
                                              template_file: str) -> None:
    result = check_bad({path: prompt_with_file(template_file),
                        ".git/config": "[core]\n", "vendor/lib/.git": "gitdir: x\n"})
    assert errors_for(result, path) == [
        f"{path}:8:17: error[path-escape] templateFile `{template_file}` leads into .git, git's "
        "own files, which aireg never reads (a checkout's .git/config can hold credentials); "
        "keep templates in the registry's own files"]


def test_template_link_into_git_files_is_refused(check_bad: Checker, tmp_path: Path) -> None:
    root = tmp_path / "reg"
    (root / ".git").mkdir(parents=True)
    (root / ".git" / "config").write_text("[core]\n", encoding="utf-8")
    (root / "p.j2").symlink_to(".git/config")
    result = check_bad({"p.yaml": prompt_with_file("p.j2")}, root=root)
    assert errors_for(result, "p.yaml") == [
        "p.yaml:8:17: error[path-escape] templateFile `p.j2` leads into .git, git's own files, "
        "which aireg never reads (a checkout's .git/config can hold credentials); keep templates "
        "in the registry's own files"]


def test_declaration_file_that_links_out_of_the_registry(check_bad: Checker, aireg: Run,
                                                         tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "evil.yaml"
    outside.parent.mkdir()
    outside.write_text(KEPT.replace("kept", "evil"), encoding="utf-8")
    root = tmp_path / "reg"
    root.mkdir()
    (root / "evil.yaml").symlink_to(outside)
    result = check_bad({}, root=root)
    assert lines_for(result, "evil.yaml") == [
        "evil.yaml:1:1: error[path-escape] this file is a link that leads out of the registry; "
        "aireg reads no file outside it: move the file into the registry or exclude it"]
    assert "dataset/evil@1.0.0" not in declared_ids(aireg, root)


def test_folder_that_links_out_of_the_registry(check_bad: Checker, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "evil.yaml").write_text(KEPT.replace("kept", "evil"), encoding="utf-8")
    root = tmp_path / "reg"
    root.mkdir()
    (root / "shared").symlink_to(outside)
    result = check_bad({}, root=root)
    found = [line for line in result.out.splitlines() if line.startswith("shared")]
    assert len(found) == 1
    assert "error[path-escape]" in found[0]


def test_unknown_field_with_suggestion(check_bad: Checker) -> None:
    result = check_bad({"typo.yaml": """\
        apiVersion: aireg/v1
        kind: Dataset
        metadata:
          name: x
          version: 1.0.0
          owner: team/platform
          descripton: Support tickets
        spec:
          recrods: 5
        """})
    assert lines_for(result, "typo.yaml") == [
        "typo.yaml:7:3: error[schema] unknown field `metadata.descripton` (did you mean "
        "description?); remove it or fix its name",
        "typo.yaml:9:3: error[schema] unknown field `spec.recrods` (did you mean records?); "
        "remove it or fix its name",
    ]


def test_many_unknown_fields_in_one_mapping(check_bad: Checker) -> None:
    # Each finding is located by key: 10,000 of them in one mapping, one lookup each.
    keys = 10_000
    result = check_bad({"wide.yaml": KEPT.replace("kept", "wide")
                        + "".join(f"  extra{i}: {i}\n" for i in range(keys))})
    found = lines_for(result, "wide.yaml")
    assert len(found) == keys
    assert found[0] == ("wide.yaml:10:3: error[schema] unknown field `spec.extra0`; remove it "
                        "or fix its name")
    assert found[-1] == (f"wide.yaml:{keys + 9}:3: error[schema] unknown field "
                         f"`spec.extra{keys - 1}`; remove it or fix its name")


def test_missing_required_version(check_bad: Checker) -> None:
    result = check_bad({"noversion.yaml": PROMPT_HEAD.replace("  version: 1.0.0\n", "")
                        + "  template: hi\n"})
    assert lines_for(result, "noversion.yaml") == [
        "noversion.yaml:3:1: error[schema] missing required field `metadata.version`; add it"]


def test_unsupported_api_version(check_bad: Checker) -> None:
    result = check_bad({"v2.yaml": "apiVersion: aireg/v2\nkind: Prompt\nmetadata: {name: x}\n"})
    assert lines_for(result, "v2.yaml") == [
        "v2.yaml:1:13: error[schema] apiVersion `aireg/v2` is not supported; this aireg reads "
        "aireg/v1"]


def test_unknown_kind(check_bad: Checker) -> None:
    result = check_bad({"kind.yaml": "apiVersion: aireg/v1\nkind: Promt\nmetadata: {name: x}\n"})
    assert lines_for(result, "kind.yaml") == [
        "kind.yaml:2:7: error[schema] unknown kind `Promt` (did you mean Prompt?); kinds are "
        "Model, Prompt, Adapter, Dataset, McpServer, Feature, Eval, Team, Environment, "
        "VectorIndex, Revocation"]


@pytest.mark.parametrize(("written", "got"), [
    ("[Dataset]", "a list"), ("{Dataset: 1}", "a mapping"), ("5", "the number `5`")])
def test_kind_that_is_not_a_string(check_bad: Checker, written: str, got: str) -> None:
    result = check_bad({"kind.yaml": f"apiVersion: aireg/v1\nkind: {written}\nmetadata: {{}}\n"})
    assert lines_for(result, "kind.yaml") == [
        "kind.yaml:2:7: error[schema] `kind` must be one of Model, Prompt, Adapter, Dataset, "
        f"McpServer, Feature, Eval, Team, Environment, VectorIndex, Revocation; got {got}"]


@pytest.mark.parametrize(("path", "content"), [
    (".github/workflows/ci.yaml", """\
        name: CI
        on: [push]
        jobs:
          check: {runs-on: ubuntu-latest, steps: [{run: aireg check}]}
        """),
    ("charts/app/templates/deploy.yaml", """\
        apiVersion: apps/v1
        metadata:
          name: {{ .Release.Name }}
          labels: {{- include "app.labels" . | nindent 4 }}
        """),
    ("empty.yaml", ""),
    ("blank.yml", "# aireg/v1 declarations will go here\n---\n---\n"),
], ids=["workflow", "helm-template", "empty-file", "empty-documents"])
def test_files_that_are_not_declarations_are_skipped_silently(
        make_registry: Callable[..., Path], aireg: Run, path: str, content: str) -> None:
    root = make_registry({"data/kept.yaml": KEPT, path: content})
    result = aireg("-C", str(root), "check")
    assert result.code == 0
    assert findings(result) == [KEPT_UNUSED]


def test_a_glob_that_cannot_be_used_is_left_out(make_registry: Callable[..., Path],
                                               aireg: Run) -> None:
    config = CONFIG + """\
spec:
  include:
    - "data/[z-a].yaml"
    - "[dt][ae]*/*.yaml"
  exclude: ["data/[ab.yaml", "a******************b", "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"]
"""
    # The 200 `a`s would keep a backtracking matcher of the exclude globs busy for hours.
    long_name = "data/" + "a" * 200 + ".yaml"
    root = make_registry({"data/kept.yaml": KEPT, long_name: KEPT.replace("kept", "long")},
                         config)
    result = aireg("-C", str(root), "check")
    assert (result.code, result.err) == (1, "")
    assert findings(result) == [
        "aireg.yaml:7:7: error[schema] `spec.include[0]`: the glob `data/[z-a].yaml` has the "
        "range `z-a`, which runs backwards: write `a-z`; until then aireg leaves this glob out",
        "aireg.yaml:9:13: error[schema] `spec.exclude[0]`: the glob `data/[ab.yaml` opens a `[` "
        "(character 6) that no `]` closes: close it, or write `[[]` to match a `[` itself; until "
        "then aireg leaves this glob out",
        f"{long_name}:4:9: info[unused-artifact] nothing uses dataset/long@1.0.0; remove it if "
        "it is no longer needed",
        KEPT_UNUSED,
    ]


def test_utf8_byte_order_mark_is_fine(make_registry: Callable[..., Path], aireg: Run) -> None:
    root = make_registry({"data/kept.yaml": "\ufeff" + KEPT})
    result = aireg("-C", str(root), "check")
    assert result.code == 0
    assert findings(result) == [KEPT_UNUSED]
    assert KEPT_ID in declared_ids(aireg, root)


def test_folder_without_registry_exits_2(aireg: Run, tmp_path: Path) -> None:
    folder = tmp_path / "not-a-registry"
    folder.mkdir()
    result = aireg("-C", str(folder), "check")
    assert result.code == 2
    assert result.out == ""
    assert result.err == (
        f"aireg: error: no aireg.yaml in {folder.resolve()} or any folder above it: run aireg "
        "inside a registry, or point -C at the folder that holds aireg.yaml\n")


def test_unknown_git_revision_exits_2(git_repo: GitRepo, aireg: Run) -> None:
    git_repo.commit("registry", {"aireg.yaml": CONFIG, "teams/platform.yaml": TEAM,
                                 "data/kept.yaml": KEPT})
    result = aireg("--rev", "nope", "-C", str(git_repo.root), "check")
    assert result.code == 2
    assert result.out == ""
    assert "unknown git revision `nope`" in result.err
    assert "fetch-depth: 0" in result.err
    assert aireg("--rev", "HEAD", "-C", str(git_repo.root), "check").code == 0


@pytest.mark.parametrize(("folder", "name"), [("AIRegistry", "airegistry"), ("my reg", "my-reg")])
def test_a_registry_folder_name_that_is_no_declaration_name(git_repo: GitRepo, aireg: Run,
                                                            folder: str, name: str) -> None:
    # The name a registry goes by until its aireg.yaml gives one comes from its folder.
    git_repo.commit("registry", {f"{folder}/aireg.yaml": CONFIG,
                                 f"{folder}/teams/platform.yaml": TEAM})
    root = git_repo.root / folder
    result = aireg("-C", str(root), "check")
    assert (result.code, result.out, result.err) == (
        0, "All checks passed: 1 declaration in 2 files.\n", "")
    (root / "aireg.yaml").write_text(CONFIG.replace("  name: test\n", "  owner: x\n"),
                                     encoding="utf-8")
    result = aireg("-C", str(root), "check", "--format", "json")
    assert result.code == 1
    assert json.loads(result.out)["registry"] == name
    result = aireg("-C", str(root), "check")
    assert (result.code, findings(result)) == (1, [
        f"{folder}/aireg.yaml:1:1: error[schema] aireg.yaml is invalid, so aireg uses the "
        "default settings until it is fixed",
        f"{folder}/aireg.yaml:3:1: error[schema] missing required field `metadata.name`; add it",
        f"{folder}/aireg.yaml:4:3: error[schema] unknown field `metadata.owner`; remove it or "
        "fix its name",
    ])


def test_a_file_aireg_may_not_read_is_a_finding(make_registry: Callable[..., Path], aireg: Run,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Root reads every file, so the refusal is the operating system's answer, made here."""
    import registry.files

    root = make_registry({"secret.yaml": "apiVersion: aireg/v1\n"})
    opened = registry.files.os.open

    def refuse(path: str, flags: int, *args: int) -> int:
        if str(path).endswith("secret.yaml"):
            raise PermissionError(13, "Permission denied", path)
        return opened(path, flags, *args)

    monkeypatch.setattr(registry.files.os, "open", refuse)
    result = aireg("-C", str(root), "check")
    assert result == Result(1, "secret.yaml:1:1: error[yaml-syntax] file cannot be read "
                               "(Permission denied); make it readable to aireg, or leave it "
                               "out with spec.exclude\n\nFound 1 error, 0 warnings, 0 infos in "
                               "1 declaration in 2 files.\n", "")
