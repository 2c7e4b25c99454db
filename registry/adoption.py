"""The scan rules over a loaded registry (`check --scan`, `impact --base --scan`; the
matching itself is registry.coverage's) and import-drift: imported declarations against their
sources."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from . import kinds
from .findings import About, Finding, Span, finding

if TYPE_CHECKING:
    from .catalog import Catalog
    from .coverage import Declared
    from .importers.records import Record
    from .load import Loaded
    from .locate import Locator
    from .root import RegistryRoot
    from .scan import ScanResult


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
    @property
    def name(self) -> str: ...


def declared(project: Project) -> Declared:
    """What the scan rules read of a loaded registry, as plain data (as its snapshot keeps
    it: registry.coverage)."""
    from .coverage import Declared, Model, Server
    from .refs import Ref

    catalog, locator = project.catalog, project.locator
    models = []
    for decl in sorted(catalog.of_kind("Model"), key=lambda d: d.id):
        spec = decl.model.spec
        assert isinstance(spec, kinds.ModelSpec)
        models.append(Model(decl.id, decl.name, spec.provider, spec.modelId, spec.endpoint,
                            spec.revision, locator.span(decl.at("spec", "modelId"))))
    servers = []
    for decl in sorted(catalog.of_kind("McpServer"), key=lambda d: d.id):
        spec = decl.model.spec
        assert isinstance(spec, kinds.McpServerSpec)
        servers.append(Server(decl.id, decl.name, spec.url, spec.command))
    bases: dict[str, str | None] = {}
    for decl in catalog.of_kind("Adapter"):
        spec = decl.model.spec
        assert isinstance(spec, kinds.AdapterSpec)
        base = catalog.resolve(Ref.parse(spec.baseModel))
        bases[decl.id] = None if base is None else base.id
    adapters = {name: str(found[-1].id) for (kind, name), found in catalog.by_key.items()
                if kind == "Adapter" and found}
    sources = {r.source: r.decl_id for r in records_of(project)
               if r.kind == "Adapter" and r.decl_id in catalog.by_id}
    policy = {rule: str(level) for rule, level in
              project.loaded.config.spec.policy.rules.items()}
    return Declared(project.name, tuple(models), tuple(servers), adapters, sources,
                    dict(sorted(bases.items())), policy)


def records_of(project: Project) -> list[Record]:
    from .importers.records import of_registry

    return of_registry(project.catalog.decls(), project.locator, project.loaded.marked)


def used_by_code(project: Project, result: ScanResult) -> set[str]:
    """The declarations scanned code uses: code depends on them, so they are not unused."""
    from .coverage import covered

    return {row.by for row in covered(declared(project), result) if row.by is not None}


def scan_findings(project: Project, result: ScanResult) -> list[Finding]:
    """The scan rules' findings over a loaded registry (registry.coverage)."""
    from . import coverage

    return coverage.scan_findings(declared(project), result)


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
