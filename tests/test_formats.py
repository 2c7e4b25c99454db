"""`check --format sarif` against the official SARIF 2.1.0 schema, and `--format github`."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Run

from registry.findings import RULES, Finding, Severity, Span
from registry.render.github import github

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
