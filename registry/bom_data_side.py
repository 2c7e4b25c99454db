"""The data side of the CycloneDX AI-BOM: vector indexes, consent and revocations.

Kept apart from `bom.py`, and applied to its mapping once it is built (`add_to`):

- a VectorIndex is a component of type `data` (`data[0].type: dataset`, its store in the
  contents' properties), with a package URL `pkg:generic/aireg/<registry>/index/<name>@<version>`;
  its dependencies, on its embedding model (the model's API service when it is hosted) and its
  corpora, come from `bom.py`'s walk over the graph's edges like every other node's;
- a Revocation is not a part of the product: it leaves the dependency graph, and what it says
  goes to the datasets it affects or that exclude it;
- a Dataset's consent and revocations become `aireg:consent:*` and `aireg:revocation:*`
  properties, and each revocation's owner a steward in `data[0].governance`. CycloneDX's data
  governance holds responsible parties only (custodians, stewards, owners, and no other key),
  so the facts themselves go in properties.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from . import kinds
from .catalog import Catalog
from .consent import excluded_names, revocations_by_dataset
from .decl import Decl
from .refs import NodeId

if TYPE_CHECKING:
    from cyclonedx.model import Property
    from cyclonedx.model.component import Component

    from .project import Project


class MappedLike(Protocol):
    """The parts of `bom.Mapped` this module adds to."""

    @property
    def bom(self) -> Any: ...
    @property
    def extras(self) -> dict[str, dict[str, Any]]: ...


def _property(name: str, value: object) -> Property:
    from cyclonedx.model import Property

    return Property(name=name, value=str(value))


def index_component(catalog: Catalog, decl: Decl) -> tuple[Component, dict[str, Any]]:
    """A VectorIndex as a CycloneDX component, and its `data` (which the library lacks)."""
    from cyclonedx.model.component import Component, ComponentType
    from packageurl import PackageURL

    assert isinstance(decl.model, kinds.VectorIndex)
    spec = decl.model.spec
    props = [_property("aireg:kind", "VectorIndex"),
             _property("aireg:embeddingModel", spec.embeddingModel),
             _property("aireg:dimensions", spec.dimensions),
             _property("aireg:metric", spec.metric),
             _property("aireg:store:type", spec.store.type),
             _property("aireg:declared-in", decl.path)]
    if spec.builtAt is not None:
        props.append(_property("aireg:builtAt", spec.builtAt.isoformat()))
    description = decl.model.metadata.description
    component = Component(
        type=ComponentType.DATA, bom_ref=str(decl.id), name=decl.name, version=decl.version,
        description=description, properties=props,
        purl=PackageURL(type="generic", namespace=f"aireg/{catalog.config.metadata.name}/index",
                        name=decl.name, version=decl.version))
    data: dict[str, Any] = {"type": "dataset", "name": decl.name, "contents": {
        "properties": [{"name": "aireg:store:uri", "value": spec.store.uri}]}}
    if description:
        data["description"] = description
    if decl.owner:
        data["governance"] = {"owners": [{"organization": {"name": decl.owner}}]}
    return component, {"data": [data]}


def dataset_facts(catalog: Catalog, decl: Decl, affected: dict[NodeId, list[Decl]]
                  ) -> tuple[list[Property], list[dict[str, Any]]]:
    """A dataset's consent and revocation properties, and the revocations' owners as data
    stewards."""
    assert isinstance(decl.model, kinds.Dataset)
    spec = decl.model.spec
    props: list[Property] = []
    if spec.consent is not None:
        props.append(_property("aireg:consent:basis", spec.consent.basis))
        if spec.consent.uses:
            props.append(_property("aireg:consent:uses", ", ".join(spec.consent.uses)))
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
        props += [_property(f"aireg:revocation:{name}",
                            "excluded" if name in excluded else "affected"),
                  _property(f"aireg:revocation:{name}:subjects", facts.subjects),
                  _property(f"aireg:revocation:{name}:deadline", facts.deadline.isoformat()),
                  _property(f"aireg:revocation:{name}:list", facts.list.digest)]
        if revocation.owner and revocation.owner not in stewards:
            stewards.append(revocation.owner)
    return props, [{"organization": {"name": owner}} for owner in stewards]


def add_to(mapped: MappedLike, project: Project) -> None:
    """Complete a BOM that `bom.build` mapped: the indexes in it as components, no
    revocation in its dependencies, consent and revocations on its datasets."""
    from cyclonedx.model.dependency import Dependency

    catalog = project.catalog
    bom = mapped.bom
    refs = {str(c.bom_ref) for c in bom.components}
    revocations = {str(d.id) for d in catalog.of_kind("Revocation")}
    for entry in list(bom.dependencies):
        if str(entry.ref) in revocations:
            bom.dependencies.remove(entry)
            continue
        kept = [d for d in entry.dependencies if str(d.ref) not in revocations]
        if len(kept) != len(entry.dependencies):
            bom.dependencies.remove(entry)
            bom.dependencies.add(Dependency(ref=entry.ref, dependencies=kept))
    affected = revocations_by_dataset(catalog)
    indexed = {str(d.id): d for d in catalog.decls()}
    for entry in bom.dependencies:
        decl = indexed.get(str(entry.ref))
        if decl is None or str(decl.id) in refs or not isinstance(decl.model, kinds.VectorIndex):
            continue
        component, extra = index_component(catalog, decl)
        bom.components.add(component)
        mapped.extras[str(decl.id)] = extra
    for component in bom.components:
        decl = indexed.get(str(component.bom_ref))
        if decl is None or not isinstance(decl.model, kinds.Dataset):
            continue
        props, stewards = dataset_facts(catalog, decl, affected)
        component.properties.update(props)
        if stewards:
            extra = mapped.extras.setdefault(str(decl.id), {})
            data = extra.setdefault("data", [{"type": "dataset", "name": decl.name}])
            known = data[0].setdefault("governance", {}).setdefault("stewards", [])
            known.extend(s for s in stewards if s not in known)  # idempotent, as is the rest
