"""Surgical edits of declaration files (`aireg bump`, `aireg deprecate`).

A file is never round-tripped through a YAML dumper: the composer gives the exact text span
of each value, and only those spans change (or new lines are inserted), so every other byte
of the file (comments, quoting, blank lines, line endings, a missing final newline) stays as
the user wrote it. Every edit is checked by reading the result back: the document count and
every other value must be unchanged and the edited value must read as intended; otherwise
the edit is refused with an AiregError rather than risking a user's file.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import difflib
import math
import os
import posixpath
import re
import stat
import sys
import tempfile
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .findings import AiregError, Pointer
from .refs import SEMVER_RE, NodeId, Ref, best_match, parse_version

if sys.platform != "win32":
    import fcntl

if TYPE_CHECKING:
    from .catalog import Catalog
    from .decl import Decl

Part = Literal["major", "minor", "patch"]
PARTS: tuple[Part, ...] = ("major", "minor", "patch")

_BOM = "\ufeff"
_BREAK_RE = re.compile(r"\r\n|\r|\n")
# An alias written as a mapping value, from the end of its key.
_ALIAS_RE = re.compile(r"\s*:\s*\*[^\s,\[\]{}]+")
# A block scalar's header: its properties, then `|` or `>` and the indicators after it.
_BLOCK_HEADER_RE = re.compile(r"(?:[!&]\S*[ \t]+)*[|>]([0-9+-]*)")
# Characters a plain scalar may not start with (conservative: YAML allows some of them
# when a non-space follows, but quoting them costs nothing).
_PLAIN_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW_INDICATORS = frozenset(",[]{}")
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r",
                  "\b": "\\b", "\f": "\\f"}
# Printable for YAML, but line breaks or a byte order mark to a YAML 1.1 reader.
_BREAK_LIKE = frozenset("\x85\u2028\u2029\ufeff")


# --- versions -----------------------------------------------------------------------------


def bump_version(version: str, part: Part) -> str:
    """The next version, as `npm version <part>` computes it.

    A pre-release is released by the smallest bump that reaches it: `2.0.0-rc.1` major is
    `2.0.0`, `1.3.0-rc.1` minor is `1.3.0`, `1.2.4-rc.1` patch is `1.2.4`. Build metadata
    is dropped.
    """
    if part not in PARTS:
        raise AiregError(f"`{part}` is not a version part; use major, minor or patch")
    try:
        parsed = parse_version(version)
    except ValueError as error:
        raise AiregError(str(error)) from None
    major, minor, patch = int(parsed.major), int(parsed.minor), int(parsed.patch)
    pre = bool(parsed.prerelease)
    if part == "major":
        if minor or patch or not pre:
            major += 1
        minor = patch = 0
    elif part == "minor":
        if patch or not pre:
            minor += 1
        patch = 0
    elif not pre:
        patch += 1
    return f"{major}.{minor}.{patch}"


def set_version(text: str, doc: int, new_version: str) -> str:
    """`text` with metadata.version of document `doc` (0-based) set to `new_version`.

    The quoting style of the old value is kept, and a tag before it (`!!str`).
    """
    if not SEMVER_RE.match(new_version):
        raise AiregError(
            f"`{new_version}` is not a SemVer version; write a full version such as 1.0.0")
    source = _Source(text)
    meta_key, meta = source.metadata(doc)
    entry = _entry(meta, "version", "metadata")
    expected = source.expected(doc)
    if entry is None:
        if "version" in expected["metadata"]:
            raise AiregError(
                f"metadata.version of document {doc + 1} comes from a YAML merge key (<<); "
                "write `version:` in the document's own metadata, then run again")
        raise AiregError(
            f"document {doc + 1} has no metadata.version (metadata is at line "
            f"{_line(meta_key)}); add one, such as `version: 1.0.0`")
    key, value = entry
    what = "metadata.version"
    start, end, span = _one_line_scalar(source.body, key, value, what, "version: 1.2.3")
    assert isinstance(value, ScalarNode)
    if value.tag == "tag:yaml.org,2002:null":
        raise AiregError(
            f"{what} (line {_line(value)}) is empty; write the current version, such as "
            "`version: 1.0.0`, then run again")
    start += _tag_length(span)
    quote = value.style if value.style in ("'", '"') else ""
    expected["metadata"]["version"] = new_version
    edits = [_Edit(start, end, f"{quote}{new_version}{quote}")]
    return source.finish(doc, edits, expected, what)


def add_version_alongside(text: str, doc: int, new_version: str,
                          template_file: str | None = None) -> tuple[str, int]:
    """`text` with a copy of document `doc` appended after `---`, its metadata.version set to
    `new_version`, and the line the copy starts on. The old document stays as it was.

    The copy is the document's own text (its layout, quoting and the comments above its first
    key and inside it); comments after its last value are left out, as they may introduce
    the next document. With `template_file`, the copy's spec.templateFile is set to it (the
    caller copies the template there), so that the two versions never share a template.
    """
    set_version(text, doc, new_version)  # the in-place edit's refusals, with the file's lines
    source = _Source(text)
    body, root = source.body, source.roots[doc]
    start = _document_start(body, doc, root)
    end = _BREAK_RE.search(body, _content_end(body, root))  # a comment on the last line too
    refusal = (f"aireg could not add a copy of document {doc + 1} safely, so it left the file "
               "unchanged; copy the declaration by hand")
    try:
        copied = set_version(body[start : end.start() if end else len(body)], 0, new_version)
        if template_file is not None:
            copied = set_template_file(copied, 0, template_file)
    except AiregError as error:  # the copy alone does not read (a %TAG directive it needs)
        raise AiregError(f"{refusal} ({error})") from None
    newline = _newline(body)
    ends_with_break = body.endswith(("\n", "\r"))
    head = body if ends_with_break or not body else body + newline
    result = head + "---" + newline + copied + (newline if ends_with_break else "")
    expected = source.expected(doc)
    expected["metadata"]["version"] = new_version
    if template_file is not None:
        expected["spec"]["templateFile"] = template_file
    try:
        read = list(yaml.load_all(result, Loader=yaml.CSafeLoader))
        roots = list(yaml.compose_all(result, Loader=yaml.CSafeLoader))
    except (yaml.YAMLError, ValueError, RecursionError) as error:
        raise AiregError(f"{refusal} (the edited file would not read as YAML: {error})"
                         ) from None
    if len(read) != len(source.docs) + 1 or not all(
            _same(old, new) for old, new in zip([*source.docs, expected], read, strict=True)):
        raise AiregError(f"{refusal} (the copy would not read back as the declaration with "
                         "the new version, or other documents would change)")
    return source.bom + result, _line(roots[-1])


def set_template_file(text: str, doc: int, template_file: str) -> str:
    """`text` with spec.templateFile of document `doc` (0-based) set to `template_file`, in
    the quoting style of the old value when that style can hold the new one."""
    source = _Source(text)
    root = source.roots[doc] if 0 <= doc < len(source.roots) else None
    if not isinstance(root, MappingNode):
        raise AiregError(f"document {doc + 1} is not a mapping of keys")
    what = "spec.templateFile"
    spec_entry = _entry(root, "spec", f"document {doc + 1}")
    entry = None
    if spec_entry is not None and isinstance(spec_entry[1], MappingNode) \
            and spec_entry[1].start_mark.index >= spec_entry[0].end_mark.index:
        entry = _entry(spec_entry[1], "templateFile", "spec")
    if entry is None:
        raise AiregError(
            f"{what} of document {doc + 1} is not written in the document itself (a YAML "
            "alias or merge key); write `templateFile:` under the document's own `spec:`")
    key, value = entry
    start, end, span = _one_line_scalar(source.body, key, value, what, "templateFile: reply.j2")
    assert isinstance(value, ScalarNode)
    start += _tag_length(span)
    style = value.style if value.style in ("'", '"') else None
    assert isinstance(spec_entry, tuple)  # found above, or entry would be None
    written = _scalar(template_file, _in_flow(spec_entry[1]), style)
    expected = source.expected(doc)
    expected["spec"]["templateFile"] = template_file
    return source.finish(doc, [_Edit(start, end, written)], expected, what)


def template_copy_name(template_file: str, old_version: str, new_version: str) -> str:
    """The templateFile of a copy made with `new_version`, beside `template_file` (as written,
    relative to the declaration's file): the old version in the file name replaced with the
    new one (`reply-1.0.0.j2`, `reply@1.0.0.j2`), else `-<new version>` before the extension
    (`reply.j2` -> `reply-1.0.1.j2`). Only the file name changes, never its folders."""
    name = posixpath.basename(template_file)
    folder = template_file[: len(template_file) - len(name)]
    # Whole versions only: 1.0.0 is not in 11.0.0 or 1.0.0.1.
    pattern = re.compile(r"(?<![0-9.])" + re.escape(old_version) + r"(?![0-9]|\.[0-9])")
    if pattern.search(name):
        return folder + pattern.sub(new_version, name)
    stem, extension = posixpath.splitext(name)
    return f"{folder}{stem}-{new_version}{extension}"


def _document_start(body: str, doc: int, root: Node) -> int:
    """Where document `doc`'s own text starts: the line after the `---` that opens it (or
    the file's start), so that comments above its first key belong to it; at its root when
    the root is written on the `---` line itself."""
    found = -1
    for event in yaml.parse(body, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.DocumentStartEvent):
            found += 1
            if found == doc:
                if not event.explicit:
                    return 0
                assert event.end_mark is not None  # the C parser marks every event
                opened = event.end_mark.index  # just after `---`
                line_end = _BREAK_RE.search(body, opened)
                if root.start_mark.index < (line_end.start() if line_end else len(body)):
                    return int(root.start_mark.index)
                return line_end.end() if line_end else len(body)
    raise AiregError(f"the file has no document {doc + 1}")  # pragma: no cover - composed


# --- what a bump leaves behind ------------------------------------------------------------


@dataclass(frozen=True)
class Stranded:
    """A ref that resolves to a version now and would match no declared version after an
    edit: the declaration that writes it, the ref as written, its field, and where."""

    user: NodeId
    ref: str
    field: str  # spec.includes, metadata.deprecation.replacement, ...
    at: Pointer


def stranded_by_bump(catalog: Catalog, decl: Decl, new_version: str) -> list[Stranded]:
    """The refs that resolve to `decl` and that no version would satisfy once `decl`'s
    version became `new_version` in place (the other declared versions kept)."""
    after = [d.version for d in catalog.by_key[(decl.kind, decl.name)]
             if d.version is not None and d.id != decl.id] + [new_version]
    sites = [(edge.source, edge.site.ref, ".".join(edge.site.field.keys), edge.at)
             for edge in catalog.edges if edge.target == decl.id]
    # A deprecation's replacement is a ref too, though it makes no edge.
    replacement = ("metadata", "deprecation", "replacement")
    for other in catalog.of_kind(decl.kind):
        deprecation = other.model.metadata.deprecation
        if deprecation is not None and deprecation.replacement is not None:
            ref = Ref.parse(deprecation.replacement)
            if catalog.resolve(ref) is decl:
                sites.append((other.id, ref, ".".join(replacement), other.at(*replacement)))
    return [Stranded(user, str(ref), field, at) for user, ref, field, at in sites
            if ref.constraint is not None and best_match(ref.spec, after) is None]


# --- deprecation --------------------------------------------------------------------------


def set_deprecation(
    text: str, doc: int, sunset: dt.date, replacement: str | None, reason: str | None,
    today: dt.date,
) -> str:
    """`text` with metadata.deprecation of document `doc` (0-based) added or updated.

    A new deprecation gets `announced: <today>`, `sunset`, and `replacement` and `reason`
    when given. An existing one gets the given keys replaced or added; `announced` and any
    other key already written are kept as they are.
    """
    for label, given in (("replacement", replacement), ("reason", reason)):
        if given is not None and not _is_unicode(given):
            raise AiregError(f"the {label} holds characters that are not valid Unicode")
    values: dict[str, dt.date | str] = {"sunset": sunset}
    if replacement is not None:
        values["replacement"] = replacement
    if reason is not None:
        values["reason"] = reason
    source = _Source(text)
    meta_key, meta = source.metadata(doc)
    expected = source.expected(doc)
    expected_meta = expected["metadata"]
    entry = _entry(meta, "deprecation", "metadata")
    what = "metadata.deprecation"
    body = source.body
    edits: list[_Edit]
    if entry is None:
        if "deprecation" in expected_meta:
            raise AiregError(
                f"{what} of document {doc + 1} comes from a YAML merge key (<<); write "
                "`deprecation:` in the document's own metadata, then run again")
        new = {"announced": today, **values}
        expected_meta["deprecation"] = new
        edits = [_add_mapping_entry(body, meta_key, meta, "deprecation", new)]
        return source.finish(doc, edits, expected, what)
    key, value = entry
    if value.start_mark.index < key.end_mark.index:
        raise AiregError(
            f"{what} (line {_line(key)}) is a YAML alias; write the deprecation out in this "
            "document, then run again")
    if isinstance(value, ScalarNode) and value.tag == "tag:yaml.org,2002:null":
        new = {"announced": today, **values}
        expected_meta["deprecation"] = new
        edits = _fill_null(body, key, value, meta, meta_key, new)
        return source.finish(doc, edits, expected, what)
    if not isinstance(value, MappingNode):
        raise AiregError(
            f"{what} (line {_line(value)}) is not a mapping; write it as keys under "
            "`deprecation:` (announced, sunset, replacement, reason), then run again")
    current = expected_meta["deprecation"]
    if not isinstance(current, dict):  # pragma: no cover - a mapping node builds a dict
        raise AiregError(f"{what} (line {_line(value)}) is not a mapping")
    edits = []
    missing: dict[str, dt.date | str] = {}
    for name, new_value in values.items():
        found = _entry(value, name, what)
        if found is None:
            missing[name] = new_value
            continue
        child_key, child = found
        _check_replaceable(body, child_key, child, f"{what}.{name}")
        assert isinstance(child, ScalarNode)
        start, end = child.start_mark.index, child.end_mark.index
        if child.style in ("|", ">"):
            end = _strip_end(body, start, end)
        style = child.style if child.style in ("'", '"') else None
        written = _scalar(new_value, _in_flow(value), style)
        edits.append(_Edit(start, end, _value_prefix(body, child_key, child) + written))
    if missing:
        edits.append(_add_entries(body, value, missing))
    current.update(values)
    return source.finish(doc, edits, expected, what)


# --- writing ------------------------------------------------------------------------------


# A temporary file is `.<name>.aireg-tmp-<random>` beside the file it replaces, so that the
# next write of that file can recognise one a killed run left behind.
_TEMP_MARK = ".aireg-tmp-"


def write_atomic(path: Path, text: str | bytes, shown: str | None = None,
                 verb: str = "write") -> None:
    """Replace the file at `path` with `text` (UTF-8, line endings exactly as given; bytes
    as they are).

    The text goes to a temporary file in the same folder, is flushed to disk, gets the
    original file's permission bits and then replaces the file in one step: a reader sees
    the old file or the new one, never a part. A symbolic link is written through, not
    replaced. A read-only file is refused (see `check_writable`). On failure the temporary
    file is removed and the original is untouched; temporaries that a killed run left
    beside the file are removed first. Messages name the file as `shown` (default `path`).
    """
    shown = shown or str(path)
    try:
        data = text if isinstance(text, bytes) else text.encode("utf-8")
    except UnicodeEncodeError:
        raise AiregError(f"cannot write {shown}: the text is not valid Unicode") from None
    target = path.resolve()
    try:
        info = target.stat()
        mode = stat.S_IMODE(info.st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    except OSError as error:
        raise AiregError(f"cannot write {shown}: {error.strerror or error}") from None
    else:
        if not stat.S_ISREG(info.st_mode):
            # A device, a pipe or a socket (`-o /dev/null`, `-o /dev/stdout`) is written to,
            # never replaced: renaming over it would put a plain file in its place.
            _write_through(path, data, shown)
            return
        _refuse_read_only(target, info, shown, verb)
    _remove_abandoned(target)
    fd, temp = _own_temporary(target, shown)
    replaced = False
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
            temp.chmod(mode)
            if sys.platform != "win32":  # still open, so still locked: ours until replaced
                temp.replace(target)
        if sys.platform == "win32":  # a file open there cannot be renamed
            temp.replace(target)
        replaced = True
    except OSError as error:
        raise AiregError(f"cannot write {shown}: {error.strerror or error}") from error
    finally:
        if not replaced:  # any exit: an error, an interrupt, a signal turned exception
            with contextlib.suppress(OSError):
                temp.unlink()
    _fsync_folder(target.parent)


def check_writable(path: Path, shown: str, verb: str = "write") -> None:
    """Refuse a file that is read-only (before any of several files is written)."""
    target = path.resolve()
    try:
        info = target.stat()
    except OSError:
        return  # a missing file is created; other errors are reported by the write
    if stat.S_ISREG(info.st_mode):
        _refuse_read_only(target, info, shown, verb)


def _refuse_read_only(target: Path, info: os.stat_result, shown: str, verb: str) -> None:
    # Replacing a file needs write permission on its folder only, so without this check a
    # read-only file would be replaced. The owner's write bit is checked as well as access:
    # for root os.access says yes to everything, and a missing u+w is how a user says no.
    if not info.st_mode & stat.S_IWUSR or not os.access(target, os.W_OK):
        raise AiregError(f"{shown} is read-only; make it writable (chmod u+w) to {verb} it")


def _own_temporary(target: Path, shown: str) -> tuple[int, Path]:
    """A new temporary file beside `target`, open and (where the platform has locks) locked,
    so that `_remove_abandoned` in another run leaves it alone while this run lives."""
    for _ in range(10):
        try:
            fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}{_TEMP_MARK}")
        except OSError as error:
            raise AiregError(f"cannot write {shown}: {error.strerror or error}") from None
        if sys.platform == "win32":  # an open file cannot be removed there: that is the lock
            return fd, Path(name)
        fcntl.flock(fd, fcntl.LOCK_EX)
        # Another run may have taken it for abandoned between its creation and the lock.
        with contextlib.suppress(OSError):
            if Path(name).stat().st_ino == os.fstat(fd).st_ino:
                return fd, Path(name)
        os.close(fd)
    raise AiregError(f"cannot write {shown}: its temporary files keep disappearing")


def _remove_abandoned(target: Path) -> None:
    """Remove the temporary files a killed run left beside `target` (its lock went with it);
    a temporary whose run is still writing is locked, and stays."""
    prefix = f".{target.name}{_TEMP_MARK}"
    try:
        with os.scandir(target.parent) as entries:
            found = [Path(e.path) for e in entries if e.name.startswith(prefix)]
    except OSError:
        return
    for temp in found:
        if sys.platform == "win32":
            with contextlib.suppress(OSError):
                temp.unlink()
            continue
        try:
            fd = os.open(temp, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if temp.stat().st_ino == os.fstat(fd).st_ino:
                temp.unlink()
        except OSError:  # locked (its run is alive), or gone already
            pass
        finally:
            os.close(fd)


def _write_through(path: Path, data: bytes, shown: str) -> None:
    try:
        with path.open("wb") as stream:
            stream.write(data)
    except OSError as error:
        raise AiregError(f"cannot write {shown}: {error.strerror or error}") from None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable, where the platform allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --- the file being edited ----------------------------------------------------------------


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    text: str


class _Source:
    """A file's text, its composed documents and their values, for one edit."""

    def __init__(self, text: str) -> None:
        self.bom = _BOM if text.startswith(_BOM) else ""
        # libyaml's marks do not count a byte order mark: edit the text after it.
        self.body = text[len(self.bom):]
        try:
            self.roots: list[Node] = list(yaml.compose_all(self.body, Loader=yaml.CSafeLoader))
            self.docs: list[Any] = list(yaml.load_all(self.body, Loader=yaml.CSafeLoader))
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise AiregError(
                f"the file does not read as YAML ({error.problem or error}{where}); fix it "
                "first (`aireg check` shows the problem), then run again") from None
        except (yaml.YAMLError, ValueError, RecursionError) as error:
            raise AiregError(
                f"the file does not read as YAML ({error}); fix it first (`aireg check` shows "
                "the problem), then run again") from None
        if len(self.roots) != len(self.docs):  # pragma: no cover - one composer for both
            raise AiregError("the file's documents could not be counted; edit it by hand")

    def metadata(self, doc: int) -> tuple[Node, MappingNode]:
        if not 0 <= doc < len(self.roots):
            raise AiregError(
                f"the file has {len(self.roots)} document(s), not a document {doc + 1}; "
                "run the command again (the file may have changed)")
        root = self.roots[doc]
        if not isinstance(root, MappingNode) or not isinstance(self.docs[doc], dict):
            raise AiregError(
                f"document {doc + 1} (line {_line(root)}) is not a mapping of keys; it is "
                "not a declaration aireg can edit")
        entry = _entry(root, "metadata", f"document {doc + 1}")
        if entry is None:
            raise AiregError(
                f"document {doc + 1} (line {_line(root)}) has no `metadata:` mapping; add "
                "metadata with name and version, then run again")
        key, value = entry
        if value.start_mark.index < key.end_mark.index:
            raise AiregError(
                f"metadata of document {doc + 1} (line {_line(key)}) is a YAML alias; write "
                "the metadata out in this document, then run again")
        if not isinstance(value, MappingNode) or not isinstance(self.docs[doc]["metadata"],
                                                                 dict):
            raise AiregError(
                f"metadata of document {doc + 1} (line {_line(value)}) is not a mapping; write "
                "it as keys under `metadata:` (name, version, owner, ...), then run again")
        return key, value

    def expected(self, doc: int) -> dict[str, Any]:
        """A copy of the document's values, for the edit to state what it should become."""
        value: dict[str, Any] = copy.deepcopy(self.docs[doc])
        return value

    def finish(self, doc: int, edits: list[_Edit], expected: Any, what: str) -> str:
        """Apply the edits, then read the result back and refuse it unless it is exactly
        the old file's values with only the intended change."""
        body = self.body
        last = len(body) + 1
        for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
            if edit.end > last:  # pragma: no cover - the edits come from disjoint nodes
                raise AiregError(f"could not edit {what}: overlapping changes")
            body = body[: edit.start] + edit.text + body[edit.end :]
            last = edit.start
        refusal = (f"aireg could not change {what} of document {doc + 1} safely, so it left "
                   "the file unchanged; make the change by hand")
        try:
            result = list(yaml.load_all(body, Loader=yaml.CSafeLoader))
        except (yaml.YAMLError, ValueError, RecursionError) as error:
            raise AiregError(f"{refusal} (the edited file would not read as YAML: "
                             f"{error})") from None
        if len(result) != len(self.docs):
            raise AiregError(f"{refusal} (the number of documents would change)")
        for index, (old, new) in enumerate(zip(self.docs, result, strict=True)):
            if not _same(expected if index == doc else old, new):
                raise AiregError(f"{refusal} (other values of document {index + 1} would "
                                 "change, or the new value would not read back as written)")
        return self.bom + body


# --- finding and writing values -----------------------------------------------------------


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _entry(mapping: MappingNode, name: str, where: str) -> tuple[Node, Node] | None:
    """The (key, value) nodes of `name` in a mapping; an error when it is written twice."""
    found: list[tuple[Node, Node]] = [
        (key, value) for key, value in mapping.value
        if isinstance(key, ScalarNode) and key.value == name
        and key.tag == "tag:yaml.org,2002:str"
    ]
    if len(found) > 1:
        lines = " and ".join(str(_line(key)) for key, _ in found)
        raise AiregError(
            f"{where} has `{name}` more than once (lines {lines}); YAML keeps only the last: "
            "remove the others, then run again")
    return found[0] if found else None


def _check_replaceable(body: str, key: Node, value: Node, what: str) -> None:
    """An error unless `value` is a plain, quoted or block scalar written right there."""
    if value.start_mark.index < key.end_mark.index:
        raise AiregError(
            f"{what} (line {_line(key)}) is a YAML alias (`*name`); write the value itself, "
            "then run again")
    if not isinstance(value, ScalarNode):
        kind = "a list" if isinstance(value, SequenceNode) else "a mapping"
        raise AiregError(
            f"{what} (line {_line(value)}) is {kind}, not a single value; write one value, "
            "then run again")
    span = body[value.start_mark.index : value.end_mark.index]
    rest = span[_tag_length(span):]
    if span.startswith("&") or rest.startswith("&"):
        raise AiregError(
            f"{what} (line {_line(value)}) carries a YAML anchor (`&name`) that other values "
            "may refer to; write the value without the anchor (and the aliases to it as "
            "values), then run again")


def _one_line_scalar(body: str, key: Node, value: Node, what: str, example: str
                     ) -> tuple[int, int, str]:
    """The span of a value an edit replaces in place: a plain or quoted scalar on one line
    (its start, end and text), or an AiregError that says how to write it."""
    _check_replaceable(body, key, value, what)
    assert isinstance(value, ScalarNode)
    start, end = value.start_mark.index, value.end_mark.index
    span = body[start:end]
    if value.style in ("|", ">") or _BREAK_RE.search(span):
        raise AiregError(
            f"{what} (line {_line(value)}) is written over several lines; write it on one "
            f"line, such as `{example}`, then run again")
    return start, end, span


def _tag_length(span: str) -> int:
    """How many characters of a node's text are its tag (`!!str `), if it has one."""
    match = re.match(r"![^\s]*[ \t]+", span)
    return match.end() if match else 0


def _value_prefix(body: str, key: Node, value: Node) -> str:
    """What must come before text written in place of an empty value (`reason:`), so
    that it is read as the value: a space after the colon, or the colon too (`{reason}`)."""
    start = value.start_mark.index
    if start != value.end_mark.index:
        return ""
    if body.find(":", key.end_mark.index, start) == -1:
        return ": "
    return "" if body[start - 1 : start] in (" ", "\t") else " "


def _in_flow(node: Node) -> bool:
    return bool(getattr(node, "flow_style", False))


def _strip_end(body: str, start: int, end: int) -> int:
    while end > start and body[end - 1] in " \t\r\n":
        end -= 1
    return end


def _content_end(body: str, node: Node) -> int:
    """Where the node's own text ends: its last character, not the comments and blank
    lines a block collection's end mark runs on to."""
    if isinstance(node, MappingNode | SequenceNode) and not _in_flow(node) and node.value:
        last = node.value[-1]
        if isinstance(node, MappingNode):
            return _entry_end(body, *last)
        return _content_end(body, last)
    start, end = node.start_mark.index, node.end_mark.index
    if isinstance(node, ScalarNode) and node.style in ("|", ">"):
        header = _BLOCK_HEADER_RE.match(body, start)
        if header and "+" in header.group(1) and end > start and body[end - 1] in "\r\n":
            # Kept (`|+`) trailing line breaks are part of the value: end on the last one.
            return int(end) - (2 if body.endswith("\r\n", 0, end) else 1)
        return _strip_end(body, start, end)
    return int(end)


def _entry_end(body: str, key: Node, value: Node) -> int:
    """Where a mapping entry's text ends. An alias value's node is the anchored one, written
    earlier: then the alias itself (`: *name`) is found after the key."""
    if value.start_mark.index < key.end_mark.index:
        alias = _ALIAS_RE.match(body, key.end_mark.index)
        return alias.end() if alias else int(key.end_mark.index)
    return max(_content_end(body, key), _content_end(body, value))


def _newline(body: str) -> str:
    """The file's line break: the first one it uses, or a line feed."""
    match = _BREAK_RE.search(body)
    return match.group() if match else "\n"


def _lines_after(body: str, position: int, lines: list[str]) -> _Edit:
    """Insert whole lines after the line holding `position`.

    The new lines take that line's break (CRLF stays CRLF); at the end of a file without a
    final line break, they go after a new break and the file still ends without one.
    """
    match = _BREAK_RE.search(body, position)
    if match is None:
        newline = _newline(body)
        return _Edit(len(body), len(body), newline + newline.join(lines))
    newline = match.group()
    return _Edit(match.end(), match.end(), "".join(line + newline for line in lines))


def _block_keys_column(mapping: MappingNode) -> int:
    key: Node = mapping.value[0][0]
    return int(key.start_mark.column)


def _step(holder_key: Node, mapping: MappingNode) -> int:
    """The file's indentation step, as seen between a key and the keys under it."""
    step = _block_keys_column(mapping) - int(holder_key.start_mark.column)
    return step if step > 0 else 2


def _add_entries(body: str, mapping: MappingNode, values: Mapping[str, dt.date | str]) -> _Edit:
    """Add scalar entries to a mapping: after its last entry, in its own style."""
    if _in_flow(mapping):
        items = [f"{name}: {_scalar(value, True, None)}" for name, value in values.items()]
        return _flow_items(body, mapping, items)
    indent = " " * _block_keys_column(mapping)
    lines = [f"{indent}{name}: {_scalar(value, False, None)}" for name, value in values.items()]
    return _lines_after(body, _content_end(body, mapping), lines)


def _add_mapping_entry(body: str, holder_key: Node, mapping: MappingNode, name: str,
                       values: Mapping[str, dt.date | str]) -> _Edit:
    """Add `name:` holding a mapping of scalars to `mapping`, in the mapping's own style."""
    if _in_flow(mapping):
        return _flow_items(body, mapping, [f"{name}: {_flow_mapping(values)}"])
    column = _block_keys_column(mapping)
    indent, inner = " " * column, " " * (column + _step(holder_key, mapping))
    lines = [f"{indent}{name}:"]
    lines += [f"{inner}{key}: {_scalar(value, False, None)}" for key, value in values.items()]
    return _lines_after(body, _content_end(body, mapping), lines)


def _flow_items(body: str, mapping: MappingNode, items: list[str]) -> _Edit:
    """Add items to a flow mapping: right after its last value (before a comment or the
    closing brace), or inside the braces of an empty one."""
    joined = ", ".join(items)
    if mapping.value:
        position = _entry_end(body, *mapping.value[-1])
        return _Edit(position, position, ", " + joined)
    position = body.index("{", mapping.start_mark.index) + 1
    return _Edit(position, position, joined)


def _flow_mapping(values: Mapping[str, dt.date | str]) -> str:
    return "{" + ", ".join(f"{k}: {_scalar(v, True, None)}" for k, v in values.items()) + "}"


def _fill_null(body: str, key: Node, value: ScalarNode, meta: MappingNode, meta_key: Node,
               values: Mapping[str, dt.date | str]) -> list[_Edit]:
    """Give an empty (null) `deprecation:` its keys."""
    start, end = value.start_mark.index, value.end_mark.index
    if _in_flow(meta):
        if start == end:
            colon = body.find(":", key.end_mark.index, start + 1)
            if colon == -1:  # `{..., deprecation}`: a key with no colon
                return [_Edit(start, end, ": " + _flow_mapping(values))]
            return [_Edit(colon + 1, colon + 1, " " + _flow_mapping(values))]
        return [_Edit(start, end, _flow_mapping(values))]
    column = _block_keys_column(meta)
    inner = " " * (column + _step(meta_key, meta))
    lines = [f"{inner}{k}: {_scalar(v, False, None)}" for k, v in values.items()]
    edits = [_lines_after(body, max(end, key.end_mark.index), lines)]
    if start != end:  # `deprecation: ~` or `null`: remove the value, keep a comment after it
        colon = body.rfind(":", key.end_mark.index, start)
        edits.append(_Edit(colon + 1 if colon != -1 else start, end, ""))
    return edits


# --- scalars ------------------------------------------------------------------------------


def _scalar(value: dt.date | str, flow: bool, style: str | None) -> str:
    """`value` as YAML text that reads back as exactly `value`.

    Days are plain YYYY-MM-DD. Text keeps the quoting style it replaces (`style`) when that
    style can hold it; otherwise it is plain when plain reads back as the same text (not a
    bool, number, null or day, no `: ` or ` #`, no indicator first), else double-quoted with
    JSON escapes.
    """
    if isinstance(value, dt.date):
        return value.isoformat()
    if style == '"':
        return _double_quoted(value)
    if style == "'" and all(_printable(ch) for ch in value):
        return "'" + value.replace("'", "''") + "'"
    return value if _plain_ok(value, flow) else _double_quoted(value)


def _printable(ch: str) -> bool:
    if ch in _BREAK_LIKE:
        return False
    category = unicodedata.category(ch)
    if category.startswith("C"):  # controls, format characters, surrogates, unassigned
        return False
    return not (category.startswith("Z") and ch != " ")


def _plain_ok(value: str, flow: bool) -> bool:
    if not value or value != value.strip(" ") or value[0] in _PLAIN_FIRST:
        return False
    if not all(_printable(ch) for ch in value):
        return False
    if ": " in value or " #" in value or value.endswith(":"):
        return False
    if flow and any(ch in _FLOW_INDICATORS or ch in "?:" for ch in value):
        return False
    sample = f"{{k: {value}}}" if flow else f"k: {value}\n"
    # Both readers must agree: aireg uses libyaml, but other tools read the file too.
    for loader in (yaml.CSafeLoader, yaml.SafeLoader):
        try:
            read = yaml.load(sample, Loader=loader)
        except (yaml.YAMLError, ValueError):
            return False
        if not (isinstance(read, dict) and read == {"k": value} and type(read["k"]) is str):
            return False
    return True


def _double_quoted(value: str) -> str:
    out = ['"']
    for ch in value:
        if ch in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[ch])
        elif not _printable(ch):
            code = ord(ch)
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _is_unicode(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# --- comparing values ---------------------------------------------------------------------


def _same(a: Any, b: Any, seen: set[tuple[int, int]] | None = None) -> bool:
    """Deep equality that tells 1 from True and 1.0, and a NaN equal to a NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if not isinstance(a, dict | list):
        return bool(a == b)
    seen = set() if seen is None else seen
    pair = (id(a), id(b))
    if pair in seen:  # a structure that refers to itself through aliases
        return True
    seen.add(pair)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y, seen) for x, y in zip(a, b, strict=True))
    if a.keys() != b.keys():
        return False
    return all(_same(value, b[key], seen) for key, value in a.items())


# --- showing an edit ----------------------------------------------------------------------


def unified_diff(path: str, before: str | None, after: str) -> str:
    """The change from `before` to `after` as a unified diff of `a/PATH` and `b/PATH`, which
    `git apply` and `patch -p1` take from the repository root. Lines end where git's do, at
    line feeds (a CRLF file's lines keep their CR). A new file (`before` None) is a diff
    from `/dev/null`, as git writes it."""
    old = "/dev/null" if before is None else f"a/{path}"
    if before is None and not after:
        # No hunk can say "create an empty file": git's own header does.
        return f"diff --git a/{path} b/{path}\nnew file mode 100644\n"
    out = []
    for line in difflib.unified_diff(_git_lines(before or ""), _git_lines(after), old,
                                     f"b/{path}"):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _git_lines(text: str) -> list[str]:
    return re.findall(r"[^\n]*\n|[^\n]+$", text)
