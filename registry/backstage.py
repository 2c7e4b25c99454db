"""The registry as Backstage catalog entities (`aireg export backstage`).

| declaration | entity |
|---|---|
| Feature | Component, `type: ai-feature` |
| Prompt, Adapter, Dataset, Model (and VectorIndex) | Resource, `type: ai-prompt`, ... |
| McpServer | API, `type: mcp-server`, with its transport as a remote |
| Team | Group, `type: team` |

Edges become `dependsOn` (`consumesApis` for a Component using an MCP server). Each version
of an artifact is its own entity, named `<name>-<version>` (Backstage names have no `@`), with
the node id as its title and in the `aireg.dev/ref` annotation. Every entity is validated
against Backstage's own JSON schemas, vendored from the @backstage/catalog-model npm package
(`data/backstage/README.md`), before anything is written.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import kinds
from .decl import Decl
from .findings import AiregError, ExitCode
from .refs import NodeId

if TYPE_CHECKING:
    import jsonschema_rs

    from .project import Project

Json = dict[str, Any]
SCHEMAS = Path(__file__).parent / "data" / "backstage"
API_VERSION = "backstage.io/v1alpha1"
# Which schema checks each entity kind (the API schema for MCP servers is its own).
KIND_SCHEMAS = {"Component": "Component.v1alpha1.schema.json",
                "Resource": "Resource.v1alpha1.schema.json",
                "API": "API.v1alpha1.mcp-server.schema.json",
                "Group": "Group.v1alpha1.schema.json"}
RESOURCE_TYPES = {"Prompt": "ai-prompt", "Adapter": "ai-adapter", "Dataset": "dataset",
                  "Model": "ai-model", "VectorIndex": "vector-index"}
TRANSPORTS = {"stdio": "stdio", "http": "streamable-http", "sse": "sse"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
NAME_MAX = 63


class InvalidEntity(AiregError):
    """An entity aireg made does not validate: a bug in aireg."""

    exit_code = ExitCode.INTERNAL


def entity_name(decl: Decl) -> str:
    """A Backstage name: letters, digits, `-_.`, at most 63 characters (longer ones keep a
    short hash of the node id, so two versions never meet)."""
    text = decl.name if decl.version is None else f"{decl.name}-{decl.version}"
    text = _UNSAFE.sub("-", text)
    if len(text) > NAME_MAX:
        digest = hashlib.sha256(str(decl.id).encode()).hexdigest()[:8]
        text = f"{text[:NAME_MAX - 9].rstrip('-_.')}-{digest}"
    return text


def _owner(owner: str | None) -> str:
    if owner is None:
        return "group:default/unowned"
    kind, _, name = owner.partition("/")
    return f"{'group' if kind == 'team' else 'user'}:default/{name}"


class _Exporter:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.by_id = project.catalog.by_id
        self.out: dict[str, list[tuple[str, str]]] = {}
        for edge in project.catalog.edges:
            self.out.setdefault(str(edge.source), []).append((edge.label, str(edge.target)))

    def ref(self, node: str) -> str | None:
        decl = self.by_id.get(NodeId(node))
        if decl is None:
            return None
        kind = ENTITY_KINDS.get(decl.kind)
        if kind is None:
            return None
        return f"{kind[0].lower()}:default/{entity_name(decl)}"

    def depends(self, decl: Decl) -> list[str]:
        found = [self.ref(target) for label, target in self.out.get(str(decl.id), ())
                 if label != "covers"]
        return sorted({r for r in found if r is not None})

    def metadata(self, decl: Decl) -> Json:
        meta = decl.model.metadata
        found: Json = {"name": entity_name(decl), "title": str(decl.id),
                       "annotations": {"aireg.dev/ref": str(decl.id),
                                       "aireg.dev/source-location": decl.path}}
        if meta.description:
            found["description"] = meta.description
        labels = {k: v for k, v in meta.labels.items() if _UNSAFE.search(k) is None}
        if labels:
            found["labels"] = labels
        found["tags"] = [decl.kind.lower()]
        return found

    def lifecycle(self, decl: Decl) -> str:
        return "deprecated" if decl.model.metadata.deprecation is not None else "production"

    def feature(self, decl: Decl) -> Json:
        depends = self.depends(decl)
        spec: Json = {"type": "ai-feature", "lifecycle": self.lifecycle(decl),
                      "owner": _owner(decl.owner)}
        apis = [r for r in depends if r.startswith("api:")]
        if [r for r in depends if not r.startswith("api:")]:
            spec["dependsOn"] = [r for r in depends if not r.startswith("api:")]
        if apis:
            spec["consumesApis"] = apis
        return {"apiVersion": API_VERSION, "kind": "Component", "metadata": self.metadata(decl),
                "spec": spec}

    def resource(self, decl: Decl) -> Json:
        spec: Json = {"type": RESOURCE_TYPES[decl.kind], "owner": _owner(decl.owner)}
        depends = self.depends(decl)
        if depends:
            spec["dependsOn"] = depends
        return {"apiVersion": API_VERSION, "kind": "Resource", "metadata": self.metadata(decl),
                "spec": spec}

    def mcp(self, decl: Decl) -> Json:
        model = decl.model
        assert isinstance(model, kinds.McpServer)
        spec = model.spec
        url = spec.url if spec.url is not None else (spec.command or decl.name)
        return {"apiVersion": API_VERSION, "kind": "API", "metadata": self.metadata(decl),
                "spec": {"type": "mcp-server", "lifecycle": self.lifecycle(decl),
                         "owner": _owner(decl.owner),
                         "remotes": [{"type": TRANSPORTS[spec.transport], "url": url}]}}

    def team(self, decl: Decl) -> Json:
        model = decl.model
        assert isinstance(model, kinds.Team)
        metadata = self.metadata(decl)
        spec: Json = {"type": "team", "children": [], "members": list(model.spec.members)}
        if model.spec.contact:
            metadata["annotations"]["aireg.dev/contact"] = model.spec.contact
        return {"apiVersion": API_VERSION, "kind": "Group", "metadata": metadata, "spec": spec}


# Declaration kind -> (Backstage kind, how to map it); kinds not listed are not exported.
ENTITY_KINDS: dict[str, tuple[str, Callable[[_Exporter, Decl], Json]]] = {
    "Feature": ("Component", _Exporter.feature),
    "Prompt": ("Resource", _Exporter.resource), "Adapter": ("Resource", _Exporter.resource),
    "Dataset": ("Resource", _Exporter.resource), "Model": ("Resource", _Exporter.resource),
    "VectorIndex": ("Resource", _Exporter.resource),
    "McpServer": ("API", _Exporter.mcp), "Team": ("Group", _Exporter.team),
}


@functools.cache
def validators() -> dict[str, jsonschema_rs.Validator]:
    import jsonschema_rs

    loaded = {p.name: json.loads(p.read_text(encoding="utf-8"))
              for p in SCHEMAS.glob("*.schema.json")}
    registry = jsonschema_rs.Registry([(doc["$id"], doc) for doc in loaded.values()])
    return {kind: jsonschema_rs.Draft7Validator(loaded[name], registry=registry)
            for kind, name in KIND_SCHEMAS.items()}


def entities(project: Project) -> list[Json]:
    """Every exported declaration as a Backstage entity, validated, in node-id order."""
    exporter = _Exporter(project)
    found: list[Json] = []
    for decl in sorted(project.catalog.decls(), key=lambda d: d.id):
        kind = ENTITY_KINDS.get(decl.kind)
        if kind is None:
            continue
        entity = kind[1](exporter, decl)
        error = next(iter(validators()[entity["kind"]].iter_errors(entity)), None)
        if error is not None:
            raise InvalidEntity(f"the Backstage entity aireg made for {decl.id} is invalid, "
                                f"which is a bug in aireg (please report it): {error.message}")
        found.append(entity)
    return found


def render(found: list[Json]) -> str:
    """The entities as one multi-document `catalog-info.yaml`."""
    import yaml

    return yaml.safe_dump_all(found, sort_keys=False, allow_unicode=True, width=100,
                              explicit_start=True)
