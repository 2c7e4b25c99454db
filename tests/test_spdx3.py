"""`aireg bom --format spdx3`: SPDX 3.0.1 JSON-LD with the AI and Dataset profiles.

The example registry's document against a golden file and the vendored official schema (checked
here with the `jsonschema` library, not aireg's own validator), read back with
spdx-python-model, each mapping checked against the declarations, and reproducibility."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from conftest import REPO_ROOT, GitRepo, Result, Run, check_golden
from spdx_python_model import v3_0_1 as spdx

TODAY = "2026-11-21"
SCHEMA = REPO_ROOT / "registry" / "data" / "spdx-3.0.1-schema.json"


@pytest.fixture
def spdx_at(aireg: Run) -> Callable[..., Result]:
    def run(root: Any, *args: str) -> Result:
        return aireg("-C", str(root), "--today", TODAY, "bom", "--format", "spdx3", *args)
    return run


def read(text: str) -> spdx.SHACLObjectSet:
    """The document as spdx-python-model reads it, after the official schema accepts it."""
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(json.loads(text))
    found = spdx.SHACLObjectSet()
    spdx.JSONLDDeserializer().read(io.BytesIO(text.encode("utf-8")), found)
    return found


def by_name(found: spdx.SHACLObjectSet, kind: type[Any]) -> dict[str, Any]:
    return {item.name: item for item in found.foreach_type(kind)}


def relations(found: spdx.SHACLObjectSet, kind: str) -> set[tuple[str, str]]:
    return {(r.from_.name, target.name) for r in found.foreach_type(spdx.Relationship)
            if str(r.relationshipType).endswith(f"/{kind}") for target in r.to}


def test_the_vendored_schema_is_the_one_recorded() -> None:
    digest = hashlib.sha256(SCHEMA.read_bytes()).hexdigest()
    readme = (SCHEMA.parent / "spdx-3.0.1-schema.README.md").read_text(encoding="utf-8")
    assert f"SHA-256 of this file: {digest}" in readme


def test_example_document_golden(request: pytest.FixtureRequest, acme_repo: GitRepo,
                                 spdx_at: Callable[..., Result]) -> None:
    result = spdx_at(acme_repo.root)
    assert (result.code, result.err) == (0, "")
    check_golden(request, "bom-acme.spdx3.json", result.out)
    assert spdx_at(acme_repo.root) == result  # the same commit, the same bytes


def test_example_document_maps_each_kind(acme_repo: GitRepo,
                                         spdx_at: Callable[..., Result]) -> None:
    found = read(spdx_at(acme_repo.root).out)
    models = by_name(found, spdx.ai_AIPackage)
    data = by_name(found, spdx.dataset_DatasetPackage)
    assert len(models) == 12  # 10 models, 2 adapters
    assert len(data) == 8
    adapter = models["ticket-classifier"]
    assert adapter.software_packageVersion == "1.2.0"
    assert adapter.software_packageUrl == "pkg:generic/aireg/acme/adapter/ticket-classifier@1.2.0"
    assert list(adapter.ai_typeOfModel) == ["llama", "LlamaForCausalLM+LoRA"]
    assert {e.key: e.value for e in adapter.ai_hyperparameter}["rank"] == "32"
    assert {e.key: e.value for e in adapter.ai_metric} == {
        "f1": "0.91", "accuracy": "0.93", "priority_macro_f1": "0.87"}
    assert adapter.ai_informationAboutTraining == "lora fine-tune, supervised learning"
    energy = adapter.ai_energyConsumption
    assert [e.ai_energyQuantity for e in energy.ai_finetuningEnergyConsumption] == [38.0]
    assert [e.ai_energyQuantity for e in energy.ai_inferenceEnergyConsumption] == [4.5]
    # Training and test data, the base model and a dataset's source.
    assert ("ticket-classifier", "support-tickets") in relations(found, "trainedOn")
    assert ("ticket-classifier", "support-golden") in relations(found, "testedOn")
    assert ("ticket-classifier", "llama-3-8b-instruct") in relations(found, "descendantOf")
    assert ("support-tickets", "raw-tickets") in relations(found, "descendantOf")
    # The sunset: declared, or from the known retirements.
    assert models["mistral-7b-instruct-v0.2"].validUntilTime.date().isoformat() == "2027-01-03"
    assert models["gpt-4-0613"].validUntilTime.date().isoformat() == "2026-10-23"
    assert models["gemini-3.5-flash"].validUntilTime is None
    # Confidentiality and personal data.
    tickets = data["support-tickets"]
    assert str(tickets.dataset_confidentialityLevel).endswith("/amber")
    assert str(tickets.dataset_hasSensitivePersonalInformation).endswith("/yes")
    assert models["bge-reranker-v2-m3"].software_packageUrl == (
        "pkg:huggingface/BAAI/bge-reranker-v2-m3@953dc6f6f85a1b2dbfca4c34a2796e7dde08d41e")
    packages = by_name(found, spdx.software_Package)
    assert packages["hubspot"].software_packageUrl == "pkg:npm/%40hubspot/mcp-server@0.4.0"
    assert str(packages["support-bot"].software_primaryPurpose).endswith("/application")


def test_a_feature_document_has_the_feature_as_its_root(
        acme_repo: GitRepo, spdx_at: Callable[..., Result], tmp_path: Any) -> None:
    output = tmp_path / "bot.spdx.json"
    result = spdx_at(acme_repo.root, "feature/support-bot", "-o", str(output))
    assert result.code == 0
    assert result.err.startswith(f"wrote {output} (")
    found = read(output.read_text(encoding="utf-8"))
    [document] = found.foreach_type(spdx.SpdxDocument)
    assert [e.name for e in document.rootElement] == ["support-bot"]
    assert "gpt-4-0613" not in by_name(found, spdx.ai_AIPackage)


def test_spdx_format_and_completeness_do_not_mix(acme_repo: GitRepo,
                                                 spdx_at: Callable[..., Result]) -> None:
    assert spdx_at(acme_repo.root, "--completeness") == Result(
        2, "", "aireg: error: --format spdx3 is a BOM format; --completeness takes text or "
               "json\n")
