"""registry.render.github's renderer for `check` (the annotations themselves are tested in
test_formats)."""

from __future__ import annotations

from registry.findings import Finding, Severity, Span
from registry.render import github
from registry.rules import CheckResult


def test_check_is_one_annotation_per_finding() -> None:
    found = Finding("cycle", Severity.WARNING, "a cycle", Span("a.yaml", 2, 3))
    assert github.check(CheckResult([found], 1, 1, "demo")) == (
        "::warning file=a.yaml,line=2,col=3,title=aireg cycle::a cycle\n")
