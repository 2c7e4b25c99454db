"""`aireg import` and `aireg scan`, and the scan behind `check --scan`."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from registry.findings import ExitCode

from ..options import Options, fail, format_option, pass_options

if TYPE_CHECKING:
    from registry.coverage import ScanReport
    from registry.diff import Scanned
    from registry.findings import Finding
    from registry.importers import Source
    from registry.project import Project
    from registry.scan import ScanResult

# What `aireg import KIND FOLDER` looks for in a folder.
SOURCE_NAMES: dict[str, tuple[str, ...]] = {
    "peft": ("adapter_config.json",), "hf-card": ("README.md",),
    "mcp": (".mcp.json", "claude_desktop_config.json", ".vscode/mcp.json"),
    "dotprompt": (".prompt",), "prompty": (".prompty",),
    "promptfoo": ("promptfooconfig.yaml", "promptfooconfig.yml"),
}


def _repository_root(project: Project) -> Path:
    return (project.location.toplevel or project.location.root).resolve()


def _say_findings(options: Options, findings: Iterable[Finding]) -> None:
    from registry.render import finding_line

    for item in sorted(findings, key=lambda f: f.sort_key()):
        options.out.say(finding_line(item))


@click.command(name="import")
@click.argument("kind", type=click.Choice(["peft", "hf-card", "mcp", "dotprompt", "prompty",
                                           "promptfoo"]))
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "out", type=click.Path(file_okay=False, path_type=Path),
              help="Write new declarations under this folder, in models/, adapters/, "
                   "prompts/, ... (default: beside what the source's earlier import wrote, "
                   "else the folder the include globs start with).")
@click.option("--owner", metavar="O", help="Owner of new declarations: team/<name> or "
              "user/<handle>.")
@click.option("--dry-run", is_flag=True, help="Print the change as a unified diff; write "
              "nothing.")
@pass_options
def import_command(options: Options, kind: str, paths: tuple[Path, ...], out: Path | None,
                   owner: str | None, dry_run: bool) -> int | None:
    """Declarations from the files a repository already has: PEFT adapter_config.json,
    Hugging Face model cards, MCP client configs, Dotprompt and Prompty files, promptfoo
    configs. Each declaration records its source and the source's SHA-256; importing again
    updates what it wrote and keeps fields edited by hand. A folder is searched for the
    kind's files."""
    import re

    from registry import edit
    from registry.importers.write import plan
    from registry.kinds import OWNER_PATTERN

    if options.rev is not None:
        fail("import writes the working tree; leave out --rev")
    if owner is not None and not re.match(OWNER_PATTERN, owner):
        fail(f"--owner `{owner}` is not team/<name> or user/<handle>")
    project = options.project()
    root = _repository_root(project)
    target = out.resolve() if out is not None else None
    registry_root = project.location.root.resolve()
    if target is not None and target != registry_root and registry_root not in target.parents:
        fail(f"-o {out} is outside the registry ({registry_root}); declarations must be "
              "inside it to be read")
    sources, problems = _sources(kind, paths, root, options.directory)
    outcome = plan(project, kind, sources, root, target, owner)
    findings = problems + outcome.findings
    _say_findings(options, findings)
    if dry_run:
        options.out.write("".join(edit.unified_diff(c.shown, c.before, c.after)
                                  for c in outcome.changes))
        for line in outcome.lines:
            options.out.say(f"{line}; nothing written (--dry-run)")
    else:
        for change in outcome.changes:
            change.path.parent.mkdir(parents=True, exist_ok=True)
            edit.write_atomic(change.path, change.after, change.shown)
        for line in outcome.lines:
            options.out.write(line + "\n")
    if any(f.severity.value == "error" for f in findings):
        return ExitCode.FINDINGS
    return None


def _sources(kind: str, paths: tuple[Path, ...], root: Path, cwd: Path
             ) -> tuple[list[Source], list[Finding]]:
    from registry.findings import Span, finding
    from registry.importers import Source, digest_of
    from registry.scan import walk

    names = SOURCE_NAMES[kind]
    found: list[tuple[Path, str]] = []
    for given in paths:
        path = _absolute(given)
        if not path.exists():
            fail(f"{given} does not exist")
        if root != path and root not in path.parents:
            fail(f"{given} is outside the repository ({root}); import files of this "
                  "repository, so that their path can be recorded")
        if path.is_dir():
            found.extend((Path(p), rel) for p, rel in walk(root, path)
                         if rel.endswith(names) and not (
                             kind == "mcp" and rel.endswith("mcp.json") and
                             not rel.endswith((".mcp.json", ".vscode/mcp.json"))))
        else:
            found.append((path, path.relative_to(root).as_posix()))
    sources, problems = [], []
    for path, rel in sorted(set(found), key=lambda item: item[1]):
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(finding("unreadable-source", f"this file is not UTF-8 (byte "
                                    f"{error.start}); save it as UTF-8 and import again",
                                    Span(rel), value=rel))
            continue
        sources.append(Source(rel, text, digest_of(data)))
    if not sources and not problems:
        fail(f"no {' or '.join(names)} file under {', '.join(str(p) for p in paths)}")
    return sources, problems


def _absolute(given: Path) -> Path:
    return (given if given.is_absolute() else Path.cwd() / given).resolve()


def _starts(paths: Iterable[Path]) -> list[Path]:
    starts = []
    for given in paths:
        path = _absolute(given)
        if not path.exists():
            fail(f"{given} does not exist")
        starts.append(path)
    return starts


def run_scan(project: Project, paths: Iterable[Path]) -> ScanResult:
    from registry.files import note
    from registry.scan import scan

    root = _repository_root(project)
    starts = _starts(paths)
    # What a scan reads is not in the result cache's key: never replay an output of it.
    note("scan", str(root), None)
    return scan(root, starts or [project.location.root.resolve()])


def _scan_report(options: Options, paths: tuple[Path, ...]) -> ScanReport:
    """What the code under `paths` uses, against the registry: a forked child starts
    reading the files while this process keys the registry's state (a `git status` of its
    folder) and answers from its snapshot, or loads it when none is stored for that state;
    then this process reads what is left with the child (registry.scan.SharedScan; on one
    core, or at --rev, one after the other). Either way registry.coverage gives the answer."""
    from registry import coverage
    from registry.files import find_root, note
    from registry.scan import SharedScan

    found = find_root(options.directory.resolve()) if options.rev is None else None
    if found is None or not all(_absolute(given).exists() for given in paths):
        from registry.adoption import declared

        project = options.project(keyed=False)  # its errors come first, as they always did
        return coverage.report(declared(project), run_scan(project, paths))
    folder, toplevel = found  # where the load will find the registry (registry.root)
    root = (toplevel or folder).resolve()
    starts = _starts(paths) or [folder.resolve()]
    shared = SharedScan(root, starts)
    try:
        snap = options.snapshot()
        known = coverage.from_plain(snap.meta["scan"]) if snap is not None else None
        if known is None:
            from registry.adoption import declared  # the models: only for a miss

            project = options.project()
            assert _repository_root(project) == root
            known = declared(project)
    except BaseException:
        if shared.child is not None:
            shared.child.wait()  # no process is left holding this one's output open
        raise
    note("scan", str(root), None)  # never replayed from the result cache
    return coverage.report(known, shared.result())


def check_findings(project: Project, paths: Iterable[Path]) -> tuple[list[Finding], set[str]]:
    """The scan rules' findings for `check --scan PATH`, and what the code uses."""
    from registry.adoption import scan_findings, used_by_code

    result = run_scan(project, paths)
    return scan_findings(project, result), used_by_code(project, result)


def scanned_sides(base: Project, head: Project, base_rev: str, head_rev: str | None,
                  paths: Iterable[Path]) -> tuple[Scanned, Scanned]:
    """The scan rules over the code at base and at head (`impact --base --scan`): a
    revision's code is read from git's object store, the working tree's from disk."""
    from registry.adoption import scan_findings, used_by_code
    from registry.files import note
    from registry.gitrepo import GitRepo

    root = _repository_root(head)
    starts = []
    for given in paths:
        path = _absolute(given)
        if root != path and root not in path.parents:
            fail(f"--scan {given} is outside the repository ({root})")
        starts.append("" if path == root else path.relative_to(root).as_posix())
    note("scan", str(root), None)  # never replayed from the result cache
    from registry.scan import scan_tree

    def side(project: Project, rev: str | None) -> Scanned:
        result = run_scan(project, paths) if rev is None else scan_tree(
            GitRepo.open(root, "--scan").tree(rev, ""), starts)
        return scan_findings(project, result), used_by_code(project, result)

    return side(base, base_rev), side(head, head_rev)


@click.command(name="scan")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@format_option("scan")
@pass_options
def scan_command(options: Options, paths: tuple[Path, ...], fmt: str) -> None:
    """What the code and configs under PATHS (default: the registry's folder) use: model ids,
    MCP servers, adapters, each with file:line:column and the declaration that covers it.
    sarif and github give the findings only."""
    options.out.render(_scan_report(options, paths), fmt)


COMMANDS = (import_command, scan_command)
