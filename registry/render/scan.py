"""`aireg scan` output: each use with where it is and what covers it, then the findings.

Nothing heavy is imported (no pydantic: registry.render.scan_out holds the JSON's schema),
so a scan answered from the registry's snapshot stays light; the JSON is written in the
layout, key order and escapes the schema's models would give.
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..findings import Finding, Severity
from . import finding_line, plural, table, visible

if TYPE_CHECKING:
    from ..coverage import Covered, ScanReport


def sarif(report: ScanReport) -> str:
    """`scan --format sarif`: the scan rules' findings."""
    from .. import __version__
    from .sarif import sarif as write

    return write(list(report.findings), __version__)


def github(report: ScanReport) -> str:
    """`scan --format github`: an annotation per scan finding."""
    from .github import github as write

    return write(list(report.findings))


def _sorted(rows: Iterable[Covered]) -> list[Covered]:
    return sorted(rows, key=lambda r: (r.use.path, r.use.line, r.use.column, r.use.kind))


def _finding(item: Finding) -> dict[str, Any]:
    span = item.span
    return {"rule": item.rule, "severity": item.severity.value, "message": item.message,
            "path": span.path, "line": span.line, "column": span.column,
            "subject": item.subject, "field": item.field, "fingerprint": item.fingerprint}


def json(report: ScanReport) -> str:
    """ScanOut (registry.render.scan_out), field by field."""
    uses = [{"kind": r.use.kind, "path": r.use.path, "line": r.use.line,
             "column": r.use.column, "text": r.use.text, "id": r.use.id,
             "platforms": list(r.use.platforms), "deployment": r.use.deployment,
             "coveredBy": r.by} for r in _sorted(report.rows)]
    out = {"version": 1, "registry": report.registry, "files": report.files, "uses": uses,
           "findings": [_finding(f) for f in report.findings]}
    # orjson writes what json.dumps(indent=2, ensure_ascii=False) does, ten times faster
    # (json's indented encoder is pure Python); a path that is not UTF-8 (a lone surrogate)
    # is left to json.
    import orjson

    try:
        return orjson.dumps(out, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode()
    except orjson.JSONEncodeError:
        return jsonlib.dumps(out, indent=2, ensure_ascii=False) + "\n"


def text(report: ScanReport) -> str:
    rows, findings, files = report.rows, report.findings, report.files
    body = [[visible(str(r.use.span)), r.use.kind, visible(r.use.text),
             r.by or "(undeclared)"] for r in _sorted(rows)]
    out = table(["where", "kind", "as written", "declared by"], body) if body else ""
    if findings:
        out += "\n" + "".join(finding_line(f) + "\n" for f in findings)
    covered = sum(1 for r in rows if r.by is not None)
    counts = [plural(sum(1 for f in findings if f.severity is s), s.value)
              for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)]
    out += (f"\n{plural(len(rows), 'use')} in {plural(files, 'file')}: {covered} declared, "
            f"{len(rows) - covered} not; {', '.join(counts)}.\n")
    return out if body or findings else out.lstrip("\n")
