"""The `aireg` command: global options, the commands, and the one exception -> exit code handler.

Commands import the registry lazily so that `aireg --help` and `aireg --version` stay fast,
and each output format only when it is asked for (the JSON shapes are pydantic models).
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from cli import adopt_cmd
from registry import __version__
from registry.findings import AiregError
from registry.render import COMMAND_FORMATS, Format

if TYPE_CHECKING:
    from registry.decl import Decl
    from registry.edit import Stranded
    from registry.files import FolderScan
    from registry.project import Project

F = TypeVar("F", bound=Callable[..., Any])
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


@dataclass
class Options:
    directory: Path
    rev: str | None
    today: dt.date | None
    debug: bool
    no_cache: bool = False
    scan: FolderScan | None = None  # the walk of the working tree made for the result cache

    def project(self) -> Project:
        from registry.project import Project

        scan, self.scan = self.scan, None  # one load's listing: never reused later
        return Project.open(self.directory, self.rev, self.today, use_cache=not self.no_cache,
                            progress=_progress(), scan=scan)

    def project_at(self, rev: str, option: str) -> Project:
        """The same registry at another revision (the head of a comparison)."""
        from registry.project import Project

        return Project.open(self.directory, rev, self.today, option,
                            use_cache=not self.no_cache, progress=_progress())

    def base_of(self, head: Project, rev: str) -> Project:
        """The base of a comparison: head's registry folder at `rev` (empty if it has none)."""
        from registry.project import Project

        return Project.base_of(head, rev, "--base", use_cache=not self.no_cache,
                               progress=_progress())


_state = {"debug": False}


def _progress() -> Callable[[str, int, int], None] | None:
    """A progress line on a terminal's stderr, once a load has taken more than a second."""
    if not sys.stderr.isatty():
        return None
    started = time.monotonic()
    shown = [False]

    def report(stage: str, done: int, total: int) -> None:
        if stage == "done":
            if shown[0]:
                sys.stderr.write("\r\033[K")
                sys.stderr.flush()
            return
        if time.monotonic() - started < 1.0:
            return
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r{stage:<8} [{'#' * filled}{'.' * (width - filled)}] "
                         f"{done}/{total} files")
        sys.stderr.flush()
        shown[0] = True

    return report


def format_option(command: str) -> Callable[[F], F]:
    choices = COMMAND_FORMATS[command]
    return click.option(
        "--format", "fmt", type=click.Choice([f.value for f in choices]),
        default=choices[0].value, show_default=True, help="Output format.")


@dataclass
class Capture:
    """What a command prints and writes, kept to replay it from the result cache."""

    out: list[str]
    err: list[str]
    files: dict[str, str]


_capture: list[Capture] = []


def write(text: str) -> None:
    click.echo(text, nl=False)
    if _capture:
        _capture[-1].out.append(text)


def say(text: str) -> None:
    """A line for standard error (progress, summaries, warnings)."""
    click.echo(text, err=True)
    if _capture:
        _capture[-1].err.append(text + "\n")


def write_file(path: Path, text: str) -> None:
    from registry.edit import write_atomic

    write_atomic(path, text)
    if _capture:
        _capture[-1].files[str(path)] = text


def cached(command: Callable[..., None]) -> Callable[..., None]:
    """Serve a command's output from the result cache when nothing it reads has changed
    (registry.cache says what "nothing" means), and store it otherwise."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        ctx = click.get_current_context()
        options = ctx.find_object(Options)
        found = _result_key(ctx, options) if options is not None else None
        if found is None:
            command(*args, **kwargs)
            return
        from registry import cache as caching
        from registry import files

        cache, key, keyed = found
        hit = cache.result(key)
        if hit is not None and caching.unchanged(hit.inputs):
            _replay(hit.code, hit.out, hit.err)  # returns only when the row is damaged
        _capture.append(Capture([], [], {}))
        # What the key does not cover is noted as it is read; what it covers, as it was.
        files.recorded = dict(keyed)
        code = EXIT_OK
        try:
            command(*args, **kwargs)
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else EXIT_USAGE
            raise
        finally:
            captured = _capture.pop()
            reads, files.recorded = files.recorded or {}, None
            reads = {read: found for read, found in reads.items() if keyed.get(read) != found}
            if code in (EXIT_OK, EXIT_FINDINGS) and sys.exc_info()[0] in (None, SystemExit) \
                    and files.UNKEYED not in reads.values():
                # One line of JSON naming the files written, then standard output as is.
                header = json.dumps({"files": captured.files}).encode()
                caching.wait_for_writers()  # it holds the write lock
                cache.store_result(key, code, header + b"\n" + "".join(captured.out).encode(),
                                   "".join(captured.err).encode(),
                                   sorted((kind, name, value)
                                          for (kind, name), value in reads.items()))

    return run


def _replay(code: int, out: bytes, err: bytes) -> None:
    """Write a stored output and exit with its code; return, having written nothing, when
    it is not one (a damaged row: the command then runs)."""
    header, _, stdout = out.partition(b"\n")
    try:
        written = json.loads(header)["files"]
    except (ValueError, TypeError, KeyError):
        return
    if type(written) is not dict or not all(type(v) is str for v in written.values()):
        return
    for path, text in written.items():
        from registry.edit import write_atomic

        write_atomic(Path(path), text)
    # Stored as UTF-8: written as they are to a UTF-8 stream (no decoding and encoding a
    # large output again), else as text.
    for data, to_err in ((stdout, False), (err, True)):
        stream = sys.stderr if to_err else sys.stdout
        utf8 = (getattr(stream, "encoding", None) or "").lower().replace("-", "") == "utf8"
        click.echo(data if utf8 else data.decode(), err=to_err, nl=False)
    sys.exit(code)


def _result_key(ctx: click.Context, options: Options
                ) -> tuple[Any, str, dict[tuple[str, str], str]] | None:
    """The cache and the key of this command's output, and the reads (as registry.files
    notes them) the key covers; None when it cannot be cached (no git, --no-cache, a file
    changed a moment ago, a revision git does not know)."""
    if options.no_cache:
        return None
    from registry import cache as caching
    from registry.files import find_root

    found = find_root(options.directory.resolve())
    if found is None:
        return None
    root, toplevel = found
    store = caching.Cache.open(toplevel)
    if store is None or toplevel is None:
        return None
    parts = [__version__, _code_state(), ctx.info_name or "", json.dumps(ctx.params, sort_keys=True,
                                                          default=str),
             str(root), (options.today or dt.date.today()).isoformat(),
             caching.git_environment()]
    revisions = [options.rev, ctx.params.get("base"), ctx.params.get("head")]
    for rev in revisions:
        if rev is not None:
            commit = caching.commit_of(toplevel, rev)
            if commit is None:
                return None
            parts.append(commit)
    keyed: dict[tuple[str, str], str] = {}
    if any(rev is not None for rev in revisions):
        # What a commit's objects read as, once `git replace` has had its say.
        replaced = caching.replace_refs(toplevel)
        if replaced is None:
            return None
        parts.append(replaced)
        keyed[("replace", str(toplevel))] = replaced
    if options.rev is None or ctx.params.get("base") is not None:
        # The working tree is read: its state is part of the key, and the same walk is the
        # listing the load starts from should the key miss.
        from registry.files import FolderScan

        try:
            options.scan = FolderScan(root)
        except OSError:
            return None
        state = caching.tree_state(root, options.scan)
        if state is None:
            return None
        parts.append(state)
    return store, caching.key_of(parts), keyed


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    raise AiregErrorWithCode(message, code)


class AiregErrorWithCode(AiregError):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.exit_code = code


def _global_options(after_command: bool) -> list[click.Parameter]:
    """The options of the `aireg` group. Each command takes them too (`after_command`), as
    users write them after it: a pre-commit hook's `args:` come after its `aireg check`
    entry, so `args: [-C, registry]` runs `aireg check -C registry`."""
    # Given after the command, an option sets the run's Options (the later one wins) and
    # is not a parameter of the command's function; unset, it leaves the group's value.
    late: dict[str, Any] = (
        {"expose_value": False, "callback": _set_global_option} if after_command else {})
    return [
        click.Option(["-C", "directory"], type=click.Path(path_type=Path),
                     default=None if after_command else ".",
                     help="Run as if aireg was started in this folder.", **late),
        click.Option(["--rev"], metavar="REF", help="Read the registry at this git revision.",
                     **late),
        click.Option(["--today"], type=click.DateTime(formats=["%Y-%m-%d"]),
                     metavar="YYYY-MM-DD",
                     help="Judge every date against this day instead of the local date.",
                     **late),
        click.Option(["--no-cache"], is_flag=True,
                     envvar=None if after_command else "AIREG_NO_CACHE",
                     help="Neither read nor write the cache in .git/aireg (parses and outputs); "
                          "also AIREG_NO_CACHE=1.", **late),
        click.Option(["--debug"], is_flag=True, help="Show tracebacks of internal errors.",
                     **late),
    ]


def _set_global_option(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    if value is None or value is False:  # not given after the command
        return
    options = ctx.find_object(Options)
    assert options is not None, "the group makes the Options before any command parses"
    if isinstance(value, dt.datetime):
        value = value.date()
    if param.name == "debug":
        _state["debug"] = True
    assert param.name is not None
    setattr(options, param.name, value)


class _Group(click.Group):
    """A group whose commands (and subgroups, and theirs) take the global options."""

    group_class = type

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        cmd.params.extend(_global_options(after_command=True))
        super().add_command(cmd, name)


@click.group(cls=_Group, params=_global_options(after_command=False),
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(version=__version__, prog_name="aireg")
@click.pass_context
def cli(ctx: click.Context, directory: Path, rev: str | None, today: dt.datetime | None,
        no_cache: bool, debug: bool) -> None:
    """A GitOps registry for the parts AI products are built from.

    Reads the aireg.yaml registry around the current folder (or -C PATH), at any git
    revision, and answers who depends on what.
    """
    _state["debug"] = debug
    ctx.obj = Options(directory, rev, today.date() if today else None, debug, no_cache)


pass_options = click.make_pass_decorator(Options)


def _line(project: Project, decl: Decl) -> int:
    return project.locator.span(decl.at()).line


@cli.command()
@click.option("--base", metavar="REF",
              help="Also compare with this git revision: version-not-bumped, version-decreased, "
                   "removed-in-use.")
@click.option("--scan", "scan_paths", multiple=True, type=click.Path(path_type=Path),
              metavar="PATH", help="Also scan the code under PATH (repeatable): "
              "undeclared-model, undeclared-mcp-server, adapter-base-mismatch, "
              "unreferenced-pin.")
@format_option("check")
@pass_options
@cached
def check(options: Options, base: str | None, scan_paths: tuple[Path, ...], fmt: str) -> None:
    """Run every rule; exit 1 on findings at or above the registry's failOn."""
    from registry.render import text

    project = options.project()
    versions = None
    if base is not None:  # the version rules, over the base and this revision
        from registry.diff import version_findings

        against = options.base_of(project, base)
        if against.absent:
            say(f"aireg: {text.no_base(base, project.location.prefix)} The version rules have "
                "nothing to compare.")
        versions = version_findings(against, project)
    scanned = adopt_cmd.check_findings(project, scan_paths) if scan_paths else None
    result = project.check(versions, scanned)
    match Format(fmt):
        case Format.TEXT:
            write(text.check(result))
        case Format.JSON:
            from registry.render import json as json_out

            write(json_out.check(result, project.name))
        case Format.SARIF:
            from registry.render import sarif

            write(sarif.sarif(result.findings, _version()))
        case Format.GITHUB:
            from registry.render import github

            write(github.github(result.findings))
        case other:
            raise AssertionError(other)
    if result.fails(project.loaded.config.spec.policy.failOn):
        sys.exit(EXIT_FINDINGS)


def _kind_filter(value: str | None) -> str | None:
    if value is None:
        return None
    from registry.kinds import KINDS
    from registry.refs import REF_KINDS

    by_lower = {k.lower(): k for k in KINDS} | {r: k for r, k in REF_KINDS.items() if k}
    kind = by_lower.get(value.lower())
    if kind is None:
        fail(f"unknown kind `{value}`; kinds are {', '.join(KINDS)}")
    return kind


@cli.command(name="ls")
@click.option("--kind", help="Only this kind (Prompt, prompt, McpServer, mcp, ...).")
@click.option("--owner", help="Only this owner, such as team/support or user/maria.")
@format_option("ls")
@pass_options
@cached
def ls_command(options: Options, kind: str | None, owner: str | None, fmt: str) -> None:
    """List declarations."""
    from registry.render import text

    wanted = _kind_filter(kind)
    project = options.project()
    decls = sorted(project.catalog.decls(), key=lambda d: (d.kind, d.id))
    decls = [d for d in decls if (wanted is None or d.kind == wanted) and
             (owner is None or d.owner == owner)]
    rows = [(d, _line(project, d)) for d in decls]
    match Format(fmt):
        case Format.TEXT:
            write(text.ls(rows))
        case Format.JSON:
            from registry.render import json as json_out

            write(json_out.ls(rows, project.name))
        case other:
            raise AssertionError(other)


def _warn_setup(project: Project) -> None:
    """Say on stderr when the registry's settings could not be used in full (a broken
    retirements file): the report still comes, but the user must know what it lacks."""
    for item in project.locate(project.setup_findings):
        say(f"aireg: warning: {item.span}: {item.message}")


def _one(project: Project, ref: str) -> Decl:
    """The declaration a ref names: the highest version its range admits."""
    from registry.refs import Ref

    found = project.catalog.lookup(ref)
    resolved = project.catalog.resolve(Ref.parse(ref))
    return resolved if resolved is not None else found[-1]


@cli.command()
@click.argument("ref")
@format_option("show")
@pass_options
@cached
def show(options: Options, ref: str, fmt: str) -> None:
    """Show one declaration: the highest version REF admits."""
    from registry.render import text
    from registry.yamlio import Located

    project = options.project()
    decl = _one(project, ref)
    line = _line(project, decl)
    match Format(fmt):
        case Format.TEXT:
            write(text.show(decl, line, project.catalog, project.graph,
                            project.lifecycle.retirement(decl)))
        case Format.JSON:
            from registry.render import json as json_out

            write(json_out.show(decl, line, project.catalog, project.graph,
                                project.lifecycle.records.get(decl.id)))
        case Format.YAML:
            source = project.locator.text(decl.path)
            write(f"# {decl.path}:{line}\n" + Located(source).document_text(decl.doc))
        case other:
            raise AssertionError(other)


@cli.command()
@click.argument("ref")
@click.option("--depth", type=click.IntRange(min=1), help="Stop this many edges down.")
@format_option("deps")
@pass_options
@cached
def deps(options: Options, ref: str, depth: int | None, fmt: str) -> None:
    """What REF uses, transitively."""
    from registry.render import text

    project = options.project()
    root = _one(project, ref)
    match Format(fmt):
        case Format.TEXT:
            write(text.deps(root, project.graph, depth))
        case Format.JSON:
            reached = project.graph.dependencies([root.id], depth)
            from registry.render import json as json_out

            write(json_out.deps(root, reached, project.catalog))
        case other:
            raise AssertionError(other)


@cli.command()
@click.argument("refs", nargs=-1)
@click.option("--base", metavar="REF", help="Compare with this git revision (a pull request's "
              "base): what changed, what it reaches, what is new.")
@click.option("--head", metavar="REF", help="With --base: the revision to compare (default: "
              "the working tree).")
@click.option("--scan", "scan_paths", multiple=True, type=click.Path(path_type=Path),
              metavar="PATH", help="With --base: also the scan rules over the code under PATH "
              "at both revisions (new undeclared models, MCP servers, adapter mismatches).")
@format_option("impact")
@pass_options
@cached
def impact(options: Options, refs: tuple[str, ...], base: str | None, head: str | None,
           scan_paths: tuple[Path, ...], fmt: str) -> None:
    """What depends on the artifacts REFS name, transitively (every declared version when a
    ref has no range): dependents with one shortest path, features, owners and evals.

    With --base, the same for everything that changed between two revisions.
    """
    from registry import impact as analysis
    from registry.render import markdown, text

    if base is not None:
        if refs:
            fail("give either REFS or --base, not both")
        _impact_between(options, base, head, Format(fmt), scan_paths)
        return
    if head is not None:
        fail("--head goes with --base")
    if scan_paths:
        fail("--scan goes with --base (check --scan scans without a comparison)")
    if not refs:
        fail("name at least one ref, such as prompt/house-style, or compare revisions with "
             "--base REF")
    project = options.project()
    targets = list({d.id: d for ref in refs for d in project.catalog.lookup(ref)}.values())
    report = analysis.analyze(project.catalog, project.graph, targets)
    match Format(fmt):
        case Format.TEXT:
            write(text.impact(report))
        case Format.JSON:
            from registry.render import json as json_out

            write(json_out.impact(report, project.catalog))
        case Format.MARKDOWN:
            write(markdown.impact(report))
        case other:
            raise AssertionError(other)


def _impact_between(options: Options, base: str, head: str | None, fmt: Format,
                    scan_paths: tuple[Path, ...] = ()) -> None:
    from registry import diff
    from registry.render import markdown, text

    head_project = options.project_at(head, "--head") if head is not None else options.project()
    base_project = options.base_of(head_project, base)
    scanned = adopt_cmd.scanned_sides(base_project, head_project, base, head, scan_paths) \
        if scan_paths else None
    report = diff.compare(base_project, head_project, _label(base, base_project),
                          _label(head, head_project) if head else "the working tree", base,
                          scanned)
    match fmt:
        case Format.TEXT:
            write(text.impact_base(report))
        case Format.JSON:
            from registry.render import json as json_out

            write(json_out.impact_base(report))
        case Format.MARKDOWN:
            write(markdown.pr_comment(report, head_project.catalog, head_project.graph))
        case other:
            raise AssertionError(other)


def _label(rev: str, project: Project) -> str:
    commit = project.loaded.tree.commit
    return f"{rev} ({commit[:12]})" if commit else rev


@cli.command()
@click.argument("ref", required=False)
@format_option("graph")
@pass_options
@cached
def graph(options: Options, ref: str | None, fmt: str) -> None:
    """The dependency graph: all of it, or what REF uses and what uses it."""
    from registry.render import mermaid

    project = options.project()
    g = project.graph
    if ref is None:
        nodes = list(project.catalog.by_id)
    else:
        starts = [d.id for d in project.catalog.lookup(ref)]
        nodes = [*starts, *g.dependencies(starts), *g.dependents(starts)]
    match Format(fmt):
        case Format.MERMAID:
            write(mermaid.mermaid(project.catalog, g, nodes))
        case Format.DOT:
            write(mermaid.dot(project.catalog, g, nodes))
        case Format.JSON:
            from registry.render import json as json_out

            write(json_out.graph(project.catalog, g, nodes))
        case other:
            raise AssertionError(other)


@cli.command()
@click.option("--within", type=click.IntRange(min=0), metavar="DAYS",
              help="Only deadlines at most this many days away (passed ones included).")
@click.option("--fail-on", "fail_on", type=click.Choice(["soon", "passed"]),
              help="Exit 1 when a listed deadline has passed (passed), or has passed or is "
                   "within the deprecation window (soon); for scheduled jobs.")
@format_option("deprecations")
@pass_options
@cached
def deprecations(options: Options, within: int | None, fail_on: str | None,
                 fmt: str) -> None:
    """Deadlines, sorted by day: what retires, when, the replacement, where the day comes
    from, and the features and owners that reach it; datasets' retention days too."""
    from registry.render import markdown, text

    project = options.project()
    life = project.lifecycle
    rows = life.deadlines(within)
    _warn_setup(project)
    match Format(fmt):
        case Format.TEXT:
            write(text.deprecations(rows, life.today, life.window))
        case Format.JSON:
            from registry.render import json as json_out

            write(json_out.deprecations(rows, life.today, life.window))
        case Format.MARKDOWN:
            write(markdown.deprecations(rows, life.today, life.window))
        case other:
            raise AssertionError(other)
    if fail_on is not None and life.deadline_hit(rows, fail_on):
        sys.exit(EXIT_FINDINGS)


@cli.command()
@click.argument("ref")
@format_option("lineage")
@pass_options
@cached
def lineage(options: Options, ref: str, fmt: str) -> None:
    """The data REF (an adapter, index, feature, prompt or dataset) was built from, down to
    raw sources: license, personal data, consent, retention and revocations at each node."""
    from cli.lineage_cmd import lineage_output

    write(lineage_output(options.project(), ref, Format(fmt)))


@cli.group()
def retirements() -> None:
    """The registry's own known-retirements data."""


# A retirements file is a few MB at most; more is not a retirements file.
_MAX_RETIREMENTS_BYTES = 64 * 1024 * 1024


@retirements.command("update")
@click.argument("source", metavar="FILE|URL")
@pass_options
def retirements_update(options: Options, source: str) -> None:
    """Merge a newer LiteLLM JSON or a retirements file into the registry's own file
    (spec.retirements), by the rules the bundled data grows by, and print what changed.
    With no file of its own, the registry gets retirements.yaml and is told to set it."""
    from pathlib import PurePath

    from registry import retirements as data
    from registry.edit import write_atomic

    project = _editable(options, "retirements update")
    today = project.today
    if source.startswith(("http://", "https://")):
        import urllib.request

        try:
            with urllib.request.urlopen(source, timeout=60) as response:
                raw = response.read(_MAX_RETIREMENTS_BYTES + 1)
        except OSError as error:
            fail(f"cannot read {source}: {error}")
        where = PurePath(source.rsplit("/", 1)[-1] or "retirements.json")
    else:
        try:
            raw = Path(source).read_bytes()
        except OSError as error:
            fail(f"cannot read {source}: {error.strerror or error}")
        where = PurePath(source)
    if len(raw) > _MAX_RETIREMENTS_BYTES:
        fail(f"{source} is larger than {_MAX_RETIREMENTS_BYTES // 2**20} MiB; not a "
             "retirements file")
    new = data.incoming(raw, where, today)
    setting = project.loaded.config.spec.retirements
    configured = setting not in ("bundled", "none")
    rel = setting if configured else "retirements.yaml"
    target = project.location.root / rel
    own = data.Retirements.from_file(target) if target.exists() else data.Retirements.empty()
    effective = data.Retirements.empty() if setting == "none" else data.Retirements.bundled()
    records, changes = data.update_file(own, effective.merged(own), new)
    for change in changes:
        write(f"{change}\n")
    added = sum(1 for c in changes if c.action == "added")
    changed = sum(1 for c in changes if c.action == "changed")
    kept = sum(1 for c in changes if c.action == "kept")
    write_atomic(target, data.render_file(records, today))
    write(f"{rel}: {added} added, {changed} changed, {kept} kept over a lower-ranked day; "
          f"{len(records)} records\n")
    if not configured:
        say(f"aireg: {rel} is not used yet: set `retirements: {rel}` under spec in aireg.yaml "
            "(the bundled data stays in use beside it)")


@cli.command()
@format_option("orphans")
@pass_options
@cached
def orphans(options: Options, fmt: str) -> None:
    """Orphaned adapters, each with every reason, its owner, its base model and its users."""
    from registry import orphans as analysis
    from registry.render import text

    project = options.project()
    found = analysis.find(project.catalog, project.lifecycle)
    _warn_setup(project)
    match Format(fmt):
        case Format.TEXT:
            write(text.orphans(found))
        case Format.JSON:
            from registry.render import json as json_out

            write(json_out.orphans(found, project.today))
        case other:
            raise AssertionError(other)


@cli.command()
@click.argument("features", nargs=-1, metavar="[FEATURE_REF]...")
@click.option("--spec-version", type=click.Choice(["1.6", "1.7"]), default="1.6",
              show_default=True, help="CycloneDX specification version.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the BOM to this file (default: standard output).")
@click.option("--completeness", is_flag=True,
              help="Print the completeness review instead of the BOM.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default=None,
              help="With --completeness: text (default) or json.")
@pass_options
@cached
def bom(options: Options, features: tuple[str, ...], spec_version: str, output: Path | None,
        completeness: bool, fmt: str | None) -> None:
    """A CycloneDX AI-BOM of the registry, or of FEATURE_REFs and everything they use.

    Validated against the official schema and reproducible: the same commit gives the same
    bytes. A registry with error findings is refused (exit 1). A completeness summary goes to
    standard error.
    """
    from registry import bom as mapping
    from registry.findings import Severity
    from registry.render import bom as bom_out
    from registry.render import text

    if fmt is not None and not completeness:
        fail("--format goes with --completeness (the BOM itself is CycloneDX JSON)")
    project = options.project()
    decls, _ = mapping.scope_of(project, list(features))
    gaps = mapping.completeness(decls)
    score = mapping.percent(gaps)
    if completeness:
        from registry.render import json as json_out

        write(json_out.completeness(gaps, score) if fmt == "json"
              else text.completeness(gaps, score))
        return
    errors = [f for f in project.check().findings if f.severity is Severity.ERROR]
    if errors:
        for item in errors:
            click.echo(text.finding_line(item), err=True)
        which = "1 error finding; fix it" if len(errors) == 1 else (
            f"{len(errors)} error findings; fix them")
        fail(f"the registry has {which} (aireg check) before exporting a BOM", EXIT_FINDINGS)
    commit, timestamp = mapping.revision_of(project)
    mapped = mapping.build(project, list(features), timestamp, commit, _version())
    document = bom_out.serialize(mapped, spec_version, timestamp)
    if output is None:
        write(document)
    else:
        write_file(output, document)
        say(f"wrote {output} ({len(mapped.scope)} declarations, CycloneDX {spec_version})")
    say(text.completeness(gaps, score).rstrip("\n"))


def _editable(options: Options, verb: str) -> Project:
    if options.rev is not None:
        fail(f"{verb} edits the files in the working tree; drop --rev")
    return options.project()


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


@cli.command()
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

    project = _editable(options, "bump")
    decl = _one(project, ref)
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
            _refuse_or_warn(project, decl, new, stranded, force)
        after = edit.set_version(before, decl.doc, new)
        # The version's own line (the same after the edit), not the document's first line.
        line = project.locator.span(decl.at("metadata", "version")).line
        done = f"{decl.id} -> {new_id} ({decl.path}:{line})"
    if dry_run:
        if template is not None:
            write(edit.unified_diff(template.shown, None, template.text))
        write(edit.unified_diff(decl.path, before, after))
        say(f"{done}; nothing written (--dry-run)")
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
    write(done + "\n")


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


def _refuse_or_warn(project: Project, decl: Decl, new: str, stranded: list[Stranded],
                    force: bool) -> None:
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
        say(f"aireg: warning: bumping {decl.id} to {new} in place (--force) "
            f"{left.replace('would leave', 'leaves', 1)}")
        return
    fail(f"bumping {decl.id} to {new} in place {left}\n"
         f"keep {decl.version} and add {new} beside it with --alongside, update those refs "
         "first, or bump in place anyway with --force")


@cli.command()
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

    project = _editable(options, "deprecate")
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
        write("".join(edit.unified_diff(label, before, after)
                      for _, label, before, after in edited))
        for line in lines:
            say(f"{line}; nothing written (--dry-run)")
        return
    for path, label, _, after in edited:
        edit.write_atomic(path, after, label, "edit")
    write("".join(line + "\n" for line in lines))


@cli.command()
@click.argument("ref")
@format_option("history")
@pass_options
def history(options: Options, ref: str, fmt: str) -> None:
    """The commits that introduced or changed each version of REF, with author, day and the
    change class (from the files that declare it now)."""
    from registry import history as log
    from registry.refs import Ref
    from registry.render import text

    project = options.project()
    project.catalog.lookup(ref)
    parsed = Ref.parse(ref)
    name = f"{parsed.kind}/{parsed.name}"
    events = log.history(project, parsed, options.rev or "HEAD")
    match Format(fmt):
        case Format.TEXT:
            write(text.history(name, events))
        case Format.JSON:
            from registry.render import json as json_out

            write(json_out.history(name, events))
        case other:
            raise AssertionError(other)


@cli.command()
@click.argument("ref")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
              help="A template variable (repeatable).")
@pass_options
def render(options: Options, ref: str, variables: tuple[str, ...]) -> None:
    """Render a prompt with its includes and variables."""
    from registry import prompts

    values: dict[str, str] = {}
    for item in variables:
        name, sep, value = item.partition("=")
        if not sep or not name:
            fail(f"--var takes NAME=VALUE, not `{item}`")
        values[name] = value
    project = options.project()
    decl = _one(project, ref)
    if decl.kind != "Prompt":
        fail(f"{decl.id} is a {decl.kind}; render takes a prompt ref")
    write(prompts.render(project.catalog, decl, values))


@cli.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Write every schema into this folder (as in the repository's schemas/).")
def schema(out: Path | None) -> None:
    """JSON Schemas of every kind, of aireg.yaml and of the JSON outputs.

    Without --out, prints the schema of any declaration, for YAML editors.
    """
    from registry.schema import schemas

    generated = schemas()
    if out is None:
        write(generated["declaration.schema.json"])
        return
    for name, content in generated.items():
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    click.echo(f"wrote {len(generated)} schemas to {out}", err=True)


for _command in adopt_cmd.COMMANDS:
    cli.add_command(_command)


def _code_state() -> str:
    """aireg's own files, each named with its size and modification time: an upgrade, a
    reinstall or an edit of aireg itself (its bundled retirement data too) makes every
    stored output stale. Cheaper than asking the package metadata for the version."""
    import registry

    stamps = []
    for folder in (Path(registry.__file__).parent, Path(__file__).parent):
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                info = Path(dirpath, name).stat()
                stamps.append(f"{dirpath}/{name}:{info.st_size}:{info.st_mtime_ns}")
    return "\n".join(stamps)


def _version() -> str:
    return __version__


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Entry point: run a command, map every exception to a documented exit code."""
    try:
        _run(argv)
    finally:
        if "registry.cache" in sys.modules:  # a cold load may still be writing its cache
            sys.modules["registry.cache"].wait_for_writers()


def _run(argv: Sequence[str] | None) -> NoReturn:
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="aireg",
                 standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(EXIT_USAGE)
    except click.Abort:
        click.echo("aireg: aborted", err=True)
        sys.exit(EXIT_USAGE)
    except AiregError as error:
        click.echo(f"aireg: error: {error}", err=True)
        sys.exit(error.exit_code)
    except BrokenPipeError:
        sys.exit(EXIT_OK)
    except Exception as error:  # the one place internal errors become exit 3
        if _state["debug"]:
            traceback.print_exc()
        else:
            first = str(error).strip().splitlines()[0] if str(error).strip() else ""
            click.echo(f"aireg: internal error: {type(error).__name__}: {first} "
                       "(rerun with --debug for the traceback, and report it)", err=True)
        sys.exit(EXIT_INTERNAL)
    sys.exit(EXIT_OK)


def console() -> NoReturn:
    """The `aireg` console script: `main`, then leave without tearing the heap down.

    Freeing a large registry's objects one by one at exit takes longer than some commands;
    the operating system reclaims the memory at once. Output is flushed first.

    The cyclic garbage collector is off for the process: a load makes hundreds of thousands
    of objects and no cycles worth collecting, and its repeated full scans of a growing heap
    cost more than the whole parse (peak memory is the same either way; see benchmarks/).
    """
    gc.disable()
    try:
        main()
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    else:  # main always exits
        code = EXIT_OK
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    os._exit(code)
