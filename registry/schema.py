"""JSON Schemas of every kind, of aireg.yaml, and of every `--format json` output."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from . import kinds
from .refs import KIND_TO_REF

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _document(schema: dict[str, Any], title: str, description: str) -> str:
    schema = {"$schema": DIALECT, "title": title, "description": description, **schema}
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def schemas() -> dict[str, str]:
    """File name (relative to the schemas folder) -> schema text."""
    from .render.json import OUTPUTS
    from .render.scan_out import ScanOut

    out: dict[str, str] = {}
    for name, cls in kinds.KINDS.items():
        out[f"{KIND_TO_REF[name]}.schema.json"] = _document(
            cls.model_json_schema(), f"aireg {name}", f"An aireg/v1 {name} declaration.")
    out["declaration.schema.json"] = _document(
        declaration_schema(), "aireg declaration",
        "Any aireg/v1 declaration, chosen by `kind` (for YAML editors).")
    out["registry.schema.json"] = _document(
        kinds.RegistryConfig.model_json_schema(), "aireg registry settings",
        "The aireg.yaml file at the root of a registry.")
    outputs: dict[str, type[BaseModel]] = {**OUTPUTS, "scan": ScanOut}
    for command, model in outputs.items():
        out[f"output/{command}.schema.json"] = _output(model, command)
    return out


def declaration_schema() -> dict[str, Any]:
    """Every kind's schema, chosen by `kind` with if/then: a validator then checks a document
    against the kind it names only, so its errors are about that kind (a oneOf would report
    every other kind's branch failing too; OpenAPI's `discriminator` is not JSON Schema, and
    editors ignore it)."""
    _, shared = models_json_schema([(cls, "validation") for cls in kinds.KINDS.values()],
                                   ref_template="#/$defs/{model}")
    choices = [{"if": {"properties": {"kind": {"const": name}}, "required": ["kind"]},
                "then": {"$ref": f"#/$defs/{cls.__name__}"}}
               for name, cls in kinds.KINDS.items()]
    return {
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"enum": list(kinds.KINDS), "description": kinds.KIND_HELP}},
        "allOf": choices,
        "$defs": shared["$defs"],
    }


# Outputs that are not simply `aireg COMMAND --format json`.
_INVOCATIONS = {"impact-base": "aireg impact --base REF --format json",
                "bom-completeness": "aireg bom --completeness --format json"}


def _output(model: type[BaseModel], command: str) -> str:
    invocation = _INVOCATIONS.get(command, f"aireg {command} --format json")
    return _document(model.model_json_schema(mode="serialization"), f"aireg {command} output",
                     f"The output of `{invocation}`.")
