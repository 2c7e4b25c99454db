"""How complete a BOM is, scored against two published field lists, per component.

- The OWASP AIBOM Generator's field registry: 29 fields in five weighted categories, scored
  for each machine-learning model (Model and Adapter) as that generator scores a model's BOM.
- The CycloneDX ML-BOM guide's fields for a model component and a data component.

The lists, their sources and licenses are in `data/aibom-fields.json`. What is ours is where
aireg writes each field in its BOM (the checks below read the BOM itself, so the score says what
a reader of the BOM finds) and which declaration key fills it. A field no declaration key can
fill is still scored for OWASP, whose list is fixed, and named with no key; the CycloneDX list
expects of a kind only what a key of that kind can fill.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import kinds
from .decl import Decl

Json = dict[str, Any]
Check = Callable[[Json, Decl], bool]
DATA = Path(__file__).parent / "data" / "aibom-fields.json"
ALWAYS = "(aireg writes it)"


@functools.cache
def field_lists() -> Json:
    loaded: Json = json.loads(DATA.read_text(encoding="utf-8"))
    return loaded


def _get(item: Any, steps: tuple[str, ...]) -> Any:
    for step in steps:
        if isinstance(item, list):
            item = item[0] if item else None
        if not isinstance(item, dict):
            return None
        item = item.get(step)
    return item


def _has(path: str) -> Check:
    steps = tuple(path.split("."))
    return lambda component, decl: _get(component, steps) not in (None, [], {}, "")


def _card_has(path: str) -> Check:
    return _has(f"modelCard.{path}")


def _supplied(component: Json, decl: Decl) -> bool:
    name = _get(component, ("supplier", "name"))
    return name not in (None, "other", "self-hosted")


def _licensed(component: Json, decl: Decl) -> bool:
    found = component.get("licenses") or []
    return bool(found) and all(_get(item, ("license", "name")) != "NOASSERTION" and
                               _get(item, ("license", "id")) != "NOASSERTION" for item in found)


def _card_property(prefix: str) -> Check:
    return lambda component, decl: any(
        p["name"].startswith(prefix)
        for p in _get(component, ("modelCard", "properties")) or [])


def _trained(component: Json, decl: Decl) -> bool:
    spec = decl.model.spec
    return isinstance(spec, kinds.AdapterSpec) and (spec.approach is not None
                                                    or bool(spec.datasets))


def _personal_data_known(project_decls: dict[str, Decl]) -> Check:
    def check(component: Json, decl: Decl) -> bool:
        spec = decl.model.spec
        if not isinstance(spec, kinds.AdapterSpec):
            return False
        # The datasets the card lists: `<adapter>#<role>/<dataset id>`.
        refs = [d["bom-ref"].split("#", 1)[1].split("/", 1)[1]
                for d in _get(component, ("modelCard", "modelParameters", "datasets")) or []]
        data = [project_decls.get(ref) for ref in refs]
        return bool(data) and all(
            d is not None and isinstance(d.model.spec, kinds.DatasetSpec)
            and d.model.spec.personalData is not None for d in data)
    return check


def _never(component: Json, decl: Decl) -> bool:
    return False


# OWASP field -> (the check on aireg's BOM component, the key that fills it by kind; None:
# no aireg key).
def _owasp_checks(decls: dict[str, Decl]) -> dict[str, tuple[Check, dict[str, str | None]]]:
    def both(key: str) -> dict[str, str | None]:
        return {"Model": f"spec.card.{key}", "Adapter": f"spec.card.{key}"}

    always: Check = lambda component, decl: True  # noqa: E731
    return {
        "bomFormat": (always, {"Model": ALWAYS, "Adapter": ALWAYS}),
        "specVersion": (always, {"Model": ALWAYS, "Adapter": ALWAYS}),
        "serialNumber": (always, {"Model": ALWAYS, "Adapter": ALWAYS}),
        "version": (always, {"Model": ALWAYS, "Adapter": ALWAYS}),
        "primaryPurpose": (_card_has("modelParameters.task"),
                           {"Model": "spec.task", "Adapter": "spec.task of its baseModel"}),
        "suppliedBy": (_supplied, {"Model": "spec.provider",
                                   "Adapter": "aireg.yaml spec.supplier"}),
        "standardCompliance": (_never, {}),
        "domain": (_never, {}),
        "autonomyType": (_never, {}),
        "name": (always, {"Model": ALWAYS, "Adapter": ALWAYS}),
        "type": (always, {"Model": ALWAYS, "Adapter": ALWAYS}),
        "purl": (_has("purl"), {"Model": ALWAYS, "Adapter": ALWAYS}),
        "description": (_has("description"), {"Model": "metadata.description",
                                               "Adapter": "metadata.description"}),
        "licenses": (_licensed, {"Model": "spec.license"}),
        "energyConsumption": (_card_has("considerations.environmentalConsiderations"),
                              both("energy")),
        "hyperparameter": (_card_property("aireg:hyperparameter:"),
                           {"Adapter": "spec.hyperparameters"}),
        "limitation": (_card_has("considerations.technicalLimitations"),
                       both("limitations")),
        "safetyRiskAssessment": (_card_has("considerations.ethicalConsiderations"),
                                 both("ethicalRisks")),
        "typeOfModel": (lambda c, d: _card_has("modelParameters.architectureFamily")(c, d)
                        or _card_has("modelParameters.modelArchitecture")(c, d),
                        both("architecture")),
        "modelExplainability": (_never, {}),
        "energyQuantity": (_card_has("considerations.environmentalConsiderations"),
                           both("energy")),
        "energyUnit": (_card_has("considerations.environmentalConsiderations"),
                       both("energy")),
        "informationAboutTraining": (_trained, {"Adapter": "spec.approach, spec.datasets"}),
        "informationAboutApplication": (_card_has("considerations.useCases"),
                                        both("intendedUse")),
        "metric": (_card_has("quantitativeAnalysis.performanceMetrics"),
                   {"Adapter": "spec.metrics"}),
        "metricDecisionThreshold": (_never, {}),
        "modelDataPreprocessing": (_never, {}),
        "useSensitivePersonalInformation": (_personal_data_known(decls),
                                            {"Adapter": "spec.personalData of its datasets"}),
        "downloadLocation": (_has("externalReferences"), {
            "Model": "spec.card.download", "Adapter": "spec.card.download"}),
    }


# CycloneDX guide field -> (check, key by kind); a kind absent from the keys is not expected
# to have the field.
def _cyclonedx_checks() -> dict[str, tuple[Check, dict[str, str]]]:
    def card(key: str) -> dict[str, str]:
        return {"Model": f"spec.card.{key}", "Adapter": f"spec.card.{key}"}

    def self_hosted_digest(component: Json, decl: Decl) -> bool:
        return _has("hashes")(component, decl)

    return {
        "supplier": (_supplied, {"Model": "spec.provider",
                                 "Adapter": "aireg.yaml spec.supplier"}),
        "purl": (_has("purl"), {"Model": ALWAYS, "Adapter": ALWAYS, "Dataset": ALWAYS}),
        "version": (_has("version"), {"Model": "metadata.version",
                                      "Adapter": ALWAYS, "Dataset": ALWAYS}),
        "licenses": (_licensed, {"Model": "spec.license", "Dataset": "spec.license"}),
        "hashes": (self_hosted_digest, {"Model": "spec.digest",
                                        "Adapter": "spec.artifact.digest",
                                        "Dataset": "spec.source.digest"}),
        "externalReferences": (_has("externalReferences"), {
            "Model": "spec.card.documentation", "Adapter": "spec.artifact.uri"}),
        "modelCard.modelParameters.task": (_has("modelCard.modelParameters.task"), {
            "Model": "spec.task", "Adapter": "spec.task of its baseModel"}),
        "modelCard.modelParameters.approach": (_has("modelCard.modelParameters.approach"),
                                               {"Adapter": "spec.approach"}),
        "modelCard.modelParameters.architectureFamily": (
            _has("modelCard.modelParameters.architectureFamily"), card("architecture")),
        "modelCard.modelParameters.modelArchitecture": (
            _has("modelCard.modelParameters.modelArchitecture"), card("architecture")),
        "modelCard.modelParameters.datasets": (_has("modelCard.modelParameters.datasets"), {
            "Model": "spec.datasets of an Eval that covers it",
            "Adapter": "spec.datasets"}),
        "modelCard.modelParameters.inputs": (_has("modelCard.modelParameters.inputs"),
                                             card("inputs")),
        "modelCard.modelParameters.outputs": (_has("modelCard.modelParameters.outputs"),
                                              card("outputs")),
        "modelCard.quantitativeAnalysis.performanceMetrics": (
            _has("modelCard.quantitativeAnalysis.performanceMetrics"),
            {"Adapter": "spec.metrics"}),
        "modelCard.considerations.users": (_has("modelCard.considerations.users"),
                                           card("users")),
        "modelCard.considerations.useCases": (_has("modelCard.considerations.useCases"),
                                              card("intendedUse")),
        "modelCard.considerations.technicalLimitations": (
            _has("modelCard.considerations.technicalLimitations"), card("limitations")),
        "modelCard.considerations.ethicalConsiderations": (
            _has("modelCard.considerations.ethicalConsiderations"), card("ethicalRisks")),
        "modelCard.considerations.fairnessAssessments": (
            _has("modelCard.considerations.fairnessAssessments"), card("fairness")),
        "modelCard.considerations.environmentalConsiderations": (
            _has("modelCard.considerations.environmentalConsiderations"), card("energy")),
        "data.contents": (_has("data.contents"), {"Dataset": "spec.source.uri"}),
        "data.classification": (_has("data.classification"),
                                {"Dataset": "spec.classification"}),
        "data.governance": (_has("data.governance"), {"Dataset": "metadata.owner"}),
    }


@dataclass(frozen=True)
class Missing:
    source: str  # "owasp" or "cyclonedx"
    field: str
    key: str | None  # the declaration key that fills it; None: no aireg key can


@dataclass(frozen=True)
class Scored:
    node: str
    owasp: float | None  # the OWASP weighted score, 0-100, for a model or adapter
    expected: int  # CycloneDX guide fields expected of this component
    present: int
    missing: tuple[Missing, ...]


@dataclass(frozen=True)
class Review:
    components: tuple[Scored, ...]

    @property
    def owasp(self) -> float | None:
        scores = [c.owasp for c in self.components if c.owasp is not None]
        return sum(scores) / len(scores) if scores else None

    @property
    def expected(self) -> int:
        return sum(c.expected for c in self.components)

    @property
    def present(self) -> int:
        return sum(c.present for c in self.components)

    @property
    def cyclonedx(self) -> int:
        return 100 if self.expected == 0 else int(100 * self.present / self.expected)


@functools.cache
def _owasp_fields() -> tuple[tuple[tuple[str, str, float], ...], dict[str, float]]:
    """OWASP's fields as (name, category, weight), and each category's total weight."""
    fields = tuple((entry["name"], entry["category"], float(entry["weight"]))
                   for entry in field_lists()["owasp"]["fields"])
    totals: dict[str, float] = {}
    for _, category, weight in fields:
        totals[category] = totals.get(category, 0.0) + weight
    return fields, totals


def _owasp_score(component: Json, decl: Decl, checks: dict[str, tuple[Check, dict[str, str | None]]]
                 ) -> tuple[float, list[Missing]]:
    fields, totals = _owasp_fields()
    present: dict[str, float] = {}
    missing: list[Missing] = []
    for name, category, weight in fields:
        check, keys = checks[name]
        if check(component, decl):
            present[category] = present.get(category, 0.0) + weight
        else:
            missing.append(Missing("owasp", name, keys.get(decl.kind)))
    score = sum(float(weight) * present.get(category, 0.0) / totals[category]
                for category, weight in field_lists()["owasp"]["categories"].items()
                if totals.get(category))
    return score, missing


def review(document: Json, decls: list[Decl]) -> Review:
    """Each model, adapter and dataset of the BOM scored against both lists."""
    by_ref = {str(d.id): d for d in decls if d.kind in ("Model", "Adapter", "Dataset")}
    owasp_checks = _owasp_checks(by_ref)
    cyclonedx_checks = _cyclonedx_checks()
    found: list[Scored] = []
    items = [document["metadata"].get("component", {}), *document.get("components", [])]
    scored = [(c["bom-ref"], c) for c in items if c.get("bom-ref") in by_ref]
    for ref, component in sorted(scored, key=lambda pair: pair[0]):
        decl = by_ref[ref]
        missing: list[Missing] = []
        score = None
        if decl.kind in ("Model", "Adapter"):
            score, missing = _owasp_score(component, decl, owasp_checks)
        expected = present = 0
        for name, (check, keys) in cyclonedx_checks.items():
            key = keys.get(decl.kind)
            if key is None or (name == "hashes" and isinstance(decl.model, kinds.Model)
                               and decl.model.spec.hosting == "api"):
                continue
            expected += 1
            if check(component, decl):
                present += 1
            else:
                missing.append(Missing("cyclonedx", name, key))
        found.append(Scored(str(decl.id), score, expected, present, tuple(missing)))
    return Review(tuple(found))
