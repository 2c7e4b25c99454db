"""Renderers: one module per output format; each renderer takes a report object and
returns a string. `render` picks the renderer for a report and a format from RENDERERS."""

from __future__ import annotations

import enum
import importlib
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from ..findings import Finding


def plural(count: int, word: str) -> str:
    """`1 day`, `3 days`."""
    return f"{count} {word}{'' if count == 1 else 's'}"


# Characters a reader cannot see or that change how the text around them reads: controls
# (Cc: terminal escapes, line breaks), formats (Cf: bidi overrides and isolates, zero-width
# spaces and joiners, the byte order mark, soft hyphens), lone surrogates (a file name that
# is not UTF-8) and the Unicode line and paragraph separators.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def visible(text: str, keep: str = "") -> str:
    """A repository string with every hidden character shown as its escape (`\\u202e`).

    Every renderer that prints repository strings for people (text, Markdown, GitHub
    annotations, SARIF messages) passes them through here, so a bidi override cannot reorder
    what a reviewer reads and a zero-width character cannot hide in a name or a path. `keep`
    lists the characters the caller's format encodes itself (GitHub keeps line breaks).
    """
    if text.isprintable():  # nearly every string: one pass in C
        return text
    return "".join(
        _SHORT.get(ch) or (f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        if ch not in keep and unicodedata.category(ch) in _HIDDEN else ch for ch in text)


def finding_line(item: Finding) -> str:
    return f"{visible(str(item.span))}: {item.severity.value}[{item.rule}] {visible(item.message)}"


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    out = []
    for row in [headers, *rows]:
        out.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(out) + "\n"


class Format(enum.Enum):
    TEXT = "text"
    JSON = "json"
    YAML = "yaml"
    MARKDOWN = "markdown"
    SARIF = "sarif"
    GITHUB = "github"
    MERMAID = "mermaid"
    DOT = "dot"


# The formats each command offers; the first is its default. Every pair has a renderer
# (tests/test_cli.py runs them all).
COMMAND_FORMATS: dict[str, tuple[Format, ...]] = {
    "check": (Format.TEXT, Format.JSON, Format.SARIF, Format.GITHUB),
    "ls": (Format.TEXT, Format.JSON),
    "show": (Format.TEXT, Format.JSON, Format.YAML),
    "deps": (Format.TEXT, Format.JSON),
    "impact": (Format.TEXT, Format.JSON, Format.MARKDOWN),
    "graph": (Format.MERMAID, Format.DOT, Format.JSON),
    "deprecations": (Format.TEXT, Format.JSON, Format.MARKDOWN),
    "orphans": (Format.TEXT, Format.JSON),
    "history": (Format.TEXT, Format.JSON),
    "status": (Format.TEXT, Format.JSON, Format.MARKDOWN),
    "lineage": (Format.TEXT, Format.JSON, Format.MERMAID),
    "scan": (Format.TEXT, Format.JSON, Format.SARIF, Format.GITHUB),
}


# The report types each command renders in the formats COMMAND_FORMATS gives it (and
# `bom --completeness`, text or json), each named by module and class.
COMMAND_REPORTS: dict[str, tuple[str, ...]] = {
    "check": ("registry.rules.CheckResult",),
    "ls": ("registry.views.Listing",),
    "show": ("registry.views.ShowView",),
    "deps": ("registry.answers.DepsView",),
    "impact": ("registry.answers.ImpactView", "registry.diff.PullReport"),
    "graph": ("registry.views.Subgraph",),
    "deprecations": ("registry.lifecycle.DeadlineReport",),
    "orphans": ("registry.orphans.OrphanReport",),
    "history": ("registry.history.HistoryReport", "registry.environments.EnvHistory"),
    "status": ("registry.environments.StatusReport",),
    "lineage": ("registry.lineage.Lineage",),
    "scan": ("registry.coverage.ScanReport",),
}

# (report type, format) -> its renderer, as `module:function` of this package: a module is
# imported only when a report is rendered with it (the JSON models cost their import).
RENDERERS: dict[tuple[str, Format], str] = {
    ("registry.rules.CheckResult", Format.TEXT): "text:check",
    ("registry.rules.CheckResult", Format.JSON): "json:check",
    ("registry.rules.CheckResult", Format.SARIF): "sarif:check",
    ("registry.rules.CheckResult", Format.GITHUB): "github:check",
    ("registry.views.Listing", Format.TEXT): "text:ls",
    ("registry.views.Listing", Format.JSON): "json:ls",
    ("registry.views.ShowView", Format.TEXT): "text:show",
    ("registry.views.ShowView", Format.JSON): "json:show",
    ("registry.views.ShowView", Format.YAML): "yaml:show",
    ("registry.answers.DepsView", Format.TEXT): "tree:deps_text",
    ("registry.answers.DepsView", Format.JSON): "tree:deps_json",
    ("registry.answers.ImpactView", Format.TEXT): "tree:impact_text",
    ("registry.answers.ImpactView", Format.JSON): "tree:impact_json",
    ("registry.answers.ImpactView", Format.MARKDOWN): "markdown:impact",
    ("registry.diff.PullReport", Format.TEXT): "text:impact_base",
    ("registry.diff.PullReport", Format.JSON): "json:impact_base",
    ("registry.diff.PullReport", Format.MARKDOWN): "markdown:pr_comment",
    ("registry.views.Subgraph", Format.MERMAID): "mermaid:mermaid",
    ("registry.views.Subgraph", Format.DOT): "dot:dot",
    ("registry.views.Subgraph", Format.JSON): "json:graph",
    ("registry.lifecycle.DeadlineReport", Format.TEXT): "text:deprecations",
    ("registry.lifecycle.DeadlineReport", Format.JSON): "json:deprecations",
    ("registry.lifecycle.DeadlineReport", Format.MARKDOWN): "markdown:deprecations",
    ("registry.orphans.OrphanReport", Format.TEXT): "text:orphans",
    ("registry.orphans.OrphanReport", Format.JSON): "json:orphans",
    ("registry.history.HistoryReport", Format.TEXT): "text:history",
    ("registry.history.HistoryReport", Format.JSON): "json:history",
    ("registry.environments.EnvHistory", Format.TEXT): "status:history_text",
    ("registry.environments.EnvHistory", Format.JSON): "status:history_json",
    ("registry.environments.StatusReport", Format.TEXT): "status:text",
    ("registry.environments.StatusReport", Format.JSON): "status:json",
    ("registry.environments.StatusReport", Format.MARKDOWN): "status:markdown",
    ("registry.coverage.ScanReport", Format.TEXT): "scan:text",
    ("registry.coverage.ScanReport", Format.JSON): "scan:json",
    ("registry.coverage.ScanReport", Format.SARIF): "scan:sarif",
    ("registry.coverage.ScanReport", Format.GITHUB): "scan:github",
    ("registry.lineage.Lineage", Format.TEXT): "lineage:text",
    ("registry.lineage.Lineage", Format.JSON): "lineage:json",
    ("registry.lineage.Lineage", Format.MERMAID): "lineage:mermaid",
    ("registry.bom_score.Review", Format.TEXT): "text:completeness",
    ("registry.bom_score.Review", Format.JSON): "json:completeness",
}


def type_name(report: object) -> str:
    """A report's type as RENDERERS names it."""
    kind = type(report)
    return f"{kind.__module__}.{kind.__qualname__}"


def renderer(report_type: str, fmt: Format) -> Callable[[object], str]:
    """The function that renders reports of `report_type` in `fmt`."""
    module, _, function = RENDERERS[(report_type, fmt)].partition(":")
    found = getattr(importlib.import_module(f"{__name__}.{module}"), function)
    return cast("Callable[[object], str]", found)


def render(report: object, fmt: Format) -> str:
    """`report` as text in `fmt` (a KeyError for a pair the table lacks: a bug)."""
    return renderer(type_name(report), fmt)(report)


def value_text(value: object, most: int = 120) -> str:
    """A field's value in one line for people: `(none)` when absent, long ones cut."""
    if value is None:
        text = "(none)"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dict | list):
        import json

        text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    else:
        text = str(value)
    text = " ".join(text.split("\n"))
    return text if len(text) <= most else text[: most - 1] + "…"


def deadline_label(deadline: str, date_kind: str) -> str:
    """What kind of day a deadline row shows, when it is not a provider's firm sunset."""
    if deadline == "retention":
        return "data retention"
    return "not before: no firm day" if date_kind == "not-before" else ""
