"""Vector indexes, consent revocations and lineage (SPEC section 12): the rules, the reindex
class, deprecations' rebuild actions, `aireg lineage` in every format and the BOM mapping."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import REPO_ROOT, Check, GitRepo, Run, check_golden, of_rule, validate_output

RAG = REPO_ROOT / "examples" / "rag"
DIGEST = "sha256:" + "a" * 64

MODELS = """\
apiVersion: aireg/v1
kind: Model
metadata: {name: large, owner: team/platform}
spec: {provider: openai, modelId: text-embedding-3-large, task: embedding, dimensions: 3072}
---
apiVersion: aireg/v1
kind: Model
metadata: {name: small, owner: team/platform}
spec: {provider: openai, modelId: text-embedding-3-small, task: embedding, dimensions: 1536}
---
apiVersion: aireg/v1
kind: Model
metadata: {name: chat, owner: team/platform}
spec: {provider: self-hosted, modelId: llama-3-8b, task: chat, hosting: self-hosted}
"""


def index(model: str = "model/large", dimensions: int = 3072,
          built: str = "dataset/corpus@4.0.0") -> str:
    return f"""\
apiVersion: aireg/v1
kind: VectorIndex
metadata: {{name: help, version: 1.0.0, owner: team/platform}}
spec:
  embeddingModel: {model}
  dimensions: {dimensions}
  metric: cosine
  store: {{type: pgvector, uri: "postgres://db/rag?table=help"}}
  builtFrom: [{built}]
"""


def corpus(version: str, records: int = 800, derived: str = "[]", excludes: str = "[]") -> str:
    return f"""\
apiVersion: aireg/v1
kind: Dataset
metadata: {{name: corpus, version: {version}, owner: team/platform}}
spec:
  license: CC-BY-4.0
  records: {records}
  derivedFrom: {derived}
  excludes: {excludes}
"""


def feature(query: str | None) -> str:
    line = f"\n  queryModel: {query}" if query else ""
    return f"""\
apiVersion: aireg/v1
kind: Feature
metadata: {{name: bot, owner: team/platform}}
spec:
  uses: [index/help@^1]{line}
"""


def rules(result: object, *names: str) -> list[str]:
    return [line for name in names for line in of_rule(result, name)]  # type: ignore[arg-type]


# --- embedding rules -----------------------------------------------------------------------------


def test_queries_embedded_by_another_model_are_an_error(check: Check) -> None:
    result = check({"models.yaml": MODELS, "index.yaml": index(), "corpus.yaml": corpus("4.0.0"),
                    "feature.yaml": feature("model/small")})
    assert rules(result, "embedding-mismatch") == [
        "feature.yaml:6:15: error[embedding-mismatch] feature/bot embeds its queries with "
        "model/small (`text-embedding-3-small`), but index/help@1.0.0 was embedded with "
        "model/large (`text-embedding-3-large`): their vectors cannot be compared, so retrieval "
        "silently degrades. Set queryModel to model/large, or re-embed the index with the new "
        "model (build it beside the current one, then switch)"]
    assert result.code == 1


def test_the_default_query_model_is_the_index_own(check: Check) -> None:
    for query in (None, "model/large"):
        result = check({"models.yaml": MODELS, "index.yaml": index(),
                        "corpus.yaml": corpus("4.0.0"), "feature.yaml": feature(query)})
        assert rules(result, "embedding-mismatch", "dimension-mismatch") == []


def test_a_prompt_declares_its_query_model_too(check: Check) -> None:
    prompt = """\
    apiVersion: aireg/v1
    kind: Prompt
    metadata: {name: answer, version: 1.0.0, owner: team/platform}
    spec:
      template: Answer from the context.
      uses: [index/help@^1]
      queryModel: model/small
    """
    result = check({"models.yaml": MODELS, "index.yaml": index(), "corpus.yaml": corpus("4.0.0"),
                    "prompt.yaml": prompt})
    assert [line.split(" embeds")[0] for line in rules(result, "embedding-mismatch")] == [
        "prompt.yaml:7:15: error[embedding-mismatch] prompt/answer@1.0.0"]


def test_an_index_embedded_by_a_chat_model(check: Check) -> None:
    result = check({"models.yaml": MODELS, "index.yaml": index("model/chat"),
                    "corpus.yaml": corpus("4.0.0")})
    assert rules(result, "embedding-mismatch") == [
        "index.yaml:5:19: error[embedding-mismatch] index/help@1.0.0 is embedded by model/chat "
        "(`llama-3-8b`), which is declared `task: chat`, not an embedding model; point "
        "embeddingModel at the embedding model that built the vectors"]


def test_dimensions_must_match_the_embedding_model(check: Check) -> None:
    result = check({"models.yaml": MODELS, "index.yaml": index(dimensions=1536),
                    "corpus.yaml": corpus("4.0.0")})
    assert rules(result, "dimension-mismatch") == [
        "index.yaml:6:15: error[dimension-mismatch] index/help@1.0.0 stores 1536-dimension "
        "vectors, but its embedding model model/large (`text-embedding-3-large`) returns 3072: "
        "queries it embeds cannot be compared with them. Set spec.dimensions to the length the "
        "index holds, and re-embed the index if that differs from the model's"]


def test_an_index_built_from_an_older_version_of_its_major_line_is_stale(check: Check) -> None:
    files = {"models.yaml": MODELS, "index.yaml": index(), "corpus.yaml": corpus("4.0.0"),
             "corpus-4.2.yaml": corpus("4.2.0"), "corpus-5.yaml": corpus("5.0.0")}
    assert rules(check(files), "index-stale") == [
        "index.yaml:9:15: warning[index-stale] index/help@1.0.0 was built from "
        "dataset/corpus@4.0.0 (as pinned), but dataset/corpus@4.2.0 is now declared in that "
        "version's major line (^4.0.0): the index lacks its changes. Re-embed it from 4.2.0 "
        "beside the current index, switch readers over, then set builtFrom to "
        "dataset/corpus@4.2.0 and builtAt to the day it was built"]
    # A narrow range resolves to the newest it admits, and says so.
    files["index.yaml"] = index(built="dataset/corpus@~4.0.0")
    assert "(what `dataset/corpus@~4.0.0` resolves to)" in rules(check(files), "index-stale")[0]
    # A new major is not a newer version of the same data: not stale.
    files["corpus-4.2.yaml"] = "# removed\n"
    files["index.yaml"] = index()
    assert rules(check(files), "index-stale") == []


# --- bad input -----------------------------------------------------------------------------------


def test_bad_input_for_the_new_kinds_is_positioned(check: Check) -> None:
    bad_index = index().replace("metric: cosine", "metric: cosin").replace(
        "  store: {type: pgvector, uri: \"postgres://db/rag?table=help\"}\n", "")
    revocation = f"""\
    apiVersion: aireg/v1
    kind: Revocation
    metadata: {{name: nov, version: 1.0.0, owner: team/platform}}
    spec:
      received: 2026-11-03
      deadline: 2026-10-30
      affects: [model/large]
      subjects: 214
      list: {{uri: "s3://privacy/nov.parquet", digest: "{DIGEST}"}}
    """
    dataset = corpus("4.0.0", derived="[{ref: model/large, step: dedupe, tol: x}, 3]")
    model = MODELS.replace("task: chat,", "task: chat, dimensions: 8,")
    result = check({"models.yaml": model, "index.yaml": bad_index, "revocation.yaml": revocation,
                    "corpus.yaml": dataset})
    assert rules(result, "schema", "ref-kind") == [
        "corpus.yaml:7:50: error[schema] unknown field `spec.derivedFrom[0].tol` (did you mean "
        "tool?); remove it or fix its name",
        "corpus.yaml:7:59: error[schema] `spec.derivedFrom[1]` must be a string, not the "
        "number `3`",
        "index.yaml:4:1: error[schema] missing required field `spec.store`; add it",
        "index.yaml:7:11: error[schema] `spec.metric` must be one of cosine, dot or euclidean; "
        "got `cosin` (did you mean cosine?)",
        "models.yaml:14:7: error[schema] `spec`: `dimensions` is for embedding models, and this "
        "one is `task: chat`; remove it, or set task: embedding",
        "revocation.yaml:3:23: error[schema] unknown field `metadata.version`; remove it or fix "
        "its name",
        "revocation.yaml:5:3: error[schema] `spec`: `deadline` 2026-10-30 is before `received` "
        "2026-11-03; fix one of the days",
    ]


def test_refs_of_the_wrong_kind_in_the_new_fields(check: Check) -> None:
    dataset = corpus("4.0.0", derived="[{ref: model/large, step: embed}]",
                     excludes="[dataset/corpus]")
    result = check({"models.yaml": MODELS, "index.yaml": index(model="dataset/corpus@4.0.0"),
                    "corpus.yaml": dataset, "feature.yaml": feature("index/help")})
    assert rules(result, "ref-kind") == [
        "corpus.yaml:7:23: error[ref-kind] `spec.derivedFrom` takes refs to datasets, not "
        "models (`model/large`)",
        "corpus.yaml:8:14: error[ref-kind] `spec.excludes` takes refs to revocations, not "
        "datasets (`dataset/corpus`)",
        "feature.yaml:6:15: error[ref-kind] `spec.queryModel` takes refs to models, not vector "
        "indexes (`index/help`)",
        "index.yaml:5:19: error[ref-kind] `spec.embeddingModel` takes refs to models, not "
        "datasets (`dataset/corpus@4.0.0`)",
    ]


# --- consent -------------------------------------------------------------------------------------


REVOCATION = f"""\
apiVersion: aireg/v1
kind: Revocation
metadata: {{name: nov, owner: team/platform}}
spec:
  received: 2026-11-03
  deadline: 2026-12-30
  affects: [dataset/raw@1.0.0]
  subjects: 214
  list: {{uri: "s3://privacy/nov.parquet", digest: "{DIGEST}"}}
"""
RAW = """\
apiVersion: aireg/v1
kind: Dataset
metadata: {name: raw, version: 1.0.0, owner: team/platform}
spec: {license: proprietary, consent: {basis: consent, uses: [model-training]}}
"""


def adapter(datasets: str = "[dataset/corpus@4.0.0]", evals: str = "[]") -> str:
    return f"""\
apiVersion: aireg/v1
kind: Adapter
metadata: {{name: clf, version: 1.0.0, owner: team/platform}}
spec:
  baseModel: model/chat
  method: lora
  datasets: {datasets}
  evalDatasets: {evals}
"""


USER = """\
apiVersion: aireg/v1
kind: Feature
metadata: {name: triage, owner: team/platform}
spec: {uses: [adapter/clf@^1]}
"""


def consent_files(**extra: str) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        "models.yaml": MODELS, "raw.yaml": RAW, "revocation.yaml": REVOCATION,
        "corpus.yaml": corpus("4.0.0", derived="[{ref: dataset/raw@1.0.0, step: dedupe}]"),
        "adapter.yaml": adapter(), "feature.yaml": USER}
    files.update(extra)
    return files


MESSAGE = (
    "adapter/clf@1.0.0 is trained on dataset/corpus@4.0.0, which derives from "
    "dataset/raw@1.0.0, which holds data of 214 people who withdrew consent (revocation/nov, "
    "received 2026-11-03); no dataset on the way excludes it. ")


def test_a_revocation_not_excluded_warns_until_its_deadline(check: Check) -> None:
    result = check(consent_files(), today="2026-12-01")
    assert rules(result, "consent-revoked") == [
        "adapter.yaml:7:14: warning[consent-revoked] " + MESSAGE + "Deadline 2026-12-30 (in 29 "
        "days); features hit: feature/triage. Remediation retrain: declare a version of "
        "dataset/corpus made without them, with `excludes: [revocation/nov]`, and retrain "
        "adapter/clf@1.0.0 on it"]


def test_after_the_deadline_it_is_an_error_and_the_adapter_must_go(check: Check) -> None:
    clean = corpus("4.1.0", derived="[{ref: dataset/raw@1.0.0, step: dedupe}]",
                   excludes="[revocation/nov]")
    result = check(consent_files(**{"clean.yaml": clean}), today="2026-12-31")
    assert rules(result, "consent-revoked") == [
        "adapter.yaml:7:14: error[consent-revoked] " + MESSAGE + "Deadline 2026-12-30 (1 day "
        "ago); features hit: feature/triage. Remediation remove-adapter: the deadline has "
        "passed: take adapter/clf@1.0.0 out of feature/triage until it is retrained (use "
        "dataset/corpus@4.1.0, which excludes them)"]
    assert result.code == 1


def test_a_revocation_range_affects_every_version_it_admits(check: Check) -> None:
    ranged = REVOCATION.replace("affects: [dataset/raw@1.0.0]", "affects: [dataset/raw@^1]")
    found = rules(check(consent_files(**{"revocation.yaml": ranged}), today="2026-12-01"),
                  "consent-revoked")
    assert [line.split(" which derives")[0] for line in found] == [
        "adapter.yaml:7:14: warning[consent-revoked] adapter/clf@1.0.0 is trained on "
        "dataset/corpus@4.0.0,"]


def test_a_dataset_that_excludes_the_revocation_cleans_what_is_built_on_it(check: Check) -> None:
    clean = corpus("4.1.0", derived="[{ref: dataset/raw@1.0.0, step: dedupe}]",
                   excludes="[revocation/nov]")
    files = consent_files(**{"clean.yaml": clean, "adapter.yaml": adapter(
        "[dataset/corpus@4.1.0]")})
    assert rules(check(files, today="2027-02-01"), "consent-revoked") == []


def test_evaluation_data_alone_needs_no_action_on_the_weights(check: Check) -> None:
    files = consent_files(**{"adapter.yaml": adapter("[]", "[dataset/raw@1.0.0]")})
    assert rules(check(files, today="2027-02-01"), "consent-revoked") == [
        "adapter.yaml:8:18: info[consent-revoked] adapter/clf@1.0.0 is evaluated on "
        "dataset/raw@1.0.0, which holds data of 214 people who withdrew consent "
        "(revocation/nov, received 2026-11-03); no dataset on the way excludes it. Deadline "
        "2026-12-30 (33 days ago); features hit: feature/triage. Remediation no-action: its "
        "weights do not hold the data (it was only evaluated on it); for the next evaluation, "
        "declare a version of dataset/raw made without them, with `excludes: [revocation/nov]`"]


def test_an_index_on_revoked_data_is_reindexed(check: Check) -> None:
    files = consent_files(**{"index.yaml": index(), "adapter.yaml": adapter("[]")})
    assert rules(check(files, today="2026-12-01"), "consent-revoked") == [
        "index.yaml:9:15: warning[consent-revoked] index/help@1.0.0 is built from "
        "dataset/corpus@4.0.0, which derives from dataset/raw@1.0.0, which holds data of 214 "
        "people who withdrew consent (revocation/nov, received 2026-11-03); no dataset on the "
        "way excludes it. Deadline 2026-12-30 (in 29 days); no feature uses it. Remediation "
        "reindex: delete the subjects' vectors from the index, or re-embed it beside the "
        "current one from data without them (declare a version of dataset/corpus made without "
        "them, with `excludes: [revocation/nov]`)"]


# --- impact --base: reindex ----------------------------------------------------------------------


@pytest.fixture
def indexed(git_repo: GitRepo) -> GitRepo:
    git_repo.commit("registry", {
        "aireg.yaml": "apiVersion: aireg/v1\nkind: Registry\nmetadata: {name: test}\n",
        "teams.yaml": "apiVersion: aireg/v1\nkind: Team\nmetadata: {name: platform}\n"
                      "spec: {members: [maria], contact: \"#platform\"}\n",
        "models.yaml": MODELS, "index.yaml": index(), "corpus.yaml": corpus("4.0.0"),
        "feature.yaml": feature(None)})
    return git_repo


def test_a_new_embedding_model_id_is_a_reindex(indexed: GitRepo, aireg: Run,
                                               request: pytest.FixtureRequest) -> None:
    indexed.write({"models.yaml": MODELS.replace("modelId: text-embedding-3-large,",
                                                 "modelId: text-embedding-3-large-v2,")})
    result = aireg("-C", str(indexed.root), "--today", "2026-12-01", "impact", "--base", "main",
                   "--format", "json")
    out = json.loads(result.out)
    validate_output("impact-base", out)
    assert [(c["id"], c["classes"]) for c in out["changes"]] == [("model/large", ["pin",
                                                                                  "reindex"])]
    assert out["reindex"] == [{
        "index": "index/help@1.0.0", "causes": ["model/large"], "records": 800,
        "corpora": ["dataset/corpus@4.0.0"], "uncounted": [],
        "reasons": ["its embedding model model/large changed (spec.modelId)"],
        "store": "pgvector postgres://db/rag?table=help"}]
    markdown = aireg("-C", str(indexed.root), "--today", "2026-12-01", "impact", "--base", "main",
                     "--format", "markdown").out
    check_golden(request, "pr-reindex.md", markdown)


def test_a_corpus_change_and_a_new_corpus_version_are_reindexes(indexed: GitRepo,
                                                                aireg: Run) -> None:
    indexed.write({"corpus.yaml": corpus("4.0.0", records=810),
                   "index.yaml": index(built="dataset/corpus@^4"),
                   "corpus-4.1.yaml": corpus("4.1.0", records=900)})
    indexed.commit("ranged")
    indexed.git("branch", "ranged")
    # In place: the corpus under the index changed its content.
    indexed.write({"corpus.yaml": corpus("4.0.0", records=820)})
    out = json.loads(aireg("-C", str(indexed.root), "impact", "--base", "ranged",
                           "--format", "json").out)
    assert [(c["id"], c["classes"]) for c in out["changes"]] == [
        ("dataset/corpus@4.0.0", ["behavior"])]
    assert out["reindex"] == []  # the index resolves ^4 to 4.1.0: 4.0.0 is not under it
    indexed.write({"corpus.yaml": corpus("4.0.0", records=810),
                   "corpus-4.1.yaml": corpus("4.1.0", records=950)})
    out = json.loads(aireg("-C", str(indexed.root), "impact", "--base", "ranged",
                           "--format", "json").out)
    assert [(c["id"], c["classes"]) for c in out["changes"]] == [
        ("dataset/corpus@4.1.0", ["behavior", "reindex"])]
    assert [(r["index"], r["records"], r["reasons"]) for r in out["reindex"]] == [
        ("index/help@1.0.0", 950, ["its corpus dataset/corpus@4.1.0 changed (spec.records)"])]
    # A new version the index's range now resolves to.
    indexed.write({"corpus-4.1.yaml": corpus("4.1.0", records=900),
                   "corpus-4.2.yaml": corpus("4.2.0", records=None or 0)})
    out = json.loads(aireg("-C", str(indexed.root), "impact", "--base", "ranged",
                           "--format", "json").out)
    assert ("index/help@1.0.0", ["pin", "reindex"]) in [(c["id"], c["classes"])
                                                        for c in out["changes"]]
    assert out["reindex"][0]["reasons"] == [
        "spec.builtFrom dataset/corpus@^4 now resolves to dataset/corpus@4.2.0 (was "
        "dataset/corpus@4.1.0)"]


def test_a_retiring_embedding_model_asks_to_rebuild_its_indexes(aireg: Run) -> None:
    result = aireg("-C", str(RAG), "--today", "2026-12-01", "deprecations", "--format", "json")
    out = json.loads(result.out)
    validate_output("deprecations", out)
    assert [(d["id"], d["actions"]) for d in out["deadlines"] if d["kind"] == "Model"] == [
        ("model/text-embedding-ada-002", ["rebuild index/faq@1.0.0 before 2027-03-31"])]
    text = aireg("-C", str(RAG), "--today", "2026-12-01", "deprecations").out
    assert "  action:      rebuild index/faq@1.0.0 before 2027-03-31\n" in text


# --- lineage -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("ref", "fmt", "golden"), [
    ("adapter/ticket-classifier", "text", "lineage-rag-ticket-classifier.txt"),
    ("adapter/ticket-classifier", "json", "lineage-rag-ticket-classifier.json"),
    ("adapter/ticket-classifier", "mermaid", "lineage-rag-ticket-classifier.mmd"),
    ("feature/support-bot", "text", "lineage-rag-support-bot.txt"),
    ("feature/support-bot", "json", "lineage-rag-support-bot.json"),
    ("feature/support-bot", "mermaid", "lineage-rag-support-bot.mmd"),
])
def test_lineage_in_every_format(aireg: Run, request: pytest.FixtureRequest, ref: str, fmt: str,
                                 golden: str) -> None:
    result = aireg("-C", str(RAG), "--today", "2026-12-01", "lineage", ref, "--format", fmt)
    assert (result.code, result.err) == (0, "")
    if fmt == "json":
        validate_output("lineage", json.loads(result.out))
    check_golden(request, golden, result.out)


def test_lineage_of_a_clean_version_says_the_revocation_is_excluded(aireg: Run) -> None:
    out = aireg("-C", str(RAG), "lineage", "dataset/support-tickets@2.1.0").out
    assert "excludes: revocation/2026-11-withdrawals" in out
    assert out.endswith("\nEvery revocation that affects a source is excluded on the way.\n")


def test_a_chain_of_thousands_of_steps_stays_bounded(check: Check, make_registry: Any,
                                                     aireg: Run) -> None:
    count = 2000
    docs = [MODELS, REVOCATION.replace("dataset/raw@1.0.0", f"dataset/d{count - 1}@1.0.0"),
            adapter("[dataset/d0@1.0.0]")]
    for i in range(count):
        derived = f"[{{ref: dataset/d{i + 1}@1.0.0, step: s{i}}}]" if i < count - 1 else "[]"
        docs.append(f"apiVersion: aireg/v1\nkind: Dataset\nmetadata: {{name: d{i}, version: "
                    f"1.0.0, owner: team/platform}}\nspec: {{license: MIT, derivedFrom: "
                    f"{derived}}}\n")
    files: dict[str, str | bytes] = {"all.yaml": "---\n".join(docs)}
    found = rules(check(files, today="2026-12-01"), "consent-revoked")
    assert len(found) == 1
    assert ("which derives, through dataset/d1@1.0.0, dataset/d2@1.0.0, 1995 more, "
            "dataset/d1998@1.0.0, from dataset/d1999@1.0.0, which holds") in found[0]
    root = make_registry(files)
    result = aireg("-C", str(root), "lineage", "adapter/clf")
    lines = result.out.splitlines()
    assert result.code == 0 and len(lines) > 2000
    assert max(len(line) for line in lines) < 250


def test_lineage_refuses_what_is_not_built_from_data(aireg: Run) -> None:
    result = aireg("-C", str(RAG), "lineage", "model/text-embedding-3-large")
    assert (result.code, result.err) == (2, "aireg: error: model/text-embedding-3-large is a "
                                            "Model; lineage starts from an adapter, index, "
                                            "feature, prompt or dataset\n")
    result = aireg("-C", str(RAG), "lineage", "adapter/nope")
    assert result.code == 2 and "adapter/nope is not declared" in result.err


# --- BOM -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("spec_version", "features"), [
    ("1.6", ()), ("1.7", ()), ("1.6", ("feature/support-bot",))])
def test_the_data_side_of_the_bom_is_valid(spec_version: str, features: tuple[str, ...]
                                           ) -> None:
    """bom.build's mapping of indexes, consent and revocations, serialized and validated
    against the official schema by aireg's own writer."""
    import datetime as dt

    from registry import bom
    from registry.project import Project
    from registry.render.bom import serialize

    project = Project.open(RAG, today=dt.date(2026, 12, 1), use_cache=False)
    stamp = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    mapped = bom.build(project, list(features), stamp, None, "0", spec_version)
    document = json.loads(serialize(mapped, spec_version))
    components = {c["bom-ref"]: c for c in document["components"]}
    index = components["index/help-center@5.0.0"]
    assert (index["type"], index["data"][0]["type"]) == ("data", "dataset")
    assert index["purl"] == "pkg:generic/aireg/rag/index/help-center@5.0.0"
    assert index["data"][0]["contents"] == {"properties": [
        {"name": "aireg:store:uri", "value": "postgres://db/rag?table=help_chunks"}]}
    dependencies = {d["ref"]: d.get("dependsOn", []) for d in document["dependencies"]}
    assert dependencies["index/help-center@5.0.0"] == [
        "dataset/help-center-corpus@4.1.0", "model/text-embedding-3-large#service"]
    assert not [ref for ref in dependencies if ref.startswith("revocation/")]
    assert not [ref for refs in dependencies.values() for ref in refs
                if ref.startswith("revocation/")]
    raw = components["dataset/raw-tickets@1.0.0"]
    assert raw["data"][0]["governance"] == {
        "owners": [{"organization": {"name": "team/data"}}],
        "stewards": [{"organization": {"name": "team/privacy"}}]}
    props = {p["name"]: p["value"] for p in raw["properties"]}
    assert (props["aireg:consent:basis"], props["aireg:revocation:2026-11-withdrawals"],
            props["aireg:revocation:2026-11-withdrawals:subjects"]) == (
        "consent", "affected", "214")
    if not features:  # the feature's BOM holds only the data it uses
        clean = {p["name"]: p["value"]
                 for p in components["dataset/tickets-redacted@1.1.0"]["properties"]}
        assert clean["aireg:revocation:2026-11-withdrawals"] == "excluded"
    else:
        assert "dataset/tickets-redacted@1.1.0" not in components


def test_example_registry_checks_as_the_readme_says(aireg: Run) -> None:
    result = aireg("-C", str(RAG), "--today", "2026-12-01", "check")
    assert result.out.splitlines()[-1] == (
        "Found 0 errors, 2 warnings, 1 info in 20 declarations in 8 files.")


def test_consent_is_governance_and_excludes_change_the_data(indexed: GitRepo,
                                                            aireg: Run) -> None:
    indexed.write({"corpus.yaml": corpus("4.0.0").replace(
        "  records: 800\n", "  records: 800\n  consent: {basis: public, uses: [retrieval]}\n")})
    out = json.loads(aireg("-C", str(indexed.root), "impact", "--base", "main",
                           "--format", "json").out)
    assert [(c["id"], c["classes"]) for c in out["changes"]] == [
        ("dataset/corpus@4.0.0", ["metadata"])]
    assert out["reindex"] == [] and out["newFindings"] == []
    indexed.write({"corpus.yaml": corpus("4.0.0", excludes="[revocation/nov]"),
                   "revocation.yaml": REVOCATION, "raw.yaml": RAW})
    out = json.loads(aireg("-C", str(indexed.root), "impact", "--base", "main",
                           "--format", "json").out)
    changed = {c["id"]: c["classes"] for c in out["changes"]}
    assert changed["dataset/corpus@4.0.0"] == ["pin", "reindex"]
    assert [r["index"] for r in out["reindex"]] == ["index/help@1.0.0"]
    assert [f["rule"] for f in out["newFindings"]] == ["version-not-bumped"]


def test_a_revocation_of_retired_data_is_no_sunset_finding(check: Check) -> None:
    raw = RAW.replace("owner: team/platform}", "owner: team/platform, deprecation: "
                      "{sunset: 2026-11-01}}")
    result = check({"raw.yaml": raw, "revocation.yaml": REVOCATION}, today="2026-12-01")
    assert rules(result, "sunset-passed", "sunset-soon") == []


def test_the_reindex_table_is_inert_markdown(indexed: GitRepo, aireg: Run) -> None:
    hostile = index().replace('uri: "postgres://db/rag?table=help"',
                              'uri: "<!-- aireg:impact --> @everyone | [x](http://e.vil)"')
    indexed.commit("hostile store", {"index.yaml": hostile})
    indexed.write({"models.yaml": MODELS.replace("modelId: text-embedding-3-large,",
                                                 "modelId: text-embedding-3-large-v2,")})
    out = aireg("-C", str(indexed.root), "impact", "--base", "main", "--format", "markdown").out
    row = next(line for line in out.splitlines() if line.startswith("| `index/help@1.0.0`"))
    assert row == (
        "| `index/help@1.0.0` | 800 records | `pgvector <!-- aireg\u200b:impact --> @everyone \\| "
        "[x](http://e.vil)` | its embedding model model/large changed \\(spec\\.modelId\\) |")
    assert out.count("<!-- aireg:impact -->") == 1
