"""JSON with positions: where each value (and each key) of a JSON document is, 1-based.

The standard library parses JSON and says where a syntax error is, but not where a valid
document's values are; findings about an observed-state file need `path:line:column`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

Keys = tuple[str | int, ...]
_SPACE = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")
MAX_DEPTH = 64


class JsonProblem(ValueError):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


@dataclass
class Positioned:
    value: Any
    text: str
    values: dict[Keys, int] = field(default_factory=dict)  # keys -> offset of the value
    names: dict[Keys, int] = field(default_factory=dict)  # keys -> offset of the key

    def position(self, keys: Keys, on_key: bool = False) -> tuple[int, int]:
        """(line, column) of the value at `keys`, or of its key; the nearest enclosing
        value when there is none (a missing field is reported at its object)."""
        while True:
            found = (self.names if on_key and keys else self.values).get(keys)
            if found is not None:
                return _line_column(self.text, found)
            if not keys:
                return 1, 1
            keys, on_key = keys[:-1], False


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def parse(text: str) -> Positioned:
    """The document and its positions, or a JsonProblem at the first syntax error (also for
    a key given twice in one object, which json.loads would let pass)."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, item in items:
            if key in out:
                raise _Duplicate(key)
            out[key] = item
        return out

    def constant(name: str) -> Any:
        raise _Constant(name)

    try:
        value = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as error:
        raise JsonProblem(f"not valid JSON: {error.msg}", error.lineno, error.colno) from None
    except _Duplicate as error:
        first = text.find(json.dumps(error.key))
        offset = text.find(json.dumps(error.key), first + 1)
        line, column = _line_column(text, max(offset, 0))
        raise JsonProblem(f"key `{error.key}` is given twice in one object; keep one",
                          line, column) from None
    except _Constant as error:
        offset = text.find(error.name)
        raise JsonProblem(f"not valid JSON: `{error.name}` is not a JSON number",
                          *_line_column(text, max(offset, 0))) from None
    except RecursionError:
        raise JsonProblem("not valid JSON: nested too deeply", 1, 1) from None
    found = Positioned(value, text)
    _scan(text, 0, (), found, 0)
    return found


class _Constant(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


class _Duplicate(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _skip(text: str, at: int) -> int:
    match = _SPACE.match(text, at)
    assert match is not None
    return match.end()


def _scan(text: str, at: int, keys: Keys, found: Positioned, depth: int) -> int:
    """Record the value starting at `at` (after blanks), return the offset after it. The
    text is valid JSON, so the scan only needs to find where things are."""
    at = _skip(text, at)
    found.values[keys] = at
    if depth > MAX_DEPTH:
        raise JsonProblem("nested too deeply", *_line_column(text, at))
    char = text[at]
    if char == "{":
        at = _skip(text, at + 1)
        while text[at] != "}":
            name = _STRING.match(text, at)
            assert name is not None
            key = json.loads(name[0])
            found.names[(*keys, key)] = at
            at = _skip(text, name.end()) + 1  # past the colon
            at = _skip(text, _scan(text, at, (*keys, key), found, depth + 1))
            if text[at] == ",":
                at = _skip(text, at + 1)
        return at + 1
    if char == "[":
        at = _skip(text, at + 1)
        index = 0
        while text[at] != "]":
            at = _skip(text, _scan(text, at, (*keys, index), found, depth + 1))
            index += 1
            if text[at] == ",":
                at = _skip(text, at + 1)
        return at + 1
    match = _STRING.match(text, at) if char == '"' else _SCALAR.match(text, at)
    assert match is not None
    return match.end()
