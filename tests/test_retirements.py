"""Known retirements: exact matching after normalisation, the platform as part of the key, a
registry's own file, the bundled data's shape, and the build script's determinism."""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import load_script

from registry.findings import AiregError
from registry.retirements import DATE_KINDS, Retirement, Retirements, merge_records, normalize
from registry.yamlio import load_documents

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "build_retirements.py"
FACTS = ROOT / "scripts" / "provider_facts.yaml"
BUNDLED = ROOT / "registry" / "data" / "retirements.json"


@pytest.fixture(scope="module")
def bundled() -> Retirements:
    return Retirements.bundled()


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return load_script("build_retirements")


def _facts_document() -> Any:
    documents, problems = load_documents(FACTS.read_text("utf-8"))
    assert not problems
    return documents[0]


def _record(platform: str, model_id: str, sunset: str = "2026-10-23",
            source: str = "test data") -> Retirement:
    return Retirement(platform, normalize(platform, model_id), dt.date.fromisoformat(sunset),
                      "firm", None, None, source, None, None)


# --- the bundled data -------------------------------------------------------------------

def test_gpt_4_0613_has_a_record_naming_its_source(bundled: Retirements) -> None:
    record = bundled.lookup("openai", "gpt-4-0613")
    assert record is not None
    assert record.sunset == dt.date(2026, 10, 23)
    assert record.source == "OpenAI deprecations page"
    assert record.source_url == "https://platform.openai.com/docs/deprecations"
    assert record.describe() == ("firm day from OpenAI deprecations page "
                                 "(https://platform.openai.com/docs/deprecations), read 2026-11-21")
    # OpenAI retires the alias with the snapshot, so the alias has a record of its own.
    alias = bundled.lookup("openai", "gpt-4")
    assert alias is not None and alias.sunset == dt.date(2026, 10, 23)


def test_an_alias_does_not_pick_up_its_snapshots_record(bundled: Retirements) -> None:
    # The alias has a record of its own (LiteLLM dates it), not the snapshot's.
    snapshot = bundled.lookup("openai", "gpt-4o-2024-05-13")
    alias = bundled.lookup("openai", "GPT-4o")
    assert snapshot is not None and snapshot.sunset == dt.date(2026, 10, 23)
    assert alias is not None and alias.model_id == "gpt-4o"
    assert (alias.sunset, alias.date_kind, alias.source_key) == (
        dt.date(2027, 1, 14), "estimated", "litellm")
    assert bundled.lookup("openai", "gpt-4o-2024-05") is None


def test_a_snapshot_without_a_record_is_not_matched_through_a_sibling(
        bundled: Retirements) -> None:
    assert bundled.lookup("openai", "gpt-4-0613") is not None
    assert bundled.lookup("openai", "gpt-4-0613-mini") is None
    assert bundled.lookup("openai", "gpt-3.5-turbo-0125") is not None
    assert bundled.lookup("openai", "gpt-3.5-turbo-0126") is None
    # The same with records of our own: no prefix, no similarity.
    own = Retirements([_record("openai", "gpt-4o-2024-05-13")])
    for near in ("gpt-4o-2024-08-06", "gpt-4o-2024-05", "gpt-4o-2024-05-13-mini",
                 "gpt-4o", "gpt-4o-2024-05-1"):
        assert own.lookup("openai", near) is None, near


@pytest.mark.parametrize("spelling", [
    "anthropic.claude-sonnet-4-20250514-v1:0",
    "us.anthropic.claude-sonnet-4-20250514-v1:0",
    "eu.anthropic.claude-sonnet-4-20250514-v1:0",
    "global.anthropic.claude-sonnet-4-20250514-v1:0",
    "bedrock/us-east-1/anthropic.claude-sonnet-4-20250514-v1:0",
    "bedrock/converse/us.anthropic.claude-sonnet-4-20250514-v1:0",
    "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0",
    "claude-sonnet-4-20250514",
])
def test_bedrock_spellings_match_one_record(bundled: Retirements, spelling: str) -> None:
    record = bundled.lookup("bedrock", spelling)
    assert record is not None
    assert record.model_id == "claude-sonnet-4-20250514"
    assert record.sunset == dt.date(2026, 10, 14)


def test_bedrock_claude_3_7_forms(bundled: Retirements) -> None:
    forms = ["anthropic.claude-3-7-sonnet-20250219-v1:0",
             "us.anthropic.claude-3-7-sonnet-20250219-v1:0", "claude-3-7-sonnet-20250219"]
    records = {bundled.lookup("bedrock", form) for form in forms}
    assert len(records) == 1
    (record,) = records
    assert record is not None and record.sunset == dt.date(2026, 10, 17)
    assert (record.date_kind, record.source_key) == ("firm", "bedrock-lifecycle")


def test_bedrock_region_days_keep_the_earliest_and_list_the_others(
        bundled: Retirements) -> None:
    record = bundled.lookup("bedrock", "eu.anthropic.claude-3-haiku-20240307-v1:0")
    assert record is not None and record.sunset == dt.date(2026, 9, 10)
    assert record.other_days == (("ap-northeast-2", dt.date(2026, 10, 17)),
                                 ("ap-south-1", dt.date(2026, 10, 17)),
                                 ("ap-southeast-1", dt.date(2026, 10, 17)))
    assert record.describe().endswith(
        "other days: ap-northeast-2 2026-10-17, ap-south-1 2026-10-17, "
        "ap-southeast-1 2026-10-17")


def test_vertex_at_versions_match(bundled: Retirements) -> None:
    record = bundled.lookup("vertex-ai", "claude-3-5-sonnet@20240620")
    assert record is not None and record.sunset == dt.date(2026, 2, 19)
    assert bundled.lookup("vertex-ai", "vertex_ai/claude-3-5-sonnet@20240620") == record
    assert bundled.lookup("vertex-ai", "publishers/anthropic/models/"
                                       "claude-3-5-sonnet@20240620") == record


def test_azure_keys_match_plain_ids_only_on_azure(bundled: Retirements) -> None:
    # LiteLLM's key azure/gpt-4-32k-0613; the fact from Azure's page overrides it.
    record = bundled.lookup("azure-openai", "gpt-4-32k-0613")
    assert record is not None and record.platform == "azure-openai"
    assert bundled.lookup("azure-openai", "azure/gpt-4-32k-0613") == record
    assert bundled.lookup("openai", "gpt-4-32k-0613") != record
    # Azure pins the version apart from the name.
    pinned = bundled.lookup("azure-openai", "gpt-4o-mini", "2024-07-18")
    assert pinned is not None and pinned.sunset == dt.date(2027, 4, 14)
    assert "Provisioned" in (pinned.note or "")
    openai = bundled.lookup("openai", "gpt-4o-mini-2024-07-18")
    assert openai is not None and openai != pinned and openai.platform == "openai"
    # Only Azure reads the revision: on OpenAI this is the alias's own record.
    alias = bundled.lookup("openai", "gpt-4o-mini", "2024-07-18")
    assert alias is not None and alias.model_id == "gpt-4o-mini"
    # A revision with no record of its own falls back to the model name's record.
    dalle = bundled.lookup("azure-openai", "dall-e-3", "3.0")
    assert dalle is not None and dalle.model_id == "dall-e-3"


def test_azure_revision_lookup_uses_the_azure_record() -> None:
    own = Retirements([_record("azure-openai", "azure/gpt-4o-2024-05-13", "2026-03-31"),
                       _record("azure-openai", "gpt-4o", "2027-04-14")])
    assert own.lookup("azure-openai", "gpt-4o", "2024-05-13") == own.lookup(
        "azure-openai", "gpt-4o-2024-05-13")
    assert own.lookup("azure-openai", "gpt-4o") != own.lookup("azure-openai", "gpt-4o-2024-05-13")
    assert own.lookup("openai", "gpt-4o-2024-05-13") is None


def test_the_platform_is_part_of_the_key(bundled: Retirements) -> None:
    api = bundled.lookup("anthropic", "claude-sonnet-4-20250514")
    aws = bundled.lookup("bedrock", "claude-sonnet-4-20250514")
    assert api is not None and aws is not None
    assert api.sunset == dt.date(2026, 6, 15)
    assert aws.sunset == dt.date(2026, 10, 14)
    anthropic_37 = bundled.lookup("anthropic", "claude-3-7-sonnet-20250219")
    bedrock_37 = bundled.lookup("bedrock", "anthropic.claude-3-7-sonnet-20250219-v1:0")
    assert anthropic_37 is not None and bedrock_37 is not None
    assert anthropic_37.sunset != bedrock_37.sunset
    assert bundled.lookup("self-hosted", "claude-sonnet-4-20250514") is None


def test_bundled_json_is_sorted_and_says_where_each_record_came_from() -> None:
    document = json.loads(BUNDLED.read_text("utf-8"))
    records = document["records"]
    generated = dt.date.fromisoformat(document["generated"])
    keys = [(r["platform"], r["modelId"]) for r in records]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    assert document["sources"]["litellm"]["version"] == "1.110.2"
    for record in records:
        assert record["source"] in document["sources"], record
        assert record["sourceUrl"].startswith("https://"), record
        assert dt.date.fromisoformat(record["read"]) <= generated, record
        assert document["sources"][record["source"]]["rank"] in (1, 2, 3), record
        assert dt.date.fromisoformat(record["sunset"]), record
        assert record["dateKind"] in DATE_KINDS, record
        assert normalize(record["platform"], record["modelId"]) == record["modelId"], record
    counts: dict[str, int] = {}
    for record in records:
        counts[record["source"]] = counts.get(record["source"], 0) + 1
    assert {k: v["records"] for k, v in document["sources"].items()} == counts


def test_every_provider_fact_is_in_the_bundled_data(bundled: Retirements) -> None:
    for fact in _facts_document()["facts"]:
        record = bundled.lookup(fact["platform"], fact["modelId"])
        assert record is not None, fact
        if fact["source"] == "litellm":  # rank 1: a scanner citing the provider may win
            continue
        assert record.sunset == fact["sunset"], fact
        assert record.date_kind == fact["dateKind"], fact
        assert record.replacement == fact.get("replacement"), fact


# --- normalisation ----------------------------------------------------------------------

@pytest.mark.parametrize(("platform", "spelling", "normal"), [
    ("openai", " GPT-4-0613 ", "gpt-4-0613"),
    ("openai", "openai/gpt-4-0613", "gpt-4-0613"),
    ("openai", "azure/gpt-4-0613", "azure/gpt-4-0613"),  # another platform's prefix stays
    ("azure-openai", "azure/gpt-4o-2024-05-13", "gpt-4o-2024-05-13"),
    ("google", "gemini/gemini-2.0-flash", "gemini-2.0-flash"),
    ("google", "models/gemini-2.0-flash-001", "gemini-2.0-flash-001"),
    ("vertex-ai", "claude-3-5-sonnet@20240620", "claude-3-5-sonnet-20240620"),
    ("vertex-ai", "vertex_ai/claude-opus-4-6@default", "claude-opus-4-6"),
    ("vertex-ai", "vertex_ai/deepseek-ai/deepseek-r1-0528-maas",
     "deepseek-ai/deepseek-r1-0528-maas"),
    ("bedrock", "anthropic.claude-3-7-sonnet-20250219-v1:0", "claude-3-7-sonnet-20250219"),
    ("bedrock", "us.anthropic.claude-3-7-sonnet-20250219-v1:0", "claude-3-7-sonnet-20250219"),
    ("bedrock", "claude-3-7-sonnet-20250219", "claude-3-7-sonnet-20250219"),
    ("bedrock", "anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet-20241022"),
    ("bedrock", "anthropic.claude-3-haiku-20240307-v1:0:200k", "claude-3-haiku-20240307"),
    ("bedrock", "anthropic.claude-v2:1", "claude-v2:1"),  # Claude 2.1, not 2.0
    ("bedrock", "anthropic.claude-v2", "claude-v2"),
    ("bedrock", "meta.llama3-1-405b-instruct-v1:0", "llama3-1-405b-instruct-v1"),
    ("bedrock", "us-gov.meta.llama3-1-405b-instruct-v1:0", "llama3-1-405b-instruct-v1"),
    ("bedrock", "mistral.mistral-7b-instruct-v0:2", "mistral-7b-instruct-v0:2"),
    ("bedrock", "bedrock/us-west-2/mistral.mistral-7b-instruct-v0:2",
     "mistral-7b-instruct-v0:2"),
    ("mistral", "mistral/mistral-ocr-4-0", "mistral-ocr-4-0"),
    ("cohere", "cohere_chat/command-r", "command-r"),
])
def test_normalize(platform: str, spelling: str, normal: str) -> None:
    assert normalize(platform, spelling) == normal
    assert normalize(platform, normal) == normal  # idempotent


# --- a registry's own file --------------------------------------------------------------

def test_own_file_overrides_the_bundled_data(bundled: Retirements, tmp_path: Path) -> None:
    own_file = tmp_path / "retirements.yaml"
    own_file.write_text(
        "sources:\n"
        "  contract:\n"
        "    name: our OpenAI enterprise agreement\n"
        "    url: https://example.com/contract\n"
        "records:\n"
        "  - platform: openai\n"
        "    modelId: gpt-4-0613\n"
        "    sunset: 2027-01-31\n"
        "    source: contract\n"
        "    read: 2026-11-01\n"
        "  - platform: bedrock\n"
        "    modelId: us.anthropic.claude-3-5-haiku-20241022-v1:0\n"
        "    sunset: '2026-12-24'\n"
        "    dateKind: estimated\n"
        "    replacement: claude-haiku-4-5-20251001\n", encoding="utf-8")
    own = Retirements.from_file(own_file)
    assert len(own) == 2
    combined = bundled.merged(own)
    record = combined.lookup("openai", "gpt-4-0613")
    assert record is not None and record.sunset == dt.date(2027, 1, 31)
    assert record.describe() == ("firm day from our OpenAI enterprise agreement "
                                 "(https://example.com/contract), read 2026-11-01")
    haiku = combined.lookup("bedrock", "anthropic.claude-3-5-haiku-20241022-v1:0")
    assert haiku is not None and haiku.source == "retirements file retirements.yaml"
    assert haiku.describe() == "estimated day from retirements file retirements.yaml"
    # The rest of the bundled data is still there, and the bundled object is unchanged.
    assert combined.lookup("openai", "gpt-4") is not None
    unchanged = bundled.lookup("openai", "gpt-4-0613")
    assert unchanged is not None and unchanged.sunset == dt.date(2026, 10, 23)
    assert len(combined) == len(bundled) + 1


def test_own_json_file(tmp_path: Path) -> None:
    own_file = tmp_path / "retirements.json"
    own_file.write_text(json.dumps({"records": [
        {"platform": "vertex-ai", "modelId": "claude-3-5-sonnet@20240620",
         "sunset": "2026-01-01", "source": "Vertex notice e-mail"}]}), encoding="utf-8")
    own = Retirements.from_file(own_file)
    record = own.lookup("vertex-ai", "vertex_ai/claude-3-5-sonnet@20240620")
    assert record is not None and record.source == "Vertex notice e-mail"
    assert Retirements.empty().lookup("vertex-ai", "claude-3-5-sonnet@20240620") is None
    assert len(Retirements.empty()) == 0


@pytest.mark.parametrize(("text", "expected"), [
    ("- platform: openai\n", "a mapping with a `records` list"),
    ("records: {}\n", "a mapping with a `records` list"),
    ("records:\n  - platform: openai\n    modelId: gpt-4\n", "`sunset` is missing"),
    ("records:\n  - platform: openai\n    modelId: gpt-4\n    sunset: '2026-09-31'\n",
     "'2026-09-31' is not a valid day"),
    ("records:\n  - platform: openai\n    modelId: gpt-4\n    sunset: 31/10/2026\n",
     "is not a valid day"),
    ("records:\n  - platform: azure\n    modelId: gpt-4\n    sunset: 2026-10-01\n",
     "platform `azure` is not one of"),
    ("records:\n  - platform: openai\n    model: gpt-4\n    sunset: 2026-10-01\n",
     "unknown field `model`"),
    ("records:\n  - platform: openai\n    modelId: 4\n    sunset: 2026-10-01\n",
     "`modelId` must be a non-empty string"),
    ("records:\n  - platform: openai\n    modelId: gpt-4\n    sunset: 2026-10-01\n"
     "    dateKind: soon\n", "dateKind `soon` is not one of"),
    ("records:\n  - {platform: openai, modelId: gpt-4, sunset: 2026-10-01}\n"
     "  - {platform: openai, modelId: GPT-4, sunset: 2026-11-01}\n",
     "already has a record (records[0])"),
    ("records: [\n", "records.yaml:"),
    ("records:\n  - platform: openai\n    platform: openai\n", "duplicate key"),
])
def test_a_bad_own_file_says_what_is_wrong(tmp_path: Path, text: str, expected: str) -> None:
    own_file = tmp_path / "records.yaml"
    own_file.write_text(text, encoding="utf-8")
    with pytest.raises(AiregError) as caught:
        Retirements.from_file(own_file)
    message = str(caught.value)
    assert str(own_file) in message
    assert expected in message


def test_a_missing_or_binary_own_file(tmp_path: Path) -> None:
    with pytest.raises(AiregError, match="cannot read the retirements file"):
        Retirements.from_file(tmp_path / "absent.yaml")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"records: [\xff]\n")
    with pytest.raises(AiregError, match=r"binary\.yaml:1:.*not UTF-8"):
        Retirements.from_file(binary)
    broken = tmp_path / "broken.json"
    broken.write_text('{"records": [}', encoding="utf-8")
    with pytest.raises(AiregError, match=r"broken.json:1:\d+: not valid JSON"):
        Retirements.from_file(broken)


# --- the build script -------------------------------------------------------------------

TINY_LITELLM: dict[str, Any] = {
    "sample_spec": {"litellm_provider": "one of ...", "deprecation_date": "date"},
    "gpt-4-0613": {"litellm_provider": "openai", "deprecation_date": "2026-10-23"},
    "gpt-4o": {"litellm_provider": "openai"},
    "gpt-4o-2024-05-13": {"litellm_provider": "openai", "deprecation_date": "2026-10-23"},
    "high/1024-x-1024/gpt-image-1": {"litellm_provider": "openai",
                                     "deprecation_date": "2026-10-23"},
    "gpt-image-1": {"litellm_provider": "openai", "deprecation_date": "2026-10-23"},
    "azure/gpt-4o-2024-05-13": {"litellm_provider": "azure", "deprecation_date": "2026-12-09"},
    "azure/eu/gpt-4o-2024-05-13": {"litellm_provider": "azure",
                                   "deprecation_date": "2026-12-09"},
    "azure/gpt-5-chat": {"litellm_provider": "azure", "deprecation_date": "2026-09-31"},
    "azure_ai/grok-3": {"litellm_provider": "azure_ai", "deprecation_date": "2026-07-01"},
    "together_ai/x": {"litellm_provider": "together_ai", "deprecation_date": "2026-07-01"},
    "anthropic.claude-sonnet-4-20250514-v1:0": {"litellm_provider": "bedrock_converse",
                                                "deprecation_date": "2026-10-14"},
    "us.anthropic.claude-sonnet-4-20250514-v1:0": {"litellm_provider": "bedrock_converse",
                                                   "deprecation_date": "2026-10-14"},
    "meta.llama3-8b-instruct-v1:0": {"litellm_provider": "bedrock",
                                     "deprecation_date": "2027-03-30"},
    "bedrock/us-east-1/meta.llama3-8b-instruct-v1:0": {"litellm_provider": "bedrock",
                                                       "deprecation_date": "2027-02-01"},
    "gemini-2.5-pro": {"litellm_provider": "vertex_ai-language-models",
                       "deprecation_date": "2026-10-20"},
    "vertex_ai/claude-3-5-sonnet@20240620": {"litellm_provider": "vertex_ai-anthropic_models",
                                             "deprecation_date": "2026-02-19"},
    "gemini/gemini-3-pro-image-preview": {"litellm_provider": "gemini",
                                          "deprecation_date": "2026-06-25"},
    "ft:gpt-4-0613": {"litellm_provider": "openai", "deprecation_date": "2026-10-23"},
}


def test_build_merges_normalises_and_counts(script: ModuleType) -> None:
    document, summary = script.build(TINY_LITELLM, _facts_document(), litellm_version="9.9.9",
                                     as_of=dt.date(2026, 11, 21))
    records = {(r["platform"], r["modelId"]): r for r in document["records"]}
    assert summary.entries == len(TINY_LITELLM) - 1
    assert summary.invalid_dates == ["azure/gpt-5-chat: '2026-09-31'"]
    assert summary.other_providers == {"azure_ai": 1, "together_ai": 1}
    assert ("openai", "gpt-4o") not in records
    assert ("openai", "high/1024-x-1024/gpt-image-1") not in records
    # A fact (rank 3) overrides LiteLLM (rank 1); the override is counted.
    azure = records[("azure-openai", "gpt-4o-2024-05-13")]
    assert azure["sunset"] == "2026-03-31"
    assert azure["source"] == "azure-model-retirements"
    assert azure["otherDays"] == {"Provisioned, Global and Data Zone deployments": "2026-10-01"}
    assert "azure-openai gpt-4o-2024-05-13" in summary.overridden
    vertex = records[("vertex-ai", "gemini-2.5-pro")]
    assert vertex["dateKind"] == "firm" and vertex["sunset"] == "2026-10-20"
    # Bedrock region keys fold into one record, keeping the earliest day on a conflict.
    llama = records[("bedrock", "llama3-8b-instruct-v1")]
    assert llama["sunset"] == "2027-02-01" and "disagree" in llama["note"]
    assert records[("google", "gemini-3-pro-image-preview")]["source"] == "litellm"
    assert document["sources"]["litellm"]["name"].endswith("9.9.9")
    for record in document["records"]:
        assert record["source"] in document["sources"]


def test_build_is_deterministic(script: ModuleType) -> None:
    first, _ = script.build(TINY_LITELLM, _facts_document(), litellm_version="9.9.9",
                            as_of=dt.date(2026, 11, 21))
    items = list(TINY_LITELLM.items())
    random.Random(7).shuffle(items)
    second, _ = script.build(dict(items), _facts_document(), litellm_version="9.9.9",
                             as_of=dt.date(2026, 11, 21))
    assert script.render(first) == script.render(second)


def test_the_script_reads_a_wheel_without_installing_it(tmp_path: Path) -> None:
    wheel = tmp_path / "litellm-9.9.9-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("litellm/model_prices_and_context_window_backup.json",
                         json.dumps(TINY_LITELLM))
        archive.writestr("litellm-9.9.9.dist-info/METADATA",
                         "Metadata-Version: 2.1\nName: litellm\nVersion: 9.9.9\n")
    outputs = []
    for attempt in ("a", "b"):
        output = tmp_path / f"{attempt}.json"
        result = subprocess.run(
            [sys.executable, str(SCRIPT), "--wheel", str(wheel), "--as-of", "2026-11-21",
             "--output", str(output)],
            capture_output=True, text=True, check=False, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "records per source:" in result.stdout
        assert "invalid date: azure/gpt-5-chat" in result.stdout
        outputs.append(output.read_bytes())
    assert outputs[0] == outputs[1]
    document = json.loads(outputs[0])
    assert document["generated"] == "2026-11-21"
    assert document["sources"]["litellm"]["version"] == "9.9.9"
    assert document["sources"]["litellm"]["sha256"]


# --- the merge rules: never drop, rank order, every change said --------------------------

def _ranked(model_id: str, sunset: str, rank: int, source: str,
            kind: str = "firm") -> Retirement:
    return Retirement("openai", model_id, dt.date.fromisoformat(sunset), kind, None, None,
                      source, "https://example.com/" + source, dt.date(2026, 11, 1), rank=rank)


def test_merge_never_drops_a_record_a_source_stopped_listing() -> None:
    old = [_ranked("gpt-3.5-turbo-0613", "2024-09-13", 2, "scanner"),
           _ranked("gpt-4o", "2027-01-14", 1, "litellm")]
    merged, changes = merge_records(old, [_ranked("gpt-4o", "2027-01-14", 1, "litellm")])
    assert [(r.model_id, str(r.sunset)) for r in merged] == [
        ("gpt-3.5-turbo-0613", "2024-09-13"), ("gpt-4o", "2027-01-14")]
    assert changes == []


def test_merge_changes_a_day_only_from_equal_or_higher_rank_and_says_so() -> None:
    old = [_ranked("a", "2026-10-01", 2, "scanner"), _ranked("b", "2026-10-01", 2, "scanner"),
           _ranked("c", "2026-10-01", 2, "scanner")]
    new = [_ranked("a", "2026-12-01", 1, "litellm", "estimated"),  # lower: kept
           _ranked("b", "2026-12-01", 2, "scanner2"),  # equal: the newer read wins
           _ranked("c", "2027-01-01", 3, "provider"),  # higher: wins
           _ranked("d", "2027-02-01", 1, "litellm", "estimated")]  # new: added
    merged, changes = merge_records(old, new)
    assert [(r.model_id, str(r.sunset), r.source) for r in merged] == [
        ("a", "2026-10-01", "scanner"), ("b", "2026-12-01", "scanner2"),
        ("c", "2027-01-01", "provider"), ("d", "2027-02-01", "litellm")]
    assert [str(c) for c in changes] == [
        "kept openai a: 2026-10-01 (firm, scanner, rank 2) over 2026-12-01 from litellm (rank 1)",
        "changed openai b: 2026-10-01 (firm, scanner) -> 2026-12-01 (firm, scanner2)",
        "changed openai c: 2026-10-01 (firm, scanner) -> 2027-01-01 (firm, provider)",
        "added openai d: 2027-02-01 (estimated, litellm)"]


def test_a_rebuild_keeps_what_the_inputs_forgot_and_logs_changes(script: ModuleType) -> None:
    previous, _ = script.build(TINY_LITELLM, _facts_document(), litellm_version="9.9.9",
                               as_of=dt.date(2026, 11, 21))
    forgetful = {k: v for k, v in TINY_LITELLM.items() if k != "gemini/gemini-3-pro-image-preview"}
    document, summary = script.build(forgetful, _facts_document(), litellm_version="9.9.10",
                                     as_of=dt.date(2026, 11, 22), previous=previous)
    records = {(r["platform"], r["modelId"]): r for r in document["records"]}
    assert records[("google", "gemini-3-pro-image-preview")]["source"] == "litellm"
    assert len(document["records"]) == len(previous["records"])
    assert summary.changes == []


def test_every_bundled_record_has_a_source_url_and_a_read_day(bundled: Retirements) -> None:
    assert len(bundled) > 600
    for record in bundled:
        assert record.source_url is not None and record.source_url.startswith("https://"), record
        assert record.read is not None, record
        assert record.date_kind in ("firm", "estimated", "not-before"), record


def test_peers_keep_their_package_and_license() -> None:
    document = json.loads(BUNDLED.read_text("utf-8"))
    for name in ("bydtech-model-retire", "llm-sunset", "foretop-ebb", "depdesk"):
        source = document["sources"][name]
        assert source["rank"] == 2
        assert source["license"] in ("MIT", "Apache-2.0")
        assert source["package"].startswith(name + "==")


# --- the records the issue found missing ---------------------------------------------------

@pytest.mark.parametrize(("platform", "spelling", "day", "kind"), [
    ("openai", "gpt-4o", "2027-01-14", "estimated"),
    ("openai", "gpt-4o-mini", "2027-01-14", "estimated"),
    ("openai", "gpt-4.1", "2027-01-14", "estimated"),
    ("openai", "gpt-4.1-mini", "2027-01-14", "estimated"),
    ("openai", "gpt-3.5-turbo-0613", "2024-09-13", "firm"),
    ("openai", "gpt-4-0314", "2026-03-26", "firm"),
    ("openai", "gpt-4-32k", "2025-06-06", "firm"),
    ("openai", "gpt-4-32k-0613", "2025-06-06", "firm"),
    ("openai", "o1-mini", "2025-10-27", "firm"),
    ("openai", "o1-preview", "2025-07-28", "firm"),
    ("openai", "text-davinci-003", "2024-01-04", "firm"),
    ("google", "gemini-1.5-pro-002", "2025-09-24", "estimated"),
    ("google", "gemini-1.5-flash-001", "2025-05-27", "firm"),
    ("google", "text-embedding-004", "2026-01-14", "firm"),
    ("vertex-ai", "textembedding-gecko@003", "2025-05-24", "firm"),
    ("bedrock", "anthropic.claude-3-sonnet-20240229-v1:0", "2026-10-17", "firm"),
    ("bedrock", "us.anthropic.claude-3-5-sonnet-20240620-v1:0", "2026-10-17", "firm"),
    ("bedrock", "anthropic.claude-v2:1", "2025-07-21", "estimated"),
    ("bedrock", "anthropic.claude-v2", "2025-07-21", "firm"),
    ("bedrock", "cohere.command-text-v14", "2025-08-12", "firm"),
    ("mistral", "open-mixtral-8x7b", "2025-03-30", "firm"),
    ("mistral", "mistral-large-2402", "2025-06-16", "firm"),
    # Deprecated 2025-09-15 with no shutdown day: a floor, never a passed shutdown day.
    ("cohere", "command", "2025-09-15", "not-before"),
    ("cohere", "command-r", "2025-09-15", "not-before"),
    ("cohere", "command-r-plus-04-2024", "2025-09-15", "not-before"),
])
def test_the_records_the_issue_found_missing(bundled: Retirements, platform: str,
                                             spelling: str, day: str, kind: str) -> None:
    record = bundled.lookup(platform, spelling)
    assert record is not None
    assert (record.sunset.isoformat(), record.date_kind) == (day, kind)
    assert record.source_url is not None and record.read is not None


# --- Azure: the date-less and versioned records agree ------------------------------------

def test_no_azure_version_outlives_its_date_less_record(bundled: Retirements) -> None:
    import re

    azure = {r.model_id: r for r in bundled if r.platform == "azure-openai"}
    versions: dict[str, list[Retirement]] = {}
    for model_id, record in azure.items():
        match = re.search(r"-(\d{4}-\d{2}-\d{2}|\d{4})$", model_id)
        if match:
            versions.setdefault(model_id[:match.start()], []).append(record)
    assert len(versions) > 40
    for base, dated in versions.items():
        name = azure[base]
        last = max(r.sunset for r in dated)
        assert last <= name.sunset, (base, name, dated)
        # The date-less record is the last version's day unless a page of higher rank
        # dates the name itself (a version Azure has and no source dates yet may be later).
        if last != name.sunset:
            assert all(r.rank < name.rank for r in dated), (base, name, dated)
    gpt_4o = azure["gpt-4o"]
    assert gpt_4o.sunset == azure["gpt-4o-2024-11-20"].sunset
    assert dict(gpt_4o.other_days) == {"version 2024-05-13": dt.date(2026, 3, 31),
                                       "version 2024-08-06": dt.date(2026, 3, 31)}


def _azure(model_id: str, sunset: str, rank: int, kind: str = "firm") -> Retirement:
    return Retirement("azure-openai", model_id, dt.date.fromisoformat(sunset), kind, None,
                      None, f"rank {rank} source", f"https://example.com/{rank}",
                      dt.date(2026, 11, 1), rank=rank)


def test_agree_azure_dates_the_name_by_its_last_version_or_caps_the_versions(
        script: ModuleType) -> None:
    records = [_azure("gpt-x-2025-01-01", "2026-05-01", 3), _azure("gpt-x-2025-06-01",
                                                                  "2026-09-01", 1, "estimated"),
               _azure("gpt-y", "2026-02-01", 2), _azure("gpt-y-2025-08-07", "2027-07-13", 1)]
    merged, changes = script.agree_azure(records)
    by_id = {r.model_id: r for r in merged}
    # The name takes its last version's day and lists the other versions'.
    assert (by_id["gpt-x"].sunset, by_id["gpt-x"].date_kind) == (dt.date(2026, 9, 1),
                                                                 "estimated")
    assert by_id["gpt-x"].other_days == (("version 2025-01-01", dt.date(2026, 5, 1)),)
    # A name dated by a higher rank caps a version dated later, as an estimate.
    capped = by_id["gpt-y-2025-08-07"]
    assert (capped.sunset, capped.date_kind, capped.rank) == (dt.date(2026, 2, 1),
                                                              "estimated", 2)
    assert capped.note == ("gpt-y without a version retires 2026-02-01 per rank 2 source, and "
                           "no version outlives it; rank 1 source gave this version 2027-07-13")
    assert [str(c) for c in changes] == [
        "added azure-openai gpt-x: 2026-09-01 (estimated, rank 1 source)",
        "kept azure-openai gpt-y: 2026-02-01 (firm, rank 2 source, rank 2) over 2027-07-13 "
        "from rank 1 source (rank 1)",
        "changed azure-openai gpt-y-2025-08-07: 2027-07-13 (firm, rank 1 source) -> "
        "2026-02-01 (estimated, rank 2 source)"]
    # Applied again, it changes nothing: the rebuild is stable.
    again, more = script.agree_azure(merged)
    assert again == merged
    assert more == []


def test_the_build_log_says_what_changed_and_keeps_what_the_inputs_forgot(
        tmp_path: Path) -> None:
    wheel = tmp_path / "litellm-9.9.9-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("litellm/model_prices_and_context_window_backup.json",
                         json.dumps(TINY_LITELLM))
    previous = tmp_path / "previous.json"
    old = {"platform": "openai", "sourceUrl": "https://example.com/old", "read": "2026-01-02",
           "source": "old", "dateKind": "firm"}
    previous.write_text(json.dumps({
        "sources": {"old": {"name": "an old scanner", "rank": 2}},
        "records": [{**old, "modelId": "gpt-4-0613", "sunset": "2026-01-01"},
                    {**old, "modelId": "gpt-image-1", "sunset": "2026-12-01"},
                    {**old, "modelId": "gpt-forgotten", "sunset": "2025-01-01"}]}),
        encoding="utf-8")
    output = tmp_path / "out.json"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--wheel", str(wheel), "--as-of", "2026-12-01",
         "--no-peers", "--previous", str(previous), "--output", str(output)],
        capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    log = result.stdout.splitlines()
    assert ("  changed openai gpt-4-0613: 2026-01-01 (firm, an old scanner) -> 2026-10-23 "
            "(firm, OpenAI deprecations page)") in log
    assert ("  kept openai gpt-image-1: 2026-12-01 (firm, an old scanner, rank 2) over "
            "2026-10-23 from LiteLLM model_prices_and_context_window.json 9.9.9 (rank 1)") in log
    assert ("  added openai gpt-4o-2024-05-13: 2026-10-23 (estimated, SunsetPR lifecycle "
            "data)") in log
    records = {r["modelId"]: r for r in json.loads(output.read_bytes())["records"]
               if r["platform"] == "openai"}
    assert records["gpt-forgotten"]["sunset"] == "2025-01-01"  # no input lists it: kept
    assert records["gpt-image-1"]["source"] == "old"


# --- the peers' data files ------------------------------------------------------------------

def _peer_wheel(tmp_path: Path, peer: Any, files: dict[str, str]) -> Path:
    import peer_data

    wheel = tmp_path / peer_data.wheel_name(peer)
    with zipfile.ZipFile(wheel, "w") as archive:
        for member, text in files.items():
            archive.writestr(member, text)
    return wheel


@pytest.fixture(scope="module")
def peers(script: ModuleType) -> dict[str, Any]:
    import peer_data  # on sys.path once the build script is loaded

    return {peer.name: peer for peer in peer_data.PEERS}


def _facts(records: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(r["platform"], r["modelId"], str(r["sunset"]), r["dateKind"], r["sourceUrl"],
             str(r["read"]), r["source"], r["replacement"], r["note"],
             {k: str(v) for k, v in r["otherDays"].items()}) for r in records]


def test_bydtech_aliases_region_days_and_records_without_a_url(
        tmp_path: Path, peers: dict[str, Any]) -> None:
    import peer_data

    peer = peers["bydtech-model-retire"]
    page = "https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle-legacy.html"
    models = {"models": [
        {"provider": "aws-bedrock", "id": "anthropic.claude-3-sonnet-20240229-v1:0",
         "retires_on": "2026-10-17", "source": page, "checked": "2026-10-16",
         "note": "EOL 2026-09-10 in us-east-1 and us-west-2. EOL 2026-10-17 in ap-south-1."},
        {"provider": "openai", "id": "gpt-4-0613", "aliases": ["gpt-4"],
         "retires_on": "2026-10-23", "replacement": "gpt-5.5",
         "source": "https://developers.openai.com/api/docs/deprecations",
         "checked": "2026-10-16"},
        {"provider": "openai", "id": "no-url", "retires_on": "2026-10-23"},
        {"provider": "groq", "id": "not-ours", "retires_on": "2026-10-23", "source": page}]}
    wheel = _peer_wheel(tmp_path, peer, {"model_retire/models.json": json.dumps(models)})
    assert _facts(peer_data.read_peer(peer, wheel)) == [
        ("bedrock", "anthropic.claude-3-sonnet-20240229-v1:0", "2026-09-10", "firm", page,
         "2026-10-16", "bydtech-model-retire", None, None, {"ap-south-1": "2026-10-17"}),
        ("openai", "gpt-4-0613", "2026-10-23", "firm",
         "https://developers.openai.com/api/docs/deprecations", "2026-10-16",
         "bydtech-model-retire", "gpt-5.5", None, {}),
        ("openai", "gpt-4", "2026-10-23", "firm",
         "https://developers.openai.com/api/docs/deprecations", "2026-10-16",
         "bydtech-model-retire", "gpt-5.5", "alias of gpt-4-0613", {}),
    ]


def test_llm_sunset_keeps_azure_openai_models_and_a_single_replacement(
        tmp_path: Path, peers: dict[str, Any]) -> None:
    import peer_data

    peer = peers["llm-sunset"]
    page = "https://learn.microsoft.com/azure/ai-foundry/concepts/model-lifecycle-retirement"
    snapshot = [
        {"provider": "Azure", "model_id": "gpt-4o", "shutdown_date": "2026-12-09",
         "url": page, "last_observed": "2026-09-24", "replacement_models": ["gpt-5.1"]},
        {"provider": "Azure", "model_id": "Phi-4", "shutdown_date": "2026-12-09",
         "url": page, "last_observed": "2026-09-24"},
        {"provider": "OpenAI", "model_id": "o1-mini", "shutdown_date": "2025-10-27",
         "url": "https://platform.openai.com/docs/deprecations", "last_observed": "2026-03-26",
         "replacement_models": ["o3-mini", "o4-mini"]},
        {"provider": "OpenAI", "model_id": "undated", "shutdown_date": None, "url": page}]
    wheel = _peer_wheel(tmp_path, peer, {"llm_sunset/snapshot.json": json.dumps(snapshot)})
    assert _facts(peer_data.read_peer(peer, wheel)) == [
        ("azure-openai", "gpt-4o", "2026-12-09", "firm", page, "2026-09-24", "llm-sunset",
         "gpt-5.1", None, {}),
        ("openai", "o1-mini", "2025-10-27", "firm",
         "https://platform.openai.com/docs/deprecations", "2026-03-26", "llm-sunset", None,
         None, {}),
    ]


def test_foretop_and_depdesk_records(tmp_path: Path, peers: dict[str, Any]) -> None:
    import peer_data

    foretop = peers["foretop-ebb"]
    changelog = "https://ai.google.dev/gemini-api/docs/changelog"
    files = dict.fromkeys(foretop.members, "")
    files["ebb/registries/retirements/google.yaml"] = (
        "- canonical_id: gemini-1.5-pro\n  provider: google\n  aliases: [gemini-1.5-pro-latest]\n"
        f"  shutdown_at: 2025-09-29\n  source_url: {changelog}\n  verified_at: 2026-08-31\n"
        "- canonical_id: gemini-x\n  provider: google\n  verified_at: 2026-08-31\n")
    wheel = _peer_wheel(tmp_path, foretop, files)
    assert _facts(peer_data.read_peer(foretop, wheel)) == [
        ("google", "gemini-1.5-pro", "2025-09-29", "firm", changelog, "2026-08-31",
         "foretop-ebb", None, None, {}),
        ("google", "gemini-1.5-pro-latest", "2025-09-29", "firm", changelog, "2026-08-31",
         "foretop-ebb", None, "alias of gemini-1.5-pro", {}),
    ]
    depdesk = peers["depdesk"]
    page = "https://platform.claude.com/docs/en/about-claude/model-deprecations"
    catalog = {
        "sources": [{"provider": "anthropic", "url": page, "verified_on": "2026-09-24"}],
        "models": [
            {"id": "claude-haiku-4-5-20251001", "provider": "anthropic",
             "earliest_retirement": "2026-10-15"},
            {"id": "claude-3-opus-20240229", "provider": "anthropic",
             "retires_on": "2026-01-05", "source": "https://example.com/overview"},
            {"id": "no-page", "provider": "openai", "retires_on": "2026-01-05"}]}
    wheel = _peer_wheel(tmp_path, depdesk, {"depdesk/data/catalog.json": json.dumps(catalog)})
    assert _facts(peer_data.read_peer(depdesk, wheel)) == [
        ("anthropic", "claude-haiku-4-5-20251001", "2026-10-15", "not-before", page,
         "2026-09-24", "depdesk", None, None, {}),
        ("anthropic", "claude-3-opus-20240229", "2026-01-05", "firm",
         "https://example.com/overview", "2026-09-24", "depdesk", None, None, {}),
    ]


def test_the_readme_table_of_records_is_the_data(script: ModuleType) -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme[readme.index("**Known retirements data.**"):readme.index("**Recall.**")]
    table = "\n".join(line for line in section.splitlines() if line.startswith("|"))
    assert table == script.platform_table(json.loads(BUNDLED.read_text("utf-8")))


def test_retirements_update_reads_litellm_as_the_build_does(script: ModuleType) -> None:
    from pathlib import PurePath

    from registry.retirements import incoming

    data = {**TINY_LITELLM,
            "50-steps/dall-e-2": {"litellm_provider": "openai", "deprecation_date": "2026-05-12"},
            "bedrock/claude_platform/claude-x": {"litellm_provider": "bedrock",
                                                 "deprecation_date": "2026-05-12"}}
    read = dt.date(2026, 12, 1)
    updated = incoming(json.dumps(data).encode(), PurePath("newer.json"), read)
    document, _ = script.build(data, {"read": read, "sources": {}, "facts": []},
                               litellm_version="9.9.9", as_of=read)
    built = [(r["platform"], r["modelId"], r["sunset"], r.get("note"))
             for r in document["records"]
             if not r.get("note", "").startswith("the day of version")]  # Azure's, derived
    assert [(r.platform, r.model_id, r.sunset.isoformat(), r.note) for r in updated] == built
    assert ("openai", "dall-e-2", "2026-05-12",
            "only under LiteLLM's variant key 50-steps/dall-e-2") in built
    assert all(r.source == "LiteLLM data newer.json" and r.rank == 1 for r in updated)
