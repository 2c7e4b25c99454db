"""`aireg bom`: the CycloneDX AI-BOM of SPEC section 8.

The example registry's BOM against golden files and the official 1.6 and 1.7 schemas, the
mapping of every kind checked against the declarations it comes from, invariants of the
dependency graph on every BOM made here (randomised registries included), reproducibility,
scope, refusal, completeness, and an invalid BOM reported as a bug."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import shutil
import subprocess
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import (
    CONFIG,
    EXAMPLE,
    REPO_ROOT,
    TEAM,
    GitRepo,
    Result,
    Run,
    check_golden,
    python,
    write_files,
)
from cyclonedx.schema import SchemaVersion
from cyclonedx.spdx import is_supported_id
from cyclonedx.validation.json import JsonStrictValidator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

TODAY = "2026-11-21"
SCHEMA_VERSIONS = {"1.6": SchemaVersion.V1_6, "1.7": SchemaVersion.V1_7}
PREFIX = {"Model": "model", "Prompt": "prompt", "Adapter": "adapter", "Dataset": "dataset",
          "McpServer": "mcp", "Feature": "feature", "Eval": "eval", "Team": "team",
          "Environment": "env"}
OUTSIDE_BOM = ("Team", "Environment")
# SPEC section 8: supplier = provider; CycloneDX's modelParameters.task uses these words.
SUPPLIERS = {"openai": "OpenAI", "anthropic": "Anthropic", "google": "Google",
             "vertex-ai": "Google Cloud", "azure-openai": "Microsoft Azure",
             "bedrock": "Amazon Web Services", "mistral": "Mistral AI", "cohere": "Cohere",
             "huggingface": "Hugging Face"}
TASKS = {"chat": "text-generation", "text-generation": "text-generation",
         "embedding": "feature-extraction", "reranking": "text-ranking",
         "classification": "text-classification", "image-generation": "text-to-image",
         "speech": "automatic-speech-recognition", "other": "other"}
SPDX_OPERATORS = (" AND ", " OR ", " WITH ")
END_OF_LIFE = "cdx:lifecycle:milestone:endOfLife"


# --- reading a BOM and the declarations it describes ---------------------------------------


@functools.cache
def schema_validator(spec_version: str) -> JsonStrictValidator:
    return JsonStrictValidator(SCHEMA_VERSIONS[spec_version])


def assert_schema_valid(text: str, spec_version: str) -> None:
    """Valid against the official schema, checked here and not by aireg's own validation."""
    error = schema_validator(spec_version).validate_str(text)
    assert error is None, str(error).splitlines()[0]


def walk(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Components or services, with the ones nested in them."""
    for item in items:
        yield item
        yield from walk(item.get("components", []))
        yield from walk(item.get("services", []))


def nodes_of(bom: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every component and service in the BOM (nested included) and metadata.component,
    by bom-ref: the nodes of its dependency graph."""
    found = [*walk(bom.get("components", [])), *walk(bom.get("services", []))]
    subject = bom["metadata"].get("component")
    if subject is not None:
        found.append(subject)
    refs = Counter(item["bom-ref"] for item in found)
    assert all(count == 1 for count in refs.values()), refs.most_common(3)
    return {item["bom-ref"]: item for item in found}


def all_bom_refs(bom: dict[str, Any]) -> list[str]:
    """Every bom-ref anywhere in the document: pedigree ancestors and tools included."""
    refs: list[str] = []

    def visit(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("bom-ref"), str):
                refs.append(value["bom-ref"])
            for item in value.values():
                visit(item)
        elif isinstance(value, list):
            for item in value:
                visit(item)

    visit({k: v for k, v in bom.items() if k != "dependencies"})
    return refs


def dependencies(bom: dict[str, Any]) -> dict[str, list[str]]:
    return {entry["ref"]: entry.get("dependsOn", []) for entry in bom["dependencies"]}


def assert_invariants(bom: dict[str, Any]) -> None:
    """What must hold in every BOM aireg writes."""
    everywhere = Counter(all_bom_refs(bom))
    assert [ref for ref, count in everywhere.items() if count > 1] == []
    nodes = nodes_of(bom)
    entries = [entry["ref"] for entry in bom["dependencies"]]
    # One entry per node, and nothing else.
    assert sorted(entries) == sorted(nodes)
    for ref, targets in dependencies(bom).items():
        assert ref in nodes
        assert len(targets) == len(set(targets)), ref
        assert set(targets) <= set(nodes), (ref, sorted(set(targets) - set(nodes)))
    for component in walk(bom.get("components", [])):
        card = component.get("modelCard", {})
        for dataset in card.get("modelParameters", {}).get("datasets", []):
            # Inline (lib4sbom reads no `{"ref"}` item), named `<model>#<role>/<dataset>`,
            # with the classification lib4sbom needs.
            owner, _, named = dataset["bom-ref"].partition("#")
            role, _, target = named.partition("/")
            assert (owner, role) in ((component["bom-ref"], "trained-on"),
                                     (component["bom-ref"], "tested-on")), dataset
            assert nodes[target]["type"] == "data"
            assert dataset["name"] == nodes[target]["name"]
            assert dataset["classification"] == nodes[target]["data"][0].get(
                "classification", "not declared")
    for item in [bom["metadata"]["component"], *walk(bom.get("components", []))]:
        assert item["purl"].startswith("pkg:"), item["bom-ref"]
    assert_readers_keep_everything(bom)


def assert_readers_keep_everything(bom: dict[str, Any]) -> None:
    """lib4sbom (behind sbom2doc, sbomaudit, sbomdiff) and cyclonedx-python-lib's own reader
    read every component and service of the BOM."""
    import tempfile

    from cyclonedx.model.bom import Bom
    from lib4sbom.parser import SBOMParser

    refs = sorted(c["bom-ref"] for c in bom.get("components", []))
    services = sorted(s["bom-ref"] for s in bom.get("services", []))
    read = Bom.from_json(bom)  # type: ignore[attr-defined]
    assert sorted(str(c.bom_ref) for c in read.components) == refs
    assert sorted(str(s.bom_ref) for s in read.services) == services
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bom.json"
        path.write_text(json.dumps(bom), encoding="utf-8")
        parser = SBOMParser()
        parser.parse_file(str(path))
    packages = parser.get_packages()
    assert len(packages) == len(refs)
    assert sorted(p["name"] for p in packages) == sorted(
        c["name"] for c in bom.get("components", []))
    assert len(parser.get_services()) == len(services)


def registry_of(bom: dict[str, Any]) -> str:
    """The registry name, from the purl of the BOM's subject."""
    purl: str = bom["metadata"]["component"]["purl"]
    return purl.split("/")[2]


def generic(bom: dict[str, Any], ident: str) -> str:
    """The documented purl of a declaration with no purl type of its own."""
    from urllib.parse import quote

    kind, _, rest = ident.partition("/")
    name, _, version = rest.partition("@")
    purl = f"pkg:generic/aireg/{registry_of(bom)}/{kind}/{quote(name)}"
    return f"{purl}@{quote(version)}" if version else purl


def node_id(decl: dict[str, Any]) -> str:
    meta = decl["metadata"]
    text = f"{PREFIX[decl['kind']]}/{meta['name']}"
    return f"{text}@{meta['version']}" if meta.get("version") else text


def load_decls(root: Path) -> dict[str, dict[str, Any]]:
    """The declarations of a registry folder by node id, read here with plain PyYAML (the
    example's exclude is .github/**); `_template` holds a prompt's template text."""
    decls: dict[str, dict[str, Any]] = {}
    for path in sorted([*root.rglob("*.yaml"), *root.rglob("*.yml")]):
        if ".github" in path.relative_to(root).parts:
            continue
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if not isinstance(doc, dict) or not str(doc.get("apiVersion", "")).startswith(
                    "aireg/") or doc.get("kind") == "Registry":
                continue
            spec = doc.get("spec") or {}
            if doc["kind"] == "Prompt":
                doc["_template"] = (spec["template"] if "template" in spec else
                                    (path.parent / spec["templateFile"]).read_text("utf-8"))
            decls[node_id(doc)] = doc
    return decls


def unique(decls: dict[str, dict[str, Any]], ref: str) -> str:
    """The node id of a ref to a kind/name declared once (models and datasets here)."""
    kind_name = ref.split("#", 1)[0].split("@", 1)[0]
    found = [i for i in decls if i == kind_name or i.startswith(f"{kind_name}@")]
    assert len(found) == 1, (ref, found)
    return found[0]


def prop(item: dict[str, Any], name: str) -> list[str]:
    return [p["value"] for p in item.get("properties", []) if p["name"] == name]


def expected_licenses(text: str | None) -> list[dict[str, Any]] | None:
    """SPDX ids as ids, SPDX expressions as expressions, anything else by name."""
    if text is None:
        return None
    if is_supported_id(text):
        return [{"license": {"id": text}}]
    if any(op in f" {text} " for op in SPDX_OPERATORS):
        # In SPDX's own spelling, as license-expression renders it (outer parentheses go).
        from license_expression import get_spdx_licensing

        parsed = get_spdx_licensing().parse(text)
        return [{"expression": parsed.render("{symbol.key}")}]
    return [{"license": {"name": text}}]


def hashes(digest: str | None) -> list[dict[str, str]] | None:
    return None if digest is None else [{"alg": "SHA-256", "content": digest.split(":")[1]}]


def check_mapping(bom: dict[str, Any], decls: dict[str, dict[str, Any]]) -> None:
    """Each declaration in the BOM mapped as SPEC section 8 says, compared with its source."""
    nodes = nodes_of(bom)
    deps = dependencies(bom)
    subject = bom["metadata"]["component"]
    for ident, decl in decls.items():
        if ident not in nodes:
            continue
        assert decl["kind"] not in OUTSIDE_BOM
        item, spec, meta = nodes[ident], decl.get("spec") or {}, decl["metadata"]
        assert prop(item, "aireg:owner") == [meta["owner"]]
        if meta.get("description") is not None:
            assert item["description"] == meta["description"]
        match decl["kind"]:
            case "Feature":
                assert item["type"] == "application"
                assert item["name"] == meta["name"]
                assert prop(item, "aireg:tier") == [spec.get("tier", "medium")]
                assert item is subject or item in bom["components"]
                assert item["purl"] == generic(bom, ident)
            case "Eval":
                assert (item["type"], item["scope"]) == ("application", "excluded")
                assert item["purl"] == generic(bom, ident)
                assert prop(item, "aireg:evalCommand") == (
                    [spec["command"]] if spec.get("command") else [])
            case "Model":
                check_model(bom, item, decl, deps)
            case "Adapter":
                check_adapter(item, decl, decls, nodes, deps)
            case "Dataset":
                check_dataset(item, decl, decls, deps)
                assert item["purl"] == generic(bom, ident)
            case "Prompt":
                check_prompt(item, decl)
                assert item["purl"] == generic(bom, ident)
            case "McpServer":
                check_mcp(item, decl, deps, nodes)


def check_model(bom: dict[str, Any], item: dict[str, Any], decl: dict[str, Any],
                deps: dict[str, list[str]]) -> None:
    spec, meta, ident = decl["spec"], decl["metadata"], node_id(decl)
    assert item in bom["components"]
    assert item["type"] == "machine-learning-model"
    if spec["provider"] in SUPPLIERS:
        assert item["supplier"] == {"name": SUPPLIERS[spec["provider"]]}
    else:
        assert item["supplier"]["name"]
    if spec.get("task") is not None:
        assert item["modelCard"]["modelParameters"]["task"] == TASKS[spec["task"]]
    else:
        assert "task" not in item.get("modelCard", {}).get("modelParameters", {})
    assert item.get("licenses") == expected_licenses(spec.get("license"))
    assert item.get("hashes") == hashes(spec.get("digest"))
    sunset = (meta.get("deprecation") or {}).get("sunset")
    if sunset is not None:  # a declared day wins over the known-retirements data
        assert prop(item, END_OF_LIFE) == [sunset.isoformat()]
    services = {s["bom-ref"]: s for s in bom.get("services", [])}
    if spec.get("hosting", "api") == "api":
        service = services[f"{ident}#service"]
        assert service.get("endpoints") == ([spec["endpoint"]] if spec.get("endpoint") else None)
        assert deps[f"{ident}#service"] == [ident]
    else:
        assert f"{ident}#service" not in services
    if spec["provider"] == "huggingface" and "/" in spec["modelId"]:
        group, name = spec["modelId"].split("/", 1)
        assert (item["group"], item["name"]) == (group, name)
        assert item["purl"].startswith(f"pkg:huggingface/{group}/")
    else:
        assert item["name"] == spec["modelId"]
        assert item["purl"] == generic(bom, ident)
    check_card(item, spec.get("card"))


def check_adapter(item: dict[str, Any], decl: dict[str, Any],
                  decls: dict[str, dict[str, Any]], nodes: dict[str, dict[str, Any]],
                  deps: dict[str, list[str]]) -> None:
    spec, ident = decl["spec"], node_id(decl)
    assert item["type"] == "machine-learning-model"
    assert (item["name"], item["version"]) == (decl["metadata"]["name"],
                                               decl["metadata"]["version"])
    base = unique(decls, spec["baseModel"])
    assert base in deps[ident]
    # pedigree.ancestors: a copy of the base model (its own bom-ref, so refs stay unique).
    [ancestor] = item["pedigree"]["ancestors"]
    copied = {k: v for k, v in nodes[base].items() if k not in ("bom-ref", "modelCard")}
    assert {k: v for k, v in ancestor.items() if k != "bom-ref"} == copied
    card = item["modelCard"]
    parameters = card.get("modelParameters", {})
    listed = [d["bom-ref"] for d in parameters.get("datasets", [])]
    for role, key in (("trained-on", "datasets"), ("tested-on", "evalDatasets")):
        wanted = sorted({unique(decls, ref) for ref in spec.get(key, [])})
        assert set(wanted) <= set(deps[ident])
        assert {f"{ident}#{role}/{ref}" for ref in wanted} <= set(listed)
    if spec.get("approach"):
        assert parameters["approach"] == {"type": spec["approach"]}
    else:
        assert "approach" not in parameters
    check_card(item, spec.get("card"))
    metrics = [{"type": k, "value": str(v)} for k, v in (spec.get("metrics") or {}).items()]
    if metrics:
        assert card["quantitativeAnalysis"]["performanceMetrics"] == metrics
    else:
        assert "quantitativeAnalysis" not in card
    properties = {(p["name"], p["value"]) for p in card["properties"]}
    assert ("aireg:method", spec["method"]) in properties
    for name, value in (spec.get("hyperparameters") or {}).items():
        assert (f"aireg:hyperparameter:{name}", str(value)) in properties
    assert item.get("hashes") == hashes((spec.get("artifact") or {}).get("digest"))


def check_card(item: dict[str, Any], card: dict[str, Any] | None) -> None:
    """A declared model card, each key in its CycloneDX place."""
    if card is None:
        return
    parameters = item.get("modelCard", {}).get("modelParameters", {})
    considerations = item.get("modelCard", {}).get("considerations", {})
    arch = card.get("architecture") or {}
    assert parameters.get("architectureFamily") == arch.get("family")
    assert parameters.get("modelArchitecture") == arch.get("name")
    assert parameters.get("inputs", []) == [{"format": f} for f in card.get("inputs", [])]
    assert parameters.get("outputs", []) == [{"format": f} for f in card.get("outputs", [])]
    assert considerations.get("useCases") == (
        [card["intendedUse"]] if card.get("intendedUse") else None)
    assert considerations.get("users", []) == card.get("users", [])
    assert considerations.get("technicalLimitations", []) == card.get("limitations", [])
    assert considerations.get("ethicalConsiderations", []) == [
        {"name": r["name"], **({"mitigationStrategy": r["mitigation"]} if r.get("mitigation")
                               else {})} for r in card.get("ethicalRisks", [])]
    energy = considerations.get("environmentalConsiderations", {}).get("energyConsumptions", [])
    assert [(e["activity"], e["activityEnergyCost"]) for e in energy] == [
        (e["phase"], {"value": e["kWh"], "unit": "kWh"}) for e in card.get("energy", [])]
    refs = {(r["type"], r["url"]) for r in item.get("externalReferences", [])}
    if card.get("documentation"):
        assert ("model-card", card["documentation"]) in refs
    if card.get("download"):
        assert ("distribution", card["download"]) in refs


def check_dataset(item: dict[str, Any], decl: dict[str, Any],
                  decls: dict[str, dict[str, Any]], deps: dict[str, list[str]]) -> None:
    spec, meta, ident = decl["spec"], decl["metadata"], node_id(decl)
    # derivedFrom: a dependency on each source, and each in the pedigree's ancestors.
    sources = sorted({unique(decls, ref) for ref in spec.get("derivedFrom", [])})
    assert set(sources) <= set(deps[ident])
    assert sorted(a["bom-ref"] for a in item.get("pedigree", {}).get("ancestors", [])) == [
        f"{ident}#derived-from/{ref}" for ref in sources]
    assert item["type"] == "data"
    assert (item["name"], item["version"]) == (meta["name"], meta["version"])
    [data] = item["data"]
    assert data["type"] == "dataset"
    assert data.get("classification") == spec.get("classification")
    assert data["governance"] == {"owners": [{"organization": {"name": meta["owner"]}}]}
    assert item.get("licenses") == expected_licenses(spec.get("license"))
    source = spec.get("source") or {}
    assert item.get("hashes") == hashes(source.get("digest"))
    assert data.get("contents") == ({"url": source["uri"]} if source.get("uri") else None)
    assert ("sensitiveData" in data) == bool(spec.get("personalData"))


def check_prompt(item: dict[str, Any], decl: dict[str, Any]) -> None:
    meta, template = decl["metadata"], decl["_template"]
    assert item["type"] == "data"
    assert (item["name"], item["version"]) == (meta["name"], meta["version"])
    [data] = item["data"]
    assert data["type"] == "configuration"
    assert data["contents"]["attachment"] == {"contentType": "text/x-jinja2",
                                              "content": template}
    digest = hashlib.sha256(template.encode("utf-8")).hexdigest()
    assert item["hashes"] == [{"alg": "SHA-256", "content": digest}]


def check_mcp(item: dict[str, Any], decl: dict[str, Any], deps: dict[str, list[str]],
              nodes: dict[str, dict[str, Any]]) -> None:
    spec, meta, ident = decl["spec"], decl["metadata"], node_id(decl)
    assert "type" not in item  # a service, not a component
    assert (item["name"], item["version"]) == (meta["name"], meta["version"])
    assert item.get("endpoints") == ([spec["url"]] if spec.get("url") else None)
    assert item["authenticated"] is (spec.get("auth", "none") != "none")
    assert item["x-trust-boundary"] is (spec["trust"] == "third-party")
    assert item["trustZone"] == ("internal" if spec["trust"] == "first-party" else "third-party")
    tools = sorted(tool["name"] for tool in spec.get("tools", []))
    nested = item.get("services", [])
    assert sorted(s["name"] for s in nested) == tools
    assert sorted(s["bom-ref"] for s in nested) == [f"{ident}#tool/{t}" for t in tools]
    digests = {t["name"]: t.get("digest") for t in spec.get("tools", [])}
    for service in nested:
        assert prop(service, "aireg:digest") == (
            [digests[service["name"]]] if digests[service["name"]] else [])
    package = spec.get("package")
    extra = [f"{ident}#package"] if package else []
    assert sorted(deps[ident]) == sorted([f"{ident}#tool/{t}" for t in tools] + extra)
    if package:
        component = nodes[f"{ident}#package"]
        assert (component["name"], component.get("version")) == (
            package["name"], package.get("version"))
        if package["ecosystem"] == "npm":
            from packageurl import PackageURL

            parsed = PackageURL.from_string(component["purl"])
            assert (parsed.type, f"{parsed.namespace}/{parsed.name}" if parsed.namespace
                    else parsed.name, parsed.version) == ("npm", package["name"],
                                                          package.get("version"))


def scope_ids(bom: dict[str, Any]) -> set[str]:
    """The declarations a BOM describes: its nodes without the parts aireg adds."""
    return {ref for ref in nodes_of(bom) if "#" not in ref and not ref.startswith("registry:")}


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def bom_at(aireg: Run) -> Callable[..., Result]:
    """`aireg -C ROOT --today TODAY bom ARGS...`"""

    def run(root: Path, *args: str, rev: str | None = None) -> Result:
        extra = ("--rev", rev) if rev else ()
        return aireg("-C", str(root), "--today", TODAY, *extra, "bom", *args)

    return run


def produce(bom_at: Callable[..., Result], root: Path, *args: str,
            spec_version: str = "1.6") -> dict[str, Any]:
    """A BOM that aireg wrote (exit 0), valid against the official schema, with the
    invariants; returned parsed."""
    result = bom_at(root, *args, "--spec-version", spec_version)
    assert result.code == 0, result.err
    assert result.err.startswith("BOM completeness: ")
    assert_schema_valid(result.out, spec_version)
    bom = json.loads(result.out)
    assert bom["specVersion"] == spec_version
    assert_invariants(bom)
    return bom


# --- the example registry -------------------------------------------------------------------


@pytest.mark.parametrize("spec_version", ["1.6", "1.7"])
def test_example_bom_is_valid_cyclonedx(acme_repo: GitRepo, bom_at: Callable[..., Result],
                                        spec_version: str) -> None:
    bom = produce(bom_at, acme_repo.root, spec_version=spec_version)
    assert bom["$schema"] == f"http://cyclonedx.org/schema/bom-{spec_version}.schema.json"
    check_mapping(bom, load_decls(acme_repo.root))


@pytest.mark.parametrize(("name", "args"), [("acme", ()),
                                            ("support-bot", ("feature/support-bot",))])
def test_example_bom_golden(request: pytest.FixtureRequest, acme_repo: GitRepo,
                            bom_at: Callable[..., Result], name: str,
                            args: tuple[str, ...]) -> None:
    result = bom_at(acme_repo.root, *args)
    assert result.code == 0
    check_golden(request, f"bom-{name}.json", result.out)


# --- randomised registries ------------------------------------------------------------------

NAME = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,11}", fullmatch=True)
TOOL = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.:-]{0,9}", fullmatch=True)
TEXT = st.text(alphabet=st.sampled_from("abc xyz\n.,;:!?'\"()[]-_/%é日"), min_size=1,
               max_size=40)
DIGEST = st.binary(min_size=4, max_size=4).map(
    lambda raw: "sha256:" + hashlib.sha256(raw).hexdigest())
VERSION = st.builds(lambda a, b, c, pre: f"{a}.{b}.{c}" + (f"-rc.{pre}" if pre else ""),
                    st.integers(0, 3), st.integers(0, 3), st.integers(0, 3),
                    st.sampled_from([None, None, None, 1]))
LICENSES = st.sampled_from([
    None, "MIT", "Apache-2.0", "CC-BY-4.0", "CC-BY-SA-4.0", "BSD-3-Clause", "GPL-2.0-or-later",
    "MIT OR Apache-2.0", "(MIT AND BSD-3-Clause)", "Apache-2.0 WITH LLVM-exception",
    "LicenseRef-acme-internal", "LicenseRef-acme OR MIT", "proprietary", "Proprietary",
    "NOASSERTION"])
FUTURE_DAY = st.dates(dt.date(2026, 11, 22), dt.date(2028, 12, 31))
ANY_DAY = st.dates(dt.date(2024, 1, 1), dt.date(2028, 12, 31))
VARIABLES = ("customer", "ticket", "question", "locale", "plan")
CARDS = st.fixed_dictionaries({}, optional={
    "architecture": st.fixed_dictionaries({}, optional={
        "family": st.sampled_from(["transformer", "llama"]), "name": TEXT}),
    "inputs": st.lists(st.sampled_from(["text", "image"]), max_size=2, unique=True),
    "outputs": st.lists(st.sampled_from(["text", "label"]), max_size=2, unique=True),
    "intendedUse": TEXT, "users": st.lists(TEXT, max_size=2),
    "limitations": st.lists(TEXT, max_size=2),
    "ethicalRisks": st.lists(st.fixed_dictionaries({"name": TEXT}, optional={
        "mitigation": TEXT}), max_size=2),
    "fairness": st.lists(st.fixed_dictionaries({"group": TEXT}, optional={
        "benefits": TEXT, "harms": TEXT, "mitigation": TEXT}), max_size=2),
    "energy": st.lists(st.fixed_dictionaries({
        "phase": st.sampled_from(["training", "fine-tuning", "inference"]),
        "kWh": st.floats(0, 1000, allow_nan=False, width=32)}), max_size=2),
    "documentation": st.sampled_from(["https://docs.example.com/model", "https://a.example/ä"]),
    "download": st.just("https://huggingface.co/org/model")})
SCALAR = st.one_of(st.integers(-5, 10_000), st.floats(0, 1, allow_nan=False, width=32),
                   st.booleans(), st.sampled_from(["q_proj,v_proj", "cosine", "auto"]))


def declaration(kind: str, name: str, owner: str | None, spec: dict[str, Any],
                version: str | None = None, **meta: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if version is not None:
        metadata["version"] = version
    if owner is not None:
        metadata["owner"] = owner
    metadata.update({k: v for k, v in meta.items() if v is not None})
    return {"apiVersion": "aireg/v1", "kind": kind, "metadata": metadata, "spec": spec}


def pin(draw: st.DrawFn, kind: str, name: str, version: str | None) -> str:
    """A ref that this version satisfies (exact, or a caret range from it)."""
    if version is None:
        return f"{kind}/{name}"
    if "-" in version:  # a pre-release matches only a range that names it
        return f"{kind}/{name}@{version}"
    return draw(st.sampled_from([f"{kind}/{name}@{version}", f"{kind}/{name}@{version}",
                                 f"{kind}/{name}@^{version}"]))


def subset(draw: st.DrawFn, items: list[Any], most: int = 3) -> list[Any]:
    if not items:
        return []
    chosen = draw(st.lists(st.sampled_from(range(len(items))), max_size=most, unique=True))
    return [items[i] for i in chosen]


@st.composite
def registries(draw: st.DrawFn) -> dict[str, str]:
    """The files of a small registry with no error finding: every kind, every provider and
    hosting, prompts with includes and tools, adapters with data and metrics, licenses of
    every form. Warnings (sunsets soon, expired retention, missing licenses) are allowed."""
    docs: list[tuple[str, dict[str, Any]]] = []
    files: dict[str, str] = {}
    teams = draw(st.lists(NAME, min_size=1, max_size=2, unique=True))
    members = draw(st.lists(NAME, min_size=1, max_size=3, unique=True))
    owners = [f"team/{t}" for t in teams] + [f"user/{m}" for m in members]
    for i, team in enumerate(teams):
        docs.append((f"teams/t{i}.yaml", {"apiVersion": "aireg/v1", "kind": "Team",
                                          "metadata": {"name": team},
                                          "spec": {"members": members, "active": i == 0}}))
    owner = st.sampled_from(owners)

    models: list[tuple[str, str | None]] = []
    for i, name in enumerate(draw(st.lists(NAME, min_size=1, max_size=3, unique=True))):
        provider = draw(st.sampled_from([*SUPPLIERS, "self-hosted", "other"]))
        spec: dict[str, Any] = {
            "provider": provider,
            # Unlike any id in the known-retirements data, so no sunset has passed.
            "modelId": f"org{i}/{name}" if provider == "huggingface" else f"gen-{name}",
            "hosting": draw(st.sampled_from(["api", "self-hosted"]))}
        for key, value in (("revision", st.sampled_from(["0e9e39f", "main"])),
                           ("task", st.sampled_from(sorted(TASKS))),
                           ("endpoint", st.sampled_from(["https://llm.example.com/v1",
                                                         "http://10.0.0.7:8000/v1"])),
                           ("license", LICENSES | st.just("Llama 3 Community License")),
                           ("digest", DIGEST), ("contextWindow", st.integers(1, 10**6)),
                           ("card", CARDS)):
            if draw(st.booleans()):
                spec[key] = draw(value)
        version = draw(st.none() | VERSION)
        deprecation = draw(st.none() | st.builds(lambda day: {"sunset": day}, FUTURE_DAY))
        docs.append((f"models/m{i}.yaml", declaration(
            "Model", name, draw(owner), spec, version, deprecation=deprecation,
            description=draw(st.none() | TEXT))))
        models.append((name, version))

    datasets: list[tuple[str, str]] = []
    for i, name in enumerate(draw(st.lists(NAME, max_size=3, unique=True))):
        version = draw(VERSION)
        spec = {"license": draw(LICENSES),
                "classification": draw(st.sampled_from(
                    [None, "public", "internal", "confidential", "restricted"])),
                "personalData": draw(st.sampled_from([None, True, False])),
                "derivedFrom": [pin(draw, "dataset", *d) for d in subset(draw, datasets)],
                "records": draw(st.none() | st.integers(0, 10**6))}
        if draw(st.booleans()):
            spec["source"] = {"uri": f"s3://data/{name}/{version}/"}
            if draw(st.booleans()):
                spec["source"]["digest"] = draw(DIGEST)
        if draw(st.booleans()):
            spec["retention"] = {"until": draw(ANY_DAY)}
        docs.append((f"datasets/d{i}.yaml", declaration(
            "Dataset", name, draw(owner), {k: v for k, v in spec.items() if v is not None},
            version)))
        datasets.append((name, version))

    servers: list[tuple[str, str, list[str]]] = []
    for i, name in enumerate(draw(st.lists(NAME, max_size=2, unique=True))):
        version, transport = draw(VERSION), draw(st.sampled_from(["stdio", "http", "sse"]))
        tools = draw(st.lists(TOOL, max_size=3, unique=True))
        spec = {"transport": transport, "auth": draw(st.sampled_from(["none", "oauth", "token"])),
                "trust": draw(st.sampled_from(["first-party", "third-party"])),
                "tools": [{"name": t, "description": draw(TEXT)} if draw(st.booleans())
                          else {"name": t, "digest": draw(DIGEST)} for t in tools]}
        if transport == "stdio":
            spec["command"] = f"npx -y @acme/{name}-mcp"
            spec["package"] = {"ecosystem": "npm", "name": f"@acme/{name}-mcp",
                               "version": version}
        else:
            spec["url"] = f"https://mcp.example.com/{name}"
        docs.append((f"mcp/s{i}.yaml", declaration("McpServer", name, draw(owner), spec,
                                                   version)))
        servers.append((name, version, tools))
    tool_refs = [f"{pin(draw, 'mcp', name, version)}#{tool}"
                 for name, version, tools in servers for tool in tools]

    prompts: list[tuple[str, str]] = []
    for i, name in enumerate(draw(st.lists(NAME, min_size=1, max_size=3, unique=True))):
        earlier = sorted({n for n, _ in prompts})
        for j, version in enumerate(draw(st.lists(VERSION, min_size=1, max_size=2,
                                                  unique=True))):
            included = subset(draw, earlier, 2)
            variables = subset(draw, list(VARIABLES))
            text = "".join(f'{{% include "prompt/{n}" %}}\n' for n in included)
            text += draw(TEXT) + "".join(f" {{{{ {v} }}}}" for v in variables) + "\n"
            spec = {"includes": [pin(draw, "prompt", n, draw(st.sampled_from(
                [v for p, v in prompts if p == n]))) for n in included],
                    "variables": variables, "tools": subset(draw, tool_refs, 2)}
            if draw(st.booleans()):
                spec["model"] = pin(draw, "model", *draw(st.sampled_from(models)))
            if draw(st.booleans()):
                files[f"prompts/templates/p{i}-{j}.j2"] = text
                spec["templateFile"] = f"templates/p{i}-{j}.j2"
            else:
                spec["template"] = text
            docs.append((f"prompts/p{i}-{j}.yaml", declaration(
                "Prompt", name, draw(owner), spec, version, description=draw(st.none() | TEXT))))
            prompts.append((name, version))

    adapters: list[tuple[str, str]] = []
    for i, name in enumerate(draw(st.lists(NAME, max_size=2, unique=True))):
        version = draw(VERSION)
        spec = {"baseModel": pin(draw, "model", *draw(st.sampled_from(models))),
                "method": draw(st.sampled_from(["lora", "qlora", "dora", "prefix-tuning",
                                                "full-finetune", "other"])),
                "datasets": [pin(draw, "dataset", *d) for d in subset(draw, datasets)],
                "evalDatasets": [pin(draw, "dataset", *d) for d in subset(draw, datasets)],
                "hyperparameters": draw(st.dictionaries(
                    st.sampled_from(["rank", "alpha", "epochs", "lr", "target_modules"]),
                    SCALAR, max_size=3)),
                "metrics": draw(st.dictionaries(st.sampled_from(["f1", "accuracy", "bleu"]),
                                                st.floats(0, 1, allow_nan=False, width=32),
                                                max_size=3))}
        if draw(st.booleans()):
            spec["artifact"] = {"uri": f"s3://models/{name}/{version}/"}
            if draw(st.booleans()):
                spec["artifact"]["digest"] = draw(DIGEST)
        if draw(st.booleans()):
            spec["trainedAt"] = draw(ANY_DAY)
        if draw(st.booleans()):
            spec["approach"] = draw(st.sampled_from(["supervised", "self-supervised"]))
        if draw(st.booleans()):
            spec["card"] = draw(CARDS)
        docs.append((f"adapters/a{i}.yaml", declaration("Adapter", name, draw(owner), spec,
                                                        version)))
        adapters.append((name, version))

    usable = ([pin(draw, "prompt", *p) for p in prompts] + [pin(draw, "model", *m)
              for m in models] + [pin(draw, "adapter", *a) for a in adapters]
              + [pin(draw, "dataset", *d) for d in datasets] + tool_refs
              + [pin(draw, "mcp", n, v) for n, v, _ in servers])
    features: list[str] = []
    for i, name in enumerate(draw(st.lists(NAME, min_size=1, max_size=3, unique=True))):
        uses = subset(draw, usable, 4) + subset(draw, features, 1)
        docs.append((f"features/f{i}.yaml", declaration(
            "Feature", name, draw(owner), {"tier": draw(st.sampled_from(
                ["critical", "high", "medium", "low"])), "uses": uses},
            description=draw(st.none() | TEXT))))
        features.append(f"feature/{name}")
    if datasets and draw(st.booleans()):
        docs.append(("evals/e0.yaml", declaration("Eval", "regression", draw(owner), {
            "covers": features[:1], "datasets": [pin(draw, "dataset", *datasets[0])]},
            "1.0.0")))

    for path, doc in docs:
        files[path] = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    return files


# No shrinking: each example runs aireg four times, and the registries are small already.
@settings(max_examples=15, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(files=registries())
def test_random_registries_give_valid_boms(tmp_path_factory: pytest.TempPathFactory,
                                           bom_at: Callable[..., Result], aireg: Run,
                                           files: dict[str, str]) -> None:
    root = tmp_path_factory.mktemp("registry")
    write_files(root, {"aireg.yaml": CONFIG, **files})
    decls = load_decls(root)
    for spec_version in SCHEMA_VERSIONS:
        bom = produce(bom_at, root, spec_version=spec_version)
        assert bom["metadata"]["component"]["bom-ref"] == "registry:test"
        assert scope_ids(bom) == {i for i, d in decls.items() if d["kind"] not in OUTSIDE_BOM}
        check_mapping(bom, decls)
    feature = next(i for i, d in decls.items() if d["kind"] == "Feature")
    bom = produce(bom_at, root, feature)
    assert bom["metadata"]["component"]["bom-ref"] == feature
    deps = aireg("-C", str(root), "--today", TODAY, "deps", feature, "--format", "json")
    assert deps.code == 0, deps.err
    reached = {feature, *(d["id"] for d in json.loads(deps.out)["dependencies"])}
    # With the evals that cover any of it, and the data they use.
    evals = [i for i, d in decls.items() if d["kind"] == "Eval" and any(
        unique(decls, ref) in reached for ref in d["spec"]["covers"])]
    for ident in evals:
        reached |= {ident, *deps_of(aireg, root, ident)}
    assert scope_ids(bom) == reached
    check_mapping(bom, decls)


def test_example_bom_maps_each_kind(acme_repo: GitRepo, bom_at: Callable[..., Result]) -> None:
    """Spot checks of the golden BOM against SPEC section 8 and the reference example."""
    bom = produce(bom_at, acme_repo.root)
    nodes, deps = nodes_of(bom), dependencies(bom)
    commit = acme_repo.git("rev-parse", "HEAD").strip()
    assert bom["metadata"]["timestamp"] == "2026-01-01T12:00:00+00:00"
    acme = {"name": "Acme Corp", "url": ["https://acme.example"],
            "contact": [{"email": "ai-platform@acme.example"}]}
    assert bom["metadata"]["component"] == {
        "bom-ref": "registry:acme", "name": "acme", "type": "application",
        "supplier": acme, "manufacturer": acme, "purl": "pkg:generic/aireg/acme/registry/acme",
        "properties": [{"name": "aireg:commit", "value": commit}]}
    # aireg.yaml's supplier and license: BOM metadata.
    assert (bom["metadata"]["supplier"], bom["metadata"]["manufacturer"]) == (acme, acme)
    assert bom["metadata"]["licenses"] == [{"license": {"id": "Apache-2.0"}}]
    assert {"name": "cdx:reproducible", "value": "true"} in bom["metadata"]["properties"]
    features = ["feature/onboarding-agent", "feature/search-assistant", "feature/support-bot",
                "feature/ticket-insights"]
    assert sorted(c["bom-ref"] for c in bom["components"] if c["bom-ref"].startswith(
        "feature/")) == features
    assert {c["type"] for c in bom["components"] if c["bom-ref"].startswith("feature/")} == {
        "application"}
    # The registry depends on what nothing else uses: features and evals.
    assert deps["registry:acme"] == [
        "eval/house-style-voice@1.0.0", "eval/onboarding-smoke@1.0.0",
        "eval/search-relevance@2.0.0", "eval/support-regression@1.0.0",
        "eval/ticket-classifier-accuracy@1.2.0", "feature/onboarding-agent",
        "feature/support-bot", "feature/ticket-insights"]
    assert not any(ref.startswith("team/") for ref in nodes)
    # Evals: components used for testing only, with the data they use.
    accuracy = nodes["eval/ticket-classifier-accuracy@1.2.0"]
    assert (accuracy["type"], accuracy["scope"], accuracy["purl"]) == (
        "application", "excluded", "pkg:generic/aireg/acme/eval/ticket-classifier-accuracy@1.2.0")
    assert deps["eval/ticket-classifier-accuracy@1.2.0"] == ["dataset/support-golden@1.0.0"]

    # Models: supplier, task, end of life (declared, or from the known retirements).
    gpt4 = nodes["model/gpt-4-0613"]
    assert gpt4["type"] == "machine-learning-model"
    assert gpt4["supplier"] == {"name": "OpenAI"}
    assert gpt4["purl"] == "pkg:generic/aireg/acme/model/gpt-4-0613"
    assert gpt4["modelCard"] == {
        "modelParameters": {"task": "text-generation", "architectureFamily": "transformer",
                            "modelArchitecture": "GPT-4", "inputs": [{"format": "text"}],
                            "outputs": [{"format": "text"}]},
        "considerations": {
            "users": ["support leads"], "useCases": ["Weekly support digest (being migrated)"],
            "technicalLimitations": ["An 8k context window, so long weeks are truncated",
                                     "Retired by the provider"],
            "ethicalConsiderations": [{"name": "stale model behaviour after retirement",
                                       "mitigationStrategy": "migration tracked in DATA-212"}],
            "environmentalConsiderations": {"energyConsumptions": [{
                "activity": "inference", "energyProviders": [],
                "activityEnergyCost": {"value": 0.6, "unit": "kWh"}}]}}}
    assert gpt4["externalReferences"] == [
        {"url": "https://platform.openai.com/docs/deprecations", "type": "model-card"},
        {"url": "https://api.openai.com/v1", "comment": "endpoint", "type": "other"}]
    assert prop(gpt4, END_OF_LIFE) == ["2026-10-23"]
    assert prop(gpt4, "aireg:endOfLife:source")[0].startswith("known retirements data: ")
    mistral = nodes["model/mistral-7b-instruct-v0.2"]
    assert prop(mistral, END_OF_LIFE) == ["2027-01-03"]
    assert prop(mistral, "aireg:endOfLife:source") == ["firm day declared in metadata.deprecation"]
    assert prop(nodes["model/gemini-3.5-flash"], END_OF_LIFE) == []
    assert nodes["model/text-embedding-3-large"]["modelCard"]["modelParameters"]["task"] == (
        "feature-extraction")
    reranker = nodes["model/bge-reranker-v2-m3"]
    assert (reranker["group"], reranker["name"], reranker["version"]) == (
        "BAAI", "bge-reranker-v2-m3", "953dc6f6f85a1b2dbfca4c34a2796e7dde08d41e")
    assert reranker["purl"] == (
        "pkg:huggingface/BAAI/bge-reranker-v2-m3@953dc6f6f85a1b2dbfca4c34a2796e7dde08d41e")
    assert reranker["modelCard"]["modelParameters"]["task"] == "text-ranking"
    assert [r["type"] for r in reranker["externalReferences"]] == [
        "model-card", "distribution", "other"]
    assert reranker["hashes"] == [{"alg": "SHA-256", "content": (
        "0beaa9c27760753e98510b33ff0aef3f2cdf833dab46ff8d07e9fe6253a2ac4d")}]
    # An API-hosted model has a service for its endpoint, which depends on the model; a
    # self-hosted one has none.
    api = nodes["model/gpt-4o-2024-08-06#service"]
    assert api == {"authenticated": True, "bom-ref": "model/gpt-4o-2024-08-06#service",
                   "endpoints": ["https://api.openai.com/v1"], "name": "gpt-4o-2024-08-06 API",
                   "provider": {"name": "OpenAI"}, "trustZone": "external",
                   "x-trust-boundary": True}
    assert deps["model/gpt-4o-2024-08-06#service"] == ["model/gpt-4o-2024-08-06"]
    assert "model/bge-reranker-v2-m3#service" not in nodes
    assert "model/llama-3-8b-instruct#service" not in nodes

    # Adapters: a copy of the base in the pedigree, a dependency on it, datasets, metrics.
    adapter = nodes["adapter/ticket-classifier@1.2.0"]
    [ancestor] = adapter["pedigree"]["ancestors"]
    assert ancestor["bom-ref"] == "adapter/ticket-classifier@1.2.0#base"
    assert (ancestor["type"], ancestor["group"], ancestor["name"], ancestor["purl"]) == (
        "machine-learning-model", "meta-llama", "Meta-Llama-3-8B-Instruct",
        "pkg:huggingface/meta-llama/Meta-Llama-3-8B-Instruct@"
        "201cb88e2c1c579780a2f65598bd229fc0a41028")
    assert adapter["pedigree"]["notes"] == "lora fine-tune of model/llama-3-8b-instruct"
    assert deps["adapter/ticket-classifier@1.2.0"] == [
        "dataset/support-golden@1.0.0", "dataset/support-tickets@2.0.0",
        "model/llama-3-8b-instruct"]
    card = adapter["modelCard"]
    # Datasets inline (lib4sbom reads no `{"ref"}` item), trained-on and tested-on; the
    # approach as declared.
    assert card["modelParameters"] == {
        "approach": {"type": "supervised"}, "task": "text-generation",
        "architectureFamily": "llama", "modelArchitecture": "LlamaForCausalLM+LoRA",
        "datasets": [
            {"bom-ref": "adapter/ticket-classifier@1.2.0#trained-on/dataset/support-tickets@2.0.0",
             "type": "dataset", "name": "support-tickets",
             "contents": {"url": "s3://acme-data/curated/support-tickets/2.0.0/"},
             "classification": "confidential", "sensitiveData": ["personal data"],
             "description": "Pseudonymised, labelled training split of raw-tickets (names, "
                            "emails and phone numbers masked)"},
            {"bom-ref": "adapter/ticket-classifier@1.2.0#tested-on/dataset/support-golden@1.0.0",
             "type": "dataset", "name": "support-golden",
             "contents": {"url": "s3://acme-data/golden/support-golden/1.0.0/golden.jsonl"},
             "classification": "internal",
             "description": "Hand-labelled tickets with reference triage and reply, reviewed by "
                            "two agents each"}],
        "inputs": [{"format": "text"}], "outputs": [{"format": "label"}]}
    assert card["considerations"]["fairnessAssessments"] == [{
        "groupAtRisk": "customers writing in a second language", "benefits": "not declared",
        "harms": "lower accuracy on informal phrasing",
        "mitigationStrategy": "support-golden has a non-native-writer slice with its own "
                              "threshold"}]
    assert [e["activity"] for e in card["considerations"]["environmentalConsiderations"][
        "energyConsumptions"]] == ["fine-tuning", "inference"]
    assert card["quantitativeAnalysis"] == {"performanceMetrics": [
        {"type": "f1", "value": "0.91"}, {"type": "accuracy", "value": "0.93"},
        {"type": "priority_macro_f1", "value": "0.87"}]}
    assert card["properties"] == [
        {"name": "aireg:method", "value": "lora"},
        {"name": "aireg:hyperparameter:rank", "value": "32"},
        {"name": "aireg:hyperparameter:alpha", "value": "64"},
        {"name": "aireg:hyperparameter:dropout", "value": "0.05"},
        {"name": "aireg:hyperparameter:epochs", "value": "3"},
        {"name": "aireg:hyperparameter:learning_rate", "value": "0.0002"},
        {"name": "aireg:hyperparameter:batch_size", "value": "16"},
        {"name": "aireg:hyperparameter:target_modules", "value": "q_proj,k_proj,v_proj,o_proj"},
        {"name": "aireg:trainedAt", "value": "2026-03-01"},
        {"name": "aireg:eval", "value": "eval/ticket-classifier-accuracy@1.2.0"}]
    assert adapter["purl"] == "pkg:generic/aireg/acme/adapter/ticket-classifier@1.2.0"
    assert adapter["externalReferences"] == [
        {"url": "https://wiki.acme.example/ml/ticket-classifier", "type": "model-card"},
        {"url": "s3://acme-models/ticket-classifier/1.2.0/", "type": "distribution",
         "comment": "adapter weights"}]

    # Datasets: data of type dataset, classification, owners, license, hash.
    tickets = nodes["dataset/support-tickets@2.0.0"]
    assert tickets["type"] == "data"
    assert tickets["data"] == [{
        "type": "dataset", "name": "support-tickets",
        "description": "Pseudonymised, labelled training split of raw-tickets (names, emails "
                       "and phone numbers masked)",
        "contents": {"url": "s3://acme-data/curated/support-tickets/2.0.0/"},
        "classification": "confidential", "sensitiveData": ["personal data"],
        "governance": {"owners": [{"organization": {"name": "team/data"}}]}}]
    assert tickets["licenses"] == [{"license": {"name": "proprietary"}}]
    assert tickets["hashes"] == [{"alg": "SHA-256", "content": (
        "1143be4558fc0f9b915efcc63f02ecc9e8121bc57143c488cf2a812f6dadf68a")}]
    assert prop(tickets, "aireg:retention:until") == ["2027-12-31"]
    # derivedFrom: pedigree ancestors, besides the dependency.
    assert tickets["pedigree"] == {"ancestors": [{
        "type": "data", "bom-ref": "dataset/support-tickets@2.0.0#derived-from/dataset/"
                                   "raw-tickets@1.0.0",
        "name": "raw-tickets", "version": "1.0.0", "hashes": [{"alg": "SHA-256", "content": (
            "5a2ead4caf69f4a65dd59373df8acbde25182a6da118be31a2c73a018d5742a0")}],
        "purl": "pkg:generic/aireg/acme/dataset/raw-tickets@1.0.0"}]}
    assert "dataset/raw-tickets@1.0.0" in deps["dataset/support-tickets@2.0.0"]
    assert nodes["dataset/help-center-corpus@4.2.0"]["licenses"] == [
        {"license": {"id": "CC-BY-4.0"}}]

    # Prompts: configuration data with the template attached, and its SHA-256.
    triage = nodes["prompt/support-triage@1.4.0"]
    template = (EXAMPLE / "prompts" / "templates" / "support-triage.j2").read_bytes()
    assert triage["type"] == "data"
    assert triage["data"] == [{
        "type": "configuration", "name": "prompts/templates/support-triage.j2",
        "contents": {"attachment": {"contentType": "text/x-jinja2",
                                    "content": template.decode("utf-8")}}}]
    assert triage["hashes"] == [{"alg": "SHA-256",
                                 "content": hashlib.sha256(template).hexdigest()}]
    # A hosted model is called through its endpoint: users depend on the model's service.
    assert deps["prompt/support-triage@1.4.0"] == [
        "mcp/zendesk@2.3.0#tool/search_tickets", "model/claude-sonnet-4-5-20250929#service",
        "prompt/house-style@3.1.0"]

    # MCP servers: services with endpoints, authentication, trust zone, one service per tool.
    hubspot = nodes["mcp/hubspot@0.4.0"]
    assert "endpoints" not in hubspot  # stdio
    assert (hubspot["authenticated"], hubspot["x-trust-boundary"], hubspot["trustZone"]) == (
        True, True, "third-party")
    assert [s["bom-ref"] for s in hubspot["services"]] == [
        "mcp/hubspot@0.4.0#tool/hubspot-create-engagement",
        "mcp/hubspot@0.4.0#tool/hubspot-search-objects"]
    # The server's npm package: a component of its own with its purl, which the server uses.
    assert nodes["mcp/hubspot@0.4.0#package"] == {
        "type": "application", "bom-ref": "mcp/hubspot@0.4.0#package",
        "name": "@hubspot/mcp-server", "version": "0.4.0",
        "purl": "pkg:npm/%40hubspot/mcp-server@0.4.0",
        "properties": [{"name": "aireg:owner", "value": "team/growth"},
                       {"name": "aireg:path", "value": "mcp/hubspot.yaml"}]}
    assert deps["mcp/hubspot@0.4.0"][0] == "mcp/hubspot@0.4.0#package"
    zendesk = nodes["mcp/zendesk@2.3.0"]
    assert zendesk["endpoints"] == ["https://mcp.internal.acme.example/zendesk"]
    assert (zendesk["authenticated"], zendesk["x-trust-boundary"], zendesk["trustZone"]) == (
        True, False, "internal")
    assert deps["feature/support-bot"] == [
        "adapter/ticket-classifier@1.2.0", "mcp/zendesk@2.3.0#tool/create_ticket",
        "prompt/escalation-summary@1.0.2", "prompt/support-reply@2.1.0",
        "prompt/support-triage@1.4.0"]
    assert deps["mcp/zendesk@2.3.0#tool/create_ticket"] == []
    # A tool's digest: services have no hashes in CycloneDX, so it is a property.
    assert nodes["mcp/zendesk@2.3.0#tool/search_tickets"]["properties"] == [{
        "name": "aireg:digest",
        "value": "sha256:98087aa6aaa79d1a38da7ccb2fbaf1571e4444c03784933ff229d712dca21e43"}]


# --- scope ----------------------------------------------------------------------------------


def deps_of(aireg: Run, root: Path, ref: str) -> set[str]:
    result = aireg("-C", str(root), "--today", TODAY, "deps", ref, "--format", "json")
    assert result.code == 0, result.err
    return {item["id"] for item in json.loads(result.out)["dependencies"]}


def test_feature_bom_holds_the_feature_and_what_it_uses(
        acme_repo: GitRepo, bom_at: Callable[..., Result], aireg: Run) -> None:
    bom = produce(bom_at, acme_repo.root, "feature/support-bot")
    acme = {"name": "Acme Corp", "url": ["https://acme.example"],
            "contact": [{"email": "ai-platform@acme.example"}]}
    assert bom["metadata"]["component"] == {
        "bom-ref": "feature/support-bot", "name": "support-bot", "type": "application",
        "supplier": acme, "manufacturer": acme,
        "description": "First-line support in the in-app chat and by email; triages, drafts "
                       "replies and escalates to humans",
        "purl": "pkg:generic/aireg/acme/feature/support-bot",
        "properties": [{"name": "aireg:owner", "value": "team/support"},
                       {"name": "aireg:path", "value": "features/support-bot.yaml"},
                       {"name": "aireg:tier", "value": "critical"}]}
    assert "feature/support-bot" not in [c["bom-ref"] for c in bom["components"]]
    used = deps_of(aireg, acme_repo.root, "feature/support-bot")
    # What it uses, and the evals that cover any of it with their data.
    evals = {"eval/support-regression@1.0.0", "eval/house-style-voice@1.0.0",
             "eval/ticket-classifier-accuracy@1.2.0"}
    data = {"dataset/support-golden@1.0.0", "dataset/voice-samples@1.0.0"}
    assert scope_ids(bom) == {"feature/support-bot", *used, *evals, *data}
    assert "model/gpt-4-0613" not in used  # a model of another feature
    check_mapping(bom, load_decls(acme_repo.root))


def test_two_features_make_the_registry_the_subject(
        acme_repo: GitRepo, bom_at: Callable[..., Result], aireg: Run) -> None:
    bom = produce(bom_at, acme_repo.root, "feature/support-bot", "feature/ticket-insights")
    assert bom["metadata"]["component"]["bom-ref"] == "registry:acme"
    features = ("feature/support-bot", "feature/ticket-insights")
    evals = ["eval/house-style-voice@1.0.0", "eval/support-regression@1.0.0",
             "eval/ticket-classifier-accuracy@1.2.0"]
    assert scope_ids(bom) == {*features, *deps_of(aireg, acme_repo.root, features[0]),
                              *deps_of(aireg, acme_repo.root, features[1]), *evals,
                              "dataset/voice-samples@1.0.0"}
    assert dependencies(bom)["registry:acme"] == [*evals, *features]
    assert [c["type"] for c in bom["components"] if c["bom-ref"] in features] == [
        "application", "application"]


@pytest.mark.parametrize(("ref", "message"), [
    ("model/gpt-4o-2024-08-06", "model/gpt-4o-2024-08-06 is a Model; bom takes feature refs"),
    ("feature/nope", "feature/nope is not declared; run `aireg ls` to see what is"),
])
def test_bom_takes_only_declared_feature_refs(acme_repo: GitRepo,
                                              bom_at: Callable[..., Result], ref: str,
                                              message: str) -> None:
    assert bom_at(acme_repo.root, "feature/support-bot", ref) == Result(
        2, "", f"aireg: error: {message}\n")


def test_a_feature_named_twice_is_one_feature(acme_repo: GitRepo,
                                              bom_at: Callable[..., Result]) -> None:
    once = bom_at(acme_repo.root, "feature/support-bot")
    assert bom_at(acme_repo.root, "feature/support-bot", "feature/support-bot") == once


# --- reproducibility ------------------------------------------------------------------------

# A small registry with a gap of every kind that the completeness review looks for.
GAPS = {
    "decls.yaml": """\
        apiVersion: aireg/v1
        kind: Model
        metadata: {name: local-llm, owner: team/platform}
        spec:
          provider: huggingface
          modelId: org/local-llm
          task: chat
          hosting: self-hosted
          license: Apache-2.0
        ---
        apiVersion: aireg/v1
        kind: Dataset
        metadata: {name: chats, version: 1.0.0, owner: team/platform}
        spec:
          source:
            uri: s3://data/chats/
            digest: sha256:1111111111111111111111111111111111111111111111111111111111111111
          license: CC-BY-4.0
          personalData: true
        ---
        apiVersion: aireg/v1
        kind: Dataset
        metadata: {name: corpus, version: 1.0.0, owner: team/platform}
        spec:
          source:
            uri: s3://data/corpus/
            digest: sha256:2222222222222222222222222222222222222222222222222222222222222222
        ---
        apiVersion: aireg/v1
        kind: Adapter
        metadata: {name: tuned, version: 1.0.0, owner: team/platform}
        spec:
          baseModel: model/local-llm
          method: lora
          artifact:
            uri: s3://models/tuned/
            digest: sha256:3333333333333333333333333333333333333333333333333333333333333333
        ---
        apiVersion: aireg/v1
        kind: Feature
        metadata: {name: bot, owner: team/platform, description: Answers questions}
        spec:
          uses: [adapter/tuned@^1, dataset/chats@^1, dataset/corpus@^1]
        """,
}


def gaps_summary() -> str:
    """The completeness review of GAPS, from its golden file (pytest --update-golden)."""
    return (REPO_ROOT / "tests/golden/bom-completeness-gaps.txt").read_text(encoding="utf-8")


@pytest.fixture
def gaps_repo(git_repo: GitRepo) -> GitRepo:
    git_repo.commit("A small registry", {"aireg.yaml": CONFIG, "teams/platform.yaml": TEAM,
                                         **GAPS})
    return git_repo


def serial(result: Result) -> uuid.UUID:
    assert result.code == 0, result.err
    text = json.loads(result.out)["serialNumber"]
    assert text.startswith("urn:uuid:")
    return uuid.UUID(text.removeprefix("urn:uuid:"))


def test_same_commit_same_bytes(gaps_repo: GitRepo, bom_at: Callable[..., Result]) -> None:
    first, second = bom_at(gaps_repo.root), bom_at(gaps_repo.root)
    assert first.code == 0
    assert first.out == second.out
    assert serial(first).version == 5
    bom = json.loads(first.out)
    assert bom["metadata"]["timestamp"] == "2026-01-01T12:00:00+00:00"
    assert bom["metadata"]["component"]["properties"] == [
        {"name": "aireg:commit", "value": gaps_repo.git("rev-parse", "HEAD").strip()}]


def test_a_committed_edit_changes_the_serial_and_rev_exports_the_older_one(
        gaps_repo: GitRepo, bom_at: Callable[..., Result]) -> None:
    before = bom_at(gaps_repo.root)
    path = gaps_repo.root / "decls.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("description: Answers questions", "description: Answers"),
                    encoding="utf-8")
    # Uncommitted, the content differs from the commit's: so does the serial.
    dirty = bom_at(gaps_repo.root)
    assert serial(dirty) != serial(before)
    gaps_repo.commit("Shorter description")
    after = bom_at(gaps_repo.root)
    assert serial(after) not in (serial(before), serial(dirty))
    assert json.loads(after.out)["metadata"]["timestamp"] == "2026-01-02T12:00:00+00:00"
    # The older revision, read from git: the same BOM as exported at that commit.
    older = bom_at(gaps_repo.root, rev="HEAD~1")
    assert serial(older) == serial(before)
    assert json.loads(older.out)["metadata"]["timestamp"] == "2026-01-01T12:00:00+00:00"
    assert older == before


def test_outside_git_no_timestamp_and_the_serial_follows_the_content(
        make_registry: Callable[..., Path], bom_at: Callable[..., Result]) -> None:
    root = make_registry(GAPS)
    first, second = bom_at(root), bom_at(root)
    assert first.out == second.out
    bom = json.loads(first.out)
    assert "timestamp" not in bom["metadata"]
    assert "properties" not in bom["metadata"]["component"]  # no commit
    assert serial(first).version == 5
    path = root / "decls.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# a comment is not content\n",
                    encoding="utf-8")
    assert bom_at(root).out == first.out
    path.write_text(path.read_text(encoding="utf-8").replace("org/local-llm", "org/other-llm"),
                    encoding="utf-8")
    assert serial(bom_at(root)) != serial(first)


@pytest.mark.parametrize("edit", ["move a file", "describe the registry"])
def test_outside_git_different_boms_have_different_serials(
        make_registry: Callable[..., Path], bom_at: Callable[..., Result], edit: str) -> None:
    root = make_registry(GAPS)
    before = bom_at(root)
    if edit == "move a file":
        (root / "decls.yaml").rename(root / "all.yaml")
    else:
        (root / "aireg.yaml").write_text(CONFIG + "  description: The test registry\n",
                                         encoding="utf-8")
    after = bom_at(root)
    assert after.out != before.out
    assert serial(after) != serial(before)


# --- refusal, spec versions, output file ----------------------------------------------------


def test_a_registry_with_errors_is_refused(make_registry: Callable[..., Path],
                                           bom_at: Callable[..., Result]) -> None:
    root = make_registry({
        "features/bot.yaml": """\
            apiVersion: aireg/v1
            kind: Feature
            metadata:
              name: bot
              owner: team/platform
            spec:
              uses:
                - dataset/faq@^1
                - prompt/missing@^1
                - model/gone
            """,
        "datasets/faq.yaml": """\
            apiVersion: aireg/v1
            kind: Dataset
            metadata:
              name: faq
              version: 1.0.0
              owner: team/nobody
            spec:
              source: {uri: s3://data/faq/}
            """})
    expected = (
        "datasets/faq.yaml:6:10: error[unknown-owner] owner team/nobody is not a declared "
        "Team; declare it or fix the name\n"
        "features/bot.yaml:9:7: error[dangling-ref] `prompt/missing@^1` names prompt/missing, "
        "which is not declared; declare it or fix the ref\n"
        "features/bot.yaml:10:7: error[dangling-ref] `model/gone` names model/gone, which is "
        "not declared; declare it or fix the ref\n"
        "aireg: error: the registry has 3 error findings; fix them (aireg check) before "
        "exporting a BOM\n")
    # Warnings (the dataset's missing license) are not reasons to refuse, nor printed.
    assert bom_at(root) == Result(1, "", expected)
    output = root / "bom.json"
    # All three are in what feature/bot uses.
    assert bom_at(root, "feature/bot", "-o", str(output)) == Result(1, "", expected.replace(
        "3 error findings; fix them", "3 error findings in what the BOM covers; fix them"))
    assert not output.exists()


def test_errors_outside_a_feature_are_a_warning(make_registry: Callable[..., Path],
                                                bom_at: Callable[..., Result]) -> None:
    """An unrelated broken prompt does not block the BOM of a feature that does not use it;
    the whole registry's BOM is still refused."""
    root = make_registry({**GAPS, "prompts/broken.yaml": """\
        apiVersion: aireg/v1
        kind: Prompt
        metadata: {name: broken, version: 1.0.0, owner: team/platform}
        spec:
          template: "{{ unclosed"
          includes: [prompt/missing@^1]
        """})
    result = bom_at(root, "feature/bot")
    assert result.code == 0
    assert result.err.splitlines()[:3] == [
        "prompts/broken.yaml:5:13: error[template] Jinja2 syntax error: unexpected end of "
        "template, expected 'end of print statement'.",
        "prompts/broken.yaml:6:14: error[dangling-ref] `prompt/missing@^1` names "
        "prompt/missing, which is not declared; declare it or fix the ref",
        "warning: 2 error findings outside what the BOM covers; the BOM is written all the "
        "same"]
    assert "prompt/broken@1.0.0" not in result.out
    assert_schema_valid(result.out, "1.6")
    whole = bom_at(root)
    assert (whole.code, whole.out) == (1, "")
    assert whole.err.splitlines()[-1] == (
        "aireg: error: the registry has 2 error findings; fix them (aireg check) before "
        "exporting a BOM")


@pytest.mark.parametrize("spec_version", ["1.6", "1.7"])
def test_output_file_is_what_stdout_would_be(gaps_repo: GitRepo, tmp_path: Path,
                                             bom_at: Callable[..., Result],
                                             spec_version: str) -> None:
    output = tmp_path / "out" / "bom.json"
    output.parent.mkdir()
    written = bom_at(gaps_repo.root, "--spec-version", spec_version, "-o", str(output))
    assert written == Result(0, "", f"wrote {output} (5 declarations, CycloneDX "
                                    f"{spec_version})\n" + gaps_summary())
    printed = bom_at(gaps_repo.root, "--spec-version", spec_version)
    assert printed == Result(0, output.read_text(encoding="utf-8"), gaps_summary())
    assert json.loads(printed.out)["specVersion"] == spec_version
    assert_schema_valid(printed.out, spec_version)


def test_the_default_spec_version_is_1_6_and_1_7_differs_only_in_the_version(
        gaps_repo: GitRepo, bom_at: Callable[..., Result]) -> None:
    default = bom_at(gaps_repo.root)
    assert default == bom_at(gaps_repo.root, "--spec-version", "1.6")
    v17 = bom_at(gaps_repo.root, "--spec-version", "1.7")
    # Two documents: each has its own serial number.
    assert serial(v17) != serial(default)
    assert v17.out == default.out.replace('"specVersion": "1.6"', '"specVersion": "1.7"').replace(
        "bom-1.6.schema.json", "bom-1.7.schema.json").replace(
        str(serial(default)), str(serial(v17)))
    assert bom_at(gaps_repo.root, "--spec-version", "1.5").code == 2


# --- completeness ---------------------------------------------------------------------------


def test_completeness_summary_goes_to_stderr(request: pytest.FixtureRequest,
                                             make_registry: Callable[..., Path],
                                             bom_at: Callable[..., Result]) -> None:
    root = make_registry(GAPS)
    result = bom_at(root)
    check_golden(request, "bom-completeness-gaps.txt", result.err)
    assert (result.code, result.err) == (0, gaps_summary())
    assert bom_at(root, "--completeness") == Result(0, gaps_summary(), "")
    assert bom_at(root, "--completeness", "--format", "text") == Result(0, gaps_summary(), "")


def test_a_long_completeness_summary_lists_the_lowest_ten(request: pytest.FixtureRequest,
                                                          make_registry: Callable[..., Path],
                                                          bom_at: Callable[..., Result]) -> None:
    """Standard error stays short on a large registry: the scores, the ten components with
    the lowest share of the guide's fields, and the count of the rest; --completeness has
    every one."""
    extra = {f"datasets/extra-{i:02}.yaml": f"""\
        apiVersion: aireg/v1
        kind: Dataset
        metadata: {{name: extra-{i:02}, version: 1.0.0, owner: team/platform}}
        spec:
          source: {{uri: "s3://data/extra-{i:02}/", digest: "sha256:{i:064x}"}}
          license: CC-BY-4.0
        """ for i in range(11)}
    root = make_registry({**GAPS, **extra})
    result = bom_at(root)
    assert result.code == 0
    check_golden(request, "bom-completeness-summary.txt", result.err)
    shown = result.err.splitlines()
    assert [line.split()[0].rstrip(":") for line in shown[1:11]] == [
        "model/local-llm", "adapter/tuned@1.0.0", "dataset/corpus@1.0.0", "dataset/chats@1.0.0",
        *(f"dataset/extra-{i:02}@1.0.0" for i in range(6))]
    assert shown[11] == "  ... and 5 more: run `aireg bom --completeness` for every component"
    full = bom_at(root, "--completeness")
    assert full.code == 0
    listed = full.out.splitlines()
    assert (listed[0], len(listed)) == (shown[0], 1 + 15 + 2)
    assert set(shown[1:11]) <= set(listed) and shown[12:] == listed[16:]


def test_completeness_as_json(request: pytest.FixtureRequest,
                              make_registry: Callable[..., Path],
                              bom_at: Callable[..., Result]) -> None:
    import jsonschema

    result = bom_at(make_registry(GAPS), "--completeness", "--format", "json")
    assert (result.code, result.err) == (0, "")
    check_golden(request, "bom-completeness-gaps.json", result.out)
    review = json.loads(result.out)
    corpus = next(c for c in review["components"] if c["id"] == "dataset/corpus@1.0.0")
    assert corpus == {"id": "dataset/corpus@1.0.0", "owasp": None, "expected": 7, "present": 5,
                      "missing": [
                          {"source": "cyclonedx", "field": "licenses", "key": "spec.license"},
                          {"source": "cyclonedx", "field": "data.classification",
                           "key": "spec.classification"}]}
    schema = json.loads((REPO_ROOT / "schemas" / "output" / "bom-completeness.schema.json")
                        .read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(review)


def test_the_example_scores_at_least_80_percent_on_owasp(acme_repo: GitRepo,
                                                          bom_at: Callable[..., Result]) -> None:
    result = bom_at(acme_repo.root, "--completeness", "--format", "json")
    review = json.loads(result.out)
    assert review["owasp"] >= 80
    assert all(c["owasp"] >= 80 for c in review["components"] if c["owasp"] is not None)


def test_owasp_score_follows_the_published_weights() -> None:
    """The field list as the OWASP generator publishes it: 29 fields in categories weighted
    to 100, with their own weights."""
    from registry import bom_score

    lists = bom_score.field_lists()["owasp"]
    assert len(lists["fields"]) == 29
    assert sum(lists["categories"].values()) == 100
    weights = {f["name"]: f["weight"] for f in lists["fields"]}
    assert (weights["downloadLocation"], weights["typeOfModel"], weights["domain"]) == (
        4.0, 2.0, 1.0)


def test_completeness_of_a_feature_covers_its_scope(make_registry: Callable[..., Path],
                                                    bom_at: Callable[..., Result]) -> None:
    root = make_registry({**GAPS, "features/other.yaml": """\
        apiVersion: aireg/v1
        kind: Feature
        metadata: {name: other, owner: team/platform}
        spec:
          uses: [dataset/corpus@^1]
        """})
    assert bom_at(root, "feature/other", "--completeness") == Result(0, (
        "BOM completeness: 71% of the CycloneDX ML-BOM guide's fields (5 of 7)\n"
        "  dataset/corpus@1.0.0: add spec.license (licenses); spec.classification "
        "(classification)\n"), "")


def test_format_needs_completeness(make_registry: Callable[..., Path],
                                   bom_at: Callable[..., Result]) -> None:
    root = make_registry(GAPS)
    assert bom_at(root, "--format", "json") == Result(
        2, "", "aireg: error: --format json goes with --completeness; the BOM is cyclonedx or "
               "spdx3\n")
    assert bom_at(root, "--format", "cyclonedx") == bom_at(root)


# --- an invalid BOM is a bug ----------------------------------------------------------------


def test_an_invalid_bom_is_a_bug_and_nothing_is_written(
        make_registry: Callable[..., Path], bom_at: Callable[..., Result], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from registry import bom

    model = bom._Mapper.model

    def broken(self: Any, decl: Any) -> dict[str, Any]:
        item = model(self, decl)
        item["modelCard"]["modelParameters"]["task"] = 7
        return item

    monkeypatch.setattr(bom._Mapper, "model", broken)
    monkeypatch.setitem(bom.MAPPERS, "Model", broken)
    root = make_registry(GAPS)
    output = tmp_path / "bom.json"
    for args in ((), ("-o", str(output))):
        result = bom_at(root, *args)
        assert (result.code, result.out) == (3, "")
        assert result.err.splitlines()[0] == (
            "aireg: error: the CycloneDX 1.6 BOM aireg made is invalid, which is a bug in aireg "
            "(please report it): 7 is not of type \"string\" "
            "(at /components/4/modelCard/modelParameters/task)")
    assert not output.exists()


# --- inputs that `check` accepts, so `bom` must export them ---------------------------------


def one_dataset(license_text: str = "CC-BY-4.0", uri: str = "s3://data/faq/") -> dict[str, str]:
    return {"datasets/faq.yaml": f"""\
        apiVersion: aireg/v1
        kind: Dataset
        metadata: {{name: faq, version: 1.0.0, owner: team/platform}}
        spec:
          source: {{uri: "{uri}"}}
          license: {license_text}
        """}


def one_model(license_text: str) -> dict[str, str]:
    return {"models/local.yaml": f"""\
        apiVersion: aireg/v1
        kind: Model
        metadata: {{name: local, owner: team/platform}}
        spec:
          provider: huggingface
          modelId: org/local
          hosting: self-hosted
          license: {license_text}
        """}


@pytest.mark.parametrize("files", [
    pytest.param(one_dataset("MIT"), id="dataset-MIT"),
    pytest.param(one_dataset("Apache-2.0 OR MIT"), id="dataset-expression"),
    pytest.param(one_dataset("LicenseRef-acme-data"), id="dataset-LicenseRef"),
    pytest.param(one_dataset("NOASSERTION"), id="dataset-NOASSERTION"),
    pytest.param(one_model("Llama 3 Community License"), id="model-by-name"),
])
def test_licenses_of_every_form_export(make_registry: Callable[..., Path],
                                       bom_at: Callable[..., Result],
                                       files: dict[str, str]) -> None:
    root = make_registry(files)
    bom = produce(bom_at, root)
    check_mapping(bom, load_decls(root))


@pytest.mark.parametrize("files", [
    pytest.param(one_dataset("mit"), id="dataset-mit"),
    pytest.param(one_dataset("MIT or Apache-2.0"), id="dataset-lowercase-or"),
    pytest.param(one_model("apache-2.0"), id="model-apache-2.0"),
])
def test_spdx_licenses_in_any_case_export(make_registry: Callable[..., Path],
                                          bom_at: Callable[..., Result],
                                          files: dict[str, str]) -> None:
    produce(bom_at, make_registry(files))


def test_a_dataset_uri_with_a_space_is_exported_or_reported(
        make_registry: Callable[..., Path], bom_at: Callable[..., Result]) -> None:
    result = bom_at(make_registry(one_dataset(uri="s3://bucket/my data/")))
    assert result.code in (0, 1), result.err.splitlines()[0]
    if result.code == 0:
        assert_schema_valid(result.out, "1.6")
    else:  # refused with a finding at the uri
        assert result.err.startswith("datasets/faq.yaml:5:")


def test_stderr_holds_only_the_summary(make_registry: Callable[..., Path]) -> None:
    root = make_registry({"models/api.yaml": """\
        apiVersion: aireg/v1
        kind: Model
        metadata: {name: api, owner: team/platform}
        spec:
          provider: openai
          modelId: gpt-x
          license: proprietary
        """})
    done = subprocess.run(
        [python(), "-c", "from cli.main import main; main()", "-C", str(root), "bom"],
        capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr.splitlines()[0]) == (0, (
        "BOM completeness: 44% on OWASP AIBOM's weighted fields (mean over 1 ML model), 17% of "
        "the CycloneDX ML-BOM guide's fields (3 of 17)"))
    assert len(done.stderr.splitlines()) == 3  # the model's keys to add, the unkeyed fields
    assert dependencies(json.loads(done.stdout))["registry:test"] == ["model/api#service"]


# --- aireg's validation agrees with cyclonedx's JsonStrictValidator ------------------------
# aireg validates with jsonschema-rs (linear, no Earley parser for IRIs); cyclonedx-python-lib's
# JsonStrictValidator (jsonschema) stays here as the reference it must agree with.


def golden_bom(spec_version: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((REPO_ROOT / "tests/golden/bom-acme.json").read_text(
        encoding="utf-8"))
    document["specVersion"] = spec_version
    document["$schema"] = f"http://cyclonedx.org/schema/bom-{spec_version}.schema.json"
    return document


def verdicts(document: dict[str, Any], spec_version: str) -> tuple[bool, bool]:
    """(aireg's, the reference's): is the document valid?"""
    from registry.render import bom as bom_out

    ours = bom_out.validator(spec_version).is_valid(document)
    theirs = schema_validator(spec_version).validate_str(json.dumps(document)) is None
    return ours, theirs


def endpoint(doc: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in doc["components"] if "externalReferences" in c)["externalReferences"][0]


def set_email(value: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        doc["metadata"]["supplier"] = {"name": "Acme", "contact": [{"email": value}]}
    return change


def set_patent_date(value: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        doc["definitions"] = {"patents": [{"patentNumber": "US1", "jurisdiction": "US",
                                           "patentLegalStatus": "granted", "filingDate": value}]}
    return change


def set_signature_algorithm(value: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        doc["signature"] = {"algorithm": value, "value": "c2lnbmF0dXJl"}
    return change


# Each checked format (the schemas use date-time, date, iri-reference, idn-email and, in jsf,
# uri) with a bad value and a good one, and the other rules a generated BOM could break.
MUTATIONS: dict[str, tuple[str, Callable[[dict[str, Any]], None], bool]] = {
    "date-time bad": ("1.6", lambda d: d["metadata"].update(timestamp="2026-13-01T12:00:00Z"),
                      False),
    "date-time no zone": ("1.6", lambda d: d["metadata"].update(timestamp="2026-01-01T12:00:00"),
                          False),
    "date-time good": ("1.6", lambda d: d["metadata"].update(timestamp="2026-01-01T12:00:00Z"),
                       True),
    "iri-reference space": ("1.6", lambda d: endpoint(d).update(url="https://a b.example"),
                            False),
    "iri-reference bad percent": ("1.6", lambda d: endpoint(d).update(url="https://a.example/%zz"),
                                  False),
    "iri-reference two fragments": ("1.6", lambda d: endpoint(d).update(url="https://a/#b#c"),
                                    False),
    "iri-reference unicode": ("1.6", lambda d: endpoint(d).update(url="https://a.example/ä"),
                              True),
    "iri-reference relative": ("1.6", lambda d: endpoint(d).update(url="../models/x"), True),
    "idn-email bad": ("1.6", set_email("ops.acme.example"), False),
    "idn-email good": ("1.6", set_email("ops@acme.example"), True),
    "date bad": ("1.7", set_patent_date("2026-02-30"), False),
    "date good": ("1.7", set_patent_date("2026-02-28"), True),
    "uri bad": ("1.6", set_signature_algorithm("not a uri"), False),
    "uri good": ("1.6", set_signature_algorithm("https://acme.example/alg"), True),
    "repeated component": ("1.6", lambda d: d["components"].append(d["components"][5]), False),
    "repeated dependency": ("1.6", lambda d: d["dependencies"].append(d["dependencies"][0]),
                            False),
    "wrong enum": ("1.6", lambda d: d["components"][0].update(type="spaceship"), False),
    "unknown property": ("1.6", lambda d: d["components"][0].update(colour="blue"), False),
    "unknown top-level property": ("1.7", lambda d: d.update(extra=True), False),
    "missing required": ("1.6", lambda d: d["components"][0].pop("name"), False),
    "bad serial": ("1.6", lambda d: d.update(serialNumber="urn:uuid:not-a-uuid"), False),
}


@pytest.mark.parametrize("spec_version", ["1.6", "1.7"])
def test_the_example_bom_is_valid_to_both(spec_version: str) -> None:
    assert verdicts(golden_bom(spec_version), spec_version) == (True, True)


@pytest.mark.parametrize("name", MUTATIONS)
def test_validation_agrees_with_the_reference(name: str) -> None:
    spec_version, change, valid = MUTATIONS[name]
    document = golden_bom(spec_version)
    change(document)
    assert verdicts(document, spec_version) == (valid, valid)


def test_an_invalid_bom_names_the_rule_and_the_place() -> None:
    from registry.render import bom as bom_out

    document = golden_bom("1.6")
    document["components"][0]["type"] = "spaceship"
    with pytest.raises(bom_out.InvalidBom) as raised:
        bom_out.validate(document, "1.6")
    assert str(raised.value).startswith(
        "the CycloneDX 1.6 BOM aireg made is invalid, which is a bug in aireg (please report "
        "it): \"spaceship\" is not one of ")
    assert str(raised.value).endswith(" (at /components/0/type)")


LEAVES = st.sampled_from([
    "", "x", "https://a b", "https://a.example/ä", "2026-01-01T00:00:00Z", "2026-01-01",
    "ops@acme.example", "@", "SHA-256", "data", "spaceship", 7, -1, None, True, [], {}])


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*prefix, index))


@settings(max_examples=15, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate])
@given(data=st.data(), spec_version=st.sampled_from(["1.6", "1.7"]))
def test_mutated_boms_get_the_reference_verdict(data: st.DataObject, spec_version: str) -> None:
    """One random change to the example's BOM: a value replaced, a key removed or added,
    an item repeated. jsonschema-rs and JsonStrictValidator give the same verdict."""
    document = golden_bom(spec_version)
    path = data.draw(st.sampled_from(sorted(paths(document), key=repr)[1:]))
    parent: Any = document
    for step in path[:-1]:
        parent = parent[step]
    action = data.draw(st.sampled_from(["replace", "remove", "add key", "repeat"]))
    if action == "replace":
        parent[path[-1]] = data.draw(LEAVES)
    elif action == "remove":
        del parent[path[-1]]
    elif action == "add key" and isinstance(parent[path[-1]], dict):
        parent[path[-1]][data.draw(st.sampled_from(["name", "colour", "type", "url"]))] = \
            data.draw(LEAVES)
    elif action == "repeat" and isinstance(parent, list):
        parent.append(parent[path[-1]])
    ours, theirs = verdicts(document, spec_version)
    assert ours == theirs, (action, path)


# --- the kind table and package URLs ---------------------------------------------------------


def test_every_kind_has_a_place_in_the_bom() -> None:
    """A new kind adds one entry to the mapping tables (or to OUTSIDE_BOM)."""
    from registry import bom, kinds

    placed = {*bom.MAPPERS, *bom.SERVICE_MAPPERS, *bom.OUTSIDE_BOM}
    assert sorted(set(kinds.KINDS) - placed) == []


@pytest.mark.parametrize(("registry", "kind", "name", "version"), [
    ("acme", "prompt", "house-style", "3.1.0"),
    ("a.b", "dataset", "x_y", "1.0.0-rc.1+build.5"),
    ("r", "feature", "f~g", None),
    ("r-2", "mcp-package", "Acme Server", "2.3.0"),
])
def test_generic_purls_are_what_packageurl_python_writes(registry: str, kind: str, name: str,
                                                         version: str | None) -> None:
    from packageurl import PackageURL

    from registry.bom import generic_purl

    assert generic_purl(registry, kind, name, version) == str(PackageURL(
        type="generic", namespace=f"aireg/{registry}/{kind}", name=name, version=version))


@pytest.mark.parametrize(("url", "written"), [
    ("https://models.example/card?v=2#top", "https://models.example/card?v=2#top"),
    ("https://a.example/caf\u00e9/%41", "https://a.example/caf\u00e9/%41"),
    ("https://a b.example/%zz/%4", "https://a%20b.example/%25zz/%254"),
    ('https://a.example/"x"<y>{z}|^`\\', "https://a.example/%22x%22%3Cy%3E%7Bz%7D%7C%5E%60%5C"),
    ("https://a.example/\t\x7f\u00e9 ", "https://a.example/%09%7F\u00e9%20"),
])
def test_urls_are_written_as_iri_references(url: str, written: str) -> None:
    """Only what an IRI may not hold is percent-encoded; a URL with none of it is kept."""
    from registry.bom import iri

    assert iri(url) == written


@pytest.mark.parametrize(("ecosystem", "name", "version", "purl"), [
    ("npm", "@acme/zendesk-mcp", "2.3.0", "pkg:npm/%40acme/zendesk-mcp@2.3.0"),
    ("npm", "plain-mcp", None, "pkg:npm/plain-mcp"),
    ("pypi", "mcp-server-git", "0.6.2", "pkg:pypi/mcp-server-git@0.6.2"),
    ("maven", "com.acme:mcp", "1.0", "pkg:maven/com.acme/mcp@1.0"),
    ("go", "github.com/acme/mcp", "v1.2.0", "pkg:golang/github.com/acme/mcp@v1.2.0"),
    ("other", "thing", "1", None),
])
def test_mcp_package_purls(ecosystem: str, name: str, version: str | None,
                           purl: str | None) -> None:
    from registry import kinds
    from registry.bom import package_purl

    assert package_purl(kinds.Package(ecosystem=ecosystem, name=name,  # type: ignore[arg-type]
                                      version=version)) == purl


def test_the_same_declaration_has_the_same_purl_in_another_clone(
        acme_repo: GitRepo, bom_at: Callable[..., Result], tmp_path: Path) -> None:
    """Tools that merge BOMs across repositories match components by purl: a clone elsewhere,
    with other commits, gives every declaration the same purl."""
    first = produce(bom_at, acme_repo.root)
    clone = tmp_path / "clone"
    shutil.copytree(EXAMPLE, clone)
    second = produce(bom_at, clone)
    assert first["serialNumber"] != second["serialNumber"]
    purls = {c["bom-ref"]: c["purl"] for c in first["components"]}
    assert purls == {c["bom-ref"]: c["purl"] for c in second["components"]}
    assert len(set(purls.values())) == len(purls)  # and no two components share one
