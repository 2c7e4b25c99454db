"""Markdown for GitHub (PR comments, job summaries, issues).

Every string that comes from the repository goes through `inline` or `code`, so a name or a
description can inject no Markdown, HTML, link, image, table cell or @-mention.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import plural, value_text
from .mermaid import mermaid

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..diff import Change, FieldChange, PullReport, TextDiff
    from ..graph import DepGraph, Hop
    from ..impact import ImpactReport
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


def code(text: str, in_table: bool = True) -> str:
    """Untrusted identifier as a code span, fenced longer than any backtick run inside.

    In a table cell `|` must be escaped even inside code (GFM splits cells first); anywhere
    else the backslash would show, so `in_table=False` leaves it.
    """
    text = text.replace("\r", " ").replace("\n", " ")
    if in_table:
        text = text.replace("|", "\\|")
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


def impact(report: ImpactReport) -> str:
    """`impact REF... --format markdown`: who depends on the named artifacts."""
    targets = ", ".join(code(d.id) for d in report.targets)
    if not report.dependents:
        return f"Nothing depends on {targets}.\n"
    parts = [f"### Impact of {targets}\n",
             f"{plural(len(report.dependents), 'dependent')}, "
             f"{plural(len(report.features), 'feature')}"
             + (f" (highest tier **{report.highest_tier}**)" if report.highest_tier else "")
             + ".\n"]
    if report.features:
        parts.append(table(["Feature", "Tier", "Owner", "Path"], [
            [code(h.decl.id), h.tier, inline(h.decl.owner or "-"), _path(h.path)]
            for h in report.features]))
    if report.owners:
        parts.append("Owners to notify: " + ", ".join(
            inline(o.owner) + (f" ({', '.join(inline(c) for c in o.contacts)})"
                               if o.contacts else "") for o in report.owners) + "\n")
    if report.evals:
        parts.append("Evals to run: " + ", ".join(code(e.id) for e in report.evals) + "\n")
    return "\n".join(parts)


MARKER = "<!-- aireg:impact -->"
LIMIT = 60_000
MERMAID_MAX_NODES = 30


@dataclass(frozen=True)
class _Detail:
    """How much of the report to show; each step down drops more (see pr_comment)."""

    diagram: bool = True
    paths: bool = True
    rows: int | None = None  # rows per list, None for all
    label: str = ""


_STAGES = (
    _Detail(),
    _Detail(diagram=False, label="the diagram"),
    _Detail(diagram=False, paths=False, label="the diagram and the paths"),
    _Detail(diagram=False, paths=False, rows=100,
            label="the diagram, the paths and all but 100 rows of each list"),
    _Detail(diagram=False, paths=False, rows=20,
            label="the diagram, the paths and all but 20 rows of each list"),
)


def _verdict(report: PullReport) -> str:
    impact = report.impact
    errors = sum(1 for f in report.new_findings if f.severity.value == "error")
    parts = [f"**{plural(len(impact.features), 'feature')} affected**"]
    if impact.highest_tier:
        parts.append(f"highest tier **{impact.highest_tier}**")
    parts.append(plural(len(report.changes), "changed declaration"))
    parts.append(f"{plural(errors, 'new error')}" if errors else "no new errors")
    return "aireg: " + ", ".join(parts) + "."


def _path(hops: tuple[Hop, ...]) -> str:
    if not hops:
        return "(changed itself)"
    return " → ".join([code(hops[0].source), *(f"*{h.label}* {code(h.target)}" for h in hops)])


def _limited(rows: list[list[str]], limit: int | None) -> tuple[list[list[str]], int]:
    if limit is None or len(rows) <= limit:
        return rows, 0
    return rows[:limit], len(rows) - limit


def _few(items: list[str], most: int = 5) -> str:
    """A table cell listing at most `most` items (the full lists follow in <details>)."""
    if not items:
        return "-"
    shown = "<br>".join(items[:most])
    return shown + (f"<br>+{len(items) - most} more" if len(items) > most else "")


def _details(summary: str, body: str) -> str:
    return f"<details><summary>{summary}</summary>\n\n{body}\n</details>\n"


def _status(change: Change) -> str:
    """`modified (from `3.1.0`)` for a new version succeeding an old one, `added (compared
    with `3.1.0`)` for one added beside a lower one."""
    since = {"modified": "from", "added": "compared with", "invalid": "from"}.get(change.status)
    if since is None or change.previous is None or change.old is None:
        return change.status
    return f"{change.status} ({since} {code(change.old.version or change.previous)})"


def _value(value: object) -> str:
    return code(value_text(value), in_table=False)


def _field(change: FieldChange) -> str:
    from ..diff import is_template

    name = f"{code(change.field, in_table=False)} ({change.cls})"
    if is_template(change.field):
        return name  # its diff follows
    if isinstance(change.before, list) or isinstance(change.after, list):
        members = [f"+{_value(m)}" for m in change.after or []] + [
            f"-{_value(m)}" for m in change.before or []]
        return f"{name}: {', '.join(members) or 'order changed'}"
    return f"{name}: {_value(change.before)} → {_value(change.after)}"


def _what_changed(change: Change) -> list[str]:
    reasons = [_field(f) for f in change.fields]
    reasons += [inline(str(r)) for r in change.resolutions]
    if change.status == "invalid":
        reasons.append("fails validation in head: see the new findings")
    return reasons


DIFF_MAX = 4_000  # characters of one diff
DIFFS_MAX = 16_000  # characters of all diffs together


def fence(text: str, info: str = "") -> str:
    """A fenced code block whose backtick run is longer than any run inside the text, so the
    text cannot close it (nor open HTML or Markdown: a code block's content is literal)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{info}\n{text}\n{ticks}\n"


def unified(item: TextDiff, most: int = DIFF_MAX) -> str:
    """The unified diff of a template text change, cut at `most` characters (it says so)."""
    import difflib

    lines = list(difflib.unified_diff(item.before.splitlines(), item.after.splitlines(),
                                      item.before_label, item.after_label, lineterm=""))
    text = "\n".join(lines)
    if len(text) <= most:
        return fence(text, "diff")
    kept = text[:most].rsplit("\n", 1)[0]
    left = len(lines) - kept.count("\n") - 1
    return fence(kept, "diff") + (f"\n*The diff was cut at {most:,} characters; "
                                  f"{plural(left, 'more line')} not shown.*\n")


def _summary_id(node: str) -> str:
    """A node id in a <summary>: HTML, where Markdown escapes would show; `@` is kept from
    ever reading as a mention, as everywhere in the comment."""
    return html.escape(node).replace("@", "@" + ZWSP)


def _diffs(diffs: tuple[TextDiff, ...]) -> list[str]:
    """A collapsed diff for each behaviour change's template text (and changed includes)."""
    out: list[str] = []
    used = 0
    for index, item in enumerate(diffs):
        body = unified(item)
        if used + len(body) > DIFFS_MAX:
            out.append(f"*{plural(len(diffs) - index, 'more template diff')} not shown, to "
                       "keep the comment short.*\n")
            break
        used += len(body)
        summary = f"Template diff of {_summary_id(item.node)}"
        if item.include is not None:
            summary += f": its include {_summary_id(item.include)}"
        out.append(_details(summary, body))
    return out


def _render(report: PullReport, catalog: Catalog, graph: DepGraph, detail: _Detail) -> str:
    parts = [MARKER, _verdict(report), ""]
    rows = [[code(c.change.node), _status(c.change), ", ".join(c.change.classes) or "-",
             _few([code(f) for f in c.features]), _few([inline(o) for o in c.owners])]
            for c in report.changes]
    shown, more = _limited(rows, detail.rows)
    parts.append(table(["Declaration", "Change", "Class", "Features hit", "Owners"], shown))
    if more:
        parts.append(f"… and {more} more changed declarations.\n")
    what = [f"- {code(c.change.node, in_table=False)}: " + "; ".join(reasons)
            for c in report.changes if (reasons := _what_changed(c.change))]
    if what:
        listed, more = _limited([[line] for line in what], detail.rows)
        body = "\n".join(line[0] for line in listed) + (f"\n- … and {more} more" if more else "")
        parts.append(_details("What changed", body))
    parts.extend(_diffs(report.diffs))
    impact = report.impact
    if impact.features:
        headers = ["Feature", "Tier", "Owner"] + (["Path"] if detail.paths else [])
        feature_rows = [[code(h.decl.id), h.tier, inline(h.decl.owner or "-")]
                        + ([_path(h.path)] if detail.paths else []) for h in impact.features]
        shown, more = _limited(feature_rows, detail.rows)
        body = table(headers, shown) + (f"\n… and {more} more features.\n" if more else "")
        parts.append(_details(f"Affected features ({len(impact.features)})", body))
    if impact.owners:
        owner_rows = [[inline(o.owner), "<br>".join(inline(c) for c in o.contacts) or "-",
                       str(len(o.nodes))] for o in impact.owners]
        shown, more = _limited(owner_rows, detail.rows)
        body = table(["Owner", "Contact", "Affected"], shown) + (
            f"\n… and {more} more owners.\n" if more else "")
        parts.append(_details(f"Owners to notify ({len(impact.owners)})", body))
    if impact.evals:
        eval_lines = [f"- {code(e.id)}" + (f": {code(e.model.spec.command, in_table=False)}"
                                           if getattr(e.model.spec, "command", None) else "")
                      for e in impact.evals]
        listed, more = _limited([[line] for line in eval_lines], detail.rows)
        body = "\n".join(line[0] for line in listed) + (f"\n- … and {more} more" if more else "")
        parts.append(_details(f"Evals to run ({len(impact.evals)})", body))
    if report.new_findings:
        finding_lines = [f"- **{f.severity.value}** {code(f.rule)} "
                         f"{code(str(f.span), in_table=False)}: "
                         f"{inline(f.message)}" for f in report.new_findings]
        listed, more = _limited([[line] for line in finding_lines], detail.rows)
        body = "\n".join(line[0] for line in listed) + (f"\n- … and {more} more" if more else "")
        parts.append(_details(f"New findings ({len(report.new_findings)})", body))
    nodes = [d.decl.id for d in impact.dependents if d.decl.id in catalog.by_id]
    if detail.diagram and nodes and len(nodes) <= MERMAID_MAX_NODES:
        changed = frozenset(c.change.node for c in report.changes)
        diagram = mermaid(catalog, graph, nodes, highlight=changed)
        parts.append(_details("Blast radius", f"```mermaid\n{diagram}```\n"))
    if detail.label:
        parts.append(f"*Left out to fit GitHub's comment limit: {detail.label}. Run "
                     f"{_rerun(report)} for the full report.*\n")
    return "\n".join(parts)


def _rerun(report: PullReport) -> str:
    return code(f"aireg impact --base {report.base_rev}", in_table=False)


def pr_comment(report: PullReport, catalog: Catalog, graph: DepGraph) -> str:
    """The sticky pull-request comment (SPEC section 7), at most LIMIT characters."""
    if report.nothing:
        return f"{MARKER}\naireg: no AI declaration changed and no new findings.\n"
    for detail in _STAGES:
        text = _render(report, catalog, graph, detail)
        if len(text) <= LIMIT:
            return text
    note = (f"\n\n*The report was cut to fit GitHub's comment limit. Run {_rerun(report)} "
            "for the full report.*\n")
    cut = text[: LIMIT - len(note) - 100].rsplit("\n", 1)[0]
    # Close what the cut left open, so the note is not folded away inside a section.
    if cut.count("```") % 2:
        cut += "\n```"
    cut += "\n</details>" * (cut.count("<details>") - cut.count("</details>"))
    return cut + note
