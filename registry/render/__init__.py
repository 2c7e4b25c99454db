"""Renderers: one module per output format, each function returns a string."""

from __future__ import annotations

import enum


def plural(count: int, word: str) -> str:
    """`1 day`, `3 days`."""
    return f"{count} {word}{'' if count == 1 else 's'}"


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
