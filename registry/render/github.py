"""`--format github`: GitHub Actions workflow commands, one annotation per finding."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..findings import Finding, Severity
from . import visible

if TYPE_CHECKING:
    from ..rules import CheckResult


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def check(result: CheckResult) -> str:
    """`check --format github`: an annotation per finding."""
    return github(result.findings)


def github(findings: list[Finding]) -> str:
    """GitHub Actions workflow commands: each finding becomes an annotation on its line."""
    lines = []
    for item in findings:
        span = item.span
        props = ",".join(f"{key}={_escape_property(value)}" for key, value in (
            ("file", span.path), ("line", str(span.line)), ("col", str(span.column)),
            ("title", f"aireg {item.rule}")))
        # The message shows its hidden characters; line breaks are the format's own (%0A).
        # The file stays as it is: GitHub places the annotation by matching it.
        message = _escape_data(visible(item.message, keep="\r\n"))
        lines.append(f"::{_COMMANDS[item.severity]} {props}::{message}")
    return "".join(line + "\n" for line in lines)
