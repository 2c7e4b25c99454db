"""`aireg scan` output: each use with where it is and what covers it, then the findings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from ..findings import Severity
from . import plural, visible
from .fields import Out, RegistryName, version_field
from .json import FindingOut, _finding, dump

if TYPE_CHECKING:
    from ..adoption import Covered, ScanReport


class UseOut(Out):
    kind: Literal["model", "mcp-server", "adapter"] = Field(
        description="what is used: a model id, an MCP server or an adapter's base model")
    path: str = Field(description="relative to the repository root, forward slashes")
    line: int = Field(description="the line in `path`, from 1")
    column: int = Field(description="the column in `line`, from 1")
    text: str = Field(description="the id, server name or base model as written")
    id: str = Field(description="model ids: normalised as the retirement data normalises "
                    "them (for the first platform); servers: the declaration name; adapters: "
                    "the base model")
    platforms: list[str] = Field(description="model ids: the platforms the spelling may be "
                                 "sent to; empty for servers and adapters")
    deployment: bool = Field(description="an Azure OpenAI deployment name, not a model id")
    coveredBy: str | None = Field(description="the declaration that covers the use "
                                  "(kind/name@version), or null when none does")


class ScanOut(Out):
    version: Literal[1] = version_field(1)
    registry: RegistryName
    files: int = Field(description="files read")
    uses: list[UseOut] = Field(description="every use found, by path, line and column")
    findings: list[FindingOut] = Field(description="the scan rules' findings")


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


def json(report: ScanReport) -> str:
    rows, findings, files, registry = report.rows, report.findings, report.files, report.registry
    uses = [UseOut(kind=r.use.kind, path=r.use.path, line=r.use.line, column=r.use.column,
                   text=r.use.text, id=r.use.id, platforms=list(r.use.platforms),
                   deployment=r.use.deployment, coveredBy=r.by.id if r.by else None)
            for r in _sorted(rows)]
    return dump(ScanOut(registry=registry, files=files, uses=uses,
                        findings=[_finding(f) for f in findings]))


def text(report: ScanReport) -> str:
    from .text import finding_line, table

    rows, findings, files = report.rows, report.findings, report.files
    body = [[visible(str(r.use.span)), r.use.kind, visible(r.use.text),
             r.by.id if r.by else "(undeclared)"] for r in _sorted(rows)]
    out = table(["where", "kind", "as written", "declared by"], body) if body else ""
    if findings:
        out += "\n" + "".join(finding_line(f) + "\n" for f in findings)
    covered = sum(1 for r in rows if r.by is not None)
    counts = [plural(sum(1 for f in findings if f.severity is s), s.value)
              for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)]
    out += (f"\n{plural(len(rows), 'use')} in {plural(files, 'file')}: {covered} declared, "
            f"{len(rows) - covered} not; {', '.join(counts)}.\n")
    return out if body or findings else out.lstrip("\n")
