"""The generated parts of the user reference in docs/: every kind and field of the declaration
format (from the models' descriptions, the same text editors show from schemas/), every rule,
and each command's output formats. `python scripts/docs.py` writes them; a test fails when
docs/ is stale."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from . import kinds
from .findings import RULE_HELP, RULES

GENERATED = ("<!-- Generated from registry/kinds.py by `python scripts/docs.py`; edit the "
             "descriptions there. -->")


def _model_schema(cls: type[BaseModel]) -> dict[str, Any]:
    schema: dict[str, Any] = cls.model_json_schema()
    return schema


def _type(prop: dict[str, Any]) -> str:
    """A property's type in words."""
    if "anyOf" in prop:
        options = [_type(option) for option in prop["anyOf"] if option.get("type") != "null"]
        return " or ".join(dict.fromkeys(options))
    if "$ref" in prop:
        return f"[{prop['$ref'].rsplit('/', 1)[-1]}](#{prop['$ref'].rsplit('/', 1)[-1].lower()})"
    if "const" in prop:
        return f"`{prop['const']}`"
    if "enum" in prop:
        return "one of " + ", ".join(f"`{value}`" for value in prop["enum"])
    kind = prop.get("type")
    if kind == "array":
        return f"list of {_type(prop.get('items', {}))}"
    if kind == "object":
        values = prop.get("additionalProperties")
        return f"mapping of string to {_type(values)}" if isinstance(values, dict) else "mapping"
    if kind == "string" and prop.get("format") == "date":
        return "day (YYYY-MM-DD)"
    words = {"string": "string", "integer": "whole number", "number": "number",
             "boolean": "boolean"}
    if kind in words:
        return words[kind]
    return "any value"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(cls: type[BaseModel]) -> list[str]:
    schema = _model_schema(cls)
    required = set(schema.get("required", []))
    lines = ["| field | type | required / default | what it holds |", "|---|---|---|---|"]
    for name, prop in schema.get("properties", {}).items():
        if name in required:
            need = "required"
        elif "default" in prop and prop["default"] not in (None, [], {}):
            need = f"default `{json.dumps(prop['default'])}`"
        else:
            need = "optional"
        lines.append(f"| `{name}` | {_cell(_type(prop))} | {need} | "
                     f"{_cell(prop.get('description', ''))} |")
    return lines


def _section(level: str, cls: type[BaseModel], intro: str = "") -> list[str]:
    lines = [f"{level} {cls.__name__}", ""]
    if intro:
        lines += [intro, ""]
    return [*lines, *_table(cls), ""]


# Each kind with the models its spec holds (in the order they appear).
_KIND_PARTS: dict[str, tuple[type[BaseModel], ...]] = {
    "Model": (kinds.ModelSpec,),
    "Prompt": (kinds.PromptSpec,),
    "Adapter": (kinds.AdapterSpec, kinds.Artifact),
    "Dataset": (kinds.DatasetSpec, kinds.DataSource, kinds.Retention, kinds.DerivedStep,
                kinds.Consent),
    "McpServer": (kinds.McpServerSpec, kinds.Package, kinds.Tool),
    "Feature": (kinds.FeatureSpec,),
    "Eval": (kinds.EvalSpec,),
    "Team": (kinds.TeamSpec,),
    "Environment": (kinds.EnvironmentSpec, kinds.EnvironmentMetadata),
    "VectorIndex": (kinds.VectorIndexSpec, kinds.Store),
    "Revocation": (kinds.RevocationSpec, kinds.ListFile),
}


def declarations_md() -> str:
    """docs/declarations.md: aireg.yaml, the envelope, and every kind, field by field."""
    missing = sorted(set(kinds.KINDS) - set(_KIND_PARTS))
    if missing:
        raise AssertionError(f"add {', '.join(missing)} to reference._KIND_PARTS")
    lines = [
        "# Declarations", "", GENERATED, "",
        "Every declaration is a YAML document with the same envelope: `apiVersion`, `kind`, "
        "`metadata` and `spec`. A file may hold several documents separated by `---`; a "
        "document whose `apiVersion` does not start with `aireg/` is not a declaration and "
        "is skipped. Unknown fields are errors everywhere. The same descriptions are in the "
        "JSON Schemas in `schemas/`, which editors show as hover help.", "",
        "## aireg.yaml", "",
        "The registry's settings, in `aireg.yaml` at the registry root.", "",
    ]
    settings: tuple[type[BaseModel], ...] = (kinds.RegistryConfig, kinds.RegistryMetadata,
                                            kinds.RegistrySpec, kinds.Policy)
    for part in settings:
        lines += _section("###", part)
    lines += ["## The envelope", ""]
    versioned = ", ".join(sorted(kinds.VERSIONED))
    lines += _section("###", kinds.Metadata, "The metadata of Model and Feature, whose "
                      "version is optional.")
    lines += _section("###", kinds.VersionedMetadata, f"The metadata of {versioned}: the "
                      "same fields as Metadata, with `version` required.")
    lines += _section("###", kinds.TeamMetadata, "The metadata of a Team: no version and no "
                      "owner.")
    lines += _section("###", kinds.RevocationMetadata, "The metadata of a Revocation: an "
                      "owner, and no version.")
    lines += _section("###", kinds.Deprecation)
    lines += ["## Kinds", ""]
    for name, kind in kinds.KINDS.items():
        lines += _section("###", kind)
        for part in _KIND_PARTS[name]:
            lines += _section("####", part)
    return "\n".join(lines).rstrip() + "\n"


def rules_md() -> str:
    """The rule table of docs/rules.md."""
    lines = ["| rule | default severity | what it means |", "|---|---|---|"]
    lines += [f"| `{rule}` | {severity.value} | {_cell(RULE_HELP[rule])} |"
              for rule, severity in RULES.items()]
    return "\n".join(lines) + "\n"


def ref_fields_md() -> str:
    """The table of docs/references.md: each field that holds refs, what it accepts, and
    the edge it makes."""
    from .catalog import ANY_USABLE, REF_FIELDS

    lines = ["| kind | field | accepts | edge label |", "|---|---|---|---|"]
    for kind, fields in REF_FIELDS.items():
        for field in fields:
            accepts = ("any kind but team" if field.accepts == ANY_USABLE
                       else ", ".join(f"`{k}/...`" for k in sorted(field.accepts)))
            what = "a list of refs" if field.many else "one ref"
            lines.append(f"| {kind} | `{'.'.join(field.keys)}` ({what}) | {accepts} | "
                         f"`{field.label}` |")
    return "\n".join(lines) + "\n"


def formats_md(formats: dict[str, tuple[str, ...]]) -> str:
    """The format table of docs/outputs.md: each command's formats, its default first."""
    lines = ["| command | formats (the first is the default) |", "|---|---|"]
    lines += [f"| `aireg {command}` | {', '.join(f'`{f}`' for f in names)} |"
              for command, names in formats.items()]
    return "\n".join(lines) + "\n"


def between(text: str, name: str) -> tuple[str, str, str]:
    """A document split around its generated block `name` (between `<!-- begin NAME -->`
    and `<!-- end NAME -->`): before, the block, after."""
    begin, end = f"<!-- begin {name} -->\n", f"<!-- end {name} -->"
    start = text.index(begin) + len(begin)
    stop = text.index(end, start)
    return text[:start], text[start:stop], text[stop:]
