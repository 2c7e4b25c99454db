"""Hugging Face model card front matter (a repo's README.md) -> Model or Adapter, Datasets.

The card metadata the Hub documents: `base_model` (a repo id, or a list for merges),
`base_model_relation` (adapter | merge | quantized | finetune), `datasets`, `license`,
`pipeline_tag`, `library_name`, and `model-index` with each result's metrics. A card with a
base model it was trained from (an adapter or a fine-tune) is an Adapter with that base; a
quantized or merged model, or one with no base, is a Model pin.
"""

from __future__ import annotations

import posixpath
from typing import Any

from . import (
    Context,
    Draft,
    Source,
    ambiguous,
    base_pin,
    front_matter,
    line_of,
    name_of,
    problem,
)

# pipeline_tag -> Model task.
TASKS = {"text-generation": "text-generation", "text2text-generation": "text-generation",
         "conversational": "chat", "feature-extraction": "embedding",
         "sentence-similarity": "embedding", "text-classification": "classification",
         "token-classification": "classification", "zero-shot-classification":
         "classification", "text-to-image": "image-generation",
         "automatic-speech-recognition": "speech", "text-to-speech": "speech",
         "text-ranking": "reranking"}


def read(source: Source, context: Context) -> list[Draft]:
    data, _, _ = front_matter(source, "model card")
    folder = posixpath.basename(posixpath.dirname(source.path))
    index = data.get("model-index")
    named = index[0].get("name") if isinstance(index, list) and index and isinstance(
        index[0], dict) else None
    repo = named if isinstance(named, str) and named else folder
    if not repo:
        raise problem(source, "the card names no model (no model-index name) and sits in no "
                      "folder to name it after; add `model-index: [{name: ...}]`")
    name = name_of(repo.rsplit("/", 1)[-1])
    base = data.get("base_model")
    relation = data.get("base_model_relation")
    if isinstance(base, list):
        if len(base) == 1:
            base = base[0]
        elif relation != "merge":
            line, column = line_of(source.text, r"^base_model:")
            raise problem(source, f"base_model lists {len(base)} models and "
                          "base_model_relation is not `merge`, so aireg cannot tell which one "
                          "this model was trained from; keep one, or set base_model_relation",
                          line, column)
    drafts: list[Draft] = []
    datasets = _datasets(source, data, context, drafts)
    license_id = data.get("license") if isinstance(data.get("license"), str) else None
    metrics = _metrics(index)
    trained = isinstance(base, str) and relation in (None, "adapter", "finetune")
    if trained:
        assert isinstance(base, str)
        model, pin = base_pin(source, context, base, {"spec.provider": "huggingface",
                                                      "spec.modelId": base,
                                                      "spec.hosting": "self-hosted"})
        if pin is not None:
            drafts.append(pin)
        method = "full-finetune" if relation == "finetune" else (
            "lora" if relation == "adapter" or data.get("library_name") == "peft" else None)
        if method is None:
            line, column = line_of(source.text, r"^base_model:")
            context.findings.append(ambiguous(
                source, "the card has a base_model but no base_model_relation and is no PEFT "
                "card, so the method is unknown; written as `other`: set base_model_relation "
                "(adapter or finetune) or spec.method", line, column))
            method = "other"
        fields: dict[str, Any] = {"spec.baseModel": f"model/{model}", "spec.method": method}
        if datasets:
            fields["spec.datasets"] = [f"dataset/{d}@^1" for d in datasets]
        if metrics:
            fields["spec.metrics"] = metrics
        fields["spec.artifact"] = {"uri": f"https://huggingface.co/{repo}"
                                   if "/" in repo else posixpath.dirname(source.path) + "/"}
        drafts.append(Draft("Adapter", name, fields))
        return drafts
    fields = {"spec.provider": "huggingface", "spec.modelId": repo}
    task = TASKS.get(str(data.get("pipeline_tag")))
    if task:
        fields["spec.task"] = task
    fields["spec.hosting"] = "self-hosted"
    if license_id:
        fields["spec.license"] = _license(license_id, data)
    if metrics:
        line, column = line_of(source.text, r"^model-index:")
        context.findings.append(ambiguous(
            source, "a Model pin has no metrics field, so the model-index metrics are not "
            "imported; they belong to an Adapter (a card with base_model)", line, column))
    drafts.append(Draft("Model", name, fields))
    return drafts


def _license(license_id: str, data: dict[str, Any]) -> str:
    if license_id == "other":
        named = data.get("license_name")
        return f"LicenseRef-{named}" if isinstance(named, str) else "NOASSERTION"
    return {"apache-2.0": "Apache-2.0", "mit": "MIT", "llama3": "LicenseRef-llama3",
            "llama3.1": "LicenseRef-llama3.1", "gemma": "LicenseRef-gemma",
            "cc-by-4.0": "CC-BY-4.0", "cc-by-sa-4.0": "CC-BY-SA-4.0",
            "openrail": "LicenseRef-openrail", "bsd-3-clause": "BSD-3-Clause",
            "gpl-3.0": "GPL-3.0-only"}.get(license_id, license_id)


def _datasets(source: Source, data: dict[str, Any], context: Context,
              drafts: list[Draft]) -> list[str]:
    found = data.get("datasets")
    if found is None:
        return []
    if isinstance(found, str):
        found = [found]
    if not isinstance(found, list) or not all(isinstance(d, str) for d in found):
        line, column = line_of(source.text, r"^datasets:")
        context.findings.append(ambiguous(
            source, "datasets must be a list of dataset repo ids; they are not imported",
            line, column))
        return []
    names = [name_of(repo.rsplit("/", 1)[-1]) for repo in found]
    context.holds.append((source.path, "Dataset", frozenset(names),
                          f"{source.path} no longer lists it"))
    mine = context.imported_from(source.path, "Dataset")
    for repo, name in zip(found, names, strict=True):
        declared = [d for d in context.catalog.of_kind("Dataset") if d.name == name]
        if not declared or name in mine:  # a new one, or the one this card's import wrote
            drafts.append(Draft("Dataset", name, {"spec.source": {
                "uri": f"https://huggingface.co/datasets/{repo}"}}))
    return names


def _metrics(index: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not isinstance(index, list):
        return out
    for model in index:
        for result in (model.get("results") or []) if isinstance(model, dict) else []:
            for metric in (result.get("metrics") or []) if isinstance(result, dict) else []:
                if not isinstance(metric, dict):
                    continue
                value = metric.get("value")
                key = metric.get("type") or metric.get("name")
                if isinstance(key, str) and isinstance(value, int | float | str) \
                        and not isinstance(value, bool):
                    out[name_of(key)] = value
    return out
