"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers: one result per finding."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .. import __version__
from ..findings import RULE_HELP, RULES, Finding, Severity
from . import visible

if TYPE_CHECKING:
    from ..rules import CheckResult

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def uri(path: str) -> str:
    """A repository path as a relative URI reference (SARIF 2.1.0 section 3.4.3): each byte
    outside the unreserved characters percent-encoded, so a space, `%`, `#`, `?`, `:` or a
    non-ASCII name reads back as the same path. A path that is not UTF-8 (held as surrogate
    escapes) is encoded as its original bytes."""
    return quote(path, safe="/", errors="surrogateescape")


def check(result: CheckResult) -> str:
    """`check --format sarif`: the findings of one run of aireg."""
    return sarif(result.findings, __version__)


def sarif(findings: list[Finding], version: str) -> str:
    rule_ids = sorted(RULES)
    index = {rule: i for i, rule in enumerate(rule_ids)}
    rules = [{
        "id": rule,
        "name": "".join(part.capitalize() for part in rule.split("-")),
        "shortDescription": {"text": RULE_HELP[rule]},
        "defaultConfiguration": {"level": _LEVELS[RULES[rule]]},
    } for rule in rule_ids]
    results: list[dict[str, Any]] = []
    for item in findings:
        span = item.span
        results.append({
            "ruleId": item.rule,
            "ruleIndex": index[item.rule],
            "level": _LEVELS[item.severity],
            "message": {"text": visible(item.message)},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": uri(span.path), "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": span.line, "startColumn": span.column},
            }}],
            # The same finding across commits, whatever its line or message (Finding).
            "partialFingerprints": {"aireg/v1": item.fingerprint},
        })
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "aireg", "version": version, "rules": rules,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {
                "description": {"text": "The root of the git repository."}}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, sort_keys=False) + "\n"
