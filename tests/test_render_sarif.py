"""registry.render.sarif's renderer for `check`: the run's findings under aireg's version
(the log itself is tested in test_formats)."""

from __future__ import annotations

import json

from registry import __version__
from registry.findings import Finding, Severity, Span
from registry.render import sarif
from registry.rules import CheckResult


def test_check_is_the_sarif_log_of_the_findings_under_this_version() -> None:
    found = Finding("cycle", Severity.ERROR, "a cycle", Span("a.yaml", 2, 3))
    log = json.loads(sarif.check(CheckResult([found], 1, 1, "demo")))
    assert log["runs"][0]["tool"]["driver"]["version"] == __version__
    assert [(r["ruleId"], r["level"]) for r in log["runs"][0]["results"]] == [("cycle", "error")]
