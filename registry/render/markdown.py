"""Markdown for GitHub (PR comments, job summaries, issues).

Every string that comes from the repository goes through `inline` or `code`, so a name or a
description can inject no Markdown, HTML, link, image, table cell or @-mention.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..lifecycle import Deadline

ZWSP = "\u200b"
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def inline(text: str) -> str:
    """Untrusted text for a table cell or a list item, made inert."""
    text = text.replace("\r", " ").replace("\n", " ")
    text = html.escape(text, quote=False)  # no <details>, <!--, <img>
    text = _PUNCTUATION.sub(r"\\\1", text)  # no emphasis, links, headings, table cells
    text = text.replace("@", "@" + ZWSP)  # no @user or @org/team notifications
    text = re.sub(r"\\#(\d)", "\\\\#" + ZWSP + r"\1", text)  # no #123 cross-references
    # No autolinks: break the scheme (and www.) so GitHub does not link it.
    text = re.sub(r"(?i)\b(https?|ftp|mailto|javascript|data|file)(:)(?=\S)",
                  r"\1" + ZWSP + r"\2", text)
    return re.sub(r"(?i)\bwww\\\.", "www" + ZWSP + "\\\\.", text)


def code(text: str) -> str:
    """Untrusted identifier as a code span, fenced longer than any backtick run inside."""
    text = text.replace("\r", " ").replace("\n", " ").replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A GFM table; cells must already be escaped."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines) + "\n"


def deprecations(rows: list[Deadline], today: dt.date, window: int) -> str:
    if not rows:
        return f"No deadlines as of {today}.\n"
    passed = sum(1 for r in rows if r.days_left < 0)
    head = (f"### Deadlines as of {today}\n\n{len(rows)} deadline"
            f"{'' if len(rows) == 1 else 's'}, {passed} passed "
            f"(deprecation window: {window} days).\n\n")
    body = table(
        ["Sunset", "Days left", "Artifact", "Replacement", "Features", "Owners", "Source"],
        [[str(r.sunset.day), str(r.days_left), code(r.sunset.node),
          code(r.sunset.replacement) if r.sunset.replacement else "-",
          "<br>".join(code(f) for f in r.features) or "-",
          "<br>".join(inline(owner) for owner, _ in r.owners) or "-",
          inline(r.sunset.source)] for r in rows])
    return head + body
