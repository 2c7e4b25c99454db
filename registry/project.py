"""One registry opened at one revision: loaded once, with its catalog and graph on demand."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import load as loading
from .catalog import Catalog
from .files import CONFIG_FILE, FolderScan
from .findings import Finding
from .graph import DepGraph
from .locate import Locator
from .retirement_setting import RetirementSetting, read_setting
from .root import RegistryRoot, find_registry, open_tree
from .rules import CheckResult

if TYPE_CHECKING:
    from .lifecycle import Lifecycle
    from .retirements import Retirements


@dataclass
class Project:
    location: RegistryRoot
    loaded: loading.Loaded
    today: dt.date = field(default_factory=dt.date.today)
    # A comparison's base with no aireg.yaml in the registry's folder, read as an empty
    # registry: the pull request that adds the registry (or moves it there).
    absent: bool = False
    # aireg.yaml's retirements setting, read when the registry is opened, so its problems
    # (`setup_findings`, reported by `check` and warned about by other commands) are known
    # whatever the command goes on to ask.
    retirement_setting: RetirementSetting = field(init=False)
    setup_findings: list[Finding] = field(init=False)

    def __post_init__(self) -> None:
        self.retirement_setting = read_setting(self.loaded.config.spec.retirements,
                                               self.loaded.tree)
        self.setup_findings = list(self.retirement_setting.findings)

    @classmethod
    def open(cls, start: Path, rev: str | None = None, today: dt.date | None = None,
             option: str = "--rev", use_cache: bool = True,
             progress: loading.Progress | None = None, scan: FolderScan | None = None
             ) -> Project:
        """`option` names what asked for `rev`, for the message when git is missing; `scan`
        is a walk of the working tree already made."""
        from .cache import Cache

        location = find_registry(start, rev, option)
        tree = open_tree(location, rev, option, scan)
        cache = Cache.open(location.toplevel) if use_cache else None
        return cls(location, loading.load(tree, cache, progress), today or dt.date.today())

    @classmethod
    def base_of(cls, head: Project, rev: str, option: str = "--base", use_cache: bool = True,
                progress: loading.Progress | None = None) -> Project:
        """The registry at `rev` in head's folder (the same path from the repository root),
        as the base of a comparison; empty, with `absent` set, when `rev` has no aireg.yaml
        there. An unknown revision is still an error.

        The folder is not searched for upwards as `--rev` does: a registry added below
        another one (or moved) is compared with nothing, not with the other registry.
        """
        from .cache import Cache
        from .gitrepo import GitRepo

        location = head.location
        tree = GitRepo.open(location.toplevel, option).tree(rev, location.prefix)
        if tree.blob(CONFIG_FILE) is None:
            config = loading.default_config(loading.folder_name(location.prefix))
            return cls(location, loading.Loaded(tree, config, [], []), head.today, absent=True)
        cache = Cache.open(location.toplevel) if use_cache else None
        return cls(location, loading.load(tree, cache, progress), head.today)

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

    @functools.cached_property
    def retirements(self) -> Retirements:
        """The known retirements the registry asks for: bundled, none, or bundled plus a file
        of its own (read from the same revision as the registry, when it was opened)."""
        return self.retirement_setting.retirements()

    @functools.cached_property
    def lifecycle(self) -> Lifecycle:
        from .lifecycle import Lifecycle

        return Lifecycle(self.catalog, self.graph, self.retirements, self.today)

    def locate(self, findings: list[Finding]) -> list[Finding]:
        """The findings at file:line:column, each with what it is about (its fingerprint)."""
        from .subjects import identify

        return self.locator.locate_all(identify(findings, self.loaded, self.locator))

    def check(self, versions: list[Finding] | None = None,
              scanned: tuple[list[Finding], set[str]] | None = None) -> CheckResult:
        """Every rule, and `versions`, the version rules' findings over a base revision
        (check --base), which explain some unresolved refs better; `scanned`, the scan
        rules' findings and the declarations scanned code uses (check --scan), which are
        not unused."""
        from . import rules  # jinja2 is only needed when checking
        from .adoption import drift_findings

        found = rules.run(self.catalog, self.graph, self.lifecycle)
        if scanned is not None:
            found = [f for f in found if f.rule != "unused-artifact"
                     or f.subject not in scanned[1]] + scanned[0]
        found += drift_findings(self)
        if versions:
            found = rules.superseded(found, versions)
        found = rules.apply_policy([*found, *self.setup_findings], self.loaded.config)
        return CheckResult(self.locate(found), len(self.catalog.by_id), self.loaded.files_read,
                           self.name)
