"""PEFT `adapter_config.json` -> an Adapter and the Model pin of its base.

PEFT writes the config with `save_pretrained` (LoraConfig and its siblings): the base
model's repo id or path (`base_model_name_or_path`, with `revision`), `peft_type` (LORA,
ADALORA, IA3, PREFIX_TUNING, ...), and for LoRA the rank `r`, `lora_alpha` and
`target_modules`. The adapter is named after its folder, as `check --scan` matches it.
"""

from __future__ import annotations

import posixpath
from typing import Any

from ..scan import ConfigError, key_position, read_json
from . import Context, Draft, Source, ambiguous, base_pin, name_of, problem

# peft_type -> Adapter method; use_dora on a LoRA config makes it DoRA.
METHODS = {"LORA": "lora", "ADALORA": "lora", "PREFIX_TUNING": "prefix-tuning",
           "P_TUNING": "prefix-tuning", "PROMPT_TUNING": "prefix-tuning"}
# task_type -> the base model's task.
TASKS = {"CAUSAL_LM": "text-generation", "SEQ_2_SEQ_LM": "text-generation",
         "SEQ_CLS": "classification", "TOKEN_CLS": "classification",
         "FEATURE_EXTRACTION": "embedding", "QUESTION_ANS": "other"}
HYPERPARAMETERS = (("r", "rank"), ("lora_alpha", "alpha"), ("lora_dropout", "dropout"))


def read(source: Source, context: Context) -> list[Draft]:
    try:
        data = read_json(source.text)
    except ConfigError as error:
        raise problem(source, f"this adapter_config.json is {error.message}; fix it (PEFT "
                      "writes it with save_pretrained) and import again", error.line,
                      error.column) from None
    if not isinstance(data, dict):
        raise problem(source, "adapter_config.json must be a JSON object, as PEFT's "
                      "save_pretrained writes it")
    base = data.get("base_model_name_or_path")
    if not isinstance(base, str) or not base.strip():
        line, column = _at(source, data, "base_model_name_or_path")
        raise problem(source, "base_model_name_or_path is missing or empty, so the adapter's "
                      "base model is unknown; write the base model's repo id there (such as "
                      "meta-llama/Meta-Llama-3-8B-Instruct)", line, column)
    if base.startswith(("/", "./", "../", "~")) or "\\" in base or base.count("/") > 1:
        line, column = _at(source, data, "base_model_name_or_path")
        raise problem(source, f"base_model_name_or_path `{base}` is a local path, not a repo "
                      "id, so aireg cannot tell which model it is; write the base model's "
                      "Hugging Face repo id there and import again", line, column)
    peft_type = str(data.get("peft_type", "")).upper()
    method = "dora" if peft_type == "LORA" and data.get("use_dora") is True \
        else METHODS.get(peft_type)
    if method is None:
        line, column = _at(source, data, "peft_type")
        context.findings.append(ambiguous(
            source, f"peft_type `{data.get('peft_type')}` has no matching adapter method; "
            "method is written as `other`: set it by hand if another fits", line, column))
        method = "other"
    revision = data.get("revision") if isinstance(data.get("revision"), str) else None
    folder = posixpath.basename(posixpath.dirname(source.path)) or "adapter"
    fields: dict[str, Any] = {"spec.provider": "huggingface", "spec.modelId": base}
    if revision:
        fields["spec.revision"] = revision
    task = TASKS.get(str(data.get("task_type", "")).upper())
    if task:
        fields["spec.task"] = task
    fields["spec.hosting"] = "self-hosted"
    model, pin = base_pin(source, context, base, fields)
    drafts = [pin] if pin is not None else []
    hyper: dict[str, Any] = {}
    for key, label in HYPERPARAMETERS:
        value = data.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            hyper[label] = value
    modules = data.get("target_modules")
    if isinstance(modules, list) and all(isinstance(m, str) for m in modules):
        hyper["targetModules"] = ",".join(sorted(modules))
    elif isinstance(modules, str):
        hyper["targetModules"] = modules
    adapter: dict[str, Any] = {"spec.baseModel": f"model/{model}", "spec.method": method}
    if hyper:
        adapter["spec.hyperparameters"] = hyper
    adapter["spec.artifact"] = {"uri": posixpath.dirname(source.path) + "/"}
    drafts.append(Draft("Adapter", name_of(folder), adapter))
    return drafts


def _at(source: Source, data: dict[str, Any], key: str) -> tuple[int, int]:
    return key_position(source.text, key) if key in data else (1, 1)
