"""Prompty `.prompty` files -> Prompt declarations.

A Prompty file is YAML front matter (`name`, `description`, `model` with `api`,
`configuration` and `parameters`, `inputs`, `sample`, `template`) and a template body with
`system:` / `user:` role lines. The template format is Jinja2 unless `template` says
`mustache`; the model is the Azure OpenAI deployment or the OpenAI model the configuration
names.
"""

from __future__ import annotations

import posixpath
from typing import Any

from . import Context, Draft, Source, ambiguous, front_matter, line_of, name_of, no_pin


def read(source: Source, context: Context) -> list[Draft]:
    data, body, _ = front_matter(source, "Prompty file")
    stem = posixpath.basename(source.path).rsplit(".", 1)[0]
    name = name_of(str(data.get("name") or stem))
    fields: dict[str, Any] = {}
    if isinstance(data.get("description"), str):
        fields["metadata.description"] = data["description"]
    fields["spec.template"] = body
    template = data.get("template")
    language = template.get("format") if isinstance(template, dict) else template
    if language not in (None, "jinja2"):
        if language != "mustache":
            line, column = line_of(source.text, r"^template:")
            context.findings.append(ambiguous(
                source, f"template format `{language}` is neither jinja2 nor mustache; it is "
                "recorded as mustache: check it", line, column))
        fields["spec.templateLanguage"] = "mustache"
    inputs = data.get("inputs") if isinstance(data.get("inputs"), dict) else data.get("sample")
    if isinstance(inputs, dict):
        fields["spec.variables"] = sorted(str(k) for k in inputs)
    ref = _model(source, context, data.get("model"))
    if ref:
        fields["spec.model"] = ref
    return [Draft("Prompt", name, fields)]


def _model(source: Source, context: Context, model: Any) -> str | None:
    config = model.get("configuration") if isinstance(model, dict) else None
    if not isinstance(config, dict):
        return None
    kind = str(config.get("type", ""))
    if kind in ("azure_openai", "azure"):
        provider = "azure-openai"
        model_id = config.get("azure_deployment") or config.get("name")
    elif kind == "openai":
        provider, model_id = "openai", config.get("name") or config.get("model")
    else:
        provider, model_id = "", None
    if not isinstance(model_id, str) or not model_id or model_id.startswith(("${", "<")):
        line, column = line_of(source.text, r"^\s*configuration:")
        context.findings.append(ambiguous(
            source, "the model configuration names no fixed deployment or model (an "
            "environment variable or none); spec.model is left out: set it by hand", line,
            column))
        return None
    named = context.model_named(provider, model_id)
    if named is None and provider == "azure-openai":
        named = next((d.name for d in context.catalog.of_kind("Model")
                      if d.model.spec.provider == provider and d.name == name_of(model_id)),
                     None)
    if named is None:
        no_pin(source, context, model_id, provider, model_id, r"^\s*(azure_deployment|name):")
        return None
    return f"model/{named}"
