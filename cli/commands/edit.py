"""Edits of the YAML in place, comments kept: `bump` and `deprecate`."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..options import Options, fail, pass_options

if TYPE_CHECKING:
    from registry.decl import Decl
    from registry.edit import Stranded
    from registry.project import Project

F = TypeVar("F", bound=Callable[..., Any])


def _disk_path(project: Project, decl: Decl) -> Path:
    """Where a declaration's file is on disk (its path is relative to the repository)."""
    return _disk_path_of(project, decl.path)


def _disk_path_of(project: Project, shown: str) -> Path:
    """Where a file named from the repository root is on disk."""
    return project.location.root / shown[len(project.location.prefix):]


def _read_for_edit(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as stream:  # keep CRLF line endings
        return stream.read()


def _dry_run_option(f: F) -> F:
    return click.option("--dry-run", is_flag=True,
                        help="Print the change as a unified diff (a/ and b/ paths from the "
                             "repository root, for git apply); write nothing.")(f)


@click.command()
@click.argument("ref")
@click.argument("part", type=click.Choice(["major", "minor", "patch"]))
@click.option("--alongside", is_flag=True,
              help="Add the new version as a copy of the declaration, after `---` in the same "
                   "file, comments kept; the old version stays as it is. A templateFile "
                   "prompt's copy gets a copy of the template of its own.")
@click.option("--force", is_flag=True,
              help="Bump in place even when refs to the old version would match no declared "
                   "version.")
@_dry_run_option
@pass_options
def bump(options: Options, ref: str, part: str, alongside: bool, force: bool,
         dry_run: bool) -> None:
    """Give REF (its highest version in range) the next major, minor or patch version, in
    place: only that line of its file changes; comments and quoting are kept.

    Refused, naming each ref, when refs that resolve to the old version would match no
    declared version afterwards: bump --alongside to migrate them one at a time, or --force.
    """
    from registry import edit
    from registry.refs import node_id
    from registry.views import highest

    project = options.editable("bump")
    decl = highest(project.catalog, ref)
    if decl.version is None:
        fail(f"{decl.id} has no version to bump; add metadata.version first")
    new = edit.bump_version(decl.version, part)  # type: ignore[arg-type]
    new_id = node_id(decl.kind, decl.name, new)
    if new_id in project.catalog.by_id:
        fail(f"{new_id} is already declared; choose another part, or edit by hand")
    path = _disk_path(project, decl)
    if not dry_run:  # refused before the edit, whose errors would come first
        edit.check_writable(path, decl.path, "edit")
    before = _read_for_edit(path)
    template: _TemplateCopy | None = None
    if alongside:
        template = _template_copy(project, decl, new)
        after, line = edit.add_version_alongside(
            before, decl.doc, new, template.written if template else None)
        done = f"{new_id} added beside {decl.id} ({decl.path}:{line})"
        if template is not None:
            done += f", with its own template {template.shown} copied from {template.source}"
    else:
        stranded = edit.stranded_by_bump(project.catalog, decl, new)
        if stranded:
            _refuse_or_warn(options, project, decl, new, stranded, force)
        after = edit.set_version(before, decl.doc, new)
        # The version's own line (the same after the edit), not the document's first line.
        line = project.locator.span(decl.at("metadata", "version")).line
        done = f"{decl.id} -> {new_id} ({decl.path}:{line})"
    if dry_run:
        if template is not None:
            options.out.write(edit.unified_diff(template.shown, None, template.text))
        options.out.write(edit.unified_diff(decl.path, before, after))
        options.out.say(f"{done}; nothing written (--dry-run)")
        return
    if template is None:
        edit.write_atomic(path, after, decl.path, "edit")
    else:
        # The template first: the YAML never names a file that is not there.
        edit.write_atomic(template.path, template.text, template.shown)
        try:
            edit.write_atomic(path, after, decl.path, "edit")
        except BaseException:
            template.path.unlink(missing_ok=True)  # ours, made just now: leave nothing behind
            raise
    options.out.write(done + "\n")


@dataclass(frozen=True)
class _TemplateCopy:
    """The new version's own template file: its disk path, its path from the repository
    root, the templateFile value that names it, the file it copies and that file's text."""

    path: Path
    shown: str
    written: str
    source: str
    text: str


def _template_copy(project: Project, decl: Decl, new: str) -> _TemplateCopy | None:
    """The template copy a side-by-side version of a templateFile prompt needs (None for an
    inline template), refused when the file it would create exists."""
    import posixpath

    from registry import edit, kinds
    from registry.refs import node_id

    spec = decl.model.spec
    if not isinstance(spec, kinds.PromptSpec) or spec.templateFile is None:
        return None
    if decl.template_path is None:
        fail(f"the templateFile of {decl.id} could not be read, so --alongside cannot copy it; "
             "run `aireg check` to see why, fix it, then run again")
    written = edit.template_copy_name(spec.templateFile, decl.version or "", new)
    name = posixpath.basename(written)
    shown = posixpath.join(posixpath.dirname(decl.template_path), name)
    path = _disk_path_of(project, shown)
    if os.path.lexists(path):
        fail(f"{shown} already exists, and {node_id(decl.kind, decl.name, new)} needs a "
             f"template of its own there; move that file away, then run again (nothing was "
             "written)")
    source = _disk_path_of(project, decl.template_path)
    try:
        text = _read_for_edit(source)
    except (OSError, UnicodeDecodeError) as error:
        fail(f"cannot read {decl.template_path} to copy it: {error}")
    return _TemplateCopy(path, shown, written, decl.template_path, text)


def _refuse_or_warn(options: Options, project: Project, decl: Decl, new: str,
                    stranded: list[Stranded], force: bool) -> None:
    """Stop a bump that leaves refs matching nothing (name each, where it is written); with
    --force, say which refs it leaves behind and go on."""
    from registry.refs import parse_version
    from registry.render import plural

    versions = sorted({d.version for d in project.catalog.by_key[(decl.kind, decl.name)]
                       if d.version is not None and d.id != decl.id} | {new},
                      key=parse_version)
    rows = sorted(((project.locator.span(s.at), s) for s in stranded),
                  key=lambda row: (row[0].path, row[0].line, row[0].column))
    listing = "".join(f"\n  {span}: {s.ref} in {s.field} of {s.user}" for span, s in rows)
    count = plural(len(stranded), "ref")
    left = (f"would leave {count} to it unsatisfied (versions after the bump: "
            f"{', '.join(versions)}):{listing}")
    if force:
        options.out.say(f"aireg: warning: bumping {decl.id} to {new} in place (--force) "
            f"{left.replace('would leave', 'leaves', 1)}")
        return
    fail(f"bumping {decl.id} to {new} in place {left}\n"
         f"keep {decl.version} and add {new} beside it with --alongside, update those refs "
         "first, or bump in place anyway with --force")


@click.command()
@click.argument("ref")
@click.option("--sunset", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              metavar="YYYY-MM-DD", help="After this day nothing may depend on it.")
@click.option("--replacement", metavar="REF", help="What to move to, such as "
              "prompt/house-style@^4.")
@click.option("--reason", metavar="TEXT", help="Why, in a sentence.")
@_dry_run_option
@pass_options
def deprecate(options: Options, ref: str, sunset: dt.datetime, replacement: str | None,
              reason: str | None, dry_run: bool) -> None:
    """Mark every declared version REF admits as deprecated, in place: metadata.deprecation
    is added or updated; every other line of the file stays as it was."""
    from registry import edit

    project = options.editable("deprecate")
    decls = project.catalog.lookup(ref)
    if replacement is not None:
        project.catalog.lookup(replacement)  # exit 2 when it names nothing
    today = options.today or dt.date.today()
    by_file: dict[Path, list[Decl]] = {}
    for decl in decls:
        by_file.setdefault(_disk_path(project, decl), []).append(decl)
    # Every file is checked and edited before any is written: one that is read-only or
    # cannot be edited leaves all of them as they were.
    for path, in_file in by_file.items():
        if not dry_run:
            edit.check_writable(path, in_file[0].path, "edit")
    edited: list[tuple[Path, str, str, str]] = []  # path, its label, before, after
    for path, in_file in sorted(by_file.items()):
        before = text = _read_for_edit(path)
        for decl in in_file:
            text = edit.set_deprecation(text, decl.doc, sunset.date(), replacement, reason,
                                        today)
        edited.append((path, in_file[0].path, before, text))
    lines = [f"{decl.id}: deprecated, sunset {sunset.date()} ({decl.path})"
             for decl in sorted(decls, key=lambda d: d.id)]
    if dry_run:
        options.out.write("".join(edit.unified_diff(label, before, after)
                      for _, label, before, after in edited))
        for line in lines:
            options.out.say(f"{line}; nothing written (--dry-run)")
        return
    for path, label, _, after in edited:
        edit.write_atomic(path, after, label, "edit")
    options.out.write("".join(line + "\n" for line in lines))


COMMANDS = (bump, deprecate)
