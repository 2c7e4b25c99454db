"""Renderers: one module per output format, each function returns a string."""

from __future__ import annotations

import enum
import unicodedata


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
    "lineage": (Format.TEXT, Format.JSON, Format.MERMAID),
    "scan": (Format.TEXT, Format.JSON, Format.SARIF, Format.GITHUB),
}


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
