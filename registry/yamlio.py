"""Reading YAML fast and safely (PyYAML's libyaml loader), and finding positions in it.

Files are parsed once with the C loader and no positions are kept; a position is looked up
only when a finding needs one, by composing that file again (`Located`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

MAX_FILE_BYTES = 4 * 1024 * 1024
# Values a document may expand to through aliases: far above any real declaration, far
# below what a "billion laughs" document would make us build.
MAX_EXPANDED_VALUES = 100_000


class YamlProblem(Exception):
    """A file that cannot be read as YAML; line and column are 1-based."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class RawFloat(float):
    """A YAML float that remembers how it was written (`1.10` is not `1.1` to a user)."""

    raw: str

    def __new__(cls, value: float, raw: str) -> RawFloat:
        obj = super().__new__(cls, value)
        obj.raw = raw
        return obj

    def __reduce__(self) -> tuple[type[RawFloat], tuple[float, str]]:
        return (RawFloat, (float(self), self.raw))


# Plain scalars seen before and the tag each resolved to. libyaml asks Python to resolve
# every scalar (a regex or two each); registries repeat the same keys and values in every
# file, so a lookup answers most. Bounded, so that unique values cannot grow it for ever.
_PLAIN_TAGS: dict[str, str] = {}
_PLAIN_TAGS_MAX = 50_000
_PLAIN_TAG_LENGTH = 40  # longer values (descriptions, templates) rarely repeat
_pyyaml_resolve: Callable[[Any, type[Node], Any, Any], str] = yaml.CSafeLoader.resolve
# The first characters PyYAML's implicit types (bool, int, float, null, timestamp, ...) are
# registered under; a plain scalar starting otherwise is a string. (A resolver registered
# for any first character, under None, would void this: there is none.)
_RESOLVER_STARTS = frozenset(yaml.CSafeLoader.yaml_implicit_resolvers)
assert None not in _RESOLVER_STARTS


class _Loader(yaml.CSafeLoader):
    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
        # The same answers as PyYAML's resolver (no path resolvers are registered).
        if kind is ScalarNode:
            if not implicit[0]:
                return self.DEFAULT_SCALAR_TAG  # quoted: a string
            if value and value[0] not in _RESOLVER_STARTS:
                return self.DEFAULT_SCALAR_TAG  # no implicit type starts this way: a string
            tag = _PLAIN_TAGS.get(value)
            if tag is None:
                tag = _pyyaml_resolve(self, kind, value, implicit)
                if len(value) <= _PLAIN_TAG_LENGTH and len(_PLAIN_TAGS) < _PLAIN_TAGS_MAX:
                    _PLAIN_TAGS[value] = tag
            return tag
        if kind is MappingNode:
            return self.DEFAULT_MAPPING_TAG
        if kind is SequenceNode:
            return self.DEFAULT_SEQUENCE_TAG
        return _pyyaml_resolve(self, kind, value, implicit)

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass  # path resolvers only: none are registered

    def ascend_resolver(self) -> None:
        pass

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, Node] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                key = key_node.value
                if key in seen:
                    raise _duplicate(key, seen[key], key_node)
                seen[key] = key_node
        return super().construct_mapping(node, deep=deep)

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, KeyError, TypeError, OverflowError) as error:
            if isinstance(error, ConstructorError):
                raise
            raise ConstructorError(None, None, _unreadable(node, error), node.start_mark) from None

    def construct_yaml_float(self, node: ScalarNode) -> float:
        return RawFloat(super().construct_yaml_float(node), node.value)


_TAG = "tag:yaml.org,2002:"
_STR, _NULL, _FLOAT, _MERGE = f"{_TAG}str", f"{_TAG}null", f"{_TAG}float", f"{_TAG}merge"
_SEQ, _MAP = f"{_TAG}seq", f"{_TAG}map"
_SCALARS = {f"{_TAG}int": "construct_yaml_int", f"{_TAG}bool": "construct_yaml_bool",
            f"{_TAG}timestamp": "construct_yaml_timestamp"}


class _Unusual(Exception):
    """A document with a tag the quick builder leaves to PyYAML (merge keys, !!set, ...)."""


def _build(loader: _Loader, node: Node) -> Any:
    """Python values of a composed document, built directly: the same values as PyYAML's
    SafeConstructor (with duplicate keys refused and floats keeping their text), at about
    half its cost, which is most of the time aireg spends on a file."""
    tag = node.tag
    kind = type(node)
    if isinstance(node, ScalarNode):
        if tag == _STR:
            return node.value
        if tag == _NULL:
            return None
        if tag == _FLOAT:
            return loader.construct_yaml_float(node)
        method = _SCALARS.get(tag)
        if method is None:
            raise _Unusual
        try:
            return getattr(loader, method)(node)
        except (ValueError, KeyError, TypeError, OverflowError) as error:
            raise ConstructorError(None, None, _unreadable(node, error),
                                   node.start_mark) from None
    if kind is SequenceNode and tag == _SEQ:
        return [item.value if type(item) is ScalarNode and item.tag == _STR
                else _build(loader, item) for item in node.value]
    if kind is MappingNode and tag == _MAP:
        result: dict[Any, Any] = {}
        first: dict[Any, Node] = {}
        for key_node, value_node in node.value:
            # Keys are nearly always plain strings, and values often: read those here.
            key_tag = key_node.tag
            if key_tag == _STR and type(key_node) is ScalarNode:
                key = key_node.value
            elif key_tag == _MERGE:
                raise _Unusual
            else:
                key = _build(loader, key_node)
            try:
                seen = key in result
            except TypeError:  # an unhashable key (a mapping as a key): PyYAML says so
                raise _Unusual from None
            if seen:
                raise _duplicate(key, first[key], key_node)
            first[key] = key_node
            if value_node.tag == _STR and type(value_node) is ScalarNode:
                result[key] = value_node.value
            else:
                result[key] = _build(loader, value_node)
        return result
    raise _Unusual


def _duplicate(key: Any, first: Node, again: Node) -> ConstructorError:
    return ConstructorError(
        None, None,
        f"duplicate key `{key}` in one mapping (first at line {first.start_mark.line + 1}); "
        "YAML would keep only the last one: remove or rename one of them",
        again.start_mark)


def _unreadable(node: Node, error: Exception) -> str:
    value = node.value if isinstance(node, ScalarNode) else "this value"
    if node.tag == "tag:yaml.org,2002:timestamp":
        return f"`{value}` is not a real day ({error}); write a day that exists, as YYYY-MM-DD"
    if node.tag == "tag:yaml.org,2002:bool":
        return f"`{value}` is not true or false"
    kind = node.tag.rsplit(":", 1)[-1]
    return f"`{value}` cannot be read as {kind}: {error}"


_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_yaml_float)


# Byte order marks of the encodings a Windows editor or shell may save a file in. UTF-32's
# little-endian mark begins with UTF-16's, so it is tried first.
_BYTE_ORDER_MARKS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
                     (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))
_MARKS = tuple(mark for mark, _ in _BYTE_ORDER_MARKS)
_WIDE_CODECS = (("UTF-32", "utf-32-le"), ("UTF-32", "utf-32-be"), ("UTF-16", "utf-16-le"),
                ("UTF-16", "utf-16-be"))


def _spelt_wide(data: bytes, word: bytes) -> str | None:
    """"UTF-16" or "UTF-32" when the file holds `word` (ASCII) as that encoding writes it
    (with NUL bytes between its letters)."""
    if b"\0" in data:
        text = word.decode("ascii")
        for name, codec in _WIDE_CODECS:
            if text.encode(codec) in data:
                return name
    return None


def mentions(data: bytes, word: bytes) -> bool:
    """Whether a file holds `word` (ASCII), in UTF-8 or as UTF-16 or UTF-32 write it."""
    return word in data or _spelt_wide(data, word) is not None


def decode(data: bytes, word: bytes | None = None) -> str:
    """UTF-8 text of a file, or a YamlProblem: at the first byte that is not UTF-8, or at the
    start of a file in UTF-16 or UTF-32 (known by its byte order mark, or by `word` written
    in one; ASCII text in UTF-16 is also valid UTF-8, NULs and all)."""
    wide = _spelt_wide(data, word) if word is not None else None
    if data.startswith(_MARKS):
        wide = next(name for mark, name in _BYTE_ORDER_MARKS if data.startswith(mark))
    if wide is not None:
        raise YamlProblem(f"this file is {wide}, not UTF-8; aireg reads only UTF-8: save the "
                          "file as UTF-8")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        column = len(before[line_start:].decode("utf-8", errors="replace")) + 1
        raise YamlProblem(
            f"byte 0x{data[error.start]:02x} is not UTF-8; save the file as UTF-8",
            line, column,
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def _expanded_size(root: Node) -> int:
    """How many values the document holds once every alias is expanded."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise YamlProblem("a YAML alias refers to itself; write the value out",
                              node.start_mark.line + 1, node.start_mark.column + 1)
        active.add(key)
        total = 1
        if isinstance(node, SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        active.discard(key)
        sizes[key] = total
        if total > MAX_EXPANDED_VALUES:
            raise YamlProblem(
                f"YAML aliases expand this document to more than {MAX_EXPANDED_VALUES:,} values; "
                "aireg does not expand aliases that far: write the values out",
                node.start_mark.line + 1, node.start_mark.column + 1,
            )
        return total

    size(root)
    return sizes[id(root)]


# libyaml's words for common slips, and what to do about each.
_HINTS = {
    "mapping values are not allowed in this context":
        "a `: ` where YAML expects no key: quote the value, or fix the indentation",
    "did not find expected key": "check the indentation of this line",
    "found unexpected end of stream": "a quote or bracket is not closed",
}


def _problem(error: yaml.MarkedYAMLError, text: str) -> YamlProblem:
    mark = error.problem_mark or error.context_mark
    problem = error.problem or "invalid YAML"
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    if isinstance(error, ConstructorError):
        return YamlProblem(problem, line, column)
    if mark is not None and problem.startswith("found character") and \
            text[mark.index : mark.index + 1] == "\t":
        return YamlProblem("invalid YAML: a tab character; YAML indents with spaces only",
                           line, column)
    message = f"invalid YAML: {problem}"
    if error.context:
        message += f" ({error.context})"
    hint = _HINTS.get(problem)
    return YamlProblem(f"{message}; {hint}" if hint else message, line, column)


def _unprintable(error: ReaderError, text: str) -> YamlProblem:
    """A character YAML does not allow (NUL, another control character). The reader's
    error is not a marked one: it has an offset of its own, in bytes of the UTF-8 text
    libyaml was given."""
    before = text.encode("utf-8")[: error.position].decode("utf-8", "replace")
    code = error.character if isinstance(error.character, int) else ord(error.character)
    escape = f"\\x{code:02X}" if code <= 0xFF else f"\\u{code:04X}"
    return YamlProblem(
        f"invalid YAML: character U+{code:04X} is not allowed in YAML; delete it, or write it "
        f"as `{escape}` inside a double-quoted string",
        before.count("\n") + 1, len(before) - before.rfind("\n"))


def load_documents(text: str) -> tuple[list[Any], list[YamlProblem]]:
    """Every document of a YAML stream, and the problems met reading it.

    A document whose values cannot be built (a duplicate key, an impossible date, an alias
    bomb) is None in the list and the next one is still read; a syntax error ends the stream,
    keeping the documents before it. Indexes match the documents' order in the file.
    """
    documents: list[Any] = []
    problems: list[YamlProblem] = []
    has_anchors = "&" in text
    loader = _Loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                break
            try:
                if has_anchors:  # an alias needs an anchor: most files have neither
                    _expanded_size(node)
                try:
                    documents.append(_build(loader, node))
                except _Unusual:
                    documents.append(loader.construct_document(node))
            except (ConstructorError, YamlProblem) as error:
                problems.append(error if isinstance(error, YamlProblem) else
                                _problem(error, text))
                documents.append(None)
                loader.constructed_objects = {}
                loader.recursive_objects = {}
                loader.state_generators = []
    except yaml.MarkedYAMLError as error:
        problems.append(_problem(error, text))
    except ReaderError as error:
        problems.append(_unprintable(error, text))
    except RecursionError:
        problems.append(YamlProblem("the document nests too deeply to read"))
    finally:
        loader.dispose()
    return documents, problems


@dataclass(frozen=True)
class Position:
    line: int
    column: int


class Located:
    """The composed node trees of one file, for turning key paths into positions."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines()
        self.roots: list[Node] = []
        # Each mapping's keys, indexed when first walked through: a file with thousands of
        # findings in one mapping would otherwise scan it once for each.
        self._keys: dict[int, dict[str, tuple[Node, Node]]] = {}
        try:
            for root in yaml.compose_all(text, Loader=yaml.CSafeLoader):
                self.roots.append(root)
        except yaml.YAMLError:
            pass  # the documents before a syntax error keep their positions

    def position(
        self, doc: int, keys: tuple[str | int, ...], on_key: bool = False,
        text_line: int | None = None, text_hint: str | None = None,
    ) -> Position:
        if doc >= len(self.roots):
            return Position(1, 1)
        node: Node = self.roots[doc]
        key_node: Node | None = None
        for key in keys:
            child = self._child(node, key)
            if child is None:
                # The path ends here (a missing field): point at what holds it.
                return _mark(key_node if on_key and key_node is not None else node)
            key_node, node = child
        if on_key and key_node is not None:
            return _mark(key_node)
        if text_line is not None and isinstance(node, ScalarNode):
            return self._text_position(node, text_line, text_hint)
        return _mark(node)

    def document_text(self, doc: int) -> str:
        """The source text of one document, comments inside it included."""
        node = self.roots[doc]
        start = node.start_mark.index - node.start_mark.column
        text = self.text[start : node.end_mark.index].rstrip("\n")
        return text + "\n"

    def _child(self, node: Node, key: str | int) -> tuple[Node, Node] | None:
        """(key node, value node) of a mapping's key (the first, if written twice), or the
        item of a sequence."""
        if isinstance(node, MappingNode):
            index = self._keys.get(id(node))
            if index is None:
                index = self._keys[id(node)] = {}
                for key_node, value_node in node.value:
                    if isinstance(key_node, ScalarNode):
                        index.setdefault(key_node.value, (key_node, value_node))
            return index.get(str(key))
        if isinstance(node, SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
            item: Node = node.value[key]
            return item, item
        return None

    def _text_position(self, node: ScalarNode, text_line: int, hint: str | None) -> Position:
        """A line of a string value, as a place in the file.

        Literal blocks (`|`) keep lines one to one. Folded and quoted strings do not, so
        there the value's own lines are searched for where `hint` (a name) is used, and
        the value's start stands in when nothing is found.
        """
        mark, end = node.start_mark, node.end_mark
        if node.style == "|":
            line = mark.line + 1 + text_line
            source = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
            found = used_at([source], hint) if hint else None
            column = found[1] if found else len(source) - len(source.lstrip(" ")) + 1
            return Position(line, column)
        if hint:
            found = used_at(self.lines[mark.line : end.line + 1], hint)
            if found:
                return Position(mark.line + 1 + found[0], found[1])
        return _mark(node)


def used_at(lines: list[str], name: str) -> tuple[int, int] | None:
    """The first (0-based line, 1-based column) where `name` is used in a Jinja2 tag."""
    pattern = re.compile(r"\{[{%][^}]*?(?<![\w.])(" + re.escape(name) + r")(?!\w)")
    for index, text in enumerate(lines):
        match = pattern.search(text)
        if match:
            return index, match.start(1) + 1
    return None


def _mark(node: Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)
