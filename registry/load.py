"""Files or a git tree -> validated declarations, with a finding for everything that is wrong.

A bad file never stops the load: it yields findings, and every other file still loads.
"""

from __future__ import annotations

import errno
import os
import pickle
import posixpath
import re
import stat
import threading
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from pydantic import BaseModel, ValidationError

from . import kinds
from .files import (
    CONFIG_FILE,
    FolderScan,
    FolderTree,
    GlobError,
    Globs,
    LinkEnd,
    Tree,
    check_glob,
    display_path,
    escapes,
    excluded,
    find_root,
    find_toplevel,
    selected,
)
from .findings import Finding, Pointer, RegistryNotFound, Span, finding
from .gitrepo import GitRepo

if TYPE_CHECKING:
    from .cache import Cache
from .refs import NAME_MAX, NodeId, node_id, suggest
from .yamlio import MAX_FILE_BYTES, YamlProblem, decode, load_documents, mentions


@dataclass(eq=False, slots=True)
class Decl:
    """One validated declaration and where it was written."""

    model: kinds.Declaration
    path: str  # relative to the repository root
    doc: int  # index of the document in its file
    template: str | None = None  # the prompt's template text, inline or from templateFile
    template_path: str | None = None  # the templateFile, relative to the repository root
    # Read from the model once: the analyses ask for them hundreds of thousands of times.
    kind: str = field(init=False)
    name: str = field(init=False)
    version: str | None = field(init=False)
    owner: str | None = field(init=False)
    id: NodeId = field(init=False)

    def __post_init__(self) -> None:
        model = self.model
        self.kind = model.kind
        self.name = model.name
        self.version = model.version
        self.owner = model.owner
        self.id = node_id(self.kind, self.name, self.version)

    def at(self, *keys: str | int, on_key: bool = False) -> Pointer:
        return Pointer(self.path, self.doc, keys, on_key=on_key)


@dataclass
class Loaded:
    tree: Tree
    config: kinds.RegistryConfig
    decls: list[Decl]
    findings: list[Finding]
    files_read: int = 0
    texts: dict[str, str] = field(default_factory=dict, repr=False)


def default_config(name: str) -> kinds.RegistryConfig:
    return kinds.RegistryConfig(apiVersion="aireg/v1", kind="Registry",
                                metadata=kinds.RegistryMetadata(name=name))


def folder_name(prefix: str) -> str:
    """A valid registry name made from the registry folder's name (`AIRegistry` ->
    `airegistry`, `my reg` -> `my-reg`): the name used while aireg.yaml gives none, and a
    folder may be called anything."""
    name = re.sub(r"[^a-z0-9._-]+", "-", Path(prefix.rstrip("/")).name.lower())
    return name[:NAME_MAX].strip("._-") or "registry"


# --- finding the registry ---------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    root: Path  # the registry folder on disk (may not exist at --rev)
    toplevel: Path | None  # the git work tree, if any

    @property
    def prefix(self) -> str:
        if self.toplevel is None:
            return ""
        rel = self.root.relative_to(self.toplevel).as_posix()
        return "" if rel == "." else rel + "/"


def find_registry(start: Path, rev: str | None = None, option: str = "--rev") -> Location:
    """The registry around `start`: the nearest folder upwards holding aireg.yaml."""
    start = start.resolve()
    if not start.is_dir():
        raise RegistryNotFound(f"{start} is not a folder")
    toplevel = find_toplevel(start)
    top = toplevel or Path(start.anchor)
    candidates = [start, *[p for p in start.parents if p == top or top in p.parents]]
    if rev is not None:
        repo = GitRepo.open(toplevel, option)
        assert toplevel is not None
        commit = repo.resolve(rev)
        for folder in candidates:
            rel = folder.relative_to(toplevel).as_posix()
            path = CONFIG_FILE if rel == "." else f"{rel}/{CONFIG_FILE}"
            if repo.repo.git.ls_tree("--name-only", commit, "--", path):
                return Location(folder, toplevel)
        raise RegistryNotFound(
            f"no {CONFIG_FILE} at revision `{rev}` in {start} or any folder above it")
    found = find_root(start)
    if found is not None:
        return Location(*found)
    raise RegistryNotFound(
        f"no {CONFIG_FILE} in {start} or any folder above it: run aireg inside a registry, "
        f"or point -C at the folder that holds {CONFIG_FILE}")


def open_tree(location: Location, rev: str | None, option: str = "--rev",
              scan: FolderScan | None = None) -> Tree:
    if rev is None:
        return FolderTree(location.root, location.prefix, scan)
    return GitRepo.open(location.toplevel, option).tree(rev, location.prefix)


# --- loading ----------------------------------------------------------------------------


def load(tree: Tree, cache: Cache | None = None, progress: Progress | None = None
         ) -> Loaded:
    findings: list[Finding] = []
    loaded = Loaded(tree, default_config("registry"), [], findings)
    loaded.config = _load_config(tree, findings, loaded)
    spec = loaded.config.spec
    include, exclude = Globs(spec.include), Globs(spec.exclude)
    rels: list[str] = []
    for entry in tree.files():
        path = display_path(tree, entry.rel)
        if entry.is_dir:
            if not tree.link_stays_inside(entry.rel) and not excluded(entry.rel, exclude):
                findings.append(finding(
                    "path-escape", "this folder is a link that leads out of the registry; aireg "
                    "does not follow it: move its files into the registry or exclude it",
                    Span(path)))
            continue
        if entry.rel == CONFIG_FILE or not selected(entry.rel, include, exclude):
            continue
        end = tree.link_end(entry.rel) if entry.is_link else LinkEnd.INSIDE
        if end is LinkEnd.OUTSIDE:
            findings.append(finding("path-escape", "this file is a link that leads out of the "
                                    "registry; aireg reads no file outside it: move the file "
                                    "into the registry or exclude it", Span(path)))
            continue
        if end is not LinkEnd.INSIDE:
            what = ("a loop of links, which leads to no file" if end is LinkEnd.LOOP
                    else "a link to a file that does not exist")
            findings.append(finding("yaml-syntax", f"this file is {what}, so aireg cannot read "
                                    "it: point the link at a file, remove it or exclude it",
                                    Span(path)))
            continue
        rels.append(entry.rel)
    _load_many(tree, rels, loaded, cache, progress)
    return loaded


def load_files(tree: Tree, rels: list[str]) -> Loaded:
    """Only the named files (relative to the registry root), with the registry's settings."""
    findings: list[Finding] = []
    loaded = Loaded(tree, default_config("registry"), [], findings)
    loaded.config = _load_config(tree, findings, loaded)
    _load_many(tree, rels, loaded)
    return loaded


T = TypeVar("T")
# Findings about a prompt's template file, not about the YAML file that names it.
_NOT_ABOUT_THE_FILE = frozenset({"template", "path-escape"})
# Parsing is most of a cold load; past this many files it is shared with a second process.
PARALLEL_FILES = 1000
Parsed = tuple[list[Any], list[tuple[str, int, int]]]  # documents; problems (message, line, col)


def _parse(texts: list[str]) -> list[Parsed]:
    out: list[Parsed] = []
    for text in texts:
        documents, problems = load_documents(text)
        out.append((documents, [(p.message, p.line, p.column) for p in problems]))
    return out


def _parallel() -> bool:
    # Forking a process that runs other threads (aireg used as a library inside a server,
    # say) can leave locks held in the child: such callers load on one core.
    return (os.cpu_count() or 1) >= 2 and hasattr(os, "fork") and \
        threading.active_count() == 1


def _split(parent: Callable[[], T], child: Callable[[], T]) -> tuple[T, Callable[[], T]]:
    """`parent()` here and `child()` in a forked process at the same time; returns the
    parent's result and a function that collects the child's, so the parent can go on
    working first. The child sends its result back pickled (plain values only) and leaves
    without any cleanup; should it fail, `child()` runs here instead, so the result is the
    same either way, and so it is when no process can be made (a full process table, or
    memory the system will not promise twice)."""
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        mine = parent()
        return mine, child
    if pid == 0:
        os.close(read_end)
        code = 0
        try:
            # Pickled whole before writing: a pipe holds 64 KiB, so pickling into it would
            # stall until the parent reads, and the parent reads only once it is done.
            data = pickle.dumps(child(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as stream:
                stream.write(data)
        except BaseException:
            code = 1
        os._exit(code)
    os.close(write_end)
    mine = parent()

    def collect() -> T:
        with os.fdopen(read_end, "rb") as stream:
            data = stream.read()
        _, status = os.waitpid(pid, 0)
        try:
            if status != 0:
                raise ValueError(status)
            theirs: T = pickle.loads(data)
        except (ValueError, pickle.UnpicklingError, EOFError):
            theirs = child()
        return theirs

    return mine, collect


def _parse_all(texts: list[str]) -> list[Parsed]:
    """Every text parsed, on two cores when there are many (pickled plain values cost a
    tenth of pickled models)."""
    if len(texts) < PARALLEL_FILES or not _parallel():
        return _parse(texts)
    half = len(texts) // 2
    first, second = _split(lambda: _parse(texts[:half]), lambda: _parse(texts[half:]))
    return first + second()


Progress = Callable[[str, int, int], None]  # (stage, done, total)


class Gathered(NamedTuple):
    """One declaration file, read and parsed (or taken from the cache)."""

    rel: str
    text: str | None  # None when a child process read it (read again if ever needed)
    blob: str
    documents: list[Any]
    problems: list[tuple[str, int, int]]
    cached: bool


def _gather(tree: Tree, rels: list[str], cache: Cache | None, parse: Callable[
        [list[str]], list[Parsed]] = _parse) -> tuple[list[Gathered], list[Finding]]:
    findings: list[Finding] = []
    read: list[tuple[str, str, str]] = []  # (rel, text, blob id)
    for rel in rels:
        found = _read_text(tree, rel, findings)
        if found is not None:
            read.append((rel, *found))
    known: dict[str, Any] = cache.parsed(blob for _, _, blob in read) if cache else {}
    parsed = iter(parse([text for _, text, blob in read if blob not in known]))
    gathered = []
    for rel, text, blob in read:
        cached = blob in known
        documents, problems = (known[blob], []) if cached else next(parsed)
        gathered.append(Gathered(rel, text, blob, documents, problems, cached))
    return gathered, findings


Gather = tuple[list[Gathered], list[Finding]]
# The child's share of a folder (half measured best: the parent validates its own share
# while the child still parses, and the child also pickles its result).
CHILD_SHARE = 0.5


def _gather_all(tree: Tree, rels: list[str], cache: Cache | None
                ) -> list[Callable[[], Gather]]:
    """Every file read and parsed, in parts in listing order, each part a function that
    returns it (the later ones may still be at work in another process when the first is
    handed over). From a folder, a forked child reads and parses the second part itself,
    with its own connection to the cache: no text crosses back, and nothing the parent holds
    is touched. From git, the parent reads (one cat-file process) and only parsing is
    shared, on two cores when there are many files."""
    if len(rels) < PARALLEL_FILES or not _parallel():
        whole = _gather(tree, rels, cache)
        return [lambda: whole]
    if not isinstance(tree, FolderTree):
        shared = _gather(tree, rels, cache, _parse_all)
        return [lambda: shared]
    cut = len(rels) - int(len(rels) * CHILD_SHARE)

    def child() -> Gather:
        from .cache import Cache as ChildCache

        own = ChildCache(cache.path) if cache is not None else None
        gathered, findings = _gather(tree, rels[cut:], own)
        return [g._replace(text=None) for g in gathered], findings

    first, second = _split(lambda: _gather(tree, rels[:cut], cache), child)
    return [lambda: first, second]


def _load_many(tree: Tree, rels: list[str], loaded: Loaded, cache: Cache | None = None,
               progress: Progress | None = None) -> None:
    if progress:
        progress("reading", 0, len(rels))
    learned: dict[str, Any] = {}
    number = 0
    for part in _gather_all(tree, rels, cache):
        gathered, findings = part()
        loaded.findings.extend(findings)
        for item in gathered:
            number += 1
            if progress and number % 1000 == 0:
                progress("checking", number, len(rels))
            _take(tree, item, loaded, learned if cache else None)
    if cache and learned:
        cache.store_parsed(learned, background=len(learned) >= PARALLEL_FILES and _parallel())
    if progress:
        progress("done", number, number)


def _take(tree: Tree, item: Gathered, loaded: Loaded, learned: dict[str, Any] | None
          ) -> None:
    """One gathered file into the declarations (and, when clean, into `learned`)."""
    path = display_path(tree, item.rel)
    loaded.files_read += 1
    if item.text is not None:
        loaded.texts[path] = item.text
    for message, line, column in item.problems:
        loaded.findings.append(finding("yaml-syntax", message, Span(path, line, column)))
    before = len(loaded.findings)
    _load_documents(tree, item.rel, list(enumerate(item.documents)), loaded)
    clean = all(f.rule in _NOT_ABOUT_THE_FILE for f in loaded.findings[before:])
    # Only files that loaded cleanly are kept: the cache then never has to reproduce an error
    # position or the spelling of a number.
    if learned is not None and not item.cached and not item.problems and clean:
        learned[item.blob] = item.documents


OURS = b"aireg/"  # in every declaration file (its apiVersion), and in few others


def _read_text(tree: Tree, rel: str, findings: list[Finding]) -> tuple[str, str] | None:
    """The file's text and git blob id when it may hold declarations; None for files that
    are not ours."""
    path = display_path(tree, rel)
    size = tree.size(rel)
    if size > MAX_FILE_BYTES:
        # Never read an enormous file: its head says whether it claims to be ours.
        if not mentions(tree.head(rel, 65536), OURS):
            return None
        findings.append(finding(
            "yaml-syntax",
            f"file is {size / 1048576:.1f} MiB, over the {MAX_FILE_BYTES // 1048576} MiB that "
            "aireg reads in one declaration file: split it into smaller files",
            Span(path)))
        return None
    try:
        data = tree.read(rel)
    except OSError as error:  # no permission, say: a file aireg cannot see into is not silence
        findings.append(finding(
            "yaml-syntax", f"file cannot be read ({error.strerror}); make it readable to aireg, "
            "or leave it out with spec.exclude", Span(path)))
        return None
    if data is None or not mentions(data, OURS):
        return None
    try:
        return decode(data, OURS), tree.blob_id(rel, data)
    except YamlProblem as problem:
        findings.append(finding("yaml-syntax", problem.message,
                                Span(path, problem.line, problem.column)))
        return None


def _documents(tree: Tree, rel: str, loaded: Loaded) -> Iterator[tuple[int, Any]]:
    found = _read_text(tree, rel, loaded.findings)
    if found is None:
        return
    text = found[0]
    loaded.files_read += 1
    path = display_path(tree, rel)
    loaded.texts[path] = text
    documents, problems = load_documents(text)
    yield from enumerate(documents)
    for problem in problems:
        loaded.findings.append(finding("yaml-syntax", problem.message,
                                       Span(path, problem.line, problem.column)))


def _load_config(tree: Tree, findings: list[Finding], loaded: Loaded) -> kinds.RegistryConfig:
    fallback = default_config(folder_name(tree.prefix))
    path = display_path(tree, CONFIG_FILE)
    for doc, data in _documents(tree, CONFIG_FILE, loaded):
        if data is None:
            continue
        at = Pointer(path, doc)
        if not isinstance(data, dict) or data.get("kind") != "Registry":
            findings.append(finding("schema", f"{CONFIG_FILE} holds the registry settings: one "
                                    "document of kind Registry; move declarations to other files",
                                    at))
            continue
        try:
            return _usable_globs(kinds.RegistryConfig.model_validate(data), at, findings)
        except ValidationError as error:
            findings.extend(schema_findings(error, data, at, kinds.RegistryConfig))
            findings.append(finding("schema", f"{CONFIG_FILE} is invalid, so aireg uses the "
                                    "default settings until it is fixed", at))
    return fallback


def _usable_globs(config: kinds.RegistryConfig, at: Pointer, findings: list[Finding]
                  ) -> kinds.RegistryConfig:
    """The settings without the include and exclude globs that cannot be used, each
    reported; the others still apply."""
    kept: dict[str, list[str]] = {}
    for name in ("include", "exclude"):
        globs: list[str] = getattr(config.spec, name)
        kept[name] = []
        for index, glob in enumerate(globs):
            try:
                check_glob(glob)
            except GlobError as error:
                findings.append(finding("schema", f"`spec.{name}[{index}]`: {error}; until "
                                        "then aireg leaves this glob out",
                                        at.child("spec", name, index)))
            else:
                kept[name].append(glob)
    if kept == {"include": config.spec.include, "exclude": config.spec.exclude}:
        return config
    return config.model_copy(update={"spec": config.spec.model_copy(update=kept)})


def _load_documents(tree: Tree, rel: str, documents: list[tuple[int, Any]],
                    loaded: Loaded) -> None:
    path = display_path(tree, rel)
    ours = _holds_declaration([data for _, data in documents])
    for doc, data in documents:
        at = Pointer(path, doc)
        if data is None:
            continue
        if not isinstance(data, dict):
            if ours or _holds_declaration(data):
                what = _shape(data)
                loaded.findings.append(finding(
                    "schema", f"this document is {what}; a declaration is a mapping with "
                    "apiVersion, kind, metadata and spec (one per document, separated by ---)",
                    at))
            continue
        decl = _declaration(data, at, loaded.findings)
        if decl is not None:
            if isinstance(decl.model, kinds.Prompt):
                _attach_template(tree, rel, decl, loaded.findings)
            loaded.decls.append(decl)


def _holds_declaration(data: Any) -> bool:
    items = data if isinstance(data, list) else []
    return any(isinstance(i, dict) and str(i.get("apiVersion", "")).startswith("aireg/")
               for i in items)


def _declaration(data: dict[Any, Any], at: Pointer, findings: list[Finding]) -> Decl | None:
    api = data.get("apiVersion")
    if not isinstance(api, str) or not api.startswith("aireg/"):
        return None  # not ours: registries live beside workflows and other YAML
    if api != kinds.API_VERSION:
        findings.append(finding("schema", f"apiVersion `{api}` is not supported; this aireg "
                                f"reads {kinds.API_VERSION}", at.child("apiVersion")))
        return None
    kind = data.get("kind")
    if not isinstance(kind, str | None):  # a list or mapping cannot even be looked up
        findings.append(finding("schema", f"`kind` must be one of {', '.join(kinds.KINDS)}; "
                                f"got {_describe(kind)}", at.child("kind")))
        return None
    if kind not in kinds.KINDS:
        if kind is None:
            message = f"missing field `kind`; set it to one of {', '.join(kinds.KINDS)}"
            where = at
        elif kind == "Registry":
            message = f"a Registry document belongs in {CONFIG_FILE} at the registry root"
            where = at.child("kind")
        else:
            message = (f"unknown kind `{kind}`{suggest(str(kind), list(kinds.KINDS))}; kinds "
                       f"are {', '.join(kinds.KINDS)}")
            where = at.child("kind")
        findings.append(finding("schema", message, where))
        return None
    cls = kinds.KINDS[kind]
    try:
        model = cls.model_validate(data)
    except ValidationError as error:
        findings.extend(schema_findings(error, data, at, cls))
        return None
    return Decl(model, at.path, at.doc)


def _attach_template(tree: Tree, rel: str, decl: Decl, findings: list[Finding]) -> None:
    spec = decl.model.spec
    assert isinstance(spec, kinds.PromptSpec)
    if spec.template is not None:
        decl.template = spec.template
        return
    assert spec.templateFile is not None
    where = decl.at("spec", "templateFile")
    what = f"templateFile `{shown_path(spec.templateFile)}`"
    unusable = unusable_path(spec.templateFile)
    if unusable is not None:
        findings.append(finding("template", f"{what} {unusable}; write the path of the "
                                "template file, relative to this file", where))
        return
    target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), spec.templateFile))
    if escapes(target) or spec.templateFile.startswith("/"):
        findings.append(finding("path-escape", f"{what} resolves outside the registry root; "
                                "keep templates inside the registry", where))
        return
    end = tree.link_end(target)
    if end is LinkEnd.OUTSIDE:
        findings.append(finding("path-escape", f"{what} is a link that leads out of the "
                                "registry; replace the link with the file", where))
        return
    if end is LinkEnd.LOOP:
        findings.append(finding("template", f"{what} {LOOP}", where))
        return
    if reaches_git(tree, target):
        findings.append(finding("path-escape", f"{what} {INTO_GIT}; keep templates in the "
                                "registry's own files", where))
        return
    data = _template_bytes(tree, target)
    if data is None:
        findings.append(finding("template", f"{what} does not exist (looked for "
                                f"{display_path(tree, target)})", where))
        return
    if isinstance(data, str):
        findings.append(finding("template", f"{what} {data}", where))
        return
    try:
        decl.template = decode(data)
    except YamlProblem as problem:
        findings.append(finding("template", problem.message,
                                Span(display_path(tree, target), problem.line, problem.column)))
        return
    decl.template_path = display_path(tree, target)


# Longer paths than file systems take (NAME_MAX and PATH_MAX on Linux) cannot name a file,
# and asking the system about them fails in ways of their own (ENAMETOOLONG).
MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 4096
INTO_GIT = ("leads into .git, git's own files, which aireg never reads (a checkout's "
            ".git/config can hold credentials)")
# Code points macOS ignores in file names, so `.g\u200cit` is `.git` there (as git checks).
_IGNORED_IN_NAMES = dict.fromkeys(map(ord, "\u200c\u200d\u200e\u200f\u202a\u202b\u202c"
                                      "\u202d\u202e\u206a\u206b\u206c\u206d\u206e\u206f"
                                      "\ufeff"))


def shown_path(written: str) -> str:
    """A path a declaration names, short enough to quote in a message, with characters a
    terminal would act on written as escapes."""
    short = written if len(written) <= 80 else written[:60] + "…"
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in short)


def unusable_path(written: str) -> str | None:
    """Why no file system could hold a path a declaration names, or None."""
    if "\0" in written:
        return "holds a NUL character, which no file name can"
    try:
        encoded = os.fsencode(written)
    except UnicodeError:  # a lone surrogate (PyYAML refuses them; a library caller may not)
        return "holds a character that no file name can (an unpaired surrogate)"
    size = len(encoded)
    longest = max(len(part) for part in encoded.split(b"/"))
    if size > MAX_PATH_BYTES or longest > MAX_NAME_BYTES:
        return (f"is {size} bytes long, more than a file system takes ({MAX_NAME_BYTES} bytes "
                f"a name, {MAX_PATH_BYTES} in all)")
    return None


def _is_git_name(name: str) -> bool:
    # Spelt as the file systems read it: in any case, with the trailing dots and spaces
    # Windows drops, as its short name GIT~1, or with code points macOS ignores.
    name = name.translate(_IGNORED_IN_NAMES).rstrip(". ").lower()
    return name in (".git", "git~1")


def reaches_git(tree: Tree, rel: str) -> bool:
    """Whether a registry path leads into git's own files: a `.git` folder (this repository's
    or a nested one's) or a worktree's or submodule's `.git` file, by its names or, in the
    working tree, through links. Git's files are inside the repository, so the path-escape
    checks pass them."""
    if any(_is_git_name(part) for part in rel.split("/")):
        return True
    if not isinstance(tree, FolderTree):
        return False  # a revision's tree holds no .git entries: its links cannot reach them
    real = os.path.relpath(os.path.realpath(tree.root / rel), tree.real_root)
    return any(_is_git_name(part) for part in Path(real).parts)


def _template_bytes(tree: Tree, rel: str) -> bytes | str | None:
    """A template file's bytes, None when there is none, or why it is not read. Its size is
    checked before reading (a link's is that of its target, and so is a blob's at a
    revision): a template is held to the size of a declaration file."""
    if isinstance(tree, FolderTree):
        try:
            info = (tree.root / rel).stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as error:  # a link loop, say
            return _unreadable(error)
        if stat.S_ISDIR(info.st_mode):
            return None
        if not stat.S_ISREG(info.st_mode):  # reading a pipe would wait for ever
            return "is not a regular file (a pipe, socket or device); point it at a template"
        size = info.st_size
    else:
        size = tree.size(rel)
    if size > MAX_FILE_BYTES:
        return _too_big(size)
    try:
        data = tree.read(rel)
    except OSError as error:
        return _unreadable(error)
    if data is not None and len(data) > MAX_FILE_BYTES:  # it grew since
        return _too_big(len(data))
    return data


LOOP = "is a link that leads round in a loop; replace the link with the file"


def _unreadable(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return LOOP
    return f"cannot be read ({error.strerror}); point it at a readable template file"


def _too_big(size: int) -> str:
    return (f"is {size / 1048576:.1f} MiB, over the {MAX_FILE_BYTES // 1048576} MiB that aireg "
            "reads in one template: split it into prompts that include each other")


# --- pydantic errors -> findings ----------------------------------------------------------

_TYPE_NAMES = {
    "string_type": "a string", "int_type": "a whole number", "bool_type": "true or false",
    "float_type": "a number", "dict_type": "a mapping", "list_type": "a list",
    "model_type": "a mapping", "model_attributes_type": "a mapping", "date_type": "a day",
    "int_from_float": "a whole number",
}


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"the boolean `{str(value).lower()}`"
    if isinstance(value, int | float):
        return f"the number `{getattr(value, 'raw', value)}`"
    return f"`{value}`"


def _shape(value: Any) -> str:
    """What a YAML value is, in YAML's words."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return _describe(value) if isinstance(value, dict | list) or value is None else "a value"


def _dotted(loc: tuple[str | int, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _existing(data: Any, loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """The longest prefix of a pydantic location that exists in the data (drops union tags)."""
    kept: list[str | int] = []
    for part in loc:
        in_dict = isinstance(data, dict) and part in data
        in_list = isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if in_dict or in_list:
            data = data[part]
        else:
            break
        kept.append(part)
    return tuple(kept)


def _fields_at(cls: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """The field names of the model found at `loc` under `cls`, for spelling suggestions."""
    current: Any = cls
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if fields is None or part not in fields:
            return []
        current = _model_in(fields[part].annotation)
    return list(getattr(current, "model_fields", {}))


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None:
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def _join_or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _untagged(loc: Any) -> tuple[str | int, ...]:
    return tuple(part for part in loc if part not in kinds.UNION_TAGS)


def schema_findings(error: ValidationError, data: Any, at: Pointer,
                    cls: type[BaseModel]) -> list[Finding]:
    out: list[Finding] = []
    seen: set[tuple[tuple[str | int, ...], str]] = set()
    errors = error.errors(include_url=False)
    # A union (say string, number or boolean) fails once per member: one finding per place.
    wanted: dict[tuple[str | int, ...], list[str]] = {}
    for item in errors:
        if item["type"] in _TYPE_NAMES:
            words = wanted.setdefault(_existing(data, _untagged(item["loc"])), [])
            if _TYPE_NAMES[item["type"]] not in words:
                words.append(_TYPE_NAMES[item["type"]])
    for item in errors:
        loc = _untagged(item["loc"])
        kind = item["type"]
        ctx = item.get("ctx") or {}
        if loc and loc[-1] == "[key]":
            # A mapping key that fails its own validation (an unknown rule id, say).
            parent = _existing(data, loc[:-2])
            message = f"`{_dotted(parent)}`: {ctx.get('error', item['msg'])}"
            where = at.child(*parent, loc[-2], on_key=True)
        elif kind == "missing":
            parent = _existing(data, loc[:-1])
            name = _dotted(loc)
            message = f"missing required field `{name}`; add it"
            where = at.child(*parent, on_key=bool(parent))
        elif kind == "extra_forbidden":
            parent = _existing(data, loc[:-1])
            field_name = str(loc[-1])
            hint = suggest(field_name, _fields_at(cls, loc[:-1]))
            message = f"unknown field `{_dotted(loc)}`{hint}; remove it or fix its name"
            where = at.child(*parent, loc[-1], on_key=True)
        else:
            real = _existing(data, loc)
            name = _dotted(real)
            value = item["input"]
            where = at.child(*real)
            if kind == "value_error":
                message = f"`{name}`: {ctx.get('error', item['msg'])}"
            elif kind in ("literal_error", "enum"):
                choices = str(ctx.get("expected", "")).replace("'", "")
                hint = suggest(str(value), [e.strip() for e in choices.replace(" or ", ",")
                                            .split(",")]) if isinstance(value, str) else ""
                message = f"`{name}` must be one of {choices}; got {_describe(value)}{hint}"
            elif kind == "string_pattern_mismatch":
                form = kinds.PATTERN_HELP.get(str(ctx.get("pattern")), "the expected form")
                message = f"`{name}` must be {form}; got {_describe(value)}"
            elif kind in _TYPE_NAMES:
                got = f"the string `{value}`" if isinstance(value, str) else _describe(value)
                message = f"`{name}` must be {_join_or(wanted[real])}, not {got}"
            else:
                message = f"`{name}`: {item['msg']}"
        if (where.keys, message) in seen:
            continue
        seen.add((where.keys, message))
        out.append(finding("schema", message, where))
    return out
