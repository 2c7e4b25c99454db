"""The registry as a CycloneDX AI-BOM: the domain mapping, as plain JSON.

The BOM is built here as the dicts and lists of its JSON document, one entry per declaration,
and validated against the official schema (`render.bom`) before it is written. An earlier
version built it with cyclonedx-python-lib's object model, which has no place for
`modelCard`, `component.data` or `service.trustZone` and cost about 26 s and 1 GB at 20,000
declarations; the library stays in the tests as one of the readers the BOM must satisfy.

bom-refs are the registry's node ids (`prompt/house-style@3.1.0`), with `#service` for the API
endpoint of a hosted model, `#tool/<name>` for an MCP tool, `#package` for an MCP server's
package, `#base` for the copy of an adapter's base model in its pedigree,
`#derived-from/<id>` for a dataset's sources in its pedigree, and `#trained-on/<id>` /
`#tested-on/<id>` for the datasets inlined in a model card, so every ref is stable and readable.

Each kind has one mapper in `MAPPERS`; a kind that is not part of the product is in
`OUTSIDE_BOM`. A new kind adds one entry (a test checks that every kind has one).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import kinds
from .bom_data_side import dataset_facts, index_parts
from .consent import revocations_by_dataset
from .decl import Decl
from .findings import Finding, RefArgumentError, RegistryBroken, Severity
from .refs import NodeId
from .rules import spdx_canonical, spdx_problem

if TYPE_CHECKING:
    from .project import Project

Json = dict[str, Any]

# Not parts of the product: teams own it, environments run it, revocations are events.
OUTSIDE_BOM = frozenset({"Team", "Environment", "Revocation"})
_HEX = re.compile(r"[0-9A-Fa-f]{2}")
# The characters iri() may encode (a `%` only when it starts no escape).
_IRI_CHANGES = re.compile(r'[\x00-\x20\x7f"<>\\^`{|}%]')
# The characters urllib.parse.quote never encodes (RFC 3986 unreserved).
_PURL_SAFE = re.compile(r"[A-Za-z0-9_.~-]*")
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
# The purl type of each McpServer package ecosystem (github.com/package-url/purl-spec).
PURL_TYPES = {"npm": "npm", "pypi": "pypi", "cargo": "cargo", "go": "golang",
              "nuget": "nuget", "maven": "maven", "oci": "oci"}
# lib4sbom (the most used Python SBOM reader) drops every package of a BOM whose model card
# lists a dataset without a classification, or a fairness assessment without any one of its
# four fields: those are written with this value when the declaration leaves them out.
UNDECLARED = "not declared"

# Every property aireg writes, under its one namespace `aireg:`, for what CycloneDX has no
# field for. `cdx:` names are CycloneDX's own property taxonomy.
PROPERTIES = {
    "aireg:owner": "the declaration's owner (team/<name> or user/<handle>)",
    "aireg:path": "the file that declares it, relative to the repository root",
    "aireg:commit": "the git commit the BOM describes (on the registry component)",
    "aireg:tier": "a feature's tier: critical, high, medium or low",
    "aireg:hosting": "a model's hosting: api or self-hosted",
    "aireg:endOfLife:source": "where the end-of-life day comes from",
    "aireg:method": "an adapter's fine-tuning method (lora, qlora, ...)",
    "aireg:hyperparameter:<name>": "one hyperparameter of an adapter's training",
    "aireg:trainedAt": "the day an adapter was trained",
    "aireg:eval": "an eval that covers this model or adapter (its bom-ref)",
    "aireg:variables": "a prompt's declared template variables, comma-separated",
    "aireg:retention:until": "the day after which a dataset's data may be purged",
    "aireg:records": "a dataset's number of records",
    "aireg:transport": "an MCP server's transport: stdio, http or sse",
    "aireg:command": "how a stdio MCP server is started",
    "aireg:digest": "an MCP tool's digest (services have no hashes in CycloneDX)",
    "aireg:evalCommand": "how an eval suite is run",
}


@dataclass
class Mapped:
    """A BOM as its JSON document, and the declarations it covers."""

    document: Json
    scope: tuple[NodeId, ...] = ()


def scope_of(project: Project, feature_refs: list[str]) -> tuple[list[Decl], Decl | None]:
    """The declarations in the BOM, and the feature that is its subject (if exactly one).

    A feature's BOM holds what it uses transitively, and the evals that cover any of it with
    the data they use, so the model cards can say how each model is tested."""
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
    nodes = {*starts, *project.graph.dependencies(starts)}
    evals = {e.source for e in catalog.edges if e.label == "covers" and e.target in nodes}
    if evals:
        nodes |= {*evals, *project.graph.dependencies(sorted(evals))}
    decls = sorted((catalog.by_id[n] for n in nodes if catalog.by_id[n].kind not in OUTSIDE_BOM),
                   key=lambda d: d.id)
    return decls, features[0] if len(features) == 1 else None


def content_digest(project: Project, decls: list[Decl]) -> str:
    """A digest of everything the BOM is made from: the registry's settings, and each
    declaration's content, template and place (paths are in the BOM too)."""
    digest = hashlib.sha256(project.loaded.config.model_dump_json().encode())
    for decl in decls:
        # One update a declaration: the same bytes as one a part, each ended by a NUL.
        digest.update(f"{decl.id}\0{decl.path}\0{decl.doc}\0{decl.model.model_dump_json()}\0"
                      f"{decl.template or ''}\0{decl.template_path or ''}\0".encode())
    return digest.hexdigest()


def serial_number(registry: str, commit: str | None, digest: str, scope: list[str],
                  spec_version: str) -> uuid.UUID:
    """UUIDv5 of the registry name, the commit (or, outside git, the content), the scope and
    the specification version (the 1.6 and 1.7 BOMs of one commit are different documents).

    The content digest is part of it inside git too, so an uncommitted edit never yields the
    serial of the commit it started from.
    """
    text = "\n".join([registry, commit or "", digest, spec_version, *sorted(scope)])
    return uuid.uuid5(SERIAL_NAMESPACE, text)


def licenses(text: str | None) -> list[Json]:
    """SPDX expressions as expressions (single ids as ids), anything else by name."""
    if text is None or not text.strip():
        return []
    if text.strip().lower() == "proprietary" or spdx_problem(text) is not None:
        return [{"license": {"name": text}}]
    canonical = spdx_canonical(text)  # SPDX ids are case-insensitive; CycloneDX wants theirs
    if any(op in f" {canonical} " for op in (" AND ", " OR ", " WITH ")):
        return [{"expression": canonical}]
    if canonical.startswith("LicenseRef-"):
        return [{"license": {"name": canonical}}]
    return [{"license": {"id": canonical}}]


def iri(text: str) -> str:
    """A URL as an IRI reference the schema accepts: the ASCII characters an IRI may not hold
    (space, quotes, brackets, controls, a `%` that starts no escape) percent-encoded, and
    everything else, non-ASCII letters too, kept."""
    if _IRI_CHANGES.search(text) is None:  # most URLs: nothing to encode
        return text
    out = []
    for index, char in enumerate(text):
        code = ord(char)
        if char == "%" and _HEX.fullmatch(text[index + 1:index + 3]) is None:
            out.append("%25")
        elif code < 0x21 or code == 0x7F or char in '"<>\\^`{|}':
            out.append("".join(f"%{byte:02X}" for byte in char.encode("utf-8")))
        else:
            out.append(char)
    return "".join(out)


def _hashes(digest: str | None) -> list[Json]:
    if digest is None:
        return []
    return [{"alg": "SHA-256", "content": digest.split(":", 1)[1]}]


def _props(pairs: list[tuple[str, str | None]]) -> list[Json]:
    return [{"name": name, "value": value} for name, value in pairs if value is not None]


def _entity(supplier: kinds.Supplier) -> Json:
    entity: Json = {"name": supplier.name}
    if supplier.url:
        entity["url"] = [iri(supplier.url)]
    if supplier.contact:
        entity["contact"] = [{"email": supplier.contact}]
    return entity


def _compact(item: Json) -> Json:
    """The item without its empty values: the schema refuses many empty arrays, and an
    empty field says nothing."""
    return {k: v for k, v in item.items()
            if v is not None and (v or not isinstance(v, (list, dict)))}


def generic_purl(registry: str, kind_prefix: str, name: str, version: str | None) -> str:
    """`pkg:generic/aireg/<registry>/<kind>/<name>@<version>`: the same declaration has the
    same purl in every clone of the registry and in every run.

    Written here rather than through packageurl-python, which took 3.4 s for 20,000 purls;
    each part is percent-encoded as the purl specification says (a test holds the two equal).
    """
    text = _purl_namespace(registry, kind_prefix) + _purl_part(name)
    return f"{text}@{_purl_part(version)}" if version else text


@functools.cache
def _purl_namespace(registry: str, kind_prefix: str) -> str:
    return f"pkg:generic/aireg/{_purl_part(registry)}/{_purl_part(kind_prefix)}/"


def _purl_part(text: str) -> str:
    if _PURL_SAFE.fullmatch(text):  # most names: quote would return them as they are
        return text
    from urllib.parse import quote

    return quote(text, safe="")


def package_purl(package: kinds.Package) -> str | None:
    """The purl of an MCP server's package, where the ecosystem has a purl type."""
    from packageurl import PackageURL

    kind = PURL_TYPES.get(package.ecosystem)
    if kind is None:
        return None
    namespace, name = None, package.name
    if kind == "maven" and ":" in name:
        namespace, name = name.split(":", 1)
    elif kind in ("npm", "golang") and "/" in name:
        namespace, name = name.rsplit("/", 1)
    return str(PackageURL(type=kind, namespace=namespace, name=name, version=package.version))


class _Mapper:
    """Builds the components, services and dependencies of one BOM."""

    def __init__(self, project: Project, decls: list[Decl]) -> None:
        self.project = project
        self.registry = project.name
        self.config = project.loaded.config.spec
        self.sunsets = project.lifecycle.sunsets
        self.inside = {d.id for d in decls}
        self.by_id = project.catalog.by_id
        self.components: list[Json] = []
        self.services: list[Json] = []
        self.uses: dict[str, set[str]] = {}
        # What each declaration's refs resolve to, by edge label, within the catalog.
        self.out: dict[NodeId, list[tuple[str, NodeId, str | None]]] = {}
        self.evals: dict[NodeId, list[NodeId]] = {}
        self.revoked = revocations_by_dataset(project.catalog)
        for edge in project.catalog.edges:
            self.out.setdefault(edge.source, []).append((edge.label, edge.target, edge.member))
            if edge.label == "covers" and edge.source in self.inside:
                self.evals.setdefault(edge.target, []).append(edge.source)

    # --- shared parts ---------------------------------------------------------------------

    def targets(self, decl: Decl, label: str) -> list[NodeId]:
        seen: list[NodeId] = []
        for name, target, _ in self.out.get(decl.id, ()):
            if name == label and target not in seen:
                seen.append(target)
        return seen

    def purl(self, decl: Decl) -> str:
        return generic_purl(self.registry, str(decl.id).split("/", 1)[0], decl.name,
                            decl.version)

    def base(self, decl: Decl, kind: str, **fields: Any) -> Json:
        """The fields every component has, in the schema's order."""
        extra = fields.pop("properties", [])
        item: Json = {"type": kind, "bom-ref": str(decl.id), **fields.pop("head", {}),
                      "name": decl.name, "version": decl.version,
                      "description": decl.model.metadata.description}
        item.update(fields)
        item["properties"] = _props([("aireg:owner", decl.owner), ("aireg:path", decl.path),
                                     *extra])
        return _compact(item)

    def in_house(self) -> Json:
        """supplier and manufacturer of what the registry's organisation makes itself."""
        if self.config.supplier is None:
            return {}
        entity = _entity(self.config.supplier)
        return {"supplier": entity, "manufacturer": entity}

    # --- one mapper per kind --------------------------------------------------------------

    def feature(self, decl: Decl) -> Json:
        spec = decl.model.spec
        assert isinstance(spec, kinds.FeatureSpec)
        return self.base(decl, "application", head=self.in_house(), purl=self.purl(decl),
                         properties=[("aireg:tier", spec.tier)])

    def model_component(self, decl: Decl, bom_ref: str) -> Json:
        model = decl.model
        assert isinstance(model, kinds.Model)
        spec = model.spec
        group, name, purl = None, spec.modelId, None
        if spec.provider == "huggingface" and "/" in spec.modelId:
            from packageurl import PackageURL

            group, name = spec.modelId.split("/", 1)
            purl = str(PackageURL(type="huggingface", namespace=group, name=name,
                                  version=spec.revision))
        props: list[tuple[str, str | None]] = [
            ("aireg:owner", decl.owner), ("aireg:path", decl.path),
            ("aireg:hosting", spec.hosting)]
        sunset = self.sunsets.get(decl.id)
        if sunset is not None:
            props += [("cdx:lifecycle:milestone:endOfLife", sunset.day.isoformat()),
                      ("aireg:endOfLife:source", sunset.source)]
        refs = _card_references(spec.card)
        if spec.endpoint:
            refs.append({"url": iri(spec.endpoint), "comment": "endpoint", "type": "other"})
        return _compact({
            "type": "machine-learning-model", "bom-ref": bom_ref,
            "supplier": {"name": PROVIDERS[spec.provider]}, "group": group, "name": name,
            "version": spec.revision or decl.version, "description": model.metadata.description,
            "hashes": _hashes(spec.digest), "licenses": licenses(spec.license),
            "purl": purl or self.purl(decl), "externalReferences": refs,
            "properties": _props(props)})

    def model(self, decl: Decl) -> Json:
        model = decl.model
        assert isinstance(model, kinds.Model)
        spec = model.spec
        item = self.model_component(decl, str(decl.id))
        card = self.card(decl, spec.card, {"task": TASKS[spec.task] if spec.task else None})
        if card:
            item["modelCard"] = card
        if spec.hosting == "api":
            ref = f"{decl.id}#service"
            self.services.append(_compact({
                "bom-ref": ref, "provider": {"name": PROVIDERS[spec.provider]},
                "name": f"{spec.modelId} API",
                "endpoints": [iri(spec.endpoint)] if spec.endpoint else None,
                "authenticated": True, "x-trust-boundary": True, "trustZone": "external"}))
            self.uses[ref] = {str(decl.id)}
        return _order(item)

    def card(self, decl: Decl, card: kinds.Card | None, parameters: Json,
             extra: list[tuple[str, str | None]] | None = None) -> Json:
        """A model card: parameters, the evals and data that test it, considerations.

        `parameters` holds approach, task, datasets and `metrics` from the declaration."""
        evals = sorted(self.evals.get(decl.id, []))
        datasets = list(parameters.get("datasets", []))
        for ref in evals:
            datasets += [self.inline_dataset(decl, "tested-on", d)
                         for d in self.targets(self.by_id[ref], "uses-data")]
        arch = card.architecture if card is not None else None
        model_parameters = _compact({
            "approach": parameters.get("approach"), "task": parameters.get("task"),
            "architectureFamily": arch.family if arch else None,
            "modelArchitecture": arch.name if arch else None,
            "datasets": list({d["bom-ref"]: d for d in datasets}.values()),
            "inputs": [{"format": f} for f in card.inputs] if card else None,
            "outputs": [{"format": f} for f in card.outputs] if card else None})
        props = [*(extra or []), *(("aireg:eval", str(e)) for e in evals)]
        return _compact({
            "modelParameters": model_parameters,
            "quantitativeAnalysis": {"performanceMetrics": parameters["metrics"]}
            if parameters.get("metrics") else None,
            "considerations": _considerations(card),
            "properties": _props(props)})

    def inline_dataset(self, user: Decl, role: str, target: NodeId) -> Json:
        """A dataset as a model card lists it: inline, with a bom-ref naming the dataset."""
        decl = self.by_id[target]
        spec = decl.model.spec
        assert isinstance(spec, kinds.DatasetSpec)
        return _compact({
            "bom-ref": f"{user.id}#{role}/{target}", "type": "dataset", "name": decl.name,
            "contents": {"url": iri(spec.source.uri)} if spec.source and spec.source.uri
            else None,
            "classification": spec.classification or UNDECLARED,
            "sensitiveData": ["personal data"] if spec.personalData else None,
            "description": decl.model.metadata.description})

    def adapter(self, decl: Decl) -> Json:
        model = decl.model
        assert isinstance(model, kinds.Adapter)
        spec = model.spec
        bases = self.targets(decl, "base-model")
        base = bases[0] if bases else None
        base_decl = self.by_id.get(base) if base is not None else None
        ancestors = []
        if base_decl is not None and isinstance(base_decl.model, kinds.Model):
            ancestor = self.model_component(base_decl, f"{decl.id}#base")
            ancestors.append(ancestor)
        refs = _card_references(spec.card)
        if spec.artifact is not None and not any(r["type"] == "distribution" for r in refs):
            refs.append({"url": iri(spec.artifact.uri), "type": "distribution",
                         "comment": "adapter weights"})
        item = self.base(
            decl, "machine-learning-model", head=self.in_house(),
            hashes=_hashes(spec.artifact.digest if spec.artifact else None),
            purl=self.purl(decl),
            pedigree={"ancestors": ancestors,
                      "notes": f"{spec.method} fine-tune of {base or spec.baseModel}"}
            if ancestors else None,
            externalReferences=refs)
        task = None
        if base_decl is not None and isinstance(base_decl.model, kinds.Model):
            task = base_decl.model.spec.task
        datasets = [self.inline_dataset(decl, "trained-on", d)
                    for d in self.targets(decl, "trained-on")]
        datasets += [self.inline_dataset(decl, "tested-on", d)
                     for d in self.targets(decl, "tested-on")]
        parameters: Json = {"approach": {"type": spec.approach} if spec.approach else None,
                            "task": TASKS[task] if task else None, "datasets": datasets}
        if spec.metrics:
            parameters["metrics"] = [{"type": name, "value": str(value)}
                                      for name, value in spec.metrics.items()]
        extra: list[tuple[str, str | None]] = [("aireg:method", spec.method)]
        extra += [(f"aireg:hyperparameter:{name}", str(value))
                  for name, value in spec.hyperparameters.items()]
        extra.append(("aireg:trainedAt", spec.trainedAt.isoformat() if spec.trainedAt
                      else None))
        card = self.card(decl, spec.card, parameters, extra)
        if card:
            item["modelCard"] = card
        return _order(item)

    def dataset(self, decl: Decl) -> Json:
        model = decl.model
        assert isinstance(model, kinds.Dataset)
        spec, source = model.spec, model.spec.source
        ancestors = []
        for target in self.targets(decl, "derived-from"):
            origin = self.by_id[target]
            origin_spec = origin.model.spec
            assert isinstance(origin_spec, kinds.DatasetSpec)
            ancestors.append(_compact({
                "type": "data", "bom-ref": f"{decl.id}#derived-from/{target}",
                "name": origin.name, "version": origin.version,
                "hashes": _hashes(origin_spec.source.digest if origin_spec.source else None),
                "purl": self.purl(origin)}))
        facts, stewards = dataset_facts(self.project.catalog, decl, self.revoked)
        governance = _compact({
            "owners": [{"organization": {"name": decl.owner}}] if decl.owner else None,
            "stewards": stewards or None})
        data = _compact({
            "type": "dataset", "name": decl.name, "description": model.metadata.description,
            "contents": {"url": iri(source.uri)} if source is not None and source.uri else None,
            "classification": spec.classification,
            "sensitiveData": ["personal data"] if spec.personalData else None,
            "governance": governance or None})
        return self.base(
            decl, "data", hashes=_hashes(source.digest if source else None),
            licenses=licenses(spec.license), purl=self.purl(decl),
            pedigree={"ancestors": ancestors} if ancestors else None, data=[data],
            properties=[
                ("aireg:retention:until", spec.retention.until.isoformat() if spec.retention
                 else None),
                ("aireg:records", str(spec.records) if spec.records is not None else None),
                *facts])

    def index(self, decl: Decl) -> Json:
        data, props = index_parts(decl)
        return self.base(decl, "data", purl=self.purl(decl), data=[data], properties=props)

    def prompt(self, decl: Decl) -> Json:
        model = decl.model
        assert isinstance(model, kinds.Prompt)
        template = decl.template or ""
        digest = hashlib.sha256(template.encode("utf-8")).hexdigest()
        return self.base(
            decl, "data", head=self.in_house(), hashes=[{"alg": "SHA-256", "content": digest}],
            purl=self.purl(decl),
            data=[{"type": "configuration", "name": decl.template_path or f"{decl.name}.j2",
                   "contents": {"attachment": {"contentType": "text/x-jinja2",
                                               "content": template}}}],
            properties=[("aireg:variables", ", ".join(model.spec.variables) or None)])

    def eval(self, decl: Decl) -> Json:
        """An eval suite: a component used for testing only (scope `excluded`)."""
        model = decl.model
        assert isinstance(model, kinds.Eval)
        return self.base(decl, "application", head=self.in_house(), scope="excluded",
                         purl=self.purl(decl),
                         properties=[("aireg:evalCommand", model.spec.command)])

    def mcp(self, decl: Decl) -> Json:
        model = decl.model
        assert isinstance(model, kinds.McpServer)
        spec = model.spec
        tools = [_compact({
            "bom-ref": f"{decl.id}#tool/{tool.name}", "name": tool.name,
            "description": tool.description,
            "properties": _props([("aireg:digest", tool.digest)])})
            for tool in sorted(spec.tools, key=lambda t: t.name)]
        package = spec.package
        purl = package_purl(package) if package is not None else None
        uses = {t["bom-ref"] for t in tools}
        if package is not None:
            ref = f"{decl.id}#package"
            self.components.append(_compact({
                "type": "application", "bom-ref": ref, "name": package.name,
                "version": package.version,
                "purl": purl or generic_purl(self.registry, "mcp-package", package.name,
                                             package.version),
                "properties": _props([("aireg:owner", decl.owner), ("aireg:path", decl.path)])}))
            self.uses[ref] = set()
            uses.add(ref)
        for tool in tools:
            self.uses[tool["bom-ref"]] = set()
        self.uses[str(decl.id)] = uses
        return _compact({
            "bom-ref": str(decl.id),
            "provider": {"name": decl.owner} if decl.owner else None,
            "name": decl.name, "version": decl.version,
            "description": model.metadata.description,
            "endpoints": [iri(spec.url)] if spec.url else None,
            "authenticated": spec.auth != "none", "x-trust-boundary": spec.trust == "third-party",
            "trustZone": "internal" if spec.trust == "first-party" else "third-party",
            "properties": _props([("aireg:owner", decl.owner), ("aireg:path", decl.path),
                                  ("aireg:transport", spec.transport),
                                  ("aireg:command", spec.command)]),
            "services": tools})

    # --- dependencies ---------------------------------------------------------------------

    def dependencies(self, decls: list[Decl], root: str | None) -> list[Json]:
        """One entry per node: what it uses, within the BOM's scope. The registry, when it is
        the BOM's subject, depends on whatever nothing else in the BOM uses (its features,
        evals, and data only evals use). What an eval covers is not a dependency of it."""
        uses = self.uses
        hosted = {d.id for d in decls if isinstance(d.model, kinds.Model)
                  and d.model.spec.hosting == "api"}
        for decl in decls:
            found = uses.setdefault(str(decl.id), set())
            for label, target, member in self.out.get(decl.id, ()):
                if target not in self.inside or label == "covers":
                    continue
                if member is not None:
                    found.add(f"{target}#tool/{member}")
                elif target in hosted and label != "base-model":
                    # What calls a hosted model goes through its endpoint.
                    found.add(f"{target}#service")
                else:
                    found.add(target)
        if root is not None:
            # A tool in use keeps its server in use.
            used: set[str] = set().union(*uses.values())
            used |= {t.split("#tool/", 1)[0] for t in used if "#tool/" in t}
            uses[root] = {ref for ref in uses if ref not in used and "#tool/" not in ref}
        return [{"ref": ref, "dependsOn": sorted(targets)} if targets else {"ref": ref}
                for ref, targets in sorted(uses.items())]


def _card_references(card: kinds.Card | None) -> list[Json]:
    refs: list[Json] = []
    if card is not None and card.documentation:
        refs.append({"url": iri(card.documentation), "type": "model-card"})
    if card is not None and card.download:
        refs.append({"url": iri(card.download), "type": "distribution"})
    return refs


def _considerations(card: kinds.Card | None) -> Json:
    if card is None:
        return {}
    energy: list[Json] = [{"activity": use.phase, "energyProviders": [],
               "activityEnergyCost": {"value": use.kWh, "unit": "kWh"}} for use in card.energy]
    return _compact({
        "users": card.users,
        "useCases": [card.intendedUse] if card.intendedUse else None,
        "technicalLimitations": card.limitations,
        "ethicalConsiderations": [_compact({"name": r.name, "mitigationStrategy": r.mitigation})
                                  for r in card.ethicalRisks],
        "environmentalConsiderations": {"energyConsumptions": energy} if energy else None,
        "fairnessAssessments": [{
            "groupAtRisk": f.group, "benefits": f.benefits or UNDECLARED,
            "harms": f.harms or UNDECLARED, "mitigationStrategy": f.mitigation or UNDECLARED}
            for f in card.fairness]})


COMPONENT_ORDER = ("type", "bom-ref", "supplier", "manufacturer", "group", "name", "version",
                   "description", "scope", "hashes", "licenses", "purl", "pedigree",
                   "externalReferences", "modelCard", "data", "properties")


def _order(item: Json) -> Json:
    """A component's keys in the order the specification lists them."""
    ordered = {k: item[k] for k in COMPONENT_ORDER if k in item}
    ordered.update({k: v for k, v in item.items() if k not in ordered})
    return ordered


MAPPERS: dict[str, Callable[[_Mapper, Decl], Json]] = {
    "Feature": _Mapper.feature, "Model": _Mapper.model, "Adapter": _Mapper.adapter,
    "Dataset": _Mapper.dataset, "Prompt": _Mapper.prompt, "Eval": _Mapper.eval,
    "VectorIndex": _Mapper.index,
}
SERVICE_MAPPERS: dict[str, Callable[[_Mapper, Decl], Json]] = {"McpServer": _Mapper.mcp}


def build(project: Project, feature_refs: list[str], timestamp: dt.datetime | None,
          commit: str | None, version: str, spec_version: str = "1.6") -> Mapped:
    decls, subject = scope_of(project, feature_refs)
    digest = content_digest(project, decls)
    serial = serial_number(project.name, commit, digest, [str(d.id) for d in decls],
                           spec_version)
    mapper = _Mapper(project, decls)
    config = project.loaded.config
    if subject is not None:
        head = _order(mapper.feature(subject))
        root = None
    else:
        root = f"registry:{project.name}"
        head = _compact({
            "type": "application", "bom-ref": root, **mapper.in_house(), "name": project.name,
            "description": config.metadata.description,
            "purl": generic_purl(project.name, "registry", project.name, None),
            "properties": _props([("aireg:commit", commit)])})
    for decl in decls:
        if decl is subject:
            continue
        component = MAPPERS.get(decl.kind)
        if component is not None:
            mapper.components.append(component(mapper, decl))
        else:
            mapper.services.append(SERVICE_MAPPERS[decl.kind](mapper, decl))
    dependencies = mapper.dependencies(decls, root)
    metadata: Json = {}
    if timestamp is not None:
        metadata["timestamp"] = timestamp.isoformat()
    metadata["lifecycles"] = [{"phase": "operations"}]
    metadata["tools"] = {"components": [{"type": "application", "bom-ref": "tool:aireg",
                                         "name": "aireg", "version": version}]}
    if config.spec.supplier is not None:
        metadata["manufacturer"] = _entity(config.spec.supplier)
    metadata["component"] = head
    if config.spec.supplier is not None:
        metadata["supplier"] = _entity(config.spec.supplier)
    if config.spec.license:
        metadata["licenses"] = licenses(config.spec.license)
    metadata["properties"] = [{"name": "cdx:reproducible", "value": "true"}]
    document: Json = {
        "$schema": f"http://cyclonedx.org/schema/bom-{spec_version}.schema.json",
        "bomFormat": "CycloneDX", "specVersion": spec_version,
        "serialNumber": serial.urn, "version": 1, "metadata": metadata,
        "components": sorted(mapper.components, key=lambda c: c["bom-ref"]),
        "services": sorted(mapper.services, key=lambda s: s["bom-ref"]),
        "dependencies": dependencies}
    return Mapped(_compact(document), scope=tuple(d.id for d in decls))


def components(document: Json) -> Iterator[Json]:
    """The components of a BOM, metadata.component first."""
    subject = document["metadata"].get("component")
    if subject is not None:
        yield subject
    yield from document.get("components", [])


def gate(project: Project, decls: list[Decl], scoped: bool) -> list[Finding]:
    """Refuse a BOM over declarations with error findings (RegistryBroken, exit 1, naming
    each): it would describe what does not validate or resolve. A feature's BOM is refused
    only for errors in what it covers; the errors elsewhere are returned, to be warned of."""
    errors = [f for f in project.check().findings if f.severity is Severity.ERROR]
    ours, others = split_by_scope(decls, errors) if scoped else (errors, [])
    if ours:
        where = " in what the BOM covers" if scoped else ""
        which = f"1 error finding{where}; fix it" if len(ours) == 1 else (
            f"{len(ours)} error findings{where}; fix them")
        raise RegistryBroken(f"the registry has {which} (aireg check) before exporting a BOM",
                             ours)
    return others


def revision_of(project: Project) -> tuple[str | None, dt.datetime | None]:
    """The commit a BOM describes and its time: the revision read, or HEAD for the working
    tree; nothing outside git."""
    from .gitrepo import committed_at, note_replace_refs, noted_head

    toplevel = project.location.toplevel
    if toplevel is None:
        return None, None
    note_replace_refs(toplevel)
    commit = project.loaded.tree.commit or noted_head(toplevel)
    if commit is None:
        return None, None
    return commit, committed_at(toplevel, commit)


def split_by_scope(decls: list[Decl], findings: list[Finding]) -> tuple[
        list[Finding], list[Finding]]:
    """The findings about the BOM's declarations, and the others. A finding about no
    declaration (a file that does not parse) is inside when it is in one of their files."""
    inside = {str(d.id) for d in decls}
    paths = {d.path for d in decls}
    ours: list[Finding] = []
    others: list[Finding] = []
    for item in findings:
        mine = item.subject in inside if item.subject is not None else item.at.path in paths
        (ours if mine else others).append(item)
    return ours, others

