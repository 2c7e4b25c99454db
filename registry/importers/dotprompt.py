"""Dotprompt `.prompt` files (Genkit) -> Prompt declarations.

A Dotprompt file is YAML front matter (`model`, `config`, `input.schema` in Picoschema,
`output`, `tools`, `description`) and a Handlebars template. The prompt is named after its
`name` or its file (`greeting.prompt` -> greeting; a partial `_style.prompt` -> style), its
variables are the input schema's fields, and partials (`{{> style}}`) become includes. The
template language is recorded as `handlebars`: aireg does not parse it as Jinja2.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from . import Context, Draft, Source, ambiguous, front_matter, line_of, name_of, no_pin

# Genkit's model prefixes -> aireg providers.
PROVIDERS = {"googleai": "google", "vertexai": "vertex-ai", "openai": "openai",
             "anthropic": "anthropic", "mistral": "mistral", "cohere": "cohere",
             "azureopenai": "azure-openai", "bedrock": "bedrock", "ollama": "self-hosted"}
_PARTIAL = re.compile(r"\{\{>\s*([A-Za-z0-9_.-]+)")


def read(source: Source, context: Context) -> list[Draft]:
    data, body, _ = front_matter(source, "Dotprompt file")
    stem = posixpath.basename(source.path).rsplit(".", 1)[0].split(".")[0]
    name = name_of(str(data.get("name") or stem.lstrip("_")))
    fields: dict[str, Any] = {}
    if isinstance(data.get("description"), str):
        fields["metadata.description"] = data["description"]
    fields["spec.template"] = body
    fields["spec.templateLanguage"] = "handlebars"
    variables = picoschema_fields(data.get("input"))
    if variables:
        fields["spec.variables"] = variables
    from .promptfoo import _range

    includes = [f"prompt/{name_of(p)}{_range(context, name_of(p))}"
                for p in sorted(set(_PARTIAL.findall(body)))]
    if includes:
        fields["spec.includes"] = includes
    model = data.get("model")
    if isinstance(model, str):
        ref = model_ref(source, context, model, r"^model:")
        if ref:
            fields["spec.model"] = ref
    return [Draft("Prompt", name, fields)]


def picoschema_fields(found: Any) -> list[str]:
    """The field names of a Dotprompt input schema (Picoschema `name?: type, description`,
    or JSON Schema `properties`)."""
    if not isinstance(found, dict):
        return []
    schema = found.get("schema")
    if isinstance(schema, dict) and isinstance(schema.get("properties"), dict):
        schema = schema["properties"]
    if not isinstance(schema, dict):
        return []
    names = {re.split(r"[?(\s]", str(key), maxsplit=1)[0] for key in schema}
    return sorted(n for n in names if n)


def model_ref(source: Source, context: Context, model: str, pattern: str) -> str | None:
    """`model/<name>` of the declared pin of a `provider/id` model, or None with a finding."""
    prefix, _, model_id = model.partition("/")
    provider = PROVIDERS.get(prefix) if model_id else None
    if provider is None:
        line, column = line_of(source.text, pattern)
        context.findings.append(ambiguous(
            source, f"model `{model}` names no provider aireg knows (such as googleai/, "
            "openai/, anthropic/); spec.model is left out: set it by hand", line, column))
        return None
    named = context.model_named(provider, model_id)
    if named is None:
        no_pin(source, context, model, provider, model_id, pattern)
        return None
    return f"model/{named}"
