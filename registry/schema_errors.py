"""pydantic's validation errors as findings: one per place, in the words of YAML, with the
field or value it most likely meant."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from . import kinds
from .findings import Finding, Pointer, finding
from .refs import suggest

_TYPE_NAMES = {
    "string_type": "a string", "int_type": "a whole number", "bool_type": "true or false",
    "float_type": "a number", "dict_type": "a mapping", "list_type": "a list",
    "model_type": "a mapping", "model_attributes_type": "a mapping", "date_type": "a day",
    "int_from_float": "a whole number",
}


def describe(value: Any) -> str:
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


def shape(value: Any) -> str:
    """What a YAML value is, in YAML's words."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return describe(value) if isinstance(value, dict | list) or value is None else "a value"


def _untagged(loc: Any) -> tuple[str | int, ...]:
    """A pydantic location without the tags of kinds' tagged unions (derivedFrom items)."""
    return tuple(part for part in loc if part not in kinds.UNION_TAGS)


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
                message = f"`{name}` must be one of {choices}; got {describe(value)}{hint}"
            elif kind == "string_pattern_mismatch":
                form = kinds.PATTERN_HELP.get(str(ctx.get("pattern")), "the expected form")
                message = f"`{name}` must be {form}; got {describe(value)}"
            elif kind in _TYPE_NAMES:
                got = f"the string `{value}`" if isinstance(value, str) else describe(value)
                message = f"`{name}` must be {_join_or(wanted[real])}, not {got}"
            else:
                message = f"`{name}`: {item['msg']}"
        if (where.keys, message) in seen:
            continue
        seen.add((where.keys, message))
        out.append(finding("schema", message, where))
    return out
