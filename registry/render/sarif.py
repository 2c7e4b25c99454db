"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers: one result per finding."""

from __future__ import annotations

import json
from typing import Any

from ..findings import RULE_HELP, RULES, Finding, Severity

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


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
            "message": {"text": item.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": span.path, "uriBaseId": "%SRCROOT%"},
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
