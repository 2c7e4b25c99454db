"""Text output, for people at a terminal.

Every free-form repository string (paths, descriptions, labels, messages, contacts, commit
subjects) goes through `visible`: a control character cannot drive the terminal and a bidi
override or a zero-width character shows as its escape. Ids are restricted to plain
characters by the loader and are printed as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..findings import Severity
from ..lifecycle import when
from ..rules import CheckResult
from . import deadline_label, finding_line, plural, table, value_text, visible
from .tree import impact_text

if TYPE_CHECKING:
    from ..bom_score import Review, Scored
    from ..diff import FieldChange, PullReport
    from ..history import Event, HistoryReport
    from ..indexes import Reindex
    from ..lifecycle import DeadlineReport
    from ..orphans import OrphanReport
    from ..views import Listing, ShowView


def check(result: CheckResult) -> str:
    lines = [finding_line(f) for f in result.findings]
    counts = [plural(result.count(Severity.ERROR), "error"),
              plural(result.count(Severity.WARNING), "warning"),
              plural(result.count(Severity.INFO), "info")]
    scope = (f"{plural(result.declarations, 'declaration')} in "
             f"{plural(result.files, 'file')}")
    if not result.findings:
        lines.append(f"All checks passed: {scope}.")
    else:
        if lines:
            lines.append("")
        lines.append(f"Found {', '.join(counts)} in {scope}.")
    return "\n".join(lines) + "\n"


def ls(listing: Listing) -> str:
    if not listing.rows:
        return "No declarations match.\n"
    return table(["ID", "KIND", "OWNER", "FILE"],
                 [[r.decl.id, r.decl.kind, r.decl.owner or "-", visible(f"{r.decl.path}:{r.line}")]
                  for r in listing.rows])


def show(view: ShowView) -> str:
    decl = view.decl
    meta = decl.model.metadata
    lines = [f"{decl.id}  ({decl.kind})", f"  file:        {visible(decl.path)}:{view.line}"]
    if view.digest:
        lines.append(f"  digest:      {view.digest}")
    if decl.owner:
        contact = ", ".join(visible(c) for c in view.contacts)
        lines.append(f"  owner:       {decl.owner}" + (f"  ({contact})" if contact else ""))
    if meta.description:
        lines.append(f"  description: {visible(meta.description)}")
    if meta.labels:
        lines.append("  labels:      " + ", ".join(f"{visible(k)}={visible(v)}" for k, v in
                                                  sorted(meta.labels.items())))
    if meta.deprecation is not None:
        dep = meta.deprecation
        bits = [f"sunset {dep.sunset}" if dep.sunset else "no sunset day",
                f"replacement {visible(dep.replacement)}" if dep.replacement else "",
                visible(dep.reason or "")]
        lines.append("  deprecated:  " + "; ".join(b for b in bits if b))
    if view.retirement_text is not None:
        lines.append(f"  retirement:  {visible(view.retirement_text)}")
    if view.other_versions:
        lines.append(f"  also:        {', '.join(view.other_versions)}")
    if decl.template_path:
        lines.append(f"  template:    {visible(decl.template_path)}")
    lines.append(f"  uses:        {plural(len(view.uses), 'artifact')}")
    lines.extend(f"    -{hop.label}-> {hop.target}" for hop in view.uses)
    lines.append(f"  used by:     {plural(len(view.used_by), 'artifact')}")
    lines.extend(f"    {hop.source} -{hop.label}->" for hop in view.used_by)
    return "\n".join(lines) + "\n"


def deprecations(report: DeadlineReport) -> str:
    if not report.rows:
        return f"No deadlines as of {report.today}.\n"
    lines = [f"Deadlines as of {report.today} (deprecation window: {report.window} days):"]
    for row in report.rows:
        sunset = row.sunset
        label = deadline_label(sunset.deadline, sunset.date_kind)
        what = f"  ({label})" if label else ""
        lines += ["", f"{sunset.day}  {when(row.days_left)}  {sunset.node}{what}"]
        lines.append(f"  source:      {visible(sunset.source)}")
        if sunset.replacement:
            lines.append(f"  replacement: {visible(sunset.replacement)}")
        if sunset.reason:
            lines.append(f"  reason:      {visible(sunset.reason)}")
        lines.append(f"  features:    {', '.join(row.features) if row.features else '-'}")
        owners = [owner + (f" ({', '.join(map(visible, c))})" if c else "")
                  for owner, c in row.owners]
        lines.append(f"  owners:      {', '.join(owners) if owners else '-'}")
        lines.extend(f"  action:      {action}" for action in row.actions)
    return "\n".join(lines) + "\n"


def orphans(report: OrphanReport) -> str:
    if not report.orphans:
        return "No orphaned adapters.\n"
    lines: list[str] = []
    for orphan in report.orphans:
        if lines:
            lines.append("")
        lines.append(f"{orphan.decl.id}  {orphan.severity.value}  owner "
                     f"{orphan.decl.owner or '-'}  base {orphan.base or '-'}")
        lines.extend(f"  {reason.code}: {visible(reason.detail)}" for reason in orphan.reasons)
        lines.append(f"  used by: {', '.join(orphan.used_by) if orphan.used_by else '-'}")
    return "\n".join(lines) + "\n"


def field_change(change: FieldChange) -> str:
    """`spec.modelId: a -> b (pin)`; a list's members as +added -removed; template text as
    counts of lines (the text is in --format json, the diff in the PR comment)."""
    from ..diff import is_template, line_counts

    name, cls = change.field, change.cls
    if is_template(name):
        added, removed = line_counts(change.before, change.after)
        return f"{name}: +{added} -{removed} lines ({cls})"
    if isinstance(change.before, list) or isinstance(change.after, list):
        members = [f"+{visible(value_text(m))}" for m in change.after or []] + [
            f"-{visible(value_text(m))}" for m in change.before or []]
        return f"{name}: {', '.join(members) or 'order changed'} ({cls})"
    return (f"{name}: {visible(value_text(change.before))} -> "
            f"{visible(value_text(change.after))} ({cls})")


def _where(folder: str) -> str:
    return f"`{visible(folder)}`" if folder else "the repository root"


def no_base(rev: str, folder: str) -> str:
    """The line saying that a comparison's base has no registry in `folder` (relative to
    the repository root), so everything head declares is new."""
    return (f"The base ({visible(rev)}) has no registry at {_where(folder)}: every declaration "
            "is new.")


REINDEX_ADVICE = ("Re-embedding needed. Run each as a migration: build the new index beside "
                  "the current one, embed every record into it, switch readers (and their "
                  "queryModel) over together, then drop the old one:")


def records_text(item: Reindex) -> str:
    if item.records is not None:
        return plural(item.records, "record")
    return "records unknown (" + ", ".join(item.uncounted) + " declare no `records`)" \
        if item.uncounted else "records unknown (no corpus resolves)"


def reindex_lines(item: Reindex) -> list[str]:
    return [f"{item.index}: {records_text(item)}, store {visible(item.store)}",
            *(f"  {visible(reason)}" for reason in item.reasons)]


def impact_base(report: PullReport) -> str:
    if report.nothing and report.base_absent:  # head's registry declares nothing yet
        return (f"The base ({visible(report.base_rev)}) has no registry at "
                f"{_where(report.folder)}, and {visible(report.head)} declares nothing: no "
                "declaration changed and there are no new findings.\n")
    if report.nothing:
        return (f"No declaration changed between {visible(report.base)} and "
                f"{visible(report.head)}, and there are no new findings.\n")
    lines = [no_base(report.base_rev, report.folder)] if report.base_absent else []
    lines.append(f"Changes between {visible(report.base)} and {visible(report.head)}:")
    for item in report.changes:
        change = item.change
        since = {"modified": "from", "added": "compared with", "invalid": "from"}.get(change.status)
        was = f"  ({since} {change.previous})" if since and change.previous else ""
        lines.append(f"  {change.status:<10}  {change.node}{was}")
        lines.extend(f"{'':14}{field_change(f)}" for f in change.fields)
        lines.extend(f"{'':14}{visible(str(r))}" for r in change.resolutions)
        if change.status == "invalid":
            lines.append(f"{'':14}fails validation in head: see the new findings")
        if item.environments:
            lines.append(f"{'':14}rolls out to {' -> '.join(item.environments)}")
    if report.reindex:
        lines += ["", REINDEX_ADVICE, *(f"  {line}" for r in report.reindex
                                        for line in reindex_lines(r))]
    body = impact_text(report.impact).splitlines()
    # The dependents of the changes, as `impact REF` prints them, without its first line.
    lines += body[1:]
    if report.new_findings:
        lines += ["", "New findings:"]
        lines.extend(f"  {finding_line(f)}" for f in report.new_findings)
    return "\n".join(lines) + "\n"


# The components `bom`'s summary on standard error lists at most (--completeness: all).
SUMMARY_COMPONENTS = 10


def completeness(review: Review) -> str:
    """The score on each list, then each component with the keys to add, each with the
    fields it fills; last, per kind, the OWASP fields no declaration key can fill."""
    totals, gaps, unkeyed = _completeness_parts(review)
    return "\n".join([totals, *(line for _, line in gaps), *unkeyed]) + "\n"


def completeness_summary(review: Review) -> str:
    """What `bom` prints to standard error: the whole review while it lists at most
    SUMMARY_COMPONENTS components, else the scores, the components with the lowest share of
    the CycloneDX guide's fields (then the lowest OWASP score), and how to see the rest."""
    totals, gaps, unkeyed = _completeness_parts(review)
    more: list[str] = []
    if len(gaps) > SUMMARY_COMPONENTS:

        def rank(gap: tuple[Scored, str]) -> tuple[float, float, str]:
            item = gap[0]
            share = item.present / item.expected if item.expected else 1.0
            return share, 101.0 if item.owasp is None else item.owasp, item.node

        more = [f"  ... and {len(gaps) - SUMMARY_COMPONENTS} more: run `aireg bom "
                "--completeness` for every component"]
        gaps = sorted(gaps, key=rank)[:SUMMARY_COMPONENTS]
    return "\n".join([totals, *(line for _, line in gaps), *more, *unkeyed]) + "\n"


def _completeness_parts(review: Review) -> tuple[str, list[tuple[Scored, str]], list[str]]:
    """The scores line; each component with keys to add, and its line; the lines naming,
    per kind, the OWASP fields no declaration key can fill."""
    owasp = review.owasp
    models = sum(1 for c in review.components if c.owasp is not None)
    head = (f"{owasp:.0f}% on OWASP AIBOM's weighted fields (mean over "
            f"{plural(models, 'ML model')}), " if owasp is not None else "")
    totals = (f"BOM completeness: {head}{review.cyclonedx}% of the CycloneDX ML-BOM guide's "
              f"fields ({review.present} of {review.expected})")
    gaps: list[tuple[Scored, str]] = []
    unkeyed: dict[str, set[str]] = {}
    for item in review.components:
        keys: dict[str, list[str]] = {}
        for missing in item.missing:
            name = missing.field.rpartition(".")[2]
            if missing.key is None:
                unkeyed.setdefault(item.node.split("/", 1)[0], set()).add(name)
            elif name not in keys.setdefault(missing.key, []):
                keys[missing.key].append(name)
        score = f" (OWASP {item.owasp:.0f}%)" if item.owasp is not None else ""
        if keys:
            adds = "; ".join(f"{key} ({', '.join(names)})" for key, names in keys.items())
            gaps.append((item, f"  {visible(item.node)}{score}: add {adds}"))
    return totals, gaps, [f"  no {kind} key fills OWASP's {', '.join(sorted(names))}"
                          for kind, names in sorted(unkeyed.items())]


def history(report: HistoryReport) -> str:
    name, events = report.artifact, report.events
    if not events:
        return f"No commit declares {visible(name)} yet.\n"
    # Each version's commits; a version that succeeds another is also listed under the one
    # it replaced, so reading either version says where the line went.
    rows: dict[str, list[tuple[Event, str]]] = {}
    for event in events:
        classes = f": {', '.join(event.classes)}" if event.classes else ""
        version = event.version or "(unversioned)"
        if event.previous is not None:
            before = event.previous.rpartition("@")[2]
            rows.setdefault(before, []).append((event, f"succeeded by {version}"))
            rows.setdefault(version, []).append((event, f"succeeds {before}{classes}"))
        else:
            rows.setdefault(version, []).append((event, event.change + classes))
    width = max(22, *(len(what) for items in rows.values() for _, what in items))
    lines = [visible(name)]
    for version, items in rows.items():
        lines.append(f"  {version}")
        for event, what in items:
            commit = event.commit
            lines.append(f"    {commit.day}  {commit.sha[:10]}  {what:<{width}}  "
                         f"{visible(commit.author)}: {visible(commit.subject)}")
    return "\n".join(lines) + "\n"
