"""`check --format sarif` against the official SARIF 2.1.0 schema, `--format github`, and how
the formats for people show repository strings that hide characters."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from conftest import Run

from registry.findings import RULES, Finding, Severity, Span
from registry.render.github import github
from registry.render.sarif import sarif

# The OASIS SARIF 2.1.0 schema (final, "rtm.5") as Microsoft ships it in an npm package; no
# Python package carries it. Pinned by version and by the schema's own digest.
SARIF_PACKAGE = "@microsoft/jest-sarif@1.0.0-beta.0"
SARIF_MEMBER = "package/lib/schemas/sarif-2.1.0-rtm.5.json"
SARIF_SHA256 = "2d99159ae54a3eea97f81781cff48780548657c35949f4b7f25e99a2ba4de4f8"


@pytest.fixture(scope="session")
def sarif_schema(pytestconfig: pytest.Config) -> dict[str, Any]:
    cache = pytestconfig.cache
    assert cache is not None
    folder = cache.mkdir("sarif-schema")
    path = folder / "sarif-2.1.0.json"
    if not path.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail(f"the SARIF test needs npm to fetch the official schema ({SARIF_PACKAGE})")
        packed = subprocess.run([npm, "pack", SARIF_PACKAGE, "--silent",
                                 "--pack-destination", str(folder)],
                                capture_output=True, text=True, check=True, timeout=300)
        archive = folder / packed.stdout.strip().splitlines()[-1]
        with tarfile.open(archive) as tar:
            member = tar.extractfile(SARIF_MEMBER)
            assert member is not None
            data = member.read()
        assert hashlib.sha256(data).hexdigest() == SARIF_SHA256
        path.write_bytes(data)
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


BROKEN = {
    "prompts/p.yaml": """\
        apiVersion: aireg/v1
        kind: Prompt
        metadata: {name: p, version: 1.0.0, owner: team/nobody}
        spec:
          template: "Hi {{ who }}"
          includes: [prompt/missing@^1]
          model: model/gone
        """,
    "datasets/d.yaml": """\
        apiVersion: aireg/v1
        kind: Dataset
        metadata: {name: d, version: 1.0.0, owner: team/platform}
        spec: {license: NOASSERTION}
        """,
}


def sarif_of(aireg: Run, root: Path) -> dict[str, Any]:
    result = aireg("--today", "2026-11-21", "-C", str(root), "check", "--format", "sarif")
    log: dict[str, Any] = json.loads(result.out)
    return log


def validate(schema: dict[str, Any], log: dict[str, Any]) -> None:
    import jsonschema

    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(log)]
    assert errors == []


def test_sarif_of_the_example_is_valid(sarif_schema: dict[str, Any], aireg: Run) -> None:
    from conftest import EXAMPLE

    validate(sarif_schema, sarif_of(aireg, EXAMPLE))


def test_sarif_has_one_result_per_finding_on_its_line(
        sarif_schema: dict[str, Any], aireg: Run, make_registry: Callable[..., Path]) -> None:
    root = make_registry(BROKEN)
    log = sarif_of(aireg, root)
    validate(sarif_schema, log)
    text = aireg("--today", "2026-11-21", "-C", str(root), "check", "--format", "json").out
    findings = json.loads(text)["findings"]
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(RULES)
    levels = {"error": "error", "warning": "warning", "info": "note"}
    assert [(r["ruleId"], r["level"], r["message"]["text"],
             r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             r["locations"][0]["physicalLocation"]["region"]["startLine"],
             r["locations"][0]["physicalLocation"]["region"]["startColumn"])
            for r in run["results"]] == [
        (f["rule"], levels[f["severity"]], f["message"], f["path"], f["line"], f["column"])
        for f in findings]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])
    assert {r["ruleId"] for r in run["results"]} >= {
        "dangling-ref", "unknown-owner", "undeclared-variable", "dataset-license"}


def test_sarif_with_no_findings_is_valid(sarif_schema: dict[str, Any], aireg: Run,
                                         make_registry: Callable[..., Path]) -> None:
    log = sarif_of(aireg, make_registry({}))
    validate(sarif_schema, log)
    assert log["runs"][0]["results"] == []


def test_github_annotations_escape_data_and_properties() -> None:
    findings = [
        Finding("schema", Severity.ERROR, "100% wrong:\nsecond line, really",
                Span("dir,with:odd/a%b.yaml", 3, 7)),
        Finding("unused-artifact", Severity.INFO, "nothing uses it", Span("p.yaml", 1, 1)),
        Finding("sunset-soon", Severity.WARNING, "soon", Span("m.yaml", 2, 5)),
    ]
    assert github(findings) == (
        "::error file=dir%2Cwith%3Aodd/a%25b.yaml,line=3,col=7,title=aireg schema::100%25 "
        "wrong:%0Asecond line, really\n"
        "::notice file=p.yaml,line=1,col=1,title=aireg unused-artifact::nothing uses it\n"
        "::warning file=m.yaml,line=2,col=5,title=aireg sunset-soon::soon\n")


def test_github_format_from_the_command_line(aireg: Run,
                                             make_registry: Callable[..., Path]) -> None:
    root = make_registry(BROKEN)
    result = aireg("--today", "2026-11-21", "-C", str(root), "check", "--format", "github")
    assert result.code == 1
    lines = result.out.splitlines()
    assert "::error file=prompts/p.yaml,line=6,col=14,title=aireg dangling-ref::`prompt/" \
           "missing@^1` names prompt/missing, which is not declared; declare it or fix the ref" \
           in lines


# --- repository strings that hide characters, and paths that are not plain -------------------

# A file name with a space, `#`, `%`, `?`, an accent and a bidi override; the prompt's
# description and label carry an override, isolates, a zero-width space, a byte order mark
# and a terminal escape (ESC, written as YAML's \e).
ODD_FILE = "prompts/a b#1%20?caf\u00e9\u202e.yaml"
ODD = {ODD_FILE: """\
    apiVersion: aireg/v1
    kind: Prompt
    metadata:
      name: odd
      version: 1.0.0
      owner: team/nobody
      description: "\u202egnp.exe \u2066x\u2069 a\u200bb\ufeff \\e[31mred"
      labels: {"k\u2067": "v\u200d"}
    spec:
      template: hi
    """}
ODD_SHOWN = r"prompts/a b#1%20?café\u202e.yaml"


def test_text_shows_hidden_characters_escaped(aireg: Run,
                                              make_registry: Callable[..., Path]) -> None:
    root = make_registry(ODD)
    result = aireg("--today", "2026-11-21", "-C", str(root), "check")
    assert result.out.splitlines()[:2] == [
        f"{ODD_SHOWN}:4:9: info[unused-artifact] nothing uses prompt/odd@1.0.0; remove it if "
        "it is no longer needed",
        f"{ODD_SHOWN}:6:10: error[unknown-owner] owner team/nobody is not a declared Team; "
        "declare it or fix the name"]
    shown = aireg("-C", str(root), "show", "prompt/odd").out.splitlines()
    assert shown.pop(2).startswith("  digest:      sha256:")
    assert shown[1:5] == [
        f"  file:        {ODD_SHOWN}:1",
        "  owner:       team/nobody",
        r"  description: \u202egnp.exe \u2066x\u2069 a\u200bb\ufeff \u001b[31mred",
        r"  labels:      k\u2067=v\u200d"]


def test_github_annotations_show_hidden_characters_escaped() -> None:
    findings = [Finding("schema", Severity.ERROR, "got \u202egnp.exe\u200b,\nthen \x1b[2J",
                        Span("p\u202e.yaml", 3, 7))]
    # The message is escaped for people; the file stays the file, for GitHub to match.
    assert github(findings) == (
        "::error file=p\u202e.yaml,line=3,col=7,title=aireg schema::got \\u202egnp.exe\\u200b,"
        "%0Athen \\u001b[2J\n")


ODD_PATHS = ["prompts/a b.yaml", "prompts/100%.yaml", "prompts/#1?x=y.yaml",
             "prompts/caf\u00e9/na\u00efve.yaml", "a:b/c.yaml", "prompts/\u202eevil.yaml",
             "prompts/not-utf8-\udcff.yaml", "prompts/plain_name-1.0.yaml"]


def test_sarif_uris_are_relative_references_that_read_back_as_the_path(
        sarif_schema: dict[str, Any]) -> None:
    findings = [Finding("schema", Severity.ERROR, "bad \u202e", Span(path, 2, 3))
                for path in ODD_PATHS]
    log = json.loads(sarif(findings, "1.0.0"))
    validate(sarif_schema, log)
    results = log["runs"][0]["results"]
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in results]
    assert [loc["uri"] for loc in locations] == [
        "prompts/a%20b.yaml", "prompts/100%25.yaml", "prompts/%231%3Fx%3Dy.yaml",
        "prompts/caf%C3%A9/na%C3%AFve.yaml", "a%3Ab/c.yaml", "prompts/%E2%80%AEevil.yaml",
        "prompts/not-utf8-%FF.yaml", "prompts/plain_name-1.0.yaml"]
    assert {loc["uriBaseId"] for loc in locations} == {"%SRCROOT%"}
    for path, loc in zip(ODD_PATHS, locations, strict=True):
        parts = urlsplit(loc["uri"])  # a relative reference: all path, nothing else
        assert (parts.scheme, parts.netloc, parts.query, parts.fragment) == ("", "", "", "")
        assert parts.path == loc["uri"]
        assert unquote(loc["uri"], errors="surrogateescape") == path
    assert {r["message"]["text"] for r in results} == {"bad \\u202e"}


def test_sarif_of_a_registry_with_an_odd_file_name(sarif_schema: dict[str, Any], aireg: Run,
                                                   make_registry: Callable[..., Path]) -> None:
    log = sarif_of(aireg, make_registry(ODD))
    validate(sarif_schema, log)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in log["runs"][0]["results"]}
    assert uris == {"prompts/a%20b%231%2520%3Fcaf%C3%A9%E2%80%AE.yaml"}
    assert {unquote(u) for u in uris} == {ODD_FILE}
