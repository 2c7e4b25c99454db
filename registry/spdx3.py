"""The registry as an SPDX 3.0.1 document (JSON-LD), with the AI and Dataset profiles.

Built with spdx-python-model and validated against the official SPDX 3.0.1 JSON schema shipped
in `data/` (its source and license are in `data/spdx-3.0.1-schema.README.md`) before it is
written. The same declarations as the CycloneDX BOM (`bom.scope_of`), mapped as:

| declaration | SPDX 3 |
|---|---|
| Model, Adapter | `ai_AIPackage` (purpose model): card, hyperparameters, metrics, energy |
| Dataset | `dataset_DatasetPackage` (purpose data): confidentiality, personal data |
| Prompt | `software_Package` (purpose configuration) |
| Feature | `software_Package` (purpose application) |
| McpServer | `software_Package` (purpose application), with its package's purl |
| Eval | `software_Package` (purpose test) |
| trained-on / tested-on | `trainedOn` / `testedOn` relationships |
| base-model, derived-from | `descendantOf` |
| every other edge | `dependsOn` |

`validUntilTime` is the sunset (declared, or from the known retirements). Element ids are
`<namespace>#<node id>` under a namespace made from the BOM's serial number, so two runs on the
same commit give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from . import kinds
from .bom import content_digest, generic_purl, package_purl, scope_of, serial_number
from .decl import Decl
from .findings import AiregError, ExitCode
from .rules import spdx_canonical, spdx_problem

if TYPE_CHECKING:
    import jsonschema_rs

    from .project import Project

SCHEMA = Path(__file__).parent / "data" / "spdx-3.0.1-schema.json"
# Outside git there is no commit time; SPDX requires `created`, so the epoch stands in and
# the output stays reproducible.
NO_TIME = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
CONFIDENTIALITY = {"public": "clear", "internal": "green", "confidential": "amber",
                   "restricted": "red"}
PURPOSES = {"Prompt": "configuration", "Feature": "application", "McpServer": "application",
            "Eval": "test"}
RELATIONSHIPS = {"trained-on": "trainedOn", "tested-on": "testedOn",
                 "base-model": "descendantOf", "derived-from": "descendantOf"}
ENERGY = {"training": "ai_trainingEnergyConsumption",
          "fine-tuning": "ai_finetuningEnergyConsumption",
          "inference": "ai_inferenceEnergyConsumption"}


class InvalidSpdx(AiregError):
    """The SPDX document aireg made does not validate: a bug in aireg."""

    exit_code = ExitCode.INTERNAL


@functools.cache
def validator() -> jsonschema_rs.Validator:
    import jsonschema_rs

    return jsonschema_rs.validator_for(json.loads(SCHEMA.read_text(encoding="utf-8")))


def validate(document: Any) -> None:
    error = next(iter(validator().iter_errors(document)), None)
    if error is not None:
        where = "".join(f"/{step}" for step in error.instance_path)
        raise InvalidSpdx(f"the SPDX 3.0.1 document aireg made is invalid, which is a bug in "
                          f"aireg (please report it): {error.message}"
                          + (f" (at {where})" if where else ""))


def build(project: Project, feature_refs: list[str], timestamp: dt.datetime | None,
          commit: str | None, version: str) -> tuple[Any, int]:
    """The SPDX document as JSON-LD data, and how many declarations it covers."""
    from spdx_python_model import v3_0_1 as spdx

    decls, subject = scope_of(project, feature_refs)
    serial = serial_number(project.name, commit, content_digest(project, decls),
                           [str(d.id) for d in decls], "spdx-3.0.1")
    namespace = f"https://spdx.org/spdxdocs/aireg/{quote(project.name)}/{serial}"
    created = (timestamp or NO_TIME).astimezone(dt.UTC)
    info = spdx.CreationInfo(specVersion="3.0.1", created=created)
    tool = spdx.Tool(spdxId=f"{namespace}#tool/aireg", name=f"aireg {version}",
                     creationInfo=info)
    config = project.loaded.config.spec
    maker = spdx.Organization(spdxId=f"{namespace}#supplier",
                              name=config.supplier.name if config.supplier else project.name,
                              creationInfo=info)
    info.createdBy = [maker]
    info.createdUsing = [tool]
    objects: list[Any] = [maker, tool]
    providers: dict[str, Any] = {}
    by_id: dict[str, Any] = {}
    sunsets = project.lifecycle.sunsets
    licenses: dict[str, Any] = {}

    def element_id(node: str) -> str:
        return f"{namespace}#{quote(node, safe='/@')}"

    def provider(name: str) -> Any:
        if name not in providers:
            providers[name] = spdx.Organization(
                spdxId=f"{namespace}#provider/{quote(name)}", name=name, creationInfo=info)
            objects.append(providers[name])
        return providers[name]

    for decl in decls:
        element = _element(spdx, decl, element_id(str(decl.id)), info, project.name, maker,
                           provider)
        sunset = sunsets.get(decl.id)
        if sunset is not None:
            element.validUntilTime = dt.datetime.combine(sunset.day, dt.time(), dt.UTC)
        by_id[str(decl.id)] = element
        objects.append(element)
        expression = _license(decl)
        if expression is not None:
            if expression not in licenses:
                licenses[expression] = spdx.simplelicensing_LicenseExpression(
                    spdxId=f"{namespace}#license/{quote(expression)}", creationInfo=info,
                    simplelicensing_licenseExpression=expression)
                objects.append(licenses[expression])
            objects.append(spdx.Relationship(
                spdxId=f"{element.spdxId}/hasDeclaredLicense", creationInfo=info,
                from_=element, to=[licenses[expression]],
                relationshipType=spdx.RelationshipType.hasDeclaredLicense))
    grouped: dict[tuple[str, str], list[str]] = {}
    for edge in project.catalog.edges:
        source, target = str(edge.source), str(edge.target)
        if source in by_id and target in by_id and edge.label != "covers":
            kind = RELATIONSHIPS.get(edge.label, "dependsOn")
            targets = grouped.setdefault((source, kind), [])
            if target not in targets:
                targets.append(target)
    for (source, kind), targets in sorted(grouped.items()):
        objects.append(spdx.Relationship(
            spdxId=f"{by_id[source].spdxId}/{kind}", creationInfo=info, from_=by_id[source],
            to=[by_id[t] for t in sorted(targets)],
            relationshipType=getattr(spdx.RelationshipType, kind)))
    root = by_id[str(subject.id)] if subject is not None else None
    document = spdx.SpdxDocument(
        spdxId=namespace, name=str(subject.id) if subject is not None else project.name,
        creationInfo=info, element=list(objects),
        rootElement=[root] if root is not None else [e for i, e in sorted(by_id.items())
                                                      if i.startswith("feature/")],
        profileConformance=[spdx.ProfileIdentifierType.core,
                            spdx.ProfileIdentifierType.software,
                            spdx.ProfileIdentifierType.ai, spdx.ProfileIdentifierType.dataset])
    found = spdx.SHACLObjectSet()
    for item in [document, *objects]:
        found.add(item)
    data = spdx.JSONLDSerializer().serialize_data(found)
    validate(data)
    return data, len(decls)


def serialize(data: Any) -> bytes:
    """The document as UTF-8 JSON text (bytes: a large one is written as it is, not copied)."""
    import orjson

    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
                        | orjson.OPT_APPEND_NEWLINE)


def _license(decl: Decl) -> str | None:
    spec = decl.model.spec
    text = getattr(spec, "license", None)
    if not isinstance(text, str) or not text.strip() or text.strip().lower() == "proprietary":
        return None
    if spdx_problem(text) is not None:
        return None
    return spdx_canonical(text)


def _element(spdx: Any, decl: Decl, ident: str, info: Any, registry: str, maker: Any,
             provider: Any) -> Any:
    """One declaration as its SPDX element."""
    prefix = str(decl.id).split("/", 1)[0]
    common: dict[str, Any] = {
        "spdxId": ident, "name": decl.name, "creationInfo": info,
        "software_packageUrl": generic_purl(registry, prefix, decl.name, decl.version)}
    if decl.version is not None:
        common["software_packageVersion"] = decl.version
    if decl.model.metadata.description:
        common["description"] = decl.model.metadata.description
    model = decl.model
    if isinstance(model, kinds.Model | kinds.Adapter):
        return _ai_package(spdx, decl, common, maker, provider)
    if isinstance(model, kinds.Dataset):
        spec = model.spec
        element = spdx.dataset_DatasetPackage(
            **common, software_primaryPurpose=spdx.software_SoftwarePurpose.data,
            dataset_datasetType=[spdx.dataset_DatasetType.other])
        if spec.source is not None and spec.source.uri:
            element.software_downloadLocation = spec.source.uri
        if spec.source is not None and spec.source.digest:
            element.verifiedUsing = [_hash(spdx, spec.source.digest)]
        if spec.classification:
            element.dataset_confidentialityLevel = getattr(
                spdx.dataset_ConfidentialityLevelType, CONFIDENTIALITY[spec.classification])
        if spec.personalData is not None:
            element.dataset_hasSensitivePersonalInformation = (
                spdx.PresenceType.yes if spec.personalData else spdx.PresenceType.no)
        return element
    if isinstance(model, kinds.McpServer) and model.spec.package is not None:
        purl = package_purl(model.spec.package)
        if purl is not None:
            common["software_packageUrl"] = purl
    if isinstance(model, kinds.Prompt | kinds.Feature | kinds.Eval):
        common["suppliedBy"] = maker
    return spdx.software_Package(**common, software_primaryPurpose=getattr(
        spdx.software_SoftwarePurpose, PURPOSES.get(decl.kind, "other")))


def _hash(spdx: Any, digest: str) -> Any:
    return spdx.Hash(algorithm=spdx.HashAlgorithm.sha256, hashValue=digest.split(":", 1)[1])


def _ai_package(spdx: Any, decl: Decl, common: dict[str, Any], maker: Any,
                provider: Any) -> Any:
    from .bom import PROVIDERS

    model = decl.model
    element = spdx.ai_AIPackage(**common,
                                software_primaryPurpose=spdx.software_SoftwarePurpose.model)
    card: kinds.Card | None = None
    if isinstance(model, kinds.Model):
        spec = model.spec
        card = spec.card
        element.suppliedBy = provider(PROVIDERS[spec.provider])
        if spec.provider == "huggingface" and "/" in spec.modelId:
            from packageurl import PackageURL

            group, name = spec.modelId.split("/", 1)
            element.software_packageUrl = str(PackageURL(
                type="huggingface", namespace=group, name=name, version=spec.revision))
        if spec.digest:
            element.verifiedUsing = [_hash(spdx, spec.digest)]
    else:
        assert isinstance(model, kinds.Adapter)
        adapter = model.spec
        card = adapter.card
        element.suppliedBy = maker
        training = [f"{adapter.method} fine-tune"]
        if adapter.approach:
            training.append(f"{adapter.approach} learning")
        element.ai_informationAboutTraining = ", ".join(training)
        if adapter.artifact is not None:
            element.software_downloadLocation = adapter.artifact.uri
            if adapter.artifact.digest:
                element.verifiedUsing = [_hash(spdx, adapter.artifact.digest)]
        element.ai_hyperparameter = [spdx.DictionaryEntry(key=k, value=str(v))
                                     for k, v in adapter.hyperparameters.items()]
        element.ai_metric = [spdx.DictionaryEntry(key=k, value=str(v))
                             for k, v in adapter.metrics.items()]
    if card is not None:
        if card.architecture is not None:
            element.ai_typeOfModel = [t for t in (card.architecture.family,
                                                  card.architecture.name) if t]
        if card.intendedUse:
            element.ai_informationAboutApplication = card.intendedUse
        if card.limitations:
            element.ai_limitation = "; ".join(card.limitations)
        if card.download:
            element.software_downloadLocation = card.download
        if card.documentation:
            element.software_homePage = card.documentation
        phases: dict[str, list[Any]] = {}
        for use in card.energy:
            slot = ENERGY.get(use.phase)
            if slot is not None:
                phases.setdefault(slot, []).append(spdx.ai_EnergyConsumptionDescription(
                    ai_energyQuantity=use.kWh, ai_energyUnit=spdx.ai_EnergyUnitType.kilowattHour))
        if phases:
            element.ai_energyConsumption = spdx.ai_EnergyConsumption(**phases)
    return element
