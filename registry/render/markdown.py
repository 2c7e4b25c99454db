"""Markdown for GitHub (PR comments, job summaries, issues).

Every string that comes from the repository goes through `inline` or `code`, so a name or a
description can inject no Markdown, HTML, link, image, table cell or @-mention, cannot
repeat the comment's marker, and shows its hidden characters (see `visible`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import deadline_label, plural, value_text, visible
from .mermaid import mermaid

if TYPE_CHECKING:
    from ..answers import ImpactView
    from ..diff import Change, FieldChange, PullReport, TextDiff
    from ..graph import Hop
    from ..lifecycle import DeadlineReport

ZWSP = "\u200b"
MARKER = "<!-- aireg:impact -->"
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")
# The marker's words: a bot finds its comment by the marker (or by these words), so a
# repository string that holds them gets a zero-width space between them.
_MARKER_WORDS = re.compile(r"(?i)(aireg)(:impact)")


def _plain(text: str) -> str:
    """The steps every untrusted string takes: one line, hidden characters shown, no
    marker. Zero-width spaces added after `visible` are the renderer's own."""
    text = visible(text.replace("\r", " ").replace("\n", " "))
    return _MARKER_WORDS.sub(r"\1" + ZWSP + r"\2", text)


def inline(text: str) -> str:
    """Untrusted text for a table cell or a list item, made inert."""
    text = html.escape(_plain(text), quote=False)  # no <details>, <!--, <img>
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
    text = _plain(text)
    if in_table:
        text = text.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A GFM table; cells must already be escaped."""
    return _table_head(headers) + "".join(_row(row) + "\n" for row in rows)


def _table_head(headers: list[str]) -> str:
    return ("| " + " | ".join(headers) + " |\n"
            + "|" + "|".join("---" for _ in headers) + "|\n")


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def deprecations(report: DeadlineReport) -> str:
    rows, today, window = report.rows, report.today, report.window
    if not rows:
        return f"No deadlines as of {today}.\n"
    passed = sum(1 for r in rows if r.days_left < 0)
    head = (f"### Deadlines as of {today}\n\n{len(rows)} deadline"
            f"{'' if len(rows) == 1 else 's'}, {passed} passed "
            f"(deprecation window: {window} days).\n\n")
    body = table(
        ["Sunset", "Days left", "Artifact", "Replacement", "Features", "Owners", "Source"],
        [[str(r.sunset.day), str(r.days_left), code(r.sunset.node) + (
            f" ({label})" if (label := deadline_label(r.sunset.deadline, r.sunset.date_kind))
            else ""),
          code(r.sunset.replacement) if r.sunset.replacement else "-",
          "<br>".join(code(f) for f in r.features) or "-",
          "<br>".join(inline(owner) for owner, _ in r.owners) or "-",
          inline(r.sunset.source)] for r in rows])
    actions = [f"- {inline(action)}\n" for r in rows for action in r.actions]
    return head + body + ("\nTo do before the day:\n\n" + "".join(actions) if actions else "")


def impact(report: ImpactView) -> str:
    """`impact REF... --format markdown`: who depends on the named artifacts."""
    targets = ", ".join(code(t) for t in report.targets)
    if not report.dependents:
        return f"Nothing depends on {targets}.\n"
    parts = [f"### Impact of {targets}\n",
             f"{plural(len(report.dependents), 'dependent')}, "
             f"{plural(len(report.features), 'feature')}"
             + (f" (highest tier **{report.highest_tier}**)" if report.highest_tier else "")
             + ".\n"]
    if report.features:
        parts.append(table(["Feature", "Tier", "Owner", "Path"], [
            [code(h.id), h.tier, inline(h.owner or "-"), _path(report.path(h.id))]
            for h in report.features]))
    if report.owners:
        parts.append("Owners to notify: " + ", ".join(
            inline(o.owner) + (f" ({', '.join(inline(c) for c in o.contacts)})"
                               if o.contacts else "") for o in report.owners) + "\n")
    if report.evals:
        parts.append("Evals to run: " + ", ".join(code(e) for e in report.evals) + "\n")
    return "\n".join(parts)


LIMIT = 60_000


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


@dataclass(frozen=True)
class _Block:
    """A part of the comment as the renderer built it: `head` and `tail` are its own fixed
    text (a heading, a table header, `<details>` and `</details>`, a fenced diagram) and each
    row one line of escaped repository text. Detail is dropped only by leaving out rows
    from the end, so whatever a row holds, every table, fence and section stays whole."""

    head: str
    rows: tuple[str, ...] = ()
    tail: str = ""
    more: str = ""  # says how many rows were left out: `{}` is the number

    def text(self, shown: int | None = None) -> str:
        count = len(self.rows) if shown is None else min(shown, len(self.rows))
        left = len(self.rows) - count
        return (self.head + "".join(row + "\n" for row in self.rows[:count])
                + (self.more.format(left) if left else "") + self.tail)


def _verdict(report: PullReport) -> str:
    impact = report.impact
    errors = sum(1 for f in report.new_findings if f.severity.value == "error")
    parts = [f"**{plural(len(impact.features), 'feature')} affected**"]
    if impact.highest_tier:
        parts.append(f"highest tier **{impact.highest_tier}**")
    # A consumer that only resolves anew did not change: counted apart, so that a one-line
    # edit of a shared prompt does not read as a pull request that changed five files.
    moved = sum(1 for c in report.changes if c.change.status == "resolution")
    parts.append(plural(len(report.changes) - moved, "changed declaration"))
    if moved:
        parts.append(f"{moved} resolving differently")
    parts.append(f"{plural(errors, 'new error')}" if errors else "no new errors")
    return "aireg: " + ", ".join(parts) + "."


def _path(hops: tuple[Hop, ...]) -> str:
    if not hops:
        return "(changed itself)"
    return " → ".join([code(hops[0].source), *(f"*{h.label}* {code(h.target)}" for h in hops)])


def _few(items: list[str], most: int = 5) -> str:
    """A table cell listing at most `most` items (the full lists follow in <details>)."""
    if not items:
        return "-"
    shown = "<br>".join(items[:most])
    return shown + (f"<br>+{len(items) - most} more" if len(items) > most else "")


def _section(summary: str, rows: list[str], what: str | None = None,
             headers: list[str] | None = None) -> _Block:
    """A collapsed list (`- ` lines) or, with `headers`, a collapsed table of `what`."""
    head = f"<details><summary>{summary}</summary>\n\n"
    if headers is None:
        return _Block(head, tuple(rows), "</details>\n", "- … and {} more\n")
    return _Block(head + _table_head(headers), tuple(rows), "\n</details>\n",
                  f"\n… and {{}} more {what}.\n")


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
    # Literal inside the fence, but a bot still finds a marker there, and a reader still
    # cannot see hidden characters: each line gets what every repository string gets.
    text = "\n".join(_MARKER_WORDS.sub(r"\1" + ZWSP + r"\2", visible(line)) for line in lines)
    if len(text) <= most:
        return fence(text, "diff")
    kept = text[:most].rsplit("\n", 1)[0]
    left = text.count("\n") - kept.count("\n")
    return fence(kept, "diff") + (f"\n*The diff was cut at {most:,} characters; "
                                  f"{plural(left, 'more line')} not shown.*\n")


def _summary_id(node: str) -> str:
    """A node id in a <summary>: HTML, where Markdown escapes would show; `@` is kept from
    ever reading as a mention, as everywhere in the comment."""
    return html.escape(node).replace("@", "@" + ZWSP)


def _diffs(diffs: tuple[TextDiff, ...]) -> _Block | None:
    """A collapsed diff for each behaviour change's template text (and changed includes):
    one row each, so a stage that drops rows drops whole diffs."""
    rows: list[str] = []
    used = 0
    for item in diffs:
        body = unified(item)
        if used + len(body) > DIFFS_MAX:
            break
        used += len(body)
        summary = f"Template diff of {_summary_id(item.node)}"
        if item.include is not None:
            summary += f": its include {_summary_id(item.include)}"
        # A blank line between two sections, none after the last (the parts are joined
        # by one line break).
        rows.append(f"{chr(10) if rows else ''}<details><summary>{summary}</summary>\n\n"
                    f"{body}\n</details>")
    if not diffs:
        return None
    left = len(diffs) - len(rows)
    tail = (f"*{plural(left, 'more template diff')} not shown, to keep the comment short.*\n"
            if left else "")
    return _Block("", tuple(rows), tail, "*{} more template diffs left out.*\n")


def _blocks(report: PullReport, detail: _Detail) -> list[_Block]:
    absent = (f"The base ({code(report.base_rev, in_table=False)}) has no registry at "
              f"{_where(report.folder)}: every declaration is new.\n"
              if report.base_absent else "")
    blocks = [_Block(f"{MARKER}\n{_verdict(report)}\n{absent}")]
    blocks.append(_Block(
        _table_head(["Declaration", "Change", "Class", "Features hit", "Owners", "Rolls out to"]),
        tuple(_row([code(c.change.node), _status(c.change), ", ".join(c.change.classes) or "-",
                    _few([code(f) for f in c.features]), _few([inline(o) for o in c.owners]),
                    " → ".join(code(e) for e in c.environments) or "-"])
              for c in report.changes),
        more="\n… and {} more changed declarations.\n"))
    if report.reindex:
        blocks.append(_reindex(report))
    what = [f"- {code(c.change.node, in_table=False)}: " + "; ".join(reasons)
            for c in report.changes if (reasons := _what_changed(c.change))]
    if what:
        blocks.append(_section("What changed", what))
    diffs = _diffs(report.diffs)
    if diffs is not None:
        blocks.append(diffs)
    impact = report.impact
    if impact.features:
        blocks.append(_section(
            f"Affected features ({len(impact.features)})",
            [_row([code(h.id), h.tier, inline(h.owner or "-")]
                  + ([_path(impact.path(h.id))] if detail.paths else []))
             for h in impact.features],
            "features", ["Feature", "Tier", "Owner"] + (["Path"] if detail.paths else [])))
    if impact.owners:
        blocks.append(_section(
            f"Owners to notify ({len(impact.owners)})",
            [_row([inline(o.owner), "<br>".join(inline(c) for c in o.contacts) or "-",
                   str(len(o.nodes))]) for o in impact.owners],
            "owners", ["Owner", "Contact", "Affected"]))
    if impact.evals:
        blocks.append(_section(f"Evals to run ({len(impact.evals)})", [
            f"- {code(e)}" + (f": {code(command, in_table=False)}"
                              if (command := report.command(e)) else "")
            for e in impact.evals]))
    if report.new_findings:
        blocks.append(_section(f"New findings ({len(report.new_findings)})", [
            f"- **{f.severity.value}** {code(f.rule)} {code(str(f.span), in_table=False)}: "
            f"{inline(f.message)}" for f in report.new_findings]))
    if detail.diagram and report.blast_radius is not None:
        diagram = mermaid(report.blast_radius)
        blocks.append(_Block(f"<details><summary>Blast radius</summary>\n\n"
                             f"```mermaid\n{diagram}```\n\n</details>\n"))
    return blocks


def _reindex(report: PullReport) -> _Block:
    """The indexes to re-embed: a table, with how to run the swap."""
    from .text import records_text

    count = len(report.reindex)
    head = (f"**Re-embedding needed: {count} index{'' if count == 1 else 'es'}.** Run each as a "
            "migration, not a deploy: build the new index beside the current one, embed every "
            "record into it, switch readers (and their `queryModel`) over together, then drop "
            "the old one.\n\n" + _table_head(["Index", "Records", "Store", "Why"]))
    return _Block(head, tuple(
        _row([code(r.index), inline(records_text(r)), code(r.store),
              "<br>".join(inline(reason) for reason in r.reasons)]) for r in report.reindex),
        more="\n… and {} more indexes.\n")


def _where(folder: str) -> str:
    return code(folder, in_table=False) if folder else "the repository root"


def _note(report: PullReport, left_out: str) -> str:
    return (f"*Left out to fit GitHub's comment limit: {left_out}. Run {_rerun(report)} for "
            "the full report.*\n")


def _rerun(report: PullReport) -> str:
    return code(f"aireg impact --base {report.base_rev}", in_table=False)


def pr_comment(report: PullReport, limit: int = LIMIT) -> str:
    """The sticky pull-request comment (SPEC section 7), at most `limit` characters.

    Detail is dropped in stages (the diagram, the paths, rows past 100, past 20), then rows
    from the end of each list until it fits; the last line says what was left out. Only a
    limit too small for the marker, the verdict and that note gets just those three lines.
    """
    if report.nothing and report.base_absent:  # still one line: the bot may skip posting it
        return (f"{MARKER}\naireg: no AI declaration changed and no new findings (the base "
                f"has no registry at {_where(report.folder)} and head declares nothing).\n")
    if report.nothing:
        return f"{MARKER}\naireg: no AI declaration changed and no new findings.\n"
    for detail in _STAGES:
        blocks = _blocks(report, detail)
        parts = [block.text(detail.rows) for block in blocks]
        if detail.label:
            parts.append(_note(report, detail.label))
        text = "\n".join(parts)
        if len(text) <= limit:
            return text
    return _cut(report, blocks, _STAGES[-1].rows or 0, limit)


def _cut(report: PullReport, blocks: list[_Block], most: int, limit: int) -> str:
    """The last stage: every list shows the first rows that fit (at most `most`), each
    saying how many more there are. Lists are served in order, after room is kept for
    every later one's heading; only a limit too small for the headings drops whole
    sections (from the end, and the note says how many)."""
    dropped = 0
    while True:
        label = ("the diagram, the paths and every row past those that fit (each list "
                 "says how many)"
                 + (f", and the last {plural(dropped, 'section')}" if dropped else ""))
        note = _note(report, label)
        kept = blocks[:len(blocks) - dropped]
        shown = [0] * len(kept)
        # Every block at its smallest, one line break between parts, and the note.
        size = sum(len(b.text(0)) for b in kept) + len(kept) + len(note)
        if size <= limit or len(kept) == 1:
            break
        dropped += 1
    for index, block in enumerate(kept):
        current = len(block.text(0))
        for count in range(1, min(most, len(block.rows)) + 1):
            grown = len(block.text(count))
            if size - current + grown > limit:
                break
            size, current, shown[index] = size - current + grown, grown, count
    return "\n".join([*(b.text(n) for b, n in zip(kept, shown, strict=True)), note])
