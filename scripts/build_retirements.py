#!/usr/bin/env python3
"""Build registry/data/retirements.json, the bundled known-retirements data.

    python scripts/build_retirements.py [--wheel PATH] [--peers DIR] [--as-of YYYY-MM-DD]
                                        [--previous PATH|none] [--output PATH]

The previous file (default: the bundled one) updated by three inputs, lowest rank first:

* LiteLLM's `model_prices_and_context_window.json` (MIT), read with zipfile from the
  litellm wheel (`litellm/model_prices_and_context_window_backup.json`) by
  registry.retirements.from_litellm, the reader `aireg retirements update` uses; litellm is
  never installed. Without --wheel the wheel is fetched with `pip download litellm
  --no-deps` into a temporary directory. Its `deprecation_date` values are shutdown days.
* the data files of the peer scanners in scripts/peer_data.py, read from their wheels.
* scripts/provider_facts.yaml: provider facts, the highest rank.

The merge (registry.retirements.merge_records) never drops a record and changes a day only
from a source of equal or higher rank; every change is printed. Ids are normalised with
registry.retirements.normalize, the same function the lookup uses. The output depends only
on the inputs and --as-of (the day the sources were read, default today): the same inputs
give the same bytes, and a second run over its own output changes nothing. `build()` is the
pure part, importable by tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from email.parser import HeaderParser
from pathlib import Path, PurePosixPath
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT, ROOT / "scripts"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from registry.retirements import (  # noqa: E402
    DATE_KINDS,
    LITELLM_URL,
    PLATFORMS,
    RANK_LITELLM,
    RANK_PROVIDER,
    RANK_SCANNER,
    Change,
    LitellmReading,
    Retirement,
    Retirements,
    from_litellm,
    merge_records,
    normalize,
    parse_day,
    record_document,
)
from registry.yamlio import load_documents  # noqa: E402

FACTS = ROOT / "scripts" / "provider_facts.yaml"
OUTPUT = ROOT / "registry" / "data" / "retirements.json"
LITELLM_MEMBER = "litellm/model_prices_and_context_window_backup.json"
_Records = dict[tuple[str, str], dict[str, Any]]


@dataclass
class Summary(LitellmReading):
    """What the build kept and skipped (LiteLLM's counts, then the merge); printed, and
    partly written into the data file."""

    overridden: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)


def load_facts(document: Any) -> tuple[dict[str, dict[str, Any]], _Records]:
    """The sources and the facts (keyed by platform and normalised id) of provider_facts.yaml."""
    if not isinstance(document, Mapping):
        raise ValueError("provider facts: expected a mapping with `sources` and `facts`")
    default_read = parse_day(document.get("read"))
    sources = {str(k): dict(v) for k, v in dict(document.get("sources") or {}).items()}
    facts: _Records = {}
    for index, raw in enumerate(document.get("facts") or []):
        where = f"provider facts: facts[{index}]"
        platform = raw.get("platform")
        if platform not in PLATFORMS:
            raise ValueError(f"{where}: platform {platform!r} is not one of {PLATFORMS}")
        model_id = normalize(platform, str(raw["modelId"]))
        sunset = parse_day(raw.get("sunset"))
        if sunset is None:
            raise ValueError(f"{where}: sunset {raw.get('sunset')!r} is not a valid day")
        kind = raw.get("dateKind", "firm")
        if kind not in DATE_KINDS:
            raise ValueError(f"{where}: dateKind {kind!r} is not one of {DATE_KINDS}")
        source = raw.get("source")
        if source not in sources and source != "litellm":
            raise ValueError(f"{where}: source {source!r} is not described under `sources`")
        announced = raw.get("announced")
        if announced is not None and parse_day(announced) is None:
            raise ValueError(f"{where}: announced {announced!r} is not a valid day")
        read = parse_day(raw.get("read")) if raw.get("read") is not None else default_read
        if read is None:
            raise ValueError(f"{where}: no valid `read` day")
        if (platform, model_id) in facts:
            raise ValueError(f"{where}: a second fact for {platform} {model_id}")
        facts[(platform, model_id)] = {
            "platform": platform, "modelId": model_id, "sunset": sunset, "dateKind": kind,
            "announced": parse_day(announced), "replacement": raw.get("replacement"),
            "source": source, "sourceUrl": raw.get("sourceUrl"), "read": read,
            "note": raw.get("note"),
            "otherDays": {str(k): parse_day(v) for k, v in (raw.get("otherDays") or {}).items()},
        }
    return sources, facts


def _retirement(raw: Mapping[str, Any], source: Mapping[str, Any], as_of: dt.date,
                rank: int) -> Retirement:
    other = raw.get("otherDays") or {}
    return Retirement(
        platform=raw["platform"], model_id=normalize(raw["platform"], raw["modelId"]),
        sunset=raw["sunset"], date_kind=raw["dateKind"],
        replacement=str(raw["replacement"]) if raw.get("replacement") else None,
        announced=raw.get("announced"), source=str(source["name"]),
        source_url=raw.get("sourceUrl") or source.get("url"), read=raw.get("read") or as_of,
        note=raw.get("note"), rank=rank,
        other_days=tuple(sorted(other.items(), key=lambda item: (item[1], item[0]))),
        source_key=raw["source"])


_AZURE_VERSION = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{4})$")


def agree_azure(records: list[Retirement]) -> tuple[list[Retirement], list[Change]]:
    """Azure OpenAI dates each model *version*; a deployment that names no version
    (`gpt-4o`) is served as long as its last version is, so the two kinds of record must
    agree: no version outlives the date-less record.

    The date-less record takes the day of the version that retires last (as Azure's own
    lifecycle page and LiteLLM date the bare name) and lists the other versions' days; it
    replaces a date-less record of no higher rank. Where a date-less record of higher rank
    (Azure's page naming no version) gives an earlier day than a version's record, that
    version takes the date-less day, as `estimated` unless it was already so: the page
    did not name the version."""
    versions: dict[str, list[Retirement]] = {}
    for record in records:
        if record.platform == "azure-openai":
            match = _AZURE_VERSION.search(record.model_id)
            if match:
                versions.setdefault(record.model_id[:match.start()], []).append(record)
    existing = {r.model_id: r for r in records if r.platform == "azure-openai"}
    derived: list[Retirement] = []
    for base, dated in sorted(versions.items()):
        dated.sort(key=lambda r: (r.sunset, r.model_id))
        last = dated[-1]
        other = tuple((f"version {r.model_id[len(base) + 1:]}", r.sunset) for r in dated[:-1]
                      if r.sunset != last.sunset)
        name = existing.get(base)
        if name is not None and name.sunset == last.sunset and name.rank >= last.rank:
            derived.append(replace(name, other_days=other))  # they agree already
            continue
        derived.append(replace(
            last, model_id=base, other_days=other,
            note=f"the day of version {last.model_id[len(base) + 1:]}, the last to retire; "
                 "set spec.revision for a version's own day"))
    merged, changes = merge_records(records, derived)
    bare = {r.model_id: r for r in merged if r.platform == "azure-openai"}
    capped: list[Retirement] = []
    for base, dated in sorted(versions.items()):
        name = bare[base]
        for version in dated:
            if version.sunset > name.sunset and version.rank < name.rank:
                capped.append(replace(
                    name, model_id=version.model_id, other_days=(), announced=None,
                    date_kind="estimated" if name.date_kind == "firm" else name.date_kind,
                    note=f"{base} without a version retires {name.sunset} per {name.source}, "
                         f"and no version outlives it; {version.source} gave this version "
                         f"{version.sunset}"))
    merged, more = merge_records(merged, capped)
    return merged, [*changes, *more]


def build(litellm_data: Mapping[str, Any], facts_document: Any, *, litellm_version: str,
          as_of: dt.date, litellm_origin: Mapping[str, str] | None = None,
          previous: Mapping[str, Any] | None = None,
          peers: Sequence[tuple[Mapping[str, Any], list[dict[str, Any]]]] = (),
          ) -> tuple[dict[str, Any], Summary]:
    """The data file's content (pure): `previous` (the bundled file as it was) updated by
    LiteLLM's JSON, the peers' records and the provider facts, by the merge rules of
    registry.retirements.merge_records. Each peer is (its `sources` entry, its records)."""
    summary = Summary()
    litellm_name = f"LiteLLM model_prices_and_context_window.json {litellm_version}"
    fresh_litellm = from_litellm(litellm_data, litellm_name, as_of, summary)
    fact_sources, facts = load_facts(facts_document)

    litellm_source: dict[str, Any] = {
        "name": litellm_name,
        "version": litellm_version,
        "license": "MIT",
        "url": LITELLM_URL,
        **dict(litellm_origin or {}),
        "read": as_of.isoformat(),
        "rank": RANK_LITELLM,
        "about": "deprecation_date values, which in practice are shutdown days; a secondary "
                 "source, so its days are `estimated`. Retired first-party models are "
                 "removed from the file rather than kept.",
        "entries": summary.entries,
        "entriesWithDeprecationDate": summary.with_date,
        "skipped": dict(sorted(summary.skipped.items())),
        "mergedDuplicateKeys": summary.merged_duplicates,
    }
    sources: dict[str, dict[str, Any]] = dict((previous or {}).get("sources") or {})
    sources["litellm"] = litellm_source
    for name, info in fact_sources.items():
        sources[name] = {**info, "via": "scripts/provider_facts.yaml", "rank": RANK_PROVIDER}
    for entry, _ in peers:
        sources[str(entry["key"])] = {k: v for k, v in entry.items() if k != "key"}

    # The fresh inputs, lowest rank first; among the peers the newest read wins a tie.
    fresh: list[Retirement] = []
    fresh, _ = merge_records(fresh, fresh_litellm)
    peer_records = [_retirement(raw, sources[raw["source"]], as_of, RANK_SCANNER)
                    for _, raws in peers for raw in raws]
    peer_records.sort(key=lambda r: (r.read or as_of, r.source_key or "", r.key))
    fresh, _ = merge_records(fresh, peer_records)
    fact_records = []
    for raw in facts.values():
        rank = RANK_LITELLM if raw["source"] == "litellm" else RANK_PROVIDER
        source = litellm_source if raw["source"] == "litellm" else sources[raw["source"]]
        fact_records.append(_retirement(raw, source, as_of, rank))
    fresh, overridden = merge_records(fresh, fact_records)
    summary.overridden = [f"{c.offered.platform} {c.offered.model_id}" for c in overridden
                          if c.action == "changed"]

    old: list[Retirement] = []
    if previous is not None:
        old = list(Retirements.from_bytes(json.dumps(previous).encode(),
                                          PurePosixPath("previous.json")))
    merged, changes = merge_records(old, fresh)
    merged, azure = agree_azure(merged)
    summary.changes = [*changes, *azure]

    records = [record_document(r, with_rank=False) for r in merged]
    counts = Counter(r["source"] for r in records)
    used = {name: {**info, "records": counts[name]}
            for name, info in sorted(sources.items()) if counts[name] or name == "litellm"}
    document = {
        "generated": as_of.isoformat(),
        "about": "Known model retirements, bundled with aireg. Built by "
                 "scripts/build_retirements.py: the previous file, updated by LiteLLM's "
                 "deprecation dates, other scanners' data files (scripts/peer_data.py) and "
                 "the provider facts in scripts/provider_facts.yaml. A record is never "
                 "dropped; a day changes only when a source of equal or higher `rank` says so "
                 "(3 a provider's page, 2 a scanner's data citing one, 1 LiteLLM). Records "
                 "are keyed by platform and model id, normalised by "
                 "registry.retirements.normalize, and match exactly. dateKind: firm | "
                 "estimated | not-before. `source` names a key of `sources`.",
        "sources": used,
        "records": records,
    }
    return document, summary


def render(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def read_wheel(wheel: Path) -> tuple[bytes, str]:
    """LiteLLM's JSON and the package version, from the wheel (never installed)."""
    with zipfile.ZipFile(wheel) as archive:
        try:
            data = archive.read(LITELLM_MEMBER)
        except KeyError:
            raise SystemExit(f"{wheel}: no {LITELLM_MEMBER} in this wheel") from None
        version = None
        for name in sorted(archive.namelist()):
            if name.endswith(".dist-info/METADATA"):
                metadata = HeaderParser().parsestr(archive.read(name).decode("utf-8"))
                version = metadata.get("Version")
                break
    if not version:
        match = re.match(r"litellm-([^-]+)-", wheel.name)
        version = match.group(1) if match else "unknown"
    return data, version


def download_peers(directory: Path) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Each peer's `sources` entry and records, from its wheel (downloaded, never installed).
    A wheel already in `directory` is used as it is."""
    import peer_data

    out = []
    for peer in peer_data.PEERS:
        wheel = directory / peer_data.wheel_name(peer)
        if not wheel.exists():
            # Some of them declare a newer Python than ours; only their data is read.
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q",
                            "--only-binary=:all:", "--python-version", "3.12",
                            f"{peer.name}=={peer.version}", "--dest", str(directory)],
                           check=True)
        records = peer_data.read_peer(peer, wheel)
        reads = sorted({r["read"] for r in records if r["read"] is not None})
        entry = {
            "key": peer.name,
            "name": f"{peer.name} {peer.version} data files",
            "package": f"{peer.name}=={peer.version}",
            "license": peer.license,
            "url": f"https://pypi.org/project/{peer.name}/{peer.version}/",
            "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
            "files": list(peer.members),
            "about": f"{peer.about}. Facts only; each record keeps the provider page it "
                     "cites as sourceUrl and the day the package read it as read.",
            "readDays": [reads[0].isoformat(), reads[-1].isoformat()] if reads else [],
            "rank": RANK_SCANNER,
        }
        out.append((entry, records))
    return out


def download_wheel(directory: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "litellm", "--no-deps",
                    "--only-binary=:all:", "--dest", str(directory)], check=True)
    wheels = sorted(directory.glob("litellm-*.whl"))
    if not wheels:
        raise SystemExit("pip download litellm found no wheel")
    return wheels[-1]


def print_summary(document: Mapping[str, Any], summary: Summary, output: Path) -> None:
    records = document["records"]
    print(f"wrote {output} ({len(records)} records, as of {document['generated']})")
    print(f"LiteLLM: {summary.entries} entries, {summary.with_date} with deprecation_date")
    for reason, count in sorted(summary.skipped.items()):
        print(f"  skipped {count}: {reason}")
    for name, count in summary.other_providers.most_common():
        print(f"    {name}: {count}")
    for item in summary.invalid_dates:
        print(f"    invalid date: {item}")
    print(f"  merged {summary.merged_duplicates} duplicate keys into existing records")
    for item in summary.conflicts:
        print(f"    conflict: {item}")
    for item in summary.variant_only:
        print(f"    kept from a variant key (no plain key): {item}")
    print(f"facts overriding a LiteLLM or scanner record: {len(summary.overridden)}")
    print(f"changes against the previous file: {len(summary.changes)}")
    for change in summary.changes:
        print(f"  {change}")
    print("records per source:")
    for name, info in document["sources"].items():
        print(f"  {name}: {info['records']}")
    print("records per platform:")
    for platform, count in sorted(Counter(r["platform"] for r in records).items()):
        by_source = Counter(r["source"] for r in records if r["platform"] == platform)
        detail = ", ".join(f"{s} {n}" for s, n in sorted(by_source.items()))
        print(f"  {platform}: {count} ({detail})")
    print("README table (Deadlines section):")
    print(platform_table(document))


PLATFORM_NAMES = {"google": "google (Gemini API)", "vertex-ai": "vertex-ai (Vertex AI)",
                  "azure-openai": "azure-openai (model + version)",
                  "bedrock": "bedrock (other regions' days beside the earliest)"}


def platform_table(document: Mapping[str, Any]) -> str:
    """The Markdown table of records per platform and dateKind that README.md shows."""
    records = document["records"]
    counts = Counter((r["platform"], r["dateKind"]) for r in records)
    per_platform = Counter(r["platform"] for r in records)
    lines = ["| platform (`provider`) | records | firm | estimated | not-before |",
             "|---|---|---|---|---|"]
    for platform, total in sorted(per_platform.items(), key=lambda item: (-item[1], item[0])):
        lines.append(f"| {PLATFORM_NAMES.get(platform, platform)} | {total} | "
                     + " | ".join(str(counts[(platform, kind)]) for kind in DATE_KINDS) + " |")
    kinds = Counter(r["dateKind"] for r in records)
    lines.append(f"| all | {len(records)} | "
                 + " | ".join(str(kinds[kind]) for kind in DATE_KINDS) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", type=Path, help="a downloaded litellm wheel")
    parser.add_argument("--facts", type=Path, default=FACTS)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date.today(),
                        help="the day the sources were read (default: today)")
    parser.add_argument("--peers", type=Path,
                        help="a folder for the peers' wheels (default: a temporary one)")
    parser.add_argument("--no-peers", action="store_true", help="LiteLLM and the facts only")
    parser.add_argument("--previous", type=Path, default=OUTPUT,
                        help="the file to update (default: the bundled one); `none` for none")
    args = parser.parse_args(argv)

    previous = None
    if str(args.previous) != "none" and args.previous.exists():
        previous = json.loads(args.previous.read_text("utf-8"))
    with tempfile.TemporaryDirectory() as scratch:
        wheel = args.wheel or download_wheel(Path(scratch))
        data, version = read_wheel(wheel)
        peers = [] if args.no_peers else download_peers(args.peers or Path(scratch))
    facts_documents, problems = load_documents(args.facts.read_text("utf-8"))
    if problems:
        first = problems[0]
        raise SystemExit(f"{args.facts}:{first.line}:{first.column}: {first.message}")
    if len(facts_documents) != 1:
        raise SystemExit(f"{args.facts}: expected one YAML document")
    origin = {
        "package": wheel.name,
        "file": LITELLM_MEMBER,
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    try:
        document, summary = build(json.loads(data), facts_documents[0],
                                  litellm_version=version, as_of=args.as_of,
                                  litellm_origin=origin, previous=previous, peers=peers)
    except ValueError as error:
        raise SystemExit(f"{args.facts}: {error}") from None
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(document), encoding="utf-8")
    print_summary(document, summary, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
