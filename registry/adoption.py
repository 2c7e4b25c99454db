"""The scan rules (`check --scan`) and import-drift: what the code uses against what the
registry declares, and imported declarations against their sources.

A model use is covered by a Model pin on one of the platforms its spelling may be sent to,
whose modelId normalises to the same id there (`modelids.normalize`); an Azure deployment
by an azure-openai pin whose modelId, name or endpoint's `/deployments/NAME` is the
deployment; a pin of a provider aireg does not normalise (huggingface, self-hosted, other)
by its modelId as written. An MCP server by the McpServer of its name, url or command. An
adapter_config.json by the Adapter whose import recorded it, else the Adapter named after
its folder.
"""

from __future__ import annotations

import hashlib
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from . import kinds
from .findings import About, Finding, Span, finding
from .modelids import normalize
from .refs import NodeId
from .scan import LITERAL_PROVIDERS, ScanResult, Use, bare

if TYPE_CHECKING:
    from .catalog import Catalog
    from .decl import Decl
    from .importers.records import Record
    from .load import Loaded
    from .locate import Locator
    from .root import RegistryRoot


class Project(Protocol):
    """What these rules read of an opened registry (registry.project.Project)."""

    @property
    def catalog(self) -> Catalog: ...
    @property
    def locator(self) -> Locator: ...
    @property
    def location(self) -> RegistryRoot: ...
    @property
    def loaded(self) -> Loaded: ...


@dataclass(frozen=True)
class Covered:
    use: Use
    by: Decl | None


class Coverage:
    def __init__(self, project: Project, records: list[Record]) -> None:
        self.project = project
        catalog = project.catalog
        self.models: dict[tuple[str, str], list[Decl]] = {}
        self.literal: dict[str, list[Decl]] = {}
        self.deployments: dict[str, list[Decl]] = {}
        for decl in sorted(catalog.of_kind("Model"), key=lambda d: d.id):
            spec = decl.model.spec
            assert isinstance(spec, kinds.ModelSpec)
            if spec.provider in LITERAL_PROVIDERS:
                self.literal.setdefault(spec.modelId.strip().lower(), []).append(decl)
                continue
            self.models.setdefault((spec.provider, normalize(spec.provider, spec.modelId)),
                                   []).append(decl)
            if spec.provider == "azure-openai":
                names = {spec.modelId.strip().lower(), decl.name}
                if spec.endpoint and "/deployments/" in spec.endpoint:
                    names.add(spec.endpoint.split("/deployments/", 1)[1].split("/")[0].lower())
                for name in names:
                    self.deployments.setdefault(name, []).append(decl)
        self.servers: dict[str, Decl] = {}
        for decl in sorted(catalog.of_kind("McpServer"), key=lambda d: d.id):
            spec = decl.model.spec
            assert isinstance(spec, kinds.McpServerSpec)
            for key in (decl.name, spec.url, spec.command):
                if key:
                    self.servers.setdefault(key, decl)
        self.adapters_by_source = {r.source: catalog.by_id[NodeId(r.decl_id)]
                                   for r in records
                                   if r.kind == "Adapter" and r.decl_id in catalog.by_id}

    def model(self, use: Use) -> Decl | None:
        if use.deployment:
            found = self.deployments.get(use.id)
            if found:
                return found[-1]
        else:
            for platform in use.platforms:
                found = self.models.get((platform, normalize(platform, bare(use.text))))
                if found:
                    return found[-1]
        literal = self.literal.get(bare(use.text).strip().lower()) or self.literal.get(use.id)
        return literal[-1] if literal else None

    def server(self, use: Use) -> Decl | None:
        return self.servers.get(use.id) or (self.servers.get(use.detail) if use.detail
                                            else None)

    def adapter(self, use: Use) -> Decl | None:
        found = self.adapters_by_source.get(use.path)
        if found is not None:
            return found
        folder = posixpath.basename(posixpath.dirname(use.path))
        from .importers import name_of

        named = self.project.catalog.by_key.get(("Adapter", name_of(folder)))
        return named[-1] if named else None

    def covering(self, use: Use) -> Decl | None:
        if use.kind == "model":
            return self.model(use)
        if use.kind == "mcp-server":
            return self.server(use)
        return self.adapter(use)

    def _base(self, adapter: Decl) -> Decl | None:
        from .refs import Ref

        spec = adapter.model.spec
        assert isinstance(spec, kinds.AdapterSpec)
        return self.project.catalog.resolve(Ref.parse(spec.baseModel))


def records_of(project: Project) -> list[Record]:
    from .importers.records import of_registry

    return of_registry(project.catalog.decls(), project.locator, project.loaded.marked)


@dataclass(frozen=True)
class ScanReport:
    """`aireg scan`: each use with what covers it, the scan rules' findings (placed, with
    the registry's policy applied), and how many files were read."""

    rows: tuple[Covered, ...]
    findings: tuple[Finding, ...]
    files: int
    registry: str


def covered(project: Project, result: ScanResult) -> list[Covered]:
    coverage = Coverage(project, records_of(project))
    return [Covered(use, coverage.covering(use)) for use in result.uses]


def used_by_code(project: Project, result: ScanResult) -> set[str]:
    """The declarations scanned code uses: code depends on them, so they are not unused."""
    return {row.by.id for row in covered(project, result) if row.by is not None}


def scan_findings(project: Project, result: ScanResult) -> list[Finding]:
    """undeclared-model, undeclared-mcp-server, adapter-base-mismatch, unreferenced-pin,
    and the configs scan could not read."""
    coverage = Coverage(project, records_of(project))
    out = list(result.problems)
    used: set[str] = set()
    for use in result.uses:
        if use.kind == "model":
            decl = coverage.model(use)
            if decl is not None:
                used.add(decl.id)
                continue
            out.append(_undeclared_model(use))
        elif use.kind == "mcp-server":
            if coverage.server(use) is None:
                out.append(finding(
                    "undeclared-mcp-server", f"MCP server `{use.text}` is configured here, "
                    f"but no McpServer declares it; import it (aireg import mcp {use.path}) or "
                    f"declare mcp/{use.id}", use.span, value=use.id))
        else:
            out.extend(_adapter_findings(coverage, use, used))
    for decl in sorted(project.catalog.of_kind("Model"), key=lambda d: d.id):
        if decl.id in used:
            continue
        out.append(finding(
            "unreferenced-pin", f"no scanned code uses {decl.id} "
            f"({decl.model.spec.modelId}); remove the pin if nothing sends requests to it",
            decl.at("spec", "modelId"), subject=decl.id, field="spec.modelId"))
    return out


def _undeclared_model(use: Use) -> Finding:
    if use.deployment:
        hint = (f"declare a Model (provider: azure-openai, modelId: {use.text}, or an "
                f"endpoint ending in /deployments/{use.text})")
        what = f"Azure OpenAI deployment `{use.text}`"
    else:
        normal = "" if use.id == use.text else f" ({use.platforms[0]} id {use.id})"
        hint = (f"declare a Model pin (provider: {' or '.join(use.platforms)}, modelId: "
                f"{use.id})")
        what = f"model `{use.text}`{normal}"
    return finding("undeclared-model", f"{what} is used here, but no Model declares it; "
                   f"{hint}, or mark the line `aireg: ignore`", use.span,
                   value=f"{use.platforms[0]}:{use.id}")


def _adapter_findings(coverage: Coverage, use: Use, used: set[str]) -> list[Finding]:
    adapter = coverage.adapter(use)
    if adapter is None:
        return []
    base = coverage._base(adapter)
    if base is None:
        return []  # dangling-ref says so at the Adapter
    used.add(base.id)
    spec = base.model.spec
    assert isinstance(spec, kinds.ModelSpec)
    same_id = spec.modelId.strip().lower() == use.text.strip().lower()
    same_revision = use.detail is None or spec.revision is None or use.detail == spec.revision
    if same_id and same_revision:
        return []
    what = f"revision `{use.detail}` of `{use.text}`" if same_id else f"`{use.text}`"
    declared = (f"revision {spec.revision}" if same_id else f"modelId {spec.modelId}")
    return [finding(
        "adapter-base-mismatch", f"this adapter was trained on {what}, but {adapter.id} "
        f"declares baseModel {base.id} ({declared}); point baseModel at the model it was "
        "trained on, or import the adapter again", use.span, subject=adapter.id,
        field="spec.baseModel", value=use.text)]


def drift_findings(project: Project, records: list[Record] | None = None) -> list[Finding]:
    """import-drift: each recorded source whose SHA-256 is no longer the one recorded
    (`records`: the registry's, when already read)."""
    from . import files

    records = records_of(project) if records is None else records
    if not records:
        return []
    location = project.location
    root = location.toplevel or location.root
    tree = project.loaded.tree
    out: list[Finding] = []
    digests: dict[str, str | None] = {}
    for record in records:
        if record.source not in digests:
            data = _read_source(project, root, record.source)
            digests[record.source] = hashlib.sha256(data).hexdigest() if data is not None \
                else None
            if getattr(tree, "commit", None) is None:
                files.note("read", str(root / record.source),
                           digests[record.source] or "absent")
        now = digests[record.source]
        at = Span(record.path, record.line, 1)
        about: About = {"subject": record.decl_id, "field": None, "value": record.source}
        if now is None:
            out.append(finding(
                "import-drift", f"{record.source}, which {record.decl_id} was imported from, "
                "no longer exists; import it again from where it moved, or delete this "
                "comment to keep the declaration as it is", at, **about))
        elif now != record.digest:
            out.append(finding(
                "import-drift", f"{record.source} changed since {record.decl_id} was imported "
                f"from it; run `aireg import {record.importer} {record.source}` to update it "
                "(hand-edited fields are kept)", at, **about))
    return out


def _read_source(project: Project, root: Path, rel: str) -> bytes | None:
    tree = project.loaded.tree
    commit = getattr(tree, "commit", None)
    if commit is not None:  # a revision: the source as it was there
        whole = tree.repo.tree(commit, "")  # type: ignore[attr-defined]
        data: bytes | None = whole.read(rel)
        return data
    try:
        return (root / rel).read_bytes()
    except OSError:
        return None
