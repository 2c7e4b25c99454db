"""The registry as a CycloneDX AI-BOM: the domain mapping, and a completeness review.

cyclonedx-python-lib builds and serializes the BOM. It has no model for `modelCard`,
`component.data` or `service.trustZone`, so those are collected here as extras keyed by
bom-ref and added to the serialized JSON by `bom_extras`. Never read a BOM back through the
library: `Bom.from_json` drops exactly those fields.

bom-refs are the registry's node ids (`prompt/house-style@3.1.0`), with `#service` for the
API endpoint of a hosted model, `#tool/<name>` for an MCP tool and `#base` for the copy of an
adapter's base model in its pedigree, so every ref is stable and readable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import kinds
from .decl import Decl
from .findings import RefArgumentError, RegistryBroken, Severity
from .refs import NodeId, Ref
from .rules import spdx_canonical, spdx_problem

if TYPE_CHECKING:
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component

    from .project import Project

# Not parts of the product: evals test it, teams own it.
OUTSIDE_BOM = frozenset({"Eval", "Team"})
SERIAL_NAMESPACE = uuid.UUID("5b7f9c3e-2d1a-5f4e-9b8c-7a6d5e4f3a2b")
PROVIDERS = {
    "openai": "OpenAI", "anthropic": "Anthropic", "google": "Google", "vertex-ai": "Google Cloud",
    "azure-openai": "Microsoft Azure", "bedrock": "Amazon Web Services", "mistral": "Mistral AI",
    "cohere": "Cohere", "huggingface": "Hugging Face", "self-hosted": "self-hosted",
    "other": "other",
}
TASKS = {  # CycloneDX modelParameters.task is free text; these are its usual words.
    "chat": "text-generation", "text-generation": "text-generation",
    "embedding": "feature-extraction", "reranking": "text-ranking",
    "classification": "text-classification", "image-generation": "text-to-image",
    "speech": "automatic-speech-recognition", "other": "other",
}


@dataclass
class Mapped:
    """A BOM before serialization, and what the library cannot hold, by bom-ref."""

    bom: Bom
    extras: dict[str, dict[str, Any]] = field(default_factory=dict)
    scope: tuple[NodeId, ...] = ()
    # Dependencies on nested services (MCP tools): the library only accepts refs to
    # top-level components and services, so these are added to the JSON afterwards.
    tool_dependencies: dict[str, set[str]] = field(default_factory=dict)


def scope_of(project: Project, feature_refs: list[str]) -> tuple[list[Decl], Decl | None]:
    """The declarations in the BOM, and the feature that is its subject (if exactly one)."""
    catalog = project.catalog
    if not feature_refs:
        return sorted((d for d in catalog.decls() if d.kind not in OUTSIDE_BOM),
                      key=lambda d: d.id), None
    features: list[Decl] = []
    for text in feature_refs:
        for decl in catalog.lookup(text):
            if decl.kind != "Feature":
                raise RefArgumentError(f"{decl.id} is a {decl.kind}; bom takes feature refs")
            if decl not in features:  # a feature named twice is still one feature
                features.append(decl)
    starts = [f.id for f in features]
    reached = project.graph.dependencies(starts)
    nodes = {*starts, *reached}
    decls = sorted((catalog.by_id[n] for n in nodes if catalog.by_id[n].kind not in OUTSIDE_BOM),
                   key=lambda d: d.id)
    return decls, features[0] if len(features) == 1 else None


def content_digest(project: Project, decls: list[Decl]) -> str:
    """A digest of everything the BOM is made from: the registry's settings, and each
    declaration's content, template and place (paths are in the BOM too)."""
    digest = hashlib.sha256(project.loaded.config.model_dump_json().encode())
    for decl in decls:
        for part in (decl.id, decl.path, str(decl.doc), decl.model.model_dump_json(),
                     decl.template or "", decl.template_path or ""):
            digest.update(part.encode())
            digest.update(b"\0")
    return digest.hexdigest()


def serial_number(registry: str, commit: str | None, digest: str, scope: list[str]) -> uuid.UUID:
    """UUIDv5 of the registry name, the commit (or, outside git, the content) and the scope.

    The content digest is part of it inside git too, so an uncommitted edit never yields the
    serial of the commit it started from.
    """
    text = "\n".join([registry, commit or "", digest, *sorted(scope)])
    return uuid.uuid5(SERIAL_NAMESPACE, text)


def _indexed_bom() -> Bom:
    """A Bom whose dependency registration looks entries up by ref.

    The library's `Bom.validate`, which every serializer calls, registers each component
    with a linear scan of all dependencies: quadratic, minutes for 20,000 components. The
    method is replaced on this one instance (a subclass would lose the library's
    serialization metadata, which is keyed by class).
    """
    import types

    from cyclonedx.model.bom import Bom
    from cyclonedx.model.dependency import Dependency

    index: dict[Any, Dependency] = {}

    def register_dependency(self: Bom, target: Any, depends_on: Any = None) -> None:
        if not index:
            index.update((d.ref, d) for d in self.dependencies)
        found = index.get(target.bom_ref)
        if found is not None:
            if depends_on:
                found.dependencies.update(Dependency(ref=d.bom_ref) for d in depends_on)
        else:
            entry = Dependency(ref=target.bom_ref, dependencies=[
                Dependency(ref=d.bom_ref) for d in depends_on or ()])
            self.dependencies.add(entry)
            index[target.bom_ref] = entry
        for other in depends_on or ():
            register_dependency(self, other)

    bom = Bom()
    bom.register_dependency = types.MethodType(register_dependency, bom)  # type: ignore[method-assign]
    return bom


def build(project: Project, feature_refs: list[str], timestamp: dt.datetime | None,
          commit: str | None, version: str) -> Mapped:
    from cyclonedx.model import Property
    from cyclonedx.model.bom import BomMetaData
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.model.lifecycle import LifecyclePhase, PredefinedLifecycle

    decls, subject = scope_of(project, feature_refs)
    scope_names = [str(d.id) for d in decls]
    digest = content_digest(project, decls)
    mapped = Mapped(_indexed_bom(), scope=tuple(d.id for d in decls))
    bom = mapped.bom
    bom.serial_number = serial_number(project.name, commit, digest, scope_names)
    tool = Component(type=ComponentType.APPLICATION, name="aireg", version=version,
                     bom_ref="tool:aireg")
    meta = BomMetaData(
        timestamp=timestamp,
        lifecycles=[PredefinedLifecycle(LifecyclePhase.OPERATIONS)],
        properties=[Property(name="cdx:reproducible", value="true")],
    )
    meta.tools.components.add(tool)
    if subject is not None:
        meta.component = _feature(subject)
    else:
        meta.component = Component(
            type=ComponentType.APPLICATION, name=project.name, bom_ref=f"registry:{project.name}",
            description=project.loaded.config.metadata.description,
            properties=[Property(name="aireg:commit", value=commit)] if commit else None)
    bom.metadata = meta
    mapper = _Mapper(project, mapped)
    for decl in decls:
        if subject is not None and decl is subject:
            continue
        mapper.add(decl)
    root = None if subject is not None else f"registry:{project.name}"
    mapper.dependencies(decls, root)
    return mapped


def _feature(decl: Decl) -> Component:
    from cyclonedx.model.component import Component, ComponentType

    spec = decl.model.spec
    assert isinstance(spec, kinds.FeatureSpec)
    return Component(type=ComponentType.APPLICATION, name=decl.name, version=decl.version,
                     bom_ref=str(decl.id), description=decl.model.metadata.description,
                     properties=_props(decl, [("aireg:tier", spec.tier)]))


def _props(decl: Decl, more: list[tuple[str, str | None]] | None = None) -> list[Any]:
    from cyclonedx.model import Property

    pairs: list[tuple[str, str | None]] = [("aireg:owner", decl.owner), ("aireg:path", decl.path)]
    pairs += more or []
    return [Property(name=name, value=value) for name, value in pairs if value is not None]


def licenses(text: str | None) -> list[Any]:
    """SPDX expressions as expressions (single ids as ids), anything else by name."""
    from cyclonedx.model.license import DisjunctiveLicense, LicenseExpression

    if text is None or not text.strip():
        return []
    if text.strip().lower() == "proprietary" or spdx_problem(text) is not None:
        return [DisjunctiveLicense(name=text)]
    canonical = spdx_canonical(text)  # SPDX ids are case-insensitive; CycloneDX wants theirs
    if any(op in f" {canonical} " for op in (" AND ", " OR ", " WITH ")):
        return [LicenseExpression(canonical)]
    if canonical.startswith("LicenseRef-"):
        return [DisjunctiveLicense(name=canonical)]
    return [DisjunctiveLicense(id=canonical)]


def _hashes(digest: str | None) -> list[Any]:
    from cyclonedx.model import HashAlgorithm, HashType

    if digest is None:
        return []
    return [HashType(alg=HashAlgorithm.SHA_256, content=digest.split(":", 1)[1])]


class _Mapper:
    def __init__(self, project: Project, mapped: Mapped) -> None:
        self.project = project
        self.mapped = mapped
        self.sunsets = project.lifecycle.sunsets

    def add(self, decl: Decl) -> None:
        model = decl.model
        if isinstance(model, kinds.Feature):
            self.mapped.bom.components.add(_feature(decl))
        elif isinstance(model, kinds.Model):
            self._model(decl, model)
        elif isinstance(model, kinds.Adapter):
            self._adapter(decl, model)
        elif isinstance(model, kinds.Dataset):
            self._dataset(decl, model)
        elif isinstance(model, kinds.Prompt):
            self._prompt(decl, model)
        elif isinstance(model, kinds.McpServer):
            self._mcp(decl, model)

    def _model_component(self, decl: Decl, model: kinds.Model, bom_ref: str) -> Component:
        from cyclonedx.model import ExternalReference, ExternalReferenceType, Property, XsUri
        from cyclonedx.model.component import Component, ComponentType
        from cyclonedx.model.contact import OrganizationalEntity
        from packageurl import PackageURL

        spec = model.spec
        purl = None
        group, name = None, spec.modelId
        if spec.provider == "huggingface" and "/" in spec.modelId:
            group, name = spec.modelId.split("/", 1)
            purl = PackageURL(type="huggingface", namespace=group, name=name,
                              version=spec.revision)
        props = _props(decl, [("aireg:provider", spec.provider), ("aireg:hosting", spec.hosting)])
        sunset = self.sunsets.get(decl.id)
        if sunset is not None:
            props.append(Property(name="cdx:lifecycle:milestone:endOfLife",
                                  value=sunset.day.isoformat()))
            props.append(Property(name="aireg:endOfLife:source", value=sunset.source))
        refs = []
        if spec.endpoint:
            refs.append(ExternalReference(type=ExternalReferenceType.OTHER,
                                          url=XsUri(spec.endpoint), comment="endpoint"))
        return Component(
            type=ComponentType.MACHINE_LEARNING_MODEL, bom_ref=bom_ref, name=name, group=group,
            version=spec.revision or decl.version, description=model.metadata.description,
            supplier=OrganizationalEntity(name=PROVIDERS[spec.provider]),
            licenses=licenses(spec.license), hashes=_hashes(spec.digest), purl=purl,
            external_references=refs, properties=props)

    def _model(self, decl: Decl, model: kinds.Model) -> None:
        from cyclonedx.model import XsUri
        from cyclonedx.model.contact import OrganizationalEntity
        from cyclonedx.model.service import Service

        spec = model.spec
        self.mapped.bom.components.add(self._model_component(decl, model, str(decl.id)))
        if spec.task is not None:
            self.mapped.extras[str(decl.id)] = {
                "modelCard": {"modelParameters": {"task": TASKS[spec.task]}}}
        if spec.hosting == "api":
            service = Service(
                name=f"{spec.modelId} API", bom_ref=f"{decl.id}#service",
                provider=OrganizationalEntity(name=PROVIDERS[spec.provider]),
                endpoints=[XsUri(spec.endpoint)] if spec.endpoint else None,
                authenticated=True, x_trust_boundary=True)
            self.mapped.bom.services.add(service)
            self.mapped.extras[f"{decl.id}#service"] = {"trustZone": "external"}

    def _adapter(self, decl: Decl, model: kinds.Adapter) -> None:
        from cyclonedx.model.component import Component, ComponentType, Pedigree

        spec = model.spec
        catalog = self.project.catalog
        base = catalog.resolve(Ref.parse(spec.baseModel))
        ancestors = []
        if base is not None and isinstance(base.model, kinds.Model):
            ancestors.append(self._model_component(base, base.model, f"{decl.id}#base"))
        component = Component(
            type=ComponentType.MACHINE_LEARNING_MODEL, bom_ref=str(decl.id), name=decl.name,
            version=decl.version, description=model.metadata.description,
            hashes=_hashes(spec.artifact.digest if spec.artifact else None),
            pedigree=Pedigree(ancestors=ancestors, notes=f"{spec.method} fine-tune of "
                              f"{base.id if base else spec.baseModel}") if ancestors else None,
            properties=_props(decl, [("aireg:artifact", spec.artifact.uri if spec.artifact
                                      else None)]))
        self.mapped.bom.components.add(component)
        datasets = [d.id for d in (catalog.resolve(Ref.parse(t)) for t in spec.datasets) if d]
        card: dict[str, Any] = {"modelParameters": {
            "approach": {"type": "supervised"},
            "datasets": [{"ref": str(ref)} for ref in datasets],
        }}
        if base is not None and isinstance(base.model, kinds.Model) and base.model.spec.task:
            card["modelParameters"]["task"] = TASKS[base.model.spec.task]
        if spec.metrics:
            card["quantitativeAnalysis"] = {"performanceMetrics": [
                {"type": name, "value": str(value)} for name, value in spec.metrics.items()]}
        props = [{"name": "aireg:method", "value": spec.method}]
        props += [{"name": f"aireg:hyperparameter:{name}", "value": str(value)}
                  for name, value in spec.hyperparameters.items()]
        if spec.trainedAt is not None:
            props.append({"name": "aireg:trainedAt", "value": spec.trainedAt.isoformat()})
        card["properties"] = props
        self.mapped.extras[str(decl.id)] = {"modelCard": card}

    def _dataset(self, decl: Decl, model: kinds.Dataset) -> None:
        from cyclonedx.model.component import Component, ComponentType

        spec = model.spec
        source = spec.source
        props = _props(decl, [
            ("aireg:retention:until", spec.retention.until.isoformat() if spec.retention
             else None),
            ("aireg:records", str(spec.records) if spec.records is not None else None)])
        self.mapped.bom.components.add(Component(
            type=ComponentType.DATA, bom_ref=str(decl.id), name=decl.name, version=decl.version,
            description=model.metadata.description, licenses=licenses(spec.license),
            hashes=_hashes(source.digest if source else None), properties=props))
        data: dict[str, Any] = {"type": "dataset", "name": decl.name}
        if model.metadata.description:
            data["description"] = model.metadata.description
        if source is not None and source.uri:
            from cyclonedx.model import XsUri

            data["contents"] = {"url": str(XsUri(source.uri))}  # percent-encoded as needed
        if spec.classification:
            data["classification"] = spec.classification
        if spec.personalData:
            data["sensitiveData"] = ["personal data"]
        if decl.owner:
            data["governance"] = {"owners": [{"organization": {"name": decl.owner}}]}
        self.mapped.extras[str(decl.id)] = {"data": [data]}

    def _prompt(self, decl: Decl, model: kinds.Prompt) -> None:
        from cyclonedx.model import HashAlgorithm, HashType
        from cyclonedx.model.component import Component, ComponentType

        spec = model.spec
        template = decl.template or ""
        digest = hashlib.sha256(template.encode("utf-8")).hexdigest()
        self.mapped.bom.components.add(Component(
            type=ComponentType.DATA, bom_ref=str(decl.id), name=decl.name, version=decl.version,
            description=model.metadata.description,
            hashes=[HashType(alg=HashAlgorithm.SHA_256, content=digest)],
            properties=_props(decl, [("aireg:variables", ", ".join(spec.variables) or None),
                                     ("aireg:templateFile", decl.template_path)])))
        self.mapped.extras[str(decl.id)] = {"data": [{
            "type": "configuration", "name": decl.template_path or f"{decl.name}.j2",
            "contents": {"attachment": {"contentType": "text/x-jinja2", "content": template}},
        }]}

    def _mcp(self, decl: Decl, model: kinds.McpServer) -> None:
        from cyclonedx.model import XsUri
        from cyclonedx.model.contact import OrganizationalEntity
        from cyclonedx.model.service import Service

        spec = model.spec
        extra: list[tuple[str, str | None]] = [
            ("aireg:transport", spec.transport), ("aireg:command", spec.command),
            ("aireg:trust", spec.trust)]
        if spec.package is not None:
            extra.append(("aireg:package", f"{spec.package.ecosystem}:{spec.package.name}"
                          + (f"@{spec.package.version}" if spec.package.version else "")))
        tools = [Service(name=tool.name, bom_ref=f"{decl.id}#tool/{tool.name}",
                         description=tool.description) for tool in spec.tools]
        self.mapped.bom.services.add(Service(
            name=decl.name, bom_ref=str(decl.id), version=decl.version,
            description=model.metadata.description,
            provider=OrganizationalEntity(name=decl.owner) if decl.owner else None,
            endpoints=[XsUri(spec.url)] if spec.url else None,
            authenticated=spec.auth != "none", x_trust_boundary=spec.trust == "third-party",
            properties=_props(decl, extra), services=tools))
        self.mapped.extras[str(decl.id)] = {
            "trustZone": "internal" if spec.trust == "first-party" else "third-party"}

    def dependencies(self, decls: list[Decl], root: str | None) -> None:
        """One entry per node: what it uses, within the BOM's scope. The registry, when it is
        the BOM's subject, depends on whatever nothing else in the BOM uses (its features)."""
        from cyclonedx.model.bom_ref import BomRef
        from cyclonedx.model.dependency import Dependency

        bom = self.mapped.bom
        inside = {d.id for d in decls}
        uses: dict[str, set[str]] = {str(d.id): set() for d in decls}
        catalog = self.project.catalog
        for edge in catalog.edges:
            if edge.source not in inside or edge.target not in inside:
                continue
            target = str(edge.target)
            if edge.member is not None:
                target = f"{edge.target}#tool/{edge.member}"
            model = catalog.by_id[edge.target].model
            if isinstance(model, kinds.Model) and model.spec.hosting == "api" and \
                    edge.label != "base-model":
                # What calls a hosted model goes through its endpoint, which holds the model.
                target = f"{edge.target}#service"
            uses[str(edge.source)].add(target)
        for decl in decls:
            if isinstance(decl.model, kinds.Model) and decl.model.spec.hosting == "api":
                uses[f"{decl.id}#service"] = {str(decl.id)}
            if isinstance(decl.model, kinds.McpServer):
                uses[str(decl.id)] |= {f"{decl.id}#tool/{t.name}" for t in decl.model.spec.tools}
                for tool in decl.model.spec.tools:
                    uses.setdefault(f"{decl.id}#tool/{tool.name}", set())
        if root is not None:
            used = {t.split("#tool/", 1)[0] for targets in uses.values() for t in targets}
            uses[root] = {ref for ref in uses if ref not in used and "#tool/" not in ref}
        for ref, targets in sorted(uses.items()):
            nested = {t for t in targets if "#tool/" in t}
            if nested or "#tool/" in ref:
                self.mapped.tool_dependencies[ref] = nested
            if "#tool/" in ref:
                continue
            bom.dependencies.add(Dependency(ref=BomRef(ref), dependencies=[
                Dependency(ref=BomRef(t)) for t in sorted(targets - nested)]))


def gate(project: Project) -> None:
    """Refuse a registry with error findings (RegistryBroken, exit 1, naming each): a BOM
    of declarations that do not validate or resolve would describe what is not there."""
    errors = [f for f in project.check().findings if f.severity is Severity.ERROR]
    if errors:
        which = "1 error finding; fix it" if len(errors) == 1 else (
            f"{len(errors)} error findings; fix them")
        raise RegistryBroken(f"the registry has {which} (aireg check) before exporting a BOM",
                             errors)


def revision_of(project: Project) -> tuple[str | None, dt.datetime | None]:
    """The commit a BOM describes and its time: the revision read, or HEAD for the working
    tree; nothing outside git."""
    from .gitrepo import GitRepo

    toplevel = project.location.toplevel
    if toplevel is None:
        return None, None
    repo = GitRepo(toplevel)
    commit = project.loaded.tree.commit or repo.head()
    if commit is None:
        return None, None
    return commit, repo.committed_at(commit)


# --- completeness ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Gaps:
    node: NodeId
    expected: tuple[str, ...]
    missing: tuple[str, ...]


def _expected(decl: Decl) -> dict[str, bool]:
    """The fields a procurement review asks for, and whether each is there."""
    model = decl.model
    found: dict[str, bool] = {"owner": decl.owner is not None}
    if isinstance(model, kinds.Model):
        spec = model.spec
        found["license"] = bool(spec.license)
        found["supplier"] = spec.provider not in ("other", "self-hosted")
        if spec.hosting == "self-hosted":
            found["digest"] = spec.digest is not None
    elif isinstance(model, kinds.Adapter):
        adapter = model.spec
        found["digest"] = adapter.artifact is not None and adapter.artifact.digest is not None
        found["datasets"] = bool(adapter.datasets)
    elif isinstance(model, kinds.Dataset):
        data = model.spec
        found["license"] = (data.license or "").strip().upper() not in ("", "NOASSERTION")
        found["digest"] = data.source is not None and data.source.digest is not None
        if data.personalData:
            found["retention"] = data.retention is not None
    return found


@dataclass(frozen=True)
class Completeness:
    """`aireg bom --completeness`: each component's expected fields, and the score."""

    gaps: tuple[Gaps, ...]
    score: int  # percent of the expected fields present


def review(decls: list[Decl]) -> Completeness:
    gaps = completeness(decls)
    return Completeness(tuple(gaps), percent(gaps))


def completeness(decls: list[Decl]) -> list[Gaps]:
    return [Gaps(d.id, tuple(fields), tuple(k for k, ok in fields.items() if not ok))
            for d in decls for fields in [_expected(d)]]


def percent(gaps: Sequence[Gaps]) -> int:
    expected = sum(len(g.expected) for g in gaps)
    present = expected - sum(len(g.missing) for g in gaps)
    return 100 if expected == 0 else int(100 * present / expected)
