"""Known model retirements: the bundled data file, a registry's own file, and exact lookup.

Records are keyed by (platform, normalised model id). The platform matters: the same Claude
model retires on different days on Anthropic's API, Bedrock and Vertex AI. Ids match
*exactly* once normalised, never by prefix or similarity: the alias `gpt-4o` does not pick
up the record of the snapshot `gpt-4o-2024-05-13`. An alias has a record of its own only
when its provider retires it together with the snapshot (`gpt-4` with `gpt-4-0613`).

Normalisation (`normalize`), the one rule both the data builder
(`scripts/build_retirements.py`) and the lookup use:

1. Trim and lowercase.
2. Strip one routing prefix of the platform (LiteLLM writes these in its keys):
   openai `openai/`, `text-completion-openai/`; anthropic `anthropic/`; google `gemini/`,
   `models/`; vertex-ai `vertex_ai/`, `[projects/P/locations/L/]publishers/{google,
   anthropic}/models/`; azure-openai `azure/`, `azure_text/`; mistral `mistral/`; cohere
   `cohere/`, `cohere_chat/`; bedrock `bedrock/` or an ARN, together with every path segment
   after it (`bedrock/us-east-1/`, `bedrock/converse/`, `arn:...:foundation-model/`): only
   the part after the last `/` is kept. A prefix of another platform is not stripped.
3. bedrock only, in this order:
   a. an inference-profile prefix: `us.`, `eu.`, `apac.`, `global.`, `au.`, `jp.`, `ca.`,
      `us-gov.`;
   b. one vendor prefix: `anthropic.`, `meta.`, `amazon.`, `ai21.`, `cohere.`, `mistral.`,
      `writer.`, `twelvelabs.`, `deepseek.`, `qwen.`, `openai.`, `google.`, `minimax.`,
      `moonshot.`, `moonshotai.`, `nvidia.`, `zai.`, `stability.`, `luma.`;
   c. the `:0` version suffix, with a provisioned-throughput context suffix after it
      (`:0`, `:0:200k`). A non-zero `:N` is kept: it names a different model version
      (`anthropic.claude-v2:1` is Claude 2.1, `anthropic.claude-v2` is Claude 2.0);
   d. for Claude models (vendor `anthropic.`, or no vendor and a name starting with
      `claude-`), a `-vN` right after the 8-digit date stamp: the date already names the
      snapshot. So `anthropic.claude-3-7-sonnet-20250219-v1:0`,
      `us.anthropic.claude-3-7-sonnet-20250219-v1:0` and `claude-3-7-sonnet-20250219` are
      all `claude-3-7-sonnet-20250219`; `meta.llama3-1-405b-instruct-v1:0` is
      `llama3-1-405b-instruct-v1` (its `-v1` stays).
4. vertex-ai only: a trailing `@default` is dropped (it names the model itself), and the
   version separator `@` becomes `-` (`claude-3-5-sonnet@20240620` is
   `claude-3-5-sonnet-20240620`).

Normalising is idempotent, so records may be stored normalised or as providers spell them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path, PurePath
from typing import Any, get_args

from .findings import AiregError, Span
from .kinds import Provider
from .modelids import normalize as normalize  # where the data builder and tests find it

PLATFORMS: tuple[str, ...] = get_args(Provider)
DATE_KINDS = ("firm", "estimated", "not-before")
# Older files wrote `earliest` for what is now `not-before` (the provider's earliest day).
_DATE_KIND_ALIASES = {"earliest": "not-before"}
_DATE_KIND_PHRASES = {
    "firm": "firm day",
    "not-before": "not before this day",
    "estimated": "estimated day",
}
# How much a source is trusted when two disagree: a provider's own page (the curated facts
# and a registry's hand-written records) over a scanner's data that cites the provider, over
# LiteLLM's price file. A day changes only when a source of equal or higher rank says so.
RANK_PROVIDER = 3
RANK_SCANNER = 2
RANK_LITELLM = 1

@dataclass(frozen=True)
class Retirement:
    """One known retirement of a model on one platform."""

    platform: str
    model_id: str  # normalised
    sunset: dt.date
    date_kind: str  # firm | not-before | earliest | estimated
    replacement: str | None
    announced: dt.date | None
    source: str  # a human name of the source, e.g. "OpenAI deprecations page"
    source_url: str | None
    read: dt.date | None  # the day the fact was read from the source
    note: str | None = None
    rank: int = RANK_PROVIDER
    # Days that apply elsewhere (Bedrock regions, Azure deployment types): `sunset` is the
    # earliest of them all, these are the others, as (where, day).
    other_days: tuple[tuple[str, dt.date], ...] = ()
    source_key: str | None = None  # the key of `sources` in the file it was read from

    @property
    def firm(self) -> bool:
        return self.date_kind == "firm"

    def describe(self) -> str:
        """How sure the day is and where it came from, as a phrase for a finding's message."""
        text = f"{_DATE_KIND_PHRASES[self.date_kind]} from {self.source}"
        if self.source_url is not None:
            text += f" ({self.source_url})"
        if self.read is not None:
            text += f", read {self.read.isoformat()}"
        if self.other_days:
            text += "; other days: " + ", ".join(f"{where} {day.isoformat()}"
                                                 for where, day in self.other_days)
        return text

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, normalize(self.platform, self.model_id))


@dataclass(frozen=True)
class Change:
    """What merging one record did: `added`, `changed` (a new day or kind), or `kept` (a
    lower-ranked source gave another day, which was not taken)."""

    action: str
    record: Retirement  # the record now in the set
    offered: Retirement  # the record the newer input gave
    before: Retirement | None = None

    def __str__(self) -> str:
        new = self.offered
        what = f"{new.platform} {new.model_id}"
        if self.action == "added":
            return f"added {what}: {new.sunset} ({new.date_kind}, {new.source})"
        old = self.before
        assert old is not None
        if self.action == "changed":
            return (f"changed {what}: {old.sunset} ({old.date_kind}, {old.source}) -> "
                    f"{new.sunset} ({new.date_kind}, {new.source})")
        return (f"kept {what}: {old.sunset} ({old.date_kind}, {old.source}, rank {old.rank}) "
                f"over {new.sunset} from {new.source} (rank {new.rank})")


def merge_records(previous: Iterable[Retirement], incoming: Iterable[Retirement],
                  ) -> tuple[list[Retirement], list[Change]]:
    """`previous` updated by `incoming`, by the rules the data only grows by:

    * a record is never dropped because `incoming` lacks it;
    * a new (platform, id) is added;
    * a record is replaced only by one of equal or higher rank (the newer read wins a tie);
      an announcement day the newer one leaves out is kept (a replacement is not: a
      source that names none may mean it is unsettled);
    * a different day or kind is reported as `changed`; a different day from a lower rank
      is reported as `kept`, and the older record stays.
    """
    merged: dict[_Key, Retirement] = {r.key: r for r in previous}
    changes: list[Change] = []
    for new in incoming:
        old = merged.get(new.key)
        if old is None:
            merged[new.key] = new
            changes.append(Change("added", new, new))
            continue
        if new.rank < old.rank:
            if new.sunset != old.sunset:
                changes.append(Change("kept", old, new, old))
            continue
        taken = replace(new, announced=new.announced or old.announced)
        merged[new.key] = taken
        if (new.sunset, new.date_kind) != (old.sunset, old.date_kind):
            changes.append(Change("changed", taken, new, old))
    records = sorted(merged.values(), key=lambda r: r.key)
    changes.sort(key=lambda c: (c.offered.key, c.action))
    return records, changes


_Key = tuple[str, str]


class Retirements:
    """A set of known retirements, looked up by platform and exact (normalised) model id."""

    def __init__(self, records: Iterable[Retirement] = ()) -> None:
        self._records: dict[_Key, Retirement] = {}
        for record in records:
            key = (record.platform, normalize(record.platform, record.model_id))
            self._records[key] = record

    @classmethod
    def empty(cls) -> Retirements:
        return cls()

    @classmethod
    def bundled(cls) -> Retirements:
        """The data file shipped with aireg (`registry/data/retirements.json`)."""
        return _bundled()

    @classmethod
    def from_file(cls, path: Path) -> Retirements:
        """A registry's own retirements file (YAML or JSON with a `records` list).

        Each record needs `platform`, `modelId` and `sunset` (YYYY-MM-DD); `dateKind`
        (default firm), `announced`, `replacement`, `source` (a name, or a key of a
        top-level `sources` mapping whose entries have a `name`), `sourceUrl`, `read` and
        `note` are optional. Bad input raises AiregError naming the file and the problem.
        """
        try:
            data = path.read_bytes()
        except OSError as error:
            raise AiregError(f"{path}: cannot read the retirements file: "
                             f"{error.strerror or error}") from None
        return cls.from_bytes(data, path)

    @classmethod
    def from_bytes(cls, data: bytes, path: PurePath) -> Retirements:
        """A retirements file's content; `path` names it in messages (and its suffix says
        JSON or YAML). Used for files read from a git revision."""
        document = _parse(path, data)
        return cls(_records_from(document, str(path), default_source=f"retirements file "
                                 f"{path.name}"))

    def updated(self, incoming: Iterable[Retirement]) -> tuple[Retirements, list[Change]]:
        """These records merged with `incoming` by `merge_records`' rules."""
        records, changes = merge_records(self, incoming)
        return Retirements(records), changes

    def merged(self, other: Retirements) -> Retirements:
        """These records and `other`'s; where both have (platform, id), `other` wins."""
        combined = Retirements()
        combined._records = {**self._records, **other._records}
        return combined

    def lookup(self, platform: str, model_id: str,
               revision: str | None = None) -> Retirement | None:
        """The record for exactly this model on this platform, or None.

        On azure-openai, which pins a model's version separately, `model_id-revision` is
        tried first when a revision is given, then `model_id` itself.
        """
        candidates: list[str] = []
        if platform == "azure-openai" and revision:
            versioned = f"{model_id.strip()}-{revision.strip()}"
            candidates.append(normalize(platform, versioned))
        candidates.append(normalize(platform, model_id))
        for candidate in candidates:
            record = self._records.get((platform, candidate))
            if record is not None:
                return record
        return None

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[Retirement]:
        return iter(sorted(self._records.values(), key=lambda r: (r.platform, r.model_id)))


@cache
def _bundled() -> Retirements:
    text = resources.files("registry").joinpath("data/retirements.json").read_text("utf-8")
    return Retirements(_records_from(json.loads(text), "registry/data/retirements.json",
                                     default_source="bundled retirements data"))


class UnreadableFile(AiregError):
    """A retirements file that is not UTF-8, YAML or JSON, at the place that says so."""

    def __init__(self, at: Span, message: str) -> None:
        super().__init__(f"{at}: {message}")
        self.at = at
        self.message = message


def _parse(path: PurePath, data: bytes) -> Any:
    from .yamlio import YamlProblem, decode, load_documents

    try:
        text = decode(data)
    except YamlProblem as problem:
        raise UnreadableFile(Span(str(path), problem.line, problem.column),
                             problem.message) from None
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise UnreadableFile(Span(str(path), error.lineno, error.colno),
                                 f"not valid JSON: {error.msg}") from None
    documents, problems = load_documents(text)
    if problems:
        first = problems[0]
        raise UnreadableFile(Span(str(path), first.line, first.column), first.message)
    if len(documents) != 1:
        raise AiregError(f"{path}: a retirements file holds one YAML document, "
                         f"found {len(documents)}")
    return documents[0]


def _records_from(document: Any, where: str, default_source: str) -> list[Retirement]:
    if not isinstance(document, Mapping) or not isinstance(document.get("records"), list):
        raise AiregError(f"{where}: a retirements file is a mapping with a `records` list")
    sources = document.get("sources") or {}
    if not isinstance(sources, Mapping):
        raise AiregError(f"{where}: `sources` must be a mapping of source key to "
                         "{name, url}")
    records: list[Retirement] = []
    seen: dict[_Key, int] = {}
    for index, raw in enumerate(document["records"]):
        at = f"{where}: records[{index}]"
        record = _record(raw, at, sources, default_source)
        key = (record.platform, record.model_id)
        if key in seen:
            raise AiregError(f"{at}: {record.platform} `{record.model_id}` already has a "
                             f"record (records[{seen[key]}]); keep one of them")
        seen[key] = index
        records.append(record)
    return records


_FIELDS = ("platform", "modelId", "sunset", "dateKind", "announced", "replacement", "source",
           "sourceUrl", "read", "note", "otherDays", "rank")


def _record(raw: Any, where: str, sources: Mapping[str, Any],
            default_source: str) -> Retirement:
    if not isinstance(raw, Mapping):
        raise AiregError(f"{where}: each record is a mapping with platform, modelId and sunset")
    unknown = sorted(str(key) for key in raw if key not in _FIELDS)
    if unknown:
        raise AiregError(f"{where}: unknown field `{unknown[0]}`; the fields are "
                         f"{', '.join(_FIELDS)}")
    platform = _required_text(raw, "platform", where)
    if platform not in PLATFORMS:
        raise AiregError(f"{where}: platform `{platform}` is not one of {', '.join(PLATFORMS)}")
    model_id = _required_text(raw, "modelId", where)
    date_kind = _text(raw, "dateKind", where) or "firm"
    date_kind = _DATE_KIND_ALIASES.get(date_kind, date_kind)
    if date_kind not in DATE_KINDS:
        raise AiregError(f"{where}: dateKind `{date_kind}` is not one of "
                         f"{', '.join(DATE_KINDS)}")
    sunset = _day(raw, "sunset", where)
    if sunset is None:
        raise AiregError(f"{where}: `sunset` is missing; give the day as YYYY-MM-DD")
    source_key = _text(raw, "source", where)
    source_name = default_source
    source_url = _text(raw, "sourceUrl", where)
    rank = RANK_PROVIDER  # a hand-written record is the registry's own word
    if source_key is not None:
        entry = sources.get(source_key)
        if isinstance(entry, Mapping) and isinstance(entry.get("name"), str):
            source_name = entry["name"]
            if source_url is None and isinstance(entry.get("url"), str):
                source_url = entry["url"]
            rank = _rank_of(entry.get("rank"), source_key)
        else:
            source_name = source_key
            rank = _rank_of(None, source_key)
    if raw.get("rank") is not None:
        rank = raw["rank"]
        if not isinstance(rank, int) or isinstance(rank, bool) or rank not in (1, 2, 3):
            raise AiregError(f"{where}: `rank` must be 1 (LiteLLM), 2 (a scanner's data) or "
                             f"3 (a provider's page), not {rank!r}")
    return Retirement(
        platform=platform,
        model_id=normalize(platform, model_id),
        sunset=sunset,
        date_kind=date_kind,
        replacement=_text(raw, "replacement", where),
        announced=_day(raw, "announced", where),
        source=source_name,
        source_url=source_url,
        read=_day(raw, "read", where),
        note=_text(raw, "note", where),
        rank=rank,
        other_days=_other_days(raw, where),
        source_key=source_key,
    )


def _rank_of(value: object, source_key: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value in (1, 2, 3):
        return value
    # Files written before ranks existed: LiteLLM's records are the only secondary ones.
    return RANK_LITELLM if source_key == "litellm" else RANK_PROVIDER


def _other_days(raw: Mapping[str, Any], where: str) -> tuple[tuple[str, dt.date], ...]:
    value = raw.get("otherDays")
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise AiregError(f"{where}: `otherDays` maps a region or deployment type to a day")
    days: list[tuple[str, dt.date]] = []
    for name in value:
        day = _day(value, name, f"{where}: otherDays")
        if not isinstance(name, str) or day is None:
            raise AiregError(f"{where}: `otherDays` maps a region or deployment type to a day")
        days.append((name, day))
    return tuple(sorted(days, key=lambda item: (item[1], item[0])))


def record_document(record: Retirement, *, with_rank: bool = True) -> dict[str, Any]:
    """A record as a retirements file writes it (the inverse of reading one)."""
    out: dict[str, Any] = {"platform": record.platform, "modelId": record.model_id,
                           "sunset": record.sunset.isoformat(), "dateKind": record.date_kind}
    if record.announced is not None:
        out["announced"] = record.announced.isoformat()
    if record.replacement is not None:
        out["replacement"] = record.replacement
    out["source"] = record.source_key or record.source
    if record.source_url is not None:
        out["sourceUrl"] = record.source_url
    if record.read is not None:
        out["read"] = record.read.isoformat()
    if record.other_days:
        out["otherDays"] = {where: day.isoformat() for where, day in record.other_days}
    if record.note is not None:
        out["note"] = record.note
    if with_rank:
        out["rank"] = record.rank
    return out


def _required_text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = _text(raw, key, where)
    if value is None:
        raise AiregError(f"{where}: `{key}` is missing")
    return value


def _text(raw: Mapping[str, Any], key: str, where: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise AiregError(f"{where}: `{key}` must be a non-empty string, "
                         f"not {type(value).__name__} {value!r}")
    return value.strip()


_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _day(raw: Mapping[str, Any], key: str, where: str) -> dt.date | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        raise AiregError(f"{where}: `{key}` must be a day (YYYY-MM-DD), not a time")
    if isinstance(value, dt.date):
        return value  # YAML reads an unquoted 2026-10-23 as a date
    if isinstance(value, str) and _DAY.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise AiregError(f"{where}: `{key}` {value!r} is not a valid day; write YYYY-MM-DD")


# --- LiteLLM's price file: the build script and `aireg retirements update` ---------------

# LiteLLM's `litellm_provider` -> our platform. Others are skipped (azure_ai is Azure AI
# Foundry's catalogue, not Azure OpenAI; together_ai, fireworks_ai...).
LITELLM_PLATFORMS: dict[str, str] = {
    "openai": "openai", "text-completion-openai": "openai", "anthropic": "anthropic",
    "gemini": "google", "vertex_ai": "vertex-ai", "azure": "azure-openai",
    "azure_text": "azure-openai", "bedrock": "bedrock", "bedrock_converse": "bedrock",
    "mistral": "mistral", "cohere": "cohere", "cohere_chat": "cohere",
}
LITELLM_URL = ("https://github.com/BerriAI/litellm/blob/main/"
               "model_prices_and_context_window.json")


def litellm_platform(litellm_provider: object) -> str | None:
    """Our platform for one of LiteLLM's `litellm_provider` values, or None."""
    if not isinstance(litellm_provider, str):
        return None
    if litellm_provider.startswith("vertex_ai-"):
        return "vertex-ai"
    return LITELLM_PLATFORMS.get(litellm_provider)


def parse_day(value: object) -> dt.date | None:
    """A YYYY-MM-DD day (or a YAML date), or None when it is not one (2026-09-31 is not)."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _DAY.match(value.strip()):
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


@dataclass
class LitellmReading:
    """What reading a LiteLLM price file kept and skipped, for the build log."""

    entries: int = 0
    with_date: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    other_providers: Counter[str] = field(default_factory=Counter)
    invalid_dates: list[str] = field(default_factory=list)
    merged_duplicates: int = 0
    conflicts: list[str] = field(default_factory=list)
    variant_only: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Entry:
    key: str
    platform: str
    model_id: str
    sunset: dt.date
    variant: bool = False


def from_litellm(document: Mapping[str, Any], name: str, read: dt.date,
                 reading: LitellmReading | None = None) -> list[Retirement]:
    """The `deprecation_date`s of a LiteLLM price file (which in practice are shutdown
    days), one `estimated` rank-1 record per (platform, normalised id); `name` is the
    source's name, `reading` (if given) counts what was kept and skipped.

    Keys that fold into one id keep the earliest day, and the disagreement is noted. A
    price tier, image size, step count or Azure deployment zone before the id
    (`high/1024-x-1024/`, `50-steps/`, `azure/eu/`) is used only where no plain key names
    the id. Fine-tuning price templates (`ft:`), Claude Platform on AWS keys (Anthropic's
    API, not Bedrock), other providers and invalid days are skipped."""
    counts = reading if reading is not None else LitellmReading()
    entries: list[_Entry] = []
    for key in sorted(document):
        value = document[key]
        if key == "sample_spec" or not isinstance(value, Mapping):
            continue
        counts.entries += 1
        if "deprecation_date" not in value:
            continue
        counts.with_date += 1
        platform = litellm_platform(value.get("litellm_provider"))
        if platform is None:
            counts.skipped["provider not one of ours"] += 1
            counts.other_providers[str(value.get("litellm_provider"))] += 1
            continue
        sunset = parse_day(value["deprecation_date"])
        if sunset is None:
            counts.skipped["invalid date"] += 1
            counts.invalid_dates.append(f"{key}: {value['deprecation_date']!r}")
            continue
        lowered = str(key).lower()
        if lowered.startswith("ft:"):
            counts.skipped["fine-tuning price template (ft:)"] += 1
            continue
        if platform == "bedrock" and "/claude_platform/" in lowered:
            counts.skipped["Claude Platform on AWS (Anthropic's API, not Bedrock)"] += 1
            continue
        model_id = normalize(platform, str(key))
        if "/" in model_id and platform != "vertex-ai":
            tail = normalize(platform, str(key).rsplit("/", 1)[1])
            entries.append(_Entry(str(key), platform, tail, sunset, variant=True))
            continue
        entries.append(_Entry(str(key), platform, model_id, sunset))

    plain = {(e.platform, e.model_id) for e in entries if not e.variant}
    groups: dict[_Key, list[_Entry]] = {}
    for entry in entries:
        if entry.variant and (entry.platform, entry.model_id) in plain:
            counts.skipped["price or deployment variant of a plain key"] += 1
            continue
        groups.setdefault((entry.platform, entry.model_id), []).append(entry)

    records: list[Retirement] = []
    for (platform, model_id), group in sorted(groups.items()):
        # Prefer the key already in normal form, then one without a path, the shortest.
        group.sort(key=lambda e: (e.key.lower() != model_id, "/" in e.key, len(e.key), e.key))
        counts.merged_duplicates += len(group) - 1
        notes = []
        if all(e.variant for e in group):
            counts.variant_only.append(f"{platform} {model_id}: {group[0].key}")
            notes.append(f"only under LiteLLM's variant key {group[0].key}")
        if len({e.sunset for e in group}) > 1:
            listed = ", ".join(f"{e.key} {e.sunset}" for e in group)
            notes.append(f"LiteLLM keys disagree ({listed}); the earliest day is kept")
            counts.conflicts.append(f"{platform} {model_id}: {listed}")
        records.append(Retirement(
            platform, model_id, min(e.sunset for e in group), "estimated", None, None, name,
            LITELLM_URL, read, note="; ".join(notes) or None, rank=RANK_LITELLM,
            source_key="litellm"))
    return records


# --- `aireg retirements update` ---------------------------------------------------------

def incoming(data: bytes, where: PurePath, read: dt.date) -> list[Retirement]:
    """Records from a newer LiteLLM JSON or a file in aireg's format (a `records` list)."""
    document = _parse(where, data)
    if isinstance(document, Mapping) and "records" not in document and any(
            isinstance(v, Mapping) and "litellm_provider" in v for v in document.values()):
        return from_litellm(document, f"LiteLLM data {where.name}", read)
    return list(Retirements(_records_from(document, str(where),
                                          default_source=f"retirements file {where.name}")))


def update_file(own: Retirements, effective: Retirements, new: Iterable[Retirement],
                ) -> tuple[Retirements, list[Change]]:
    """The registry's own records after merging `new` over what the registry sees now
    (`effective`: the bundled data with its own file over it): a record lands in the own
    file only when it adds to or changes that view, by merge_records' rules."""
    _, changes = merge_records(effective, new)
    kept = {r.key: r for r in own}
    for change in changes:
        if change.action in ("added", "changed"):
            kept[change.record.key] = change.record
    return Retirements(kept.values()), changes


def render_file(records: Retirements, read: dt.date) -> str:
    """A registry's retirements file, as YAML."""
    import yaml

    document = {"about": f"Known retirements of this registry, merged by `aireg retirements "
                         f"update` (last {read.isoformat()}); a record here wins over the "
                         "bundled data for the same platform and model id.",
                "sources": {r.source_key: {"name": r.source} for r in records
                            if r.source_key is not None},
                "records": [record_document(r) for r in records]}
    text: str = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    return text
