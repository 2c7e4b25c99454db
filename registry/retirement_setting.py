"""aireg.yaml's `spec.retirements`, read: which known retirements the registry asks for, and
a finding for each problem with its own retirements file (then the bundled data is used)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from .files import CONFIG_FILE, Tree, display_path, escapes
from .findings import AiregError, Finding, Pointer, finding
from .paths import INTO_GIT, reaches_git, shown_path, unusable_path

if TYPE_CHECKING:
    from .retirements import Retirements


@dataclass(frozen=True)
class RetirementSetting:
    bundled: bool  # False: `none`
    own: Retirements | None  # the registry's own file, when it names one that reads
    findings: tuple[Finding, ...] = ()

    def retirements(self) -> Retirements:
        """The data the setting asks for (the bundled data is read only here)."""
        from .retirements import Retirements

        if not self.bundled:
            return Retirements.empty()
        bundled = Retirements.bundled()
        return bundled if self.own is None else bundled.merged(self.own)


def read_setting(setting: str, tree: Tree) -> RetirementSetting:
    """`bundled`, `none`, or the path of a file (relative to the registry root) read from
    `tree`, whose problems become findings at the setting."""
    if setting == "none":
        return RetirementSetting(bundled=False, own=None)
    if setting == "bundled":
        return RetirementSetting(bundled=True, own=None)
    at = Pointer(display_path(tree, CONFIG_FILE), 0, ("spec", "retirements"))
    own, problem = _own_file(setting, tree, at)
    return RetirementSetting(True, own, () if problem is None else (problem,))


def _own_file(setting: str, tree: Tree, at: Pointer) -> tuple[Retirements | None,
                                                               Finding | None]:
    from .retirements import Retirements, UnreadableFile

    shown = shown_path(setting)
    unusable = unusable_path(setting)
    if unusable is not None:
        return None, finding(
            "schema", f"retirements file `{shown}` {unusable}; write `bundled`, `none` or "
            "the path of a retirements file relative to the registry root", at)
    rel = posixpath.normpath(setting)
    if escapes(rel):
        return None, finding(
            "path-escape", f"retirements file `{shown}` is outside the registry; keep it "
            "inside the registry root", at)
    if not tree.link_stays_inside(rel):
        return None, finding(
            "path-escape", f"retirements file `{shown}` is a link that leads out of the "
            "registry; replace the link with the file", at)
    if reaches_git(tree, rel):
        return None, finding(
            "path-escape", f"retirements file `{shown}` {INTO_GIT}; keep it in the "
            "registry's own files", at)
    try:
        data = tree.read(rel)
    except OSError as error:  # a link loop, say
        return None, finding(
            "schema", f"retirements file `{shown}` cannot be read ({error.strerror}); "
            "point the setting at a readable file", at)
    if data is None:
        return None, finding(
            "schema", f"retirements file `{setting}` does not exist; write `bundled`, "
            "`none` or the path of a retirements file relative to the registry root", at)
    try:
        return Retirements.from_bytes(data, PurePosixPath(display_path(tree, rel))), None
    except UnreadableFile as error:  # at its place in that file, as in a declaration file
        return None, finding("yaml-syntax", error.message, error.at)
    except AiregError as error:
        return None, finding("schema", f"retirements file: {error}", at)
