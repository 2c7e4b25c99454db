"""Retirement facts from the data files that other scanners on the package index ship.

Each reader takes the bytes of one wheel's data file and returns records in the build
script's raw form. Only facts are taken (platform, id, days, replacement, the provider
page each record cites and the day the scanner read it); no code. Every package, its
version and license is named in PEERS, and each record keeps the package it came from as
its `source` and the provider URL it cites as its `sourceUrl`. A record that cites no
provider URL is not taken.

The wheels are fetched with `pip download NAME==VERSION --no-deps` and read with zipfile;
nothing is installed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from registry.retirements import parse_day as day


@dataclass(frozen=True)
class Peer:
    name: str  # the package's name on the index
    version: str
    license: str
    members: tuple[str, ...]  # the data files inside the wheel
    about: str


PEERS: tuple[Peer, ...] = (
    Peer("bydtech-model-retire", "0.1.1", "MIT", ("model_retire/models.json",),
         "models.json: provider, id, aliases, retires_on, replacement, source URL, checked"),
    Peer("llm-sunset", "0.3.1", "MIT", ("llm_sunset/snapshot.json",),
         "snapshot.json: provider, model_id, shutdown_date, url, last_observed"),
    Peer("foretop-ebb", "0.3.0", "Apache-2.0",
         tuple(f"ebb/registries/retirements/{name}.yaml"
               for name in ("anthropic", "bedrock", "cohere", "google", "openai")),
         "registries/retirements/*.yaml: canonical_id, aliases, shutdown_at, source_url, "
         "verified_at"),
    Peer("depdesk", "0.3.0", "MIT", ("depdesk/data/catalog.json",),
         "data/catalog.json: models with retires_on or earliest_retirement; one source URL "
         "and verified_on per provider"),
)

Raw = dict[str, Any]
def _raw(peer: Peer, platform: str, model_id: str, sunset: dt.date, url: str,
         read: dt.date | None, *, kind: str = "firm", replacement: object = None,
         announced: dt.date | None = None, note: str | None = None,
         other_days: Mapping[str, dt.date] | None = None) -> Raw:
    return {"platform": platform, "modelId": model_id, "sunset": sunset, "dateKind": kind,
            "announced": announced,
            "replacement": replacement if isinstance(replacement, str) else None,
            "source": peer.name, "sourceUrl": url, "read": read, "note": note,
            "otherDays": dict(other_days or {})}


_BYDTECH_PLATFORMS = {"openai": "openai", "anthropic": "anthropic", "mistral": "mistral",
                      "cohere": "cohere", "google-gemini-api": "google",
                      "google-vertex-ai": "vertex-ai", "aws-bedrock": "bedrock"}


def bedrock_region_days(note: str) -> dict[str, dt.date]:
    """Per-region days a note lists ("EOL 2026-09-10 in us-east-1 and us-west-2. EOL
    2026-10-17 in ap-south-1."), region -> day."""
    out: dict[str, dt.date] = {}
    for when, regions in re.findall(r"EOL (\d{4}-\d{2}-\d{2}) in ([^.]+)\.", note):
        parsed = day(when)
        if parsed is None:
            continue
        for region in re.split(r",\s*|\s+and\s+", regions.strip()):
            if re.fullmatch(r"[a-z]{2}(?:-gov)?-[a-z]+-\d", region):
                out[region] = parsed
    return out


def read_bydtech(peer: Peer, files: Mapping[str, bytes]) -> list[Raw]:
    out: list[Raw] = []
    for item in json.loads(files[peer.members[0]])["models"]:
        platform = _BYDTECH_PLATFORMS.get(item.get("provider"))
        sunset = day(item.get("retires_on"))
        url = item.get("source")
        if platform is None or sunset is None or not isinstance(url, str):
            continue
        note = item.get("note") if isinstance(item.get("note"), str) else None
        other: dict[str, dt.date] = {}
        if platform == "bedrock" and note:
            regions = bedrock_region_days(note)
            if regions:
                # The earliest day is the record's; the regions with later days are listed.
                sunset = min([sunset, *regions.values()])
                other = {r: d for r, d in regions.items() if d != sunset}
        for model_id in [item["id"], *(item.get("aliases") or [])]:
            alias = model_id != item["id"]
            out.append(_raw(peer, platform, str(model_id), sunset, url, day(item.get("checked")),
                            replacement=item.get("replacement"),
                            announced=day(item.get("deprecated_on")),
                            note=f"alias of {item['id']}" if alias else None,
                            other_days=other))
    return out


_SUNSET_PLATFORMS = {"OpenAI": "openai", "Anthropic": "anthropic", "Google": "google",
                     "Google Vertex": "vertex-ai", "Cohere": "cohere", "Azure": "azure-openai"}


def read_llm_sunset(peer: Peer, files: Mapping[str, bytes]) -> list[Raw]:
    out: list[Raw] = []
    for item in json.loads(files[peer.members[0]]):
        platform = _SUNSET_PLATFORMS.get(item.get("provider"))
        sunset = day(item.get("shutdown_date"))
        url = item.get("url")
        if platform is None or sunset is None or not isinstance(url, str):
            continue
        # Azure AI Foundry's catalogue lists other vendors' models too; keep Azure OpenAI's
        # own (the ids OpenAI names), which the Foundry page also dates.
        if platform == "azure-openai" and not re.match(
                r"^(gpt-|o\d|dall-e|text-embedding|whisper|tts|sora|codex)",
                str(item.get("model_id"))):
            continue
        replacements = item.get("replacement_models") or []
        out.append(_raw(peer, platform, str(item["model_id"]), sunset, url,
                        day(item.get("last_observed")),
                        replacement=replacements[0] if len(replacements) == 1 else None,
                        announced=day(item.get("deprecation_date"))))
    return out


def read_foretop(peer: Peer, files: Mapping[str, bytes]) -> list[Raw]:
    out: list[Raw] = []
    for member in peer.members:
        for item in yaml.safe_load(files[member]) or []:
            platform = item.get("provider")
            sunset = day(item.get("shutdown_at"))
            url = item.get("source_url")
            if platform not in ("openai", "anthropic", "google", "bedrock", "cohere") \
                    or sunset is None or not isinstance(url, str):
                continue
            for model_id in [item["canonical_id"], *(item.get("aliases") or [])]:
                alias = model_id != item["canonical_id"]
                out.append(_raw(peer, platform, str(model_id), sunset, url,
                                day(item.get("verified_at")),
                                replacement=item.get("replacement_id"),
                                announced=day(item.get("announced_at")),
                                note=f"alias of {item['canonical_id']}" if alias else None))
    return out


def read_depdesk(peer: Peer, files: Mapping[str, bytes]) -> list[Raw]:
    data = json.loads(files[peer.members[0]])
    pages = {s["provider"]: (s["url"], day(s.get("verified_on"))) for s in data["sources"]}
    out: list[Raw] = []
    for item in data["models"]:
        platform = item.get("provider")
        if platform not in pages:
            continue
        url, read = pages[platform]
        if isinstance(item.get("source"), str):
            url = item["source"]
        sunset = day(item.get("retires_on"))
        kind = "firm"
        if sunset is None:
            # An active model's "not sooner than" day from the provider's models page.
            sunset, kind = day(item.get("earliest_retirement")), "not-before"
        if sunset is None:
            continue
        out.append(_raw(peer, platform, str(item["id"]), sunset, url, read, kind=kind,
                        replacement=item.get("replacement"),
                        announced=day(item.get("deprecated_on"))))
    return out


READERS: dict[str, Callable[[Peer, Mapping[str, bytes]], list[Raw]]] = {
    "bydtech-model-retire": read_bydtech,
    "llm-sunset": read_llm_sunset,
    "foretop-ebb": read_foretop,
    "depdesk": read_depdesk,
}


def wheel_name(peer: Peer) -> str:
    return f"{peer.name.replace('-', '_')}-{peer.version}-py3-none-any.whl"


def read_peer(peer: Peer, wheel: Path) -> list[Raw]:
    with zipfile.ZipFile(wheel) as archive:
        files = {member: archive.read(member) for member in peer.members}
    return READERS[peer.name](peer, files)
