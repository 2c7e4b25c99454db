"""registry/validate.py: parsed documents into validated declarations; a finding, at its
place, for every document that is aireg's and wrong."""

from __future__ import annotations

from pathlib import Path

from conftest import write_files

from registry.decl import Decl
from registry.files import FolderTree
from registry.findings import Finding, Pointer
from registry.validate import declarations, registry_config
from registry.yamlio import load_documents


def validated(root: Path, text: str, rel: str = "x.yaml") -> tuple[list[Decl], list[str]]:
    write_files(root, {rel: text})
    documents, problems = load_documents(text)
    assert problems == []
    decls: list[Decl] = []
    findings: list[Finding] = []
    declarations(FolderTree(root, ""), rel, list(enumerate(documents)), decls, findings)
    return decls, [f"{f.rule} {f.at.keys if isinstance(f.at, Pointer) else ''} {f.message}"
                   for f in findings]


def test_documents_that_are_not_aireg_are_left_alone(tmp_path: Path) -> None:
    assert validated(tmp_path, "on: push\njobs: {}\n---\n- a list\n") == ([], [])


def test_each_document_is_validated_apart(tmp_path: Path) -> None:
    text = ("apiVersion: aireg/v1\nkind: Team\nmetadata: {name: platform}\n---\n"
            "apiVersion: aireg/v2\nkind: Team\nmetadata: {name: other}\n---\n"
            "apiVersion: aireg/v1\nkind: Promt\nmetadata: {name: p}\n---\n"
            "apiVersion: aireg/v1\nkind: Registry\nmetadata: {name: r}\n---\n"
            "apiVersion: aireg/v1\nmetadata: {name: nokind}\n---\n"
            "just text\n")
    decls, found = validated(tmp_path, text)
    assert [(d.id, d.path, d.doc) for d in decls] == [("team/platform", "x.yaml", 0)]
    assert found == [
        "schema ('apiVersion',) apiVersion `aireg/v2` is not supported; this aireg reads "
        "aireg/v1",
        "schema ('kind',) unknown kind `Promt` (did you mean Prompt?); kinds are Model, Prompt, "
        "Adapter, Dataset, McpServer, Feature, Eval, Team, Environment, VectorIndex, Revocation",
        "schema ('kind',) a Registry document belongs in aireg.yaml at the registry root",
        "schema () missing field `kind`; set it to one of Model, Prompt, Adapter, Dataset, "
        "McpServer, Feature, Eval, Team, Environment, VectorIndex, Revocation",
        "schema () this document is a string; a declaration is a mapping with apiVersion, "
        "kind, metadata and spec (one per document, separated by ---)",
    ]


PROMPT = """\
apiVersion: aireg/v1
kind: Prompt
metadata: {name: p, version: 1.0.0, owner: team/platform}
spec: {templateFile: %s}
"""


def test_a_prompt_gets_its_template_file(tmp_path: Path) -> None:
    write_files(tmp_path, {"prompts/t/p.j2": "Hello {{ name }}\n"})
    decls, found = validated(tmp_path, PROMPT % "t/p.j2", "prompts/p.yaml")
    assert found == []
    assert (decls[0].template, decls[0].template_path) == ("Hello {{ name }}\n",
                                                           "prompts/t/p.j2")


def test_a_template_file_that_cannot_be_read_is_a_finding_at_the_field(tmp_path: Path) -> None:
    decls, found = validated(tmp_path, PROMPT % "../../up.j2", "prompts/p.yaml")
    assert found == ["path-escape ('spec', 'templateFile') templateFile `../../up.j2` resolves "
                     "outside the registry root; keep templates inside the registry"]
    # The declaration still loads: the finding is about its template, not about it.
    assert [d.id for d in decls] == ["prompt/p@1.0.0"] and decls[0].template is None
    _, found = validated(tmp_path, PROMPT % "none.j2", "q.yaml")
    assert found == ["template ('spec', 'templateFile') templateFile `none.j2` does not exist "
                     "(looked for none.j2)"]


def test_aireg_yaml_must_hold_registry_settings() -> None:
    found: list[Finding] = []
    at = Pointer("aireg.yaml", 0)
    assert registry_config({"kind": "Team"}, at, found) is None
    assert registry_config({"apiVersion": "aireg/v1", "kind": "Registry",
                            "metadata": {"name": "Bad Name"}}, at, found) is None
    assert [f.message for f in found] == [
        "aireg.yaml holds the registry settings: one document of kind Registry; move "
        "declarations to other files",
        "`metadata.name` must be a name of lowercase letters, digits, `.`, `_` and `-`, starting "
        "with a letter or digit; got `Bad Name`",
        "aireg.yaml is invalid, so aireg uses the default settings until it is fixed",
    ]
    good = registry_config({"apiVersion": "aireg/v1", "kind": "Registry",
                            "metadata": {"name": "acme"}}, at, found)
    assert good is not None and good.metadata.name == "acme" and len(found) == 3
