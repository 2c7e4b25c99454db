"""What scanned code uses against what the registry declares, over plain data: `aireg scan`'s
coverage and the scan rules' findings.

A model use is covered by a Model pin on one of the platforms its spelling may be sent to,
whose modelId normalises to the same id there (`modelids.normalize`); an Azure deployment
by an azure-openai pin whose modelId, name or endpoint's `/deployments/NAME` is the
deployment; a pin of a provider aireg does not normalise (huggingface, self-hosted, other)
by its modelId as written. An MCP server by the McpServer of its name, url or command. An
adapter_config.json by the Adapter whose import recorded it, else the Adapter named after
its folder.

`Declared` holds what those matches read of the declarations. It is built from a loaded
registry (registry.adoption) and kept in the registry's snapshot, so that a scan of a
registry whose snapshot is stored loads nothing: no model, no YAML. Both ways the same
code below gives the answer, so both give the same bytes.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from .findings import Finding, Span, finding, with_overrides
from .modelids import normalize
from .scan import LITERAL_PROVIDERS, ScanResult, Use, bare


@dataclass(frozen=True)
class Model:
    id: str
    name: str
    provider: str
    model_id: str
    endpoint: str | None
    revision: str | None
    at: Span  # where its spec.modelId is written


@dataclass(frozen=True)
class Server:
    id: str
    name: str
    url: str | None
    command: str | None


@dataclass(frozen=True)
class Declared:
    """What the scan rules read of a registry: its Models and McpServers (by id), the Adapter
    each name resolves to, the Adapter each recorded import source belongs to, the Model each
    Adapter's baseModel resolves to, and the severities its policy sets."""

    registry: str
    models: tuple[Model, ...]
    servers: tuple[Server, ...]
    adapters: dict[str, str]  # name -> adapter id
    sources: dict[str, str]  # recorded source -> adapter id
    bases: dict[str, str | None]  # adapter id -> its base model's id
    policy: dict[str, str]  # rule -> error, warning, info or off

    def plain(self) -> dict[str, Any]:
        """As the snapshot keeps it (JSON)."""
        return {"registry": self.registry,
                "models": [[m.id, m.name, m.provider, m.model_id, m.endpoint, m.revision,
                            m.at.path, m.at.line, m.at.column] for m in self.models],
                "servers": [[s.id, s.name, s.url, s.command] for s in self.servers],
                "adapters": self.adapters, "sources": self.sources, "bases": self.bases,
                "policy": self.policy}


def from_plain(data: Any) -> Declared | None:
    """The Declared a snapshot keeps; None when it is not one (then the registry is loaded)."""
    try:
        models = tuple(Model(str(i), str(n), str(p), str(m), _text(e), _text(r),
                             Span(str(path), int(line), int(column)))
                       for i, n, p, m, e, r, path, line, column in data["models"])
        servers = tuple(Server(str(i), str(n), _text(u), _text(c))
                        for i, n, u, c in data["servers"])
        maps = [data[k] for k in ("adapters", "sources", "bases", "policy")]
        if not all(isinstance(m, dict) for m in maps):
            return None
        return Declared(str(data["registry"]), models, servers, *maps)
    except (KeyError, TypeError, ValueError):
        return None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class Covered:
    use: Use
    by: str | None  # the declaration's id


@dataclass(frozen=True)
class ScanReport:
    """`aireg scan`: each use with what covers it, the scan rules' findings (placed, with
    the registry's policy applied), and how many files were read."""

    rows: tuple[Covered, ...]
    findings: tuple[Finding, ...]
    files: int
    registry: str


class Coverage:
    def __init__(self, declared: Declared) -> None:
        self.declared = declared
        self.by_id = {m.id: m for m in declared.models}
        self.models: dict[tuple[str, str], list[str]] = {}
        self.literal: dict[str, list[str]] = {}
        self.deployments: dict[str, list[str]] = {}
        for model in declared.models:
            if model.provider in LITERAL_PROVIDERS:
                self.literal.setdefault(model.model_id.strip().lower(), []).append(model.id)
                continue
            self.models.setdefault((model.provider, normalize(model.provider,
                                                              model.model_id)),
                                   []).append(model.id)
            if model.provider == "azure-openai":
                names = {model.model_id.strip().lower(), model.name}
                if model.endpoint and "/deployments/" in model.endpoint:
                    names.add(model.endpoint.split("/deployments/", 1)[1].split("/")[0]
                              .lower())
                for name in names:
                    self.deployments.setdefault(name, []).append(model.id)
        self._known: dict[tuple[str, str, tuple[str, ...], bool], str | None] = {}
        self.servers: dict[str, str] = {}
        for server in declared.servers:
            for key in (server.name, server.url, server.command):
                if key:
                    self.servers.setdefault(key, server.id)

    def model(self, use: Use) -> str | None:
        # Code repeats its model ids: each spelling is looked up once.
        key = (use.text, use.id, use.platforms, use.deployment)
        if key not in self._known:
            self._known[key] = self._model(use)
        return self._known[key]

    def _model(self, use: Use) -> str | None:
        if use.deployment:
            found = self.deployments.get(use.id)
            if found:
                return found[-1]
        else:
            for platform in use.platforms:
                found = self.models.get((platform, normalize(platform, bare(use.text))))
                if found:
                    return found[-1]
        literal = self.literal.get(bare(use.text).strip().lower()) or self.literal.get(use.id)
        return literal[-1] if literal else None

    def server(self, use: Use) -> str | None:
        return self.servers.get(use.id) or (self.servers.get(use.detail) if use.detail
                                            else None)

    def adapter(self, use: Use) -> str | None:
        found = self.declared.sources.get(use.path)
        if found is not None:
            return found
        folder = posixpath.basename(posixpath.dirname(use.path))
        from .importers import name_of  # the name `aireg import` gives what it writes

        return self.declared.adapters.get(name_of(folder))

    def covering(self, use: Use) -> str | None:
        if use.kind == "model":
            return self.model(use)
        if use.kind == "mcp-server":
            return self.server(use)
        return self.adapter(use)


def covered(declared: Declared, result: ScanResult, coverage: Coverage | None = None
            ) -> list[Covered]:
    coverage = coverage or Coverage(declared)
    return [Covered(use, coverage.covering(use)) for use in result.uses]


def scan_findings(declared: Declared, result: ScanResult, coverage: Coverage | None = None
                  ) -> list[Finding]:
    """undeclared-model, undeclared-mcp-server, adapter-base-mismatch, unreferenced-pin,
    and the configs scan could not read (at their rules' own severities)."""
    coverage = coverage or Coverage(declared)
    out = list(result.problems)
    used: set[str] = set()
    for use in result.uses:
        if use.kind == "model":
            pin = coverage.model(use)
            if pin is not None:
                used.add(pin)
                continue
            out.append(_undeclared_model(use))
        elif use.kind == "mcp-server":
            if coverage.server(use) is None:
                out.append(finding(
                    "undeclared-mcp-server", f"MCP server `{use.text}` is configured here, "
                    f"but no McpServer declares it; import it (aireg import mcp {use.path}) or "
                    f"declare mcp/{use.id}", use.span, value=use.id))
        else:
            out.extend(_adapter_findings(coverage, use, used))
    for model in declared.models:
        if model.id in used:
            continue
        out.append(finding(
            "unreferenced-pin", f"no scanned code uses {model.id} "
            f"({model.model_id}); remove the pin if nothing sends requests to it",
            model.at, subject=model.id, field="spec.modelId"))
    return out


def report(declared: Declared, result: ScanResult) -> ScanReport:
    """`aireg scan`'s report, the registry's policy applied to the findings."""
    coverage = Coverage(declared)
    findings = with_overrides(scan_findings(declared, result, coverage), declared.policy)
    findings.sort(key=lambda f: f.sort_key())
    return ScanReport(tuple(covered(declared, result, coverage)), tuple(findings),
                      result.files, declared.registry)


def _undeclared_model(use: Use) -> Finding:
    if use.deployment:
        hint = (f"declare a Model (provider: azure-openai, modelId: {use.text}, or an "
                f"endpoint ending in /deployments/{use.text})")
        what = f"Azure OpenAI deployment `{use.text}`"
    else:
        normal = "" if use.id == use.text else f" ({use.platforms[0]} id {use.id})"
        hint = (f"declare a Model pin (provider: {' or '.join(use.platforms)}, modelId: "
                f"{use.id})")
        what = f"model `{use.text}`{normal}"
    return finding("undeclared-model", f"{what} is used here, but no Model declares it; "
                   f"{hint}, or mark the line `aireg: ignore`", use.span,
                   value=f"{use.platforms[0]}:{use.id}")


def _adapter_findings(coverage: Coverage, use: Use, used: set[str]) -> list[Finding]:
    adapter = coverage.adapter(use)
    if adapter is None:
        return []
    base_id = coverage.declared.bases.get(adapter)
    base = coverage.by_id.get(base_id) if base_id is not None else None
    if base is None:
        return []  # dangling-ref says so at the Adapter
    used.add(base.id)
    same_id = base.model_id.strip().lower() == use.text.strip().lower()
    same_revision = use.detail is None or base.revision is None or use.detail == base.revision
    if same_id and same_revision:
        return []
    what = f"revision `{use.detail}` of `{use.text}`" if same_id else f"`{use.text}`"
    declared = (f"revision {base.revision}" if same_id else f"modelId {base.model_id}")
    return [finding(
        "adapter-base-mismatch", f"this adapter was trained on {what}, but {adapter} "
        f"declares baseModel {base.id} ({declared}); point baseModel at the model it was "
        "trained on, or import the adapter again", use.span, subject=adapter,
        field="spec.baseModel", value=use.text)]
