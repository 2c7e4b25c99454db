"""The data side of the CycloneDX AI-BOM: vector indexes, consent and revocations.

Written apart from `bom.py`, as JSON merged into a serialized BOM by bom-ref (the way
`bom_extras` adds what cyclonedx-python-lib cannot hold):

- a VectorIndex is a component of type `data` (`data[0].type: dataset`, its store as the
  contents' url) that depends on its embedding model and the datasets it is built from;
- a Dataset's consent and the revocations that affect it or that it excludes become
  `aireg:consent:*` and `aireg:revocation:*` properties, and each revocation's owner a
  steward in `data[0].governance`. CycloneDX's data governance holds responsible parties
  only (custodians, stewards, owners; no other keys), so the facts go in properties.

`apply(document, catalog, scope)` does all of it on the BOM's JSON before it is validated.
"""

from __future__ import annotations

from typing import Any

from . import kinds
from .catalog import Catalog
from .consent import excluded_names, revocations_by_dataset
from .load import Decl
from .refs import NodeId, Ref


def _prop(name: str, value: object) -> dict[str, str]:
    return {"name": name, "value": str(value)}


def index_component(catalog: Catalog, decl: Decl) -> dict[str, Any]:
    """The CycloneDX component of a VectorIndex."""
    assert isinstance(decl.model, kinds.VectorIndex)
    spec = decl.model.spec
    registry = catalog.config.metadata.name
    props = [_prop("aireg:kind", "VectorIndex"),
             _prop("aireg:embeddingModel", spec.embeddingModel),
             _prop("aireg:dimensions", spec.dimensions), _prop("aireg:metric", spec.metric),
             _prop("aireg:store:type", spec.store.type)]
    if spec.builtAt is not None:
        props.append(_prop("aireg:builtAt", spec.builtAt.isoformat()))
    if decl.owner:
        props.append(_prop("aireg:owner", decl.owner))
    data: dict[str, Any] = {"type": "dataset", "name": decl.name,
                            "contents": {"properties": [_prop("aireg:store:uri",
                                                              spec.store.uri)]}}
    description = decl.model.metadata.description
    if description:
        data["description"] = description
    if decl.owner:
        data["governance"] = {"owners": [{"organization": {"name": decl.owner}}]}
    component: dict[str, Any] = {
        "type": "data", "bom-ref": str(decl.id), "name": decl.name, "version": decl.version,
        "purl": f"pkg:generic/aireg/{registry}/index/{decl.name}@{decl.version}",
        "properties": props, "data": [data]}
    if description:
        component["description"] = description
    return component


def index_dependency(catalog: Catalog, decl: Decl, scope: set[NodeId]) -> dict[str, Any]:
    """What an index depends on within the BOM: its embedding model and its corpora."""
    assert isinstance(decl.model, kinds.VectorIndex)
    spec = decl.model.spec
    targets = []
    for text in (spec.embeddingModel, *spec.builtFrom):
        found = catalog.resolve(Ref.parse(text))
        if found is not None and found.id in scope:
            targets.append(str(found.id))
    return {"ref": str(decl.id), "dependsOn": sorted(set(targets))}


def dataset_facts(catalog: Catalog, decl: Decl, affected: dict[NodeId, list[Decl]]
                  ) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """A dataset's consent and revocation properties, and the revocation owners as data
    stewards."""
    assert isinstance(decl.model, kinds.Dataset)
    spec = decl.model.spec
    props: list[dict[str, str]] = []
    if spec.consent is not None:
        props.append(_prop("aireg:consent:basis", spec.consent.basis))
        if spec.consent.uses:
            props.append(_prop("aireg:consent:uses", ", ".join(spec.consent.uses)))
    stewards: list[str] = []
    excluded = excluded_names(decl)
    revocations = {r.name: r for r in affected.get(decl.id, [])}
    for name in sorted(excluded):
        found = catalog.by_key.get(("Revocation", name))
        if found:
            revocations.setdefault(name, found[-1])
    for name, revocation in sorted(revocations.items()):
        assert isinstance(revocation.model, kinds.Revocation)
        facts = revocation.model.spec
        status = "excluded" if name in excluded else "affected"
        props += [_prop(f"aireg:revocation:{name}", status),
                  _prop(f"aireg:revocation:{name}:subjects", facts.subjects),
                  _prop(f"aireg:revocation:{name}:deadline", facts.deadline.isoformat()),
                  _prop(f"aireg:revocation:{name}:list", facts.list.digest)]
        if revocation.owner and revocation.owner not in stewards:
            stewards.append(revocation.owner)
    return props, [{"organization": {"name": owner}} for owner in stewards]


def apply(document: dict[str, Any], catalog: Catalog, scope: list[Decl]) -> None:
    """Add the indexes in `scope` as components with their dependencies, and the consent and
    revocations of its datasets, to a serialized BOM (in place)."""
    inside = {d.id for d in scope}
    affected = revocations_by_dataset(catalog)
    components = document.setdefault("components", [])
    dependencies = document.setdefault("dependencies", [])
    by_ref = {c.get("bom-ref"): c for c in components}
    deps = {d.get("ref"): d for d in dependencies}
    for decl in scope:
        if isinstance(decl.model, kinds.VectorIndex):
            if str(decl.id) not in by_ref:
                components.append(index_component(catalog, decl))
            entry = index_dependency(catalog, decl, inside)
            if str(decl.id) in deps:
                deps[str(decl.id)]["dependsOn"] = entry["dependsOn"]
            else:
                dependencies.append(entry)
        elif isinstance(decl.model, kinds.Dataset) and str(decl.id) in by_ref:
            props, stewards = dataset_facts(catalog, decl, affected)
            component = by_ref[str(decl.id)]
            if props:
                component.setdefault("properties", []).extend(props)
            if stewards:
                data = component.setdefault("data", [{"type": "dataset", "name": decl.name}])
                data[0].setdefault("governance", {}).setdefault("stewards", []).extend(stewards)
