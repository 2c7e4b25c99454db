"""One registry opened at one revision: loaded once, with its catalog and graph on demand."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path

from . import load as loading
from .catalog import Catalog
from .findings import Finding
from .graph import DepGraph
from .locate import Locator
from .rules import CheckResult


@dataclass
class Project:
    location: loading.Location
    loaded: loading.Loaded
    today: dt.date = field(default_factory=dt.date.today)

    @classmethod
    def open(cls, start: Path, rev: str | None = None, today: dt.date | None = None) -> Project:
        location = loading.find_registry(start, rev)
        tree = loading.open_tree(location, rev)
        return cls(location, loading.load(tree), today or dt.date.today())

    @property
    def name(self) -> str:
        return self.loaded.config.metadata.name

    @functools.cached_property
    def catalog(self) -> Catalog:
        return Catalog(self.loaded)

    @functools.cached_property
    def graph(self) -> DepGraph:
        return DepGraph(self.catalog)

    @functools.cached_property
    def locator(self) -> Locator:
        return Locator(self.loaded.tree, self.loaded.texts)

    def locate(self, findings: list[Finding]) -> list[Finding]:
        return self.locator.locate_all(findings)

    def check(self) -> CheckResult:
        from . import rules  # jinja2 is only needed when checking

        findings = self.locate(rules.run(self.catalog, self.graph))
        return CheckResult(findings, len(self.catalog.by_id), self.loaded.files_read)
