"""The data side of the CycloneDX AI-BOM: vector indexes, consent and revocations (SPEC
section 12), as the parts `bom._Mapper` puts in its components.

- a VectorIndex is a component of type `data` (`data[0].type: dataset`, its store in the
  contents' properties); its dependencies, on its embedding model (the model's API service
  when it is hosted) and its corpora, come from the mapper's walk over the edges like every
  other node's;
- a Revocation is not a part of the product (bom.OUTSIDE_BOM): what it says goes to the
  datasets it affects or that exclude it;
- a Dataset's consent and revocations become `aireg:consent:*` and `aireg:revocation:*`
  properties, and each revocation's owner a steward in `data[0].governance`. CycloneDX's data
  governance holds responsible parties only (custodians, stewards, owners, and no other key),
  so the facts themselves go in properties.
"""

from __future__ import annotations

from typing import Any

from . import kinds
from .catalog import Catalog
from .consent import excluded_names
from .decl import Decl
from .refs import NodeId

Json = dict[str, Any]


def index_parts(decl: Decl) -> tuple[Json, list[tuple[str, str | None]]]:
    """A VectorIndex's `data` entry and its properties."""
    assert isinstance(decl.model, kinds.VectorIndex)
    spec = decl.model.spec
    data: Json = {"type": "dataset", "name": decl.name, "contents": {
        "properties": [{"name": "aireg:store:uri", "value": spec.store.uri}]}}
    if decl.model.metadata.description:
        data["description"] = decl.model.metadata.description
    if decl.owner:
        data["governance"] = {"owners": [{"organization": {"name": decl.owner}}]}
    props: list[tuple[str, str | None]] = [
        ("aireg:embeddingModel", spec.embeddingModel),
        ("aireg:dimensions", str(spec.dimensions)), ("aireg:metric", spec.metric),
        ("aireg:store:type", spec.store.type),
        ("aireg:builtAt", spec.builtAt.isoformat() if spec.builtAt else None)]
    return data, props


def dataset_facts(catalog: Catalog, decl: Decl, affected: dict[NodeId, list[Decl]]
                  ) -> tuple[list[tuple[str, str | None]], list[Json]]:
    """A dataset's consent and revocation properties, and the revocations' owners as data
    stewards."""
    assert isinstance(decl.model, kinds.Dataset)
    spec = decl.model.spec
    props: list[tuple[str, str | None]] = []
    if spec.consent is not None:
        props.append(("aireg:consent:basis", spec.consent.basis))
        if spec.consent.uses:
            props.append(("aireg:consent:uses", ", ".join(spec.consent.uses)))
    excluded = excluded_names(decl)
    revocations = {r.name: r for r in affected.get(decl.id, [])}
    for name in sorted(excluded):
        declared = catalog.by_key.get(("Revocation", name))
        if declared:
            revocations.setdefault(name, declared[-1])
    stewards: list[str] = []
    for name, revocation in sorted(revocations.items()):
        assert isinstance(revocation.model, kinds.Revocation)
        facts = revocation.model.spec
        props += [(f"aireg:revocation:{name}", "excluded" if name in excluded else "affected"),
                  (f"aireg:revocation:{name}:subjects", str(facts.subjects)),
                  (f"aireg:revocation:{name}:deadline", facts.deadline.isoformat()),
                  (f"aireg:revocation:{name}:list", facts.list.digest)]
        if revocation.owner and revocation.owner not in stewards:
            stewards.append(revocation.owner)
    return props, [{"organization": {"name": owner}} for owner in stewards]
