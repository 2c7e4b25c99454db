"""registry/findings.py: severities, positions, and the fingerprint that identifies a finding
across revisions."""

from __future__ import annotations

from conftest import fingerprint

from registry.findings import (
    RULE_HELP,
    RULES,
    AiregError,
    Pointer,
    RegistryBroken,
    RegistryNotFound,
    Severity,
    Span,
    dotted,
    finding,
)


def test_severities_rank_error_over_warning_over_info() -> None:
    assert [s.rank for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)] == [3, 2, 1]


def test_every_rule_has_a_default_severity_and_a_meaning() -> None:
    assert list(RULE_HELP) == list(RULES)
    assert finding("unpinned-ref", "m", Span("a.yaml")).severity is Severity.INFO


def test_the_fingerprint_ignores_message_place_and_version() -> None:
    one = finding("dangling-ref", "first wording", Span("a.yaml", 3, 4),
                  subject="prompt/p@1.0.0", field="spec.includes", value="prompt/x@^1")
    two = finding("dangling-ref", "reworded", Span("moved.yaml", 9, 1),
                  subject="prompt/p@2.0.0", field="spec.includes", value="prompt/x@^1")
    assert one.fingerprint == two.fingerprint == fingerprint(
        "dangling-ref", "prompt/p", "spec.includes", "prompt/x@^1")
    other = finding("dangling-ref", "m", Span("a.yaml"), subject="prompt/p@1.0.0",
                    field="spec.includes", value="prompt/y@^1")
    assert other.fingerprint != one.fingerprint


def test_a_finding_about_no_declaration_is_told_apart_by_its_file() -> None:
    item = finding("yaml-syntax", "m", Span("bad.yaml", 2, 1))
    assert item.fingerprint == fingerprint("yaml-syntax", None, path="bad.yaml")


def test_positions_and_fields() -> None:
    assert str(Span("a.yaml", 3, 14)) == "a.yaml:3:14"
    at = Pointer("a.yaml", 1, ("spec",)).child("includes", 0, on_key=True)
    assert at == Pointer("a.yaml", 1, ("spec", "includes", 0), on_key=True)
    assert dotted(at.keys) == "spec.includes"
    assert dotted(()) is None


def test_a_severity_is_changed_on_a_copy() -> None:
    item = finding("unused-artifact", "m", Span("a.yaml"))
    raised = item.with_severity(Severity.ERROR)
    assert (item.severity, raised.severity) == (Severity.INFO, Severity.ERROR)
    assert raised.fingerprint == item.fingerprint


def test_errors_carry_their_exit_code() -> None:
    assert (AiregError.exit_code, RegistryNotFound("x").exit_code,
            RegistryBroken("x").exit_code) == (2, 2, 1)
