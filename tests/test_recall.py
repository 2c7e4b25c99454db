"""The recall sample: scripts/recall_pins.yaml written as a registry, the real `aireg
deprecations` on it, and scripts/recall.py running each peer scanner from its wheel."""

from __future__ import annotations

import datetime as dt
import json
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
from conftest import GitRepo, Run, load_script


@pytest.fixture(scope="module")
def recall() -> ModuleType:
    return load_script("recall")


def test_aireg_dates_every_sample_pin_whose_day_is_known_and_no_other(
        recall: ModuleType, git_repo: GitRepo, aireg: Run) -> None:
    pins = recall.load_pins()
    # The README's recall figures are about this sample: 54 pins, 47 with a known day.
    assert (len(pins), sum(1 for p in pins if p.day is not None)) == (54, 47)
    recall.write_registry(git_repo.root, pins)
    git_repo.commit("the sample pins")
    result = aireg("--today", "2026-12-01", "-C", str(git_repo.root), "deprecations",
                   "--format", "json")
    assert (result.code, result.err) == (0, "")
    listed = recall.aireg_found(json.loads(result.out))
    dated = {name: day for name, (day, kind) in listed.items() if kind != "not-before"}
    assert dated == {p.name: p.day for p in pins if p.day is not None}
    # Floors are listed as what they are, never as a shutdown day: Anthropic's "not sooner
    # than" for an active model, and Cohere's deprecations with no shutdown day assigned.
    floors = {name: day for name, (day, kind) in listed.items() if kind == "not-before"}
    by_name = {p.name: p for p in pins}
    assert {(by_name[n].platform, by_name[n].model_id): d for n, d in floors.items()} == {
        ("anthropic", "claude-opus-4-8"): dt.date(2027, 5, 28),
        ("cohere", "command-r"): dt.date(2025, 9, 15),
        ("cohere", "command"): dt.date(2025, 9, 15)}
    scored = recall.score(pins, {n: [d] for n, d in dated.items()})
    assert (len(scored.dated), scored.wrong, scored.false, scored.missed) == (47, [], [], [])


def test_the_sample_registry_is_one_model_per_pin(recall: ModuleType) -> None:
    pins = recall.load_pins()
    files = recall.registry_files(pins)
    assert sorted(files)[:2] == ["aireg.yaml", "models/pin-01.yaml"]
    azure = next(p for p in pins if p.revision is not None)
    assert files[f"models/{azure.name}.yaml"].endswith(
        f'  provider: azure-openai\n  modelId: "{azure.model_id}"\n'
        f'  revision: "{azure.revision}"\n')


def _wheel(folder: Path, name: str, version: str, requires: str,
           files: dict[str, str]) -> None:
    stem = f"{name.replace('-', '_')}-{version}"
    with zipfile.ZipFile(folder / f"{stem}-py3-none-any.whl", "w") as archive:
        archive.writestr(f"{stem}.dist-info/METADATA",
                         f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
                         f"Requires-Python: {requires}\n")
        for member, text in files.items():
            archive.writestr(member, text)


PINS = """\
pins:
  - {platform: openai, pin: gpt-4-0613, day: 2026-10-23}
  - {platform: openai, pin: gpt-4o-2024-05-13, day: 2026-10-23}
  - {platform: openai, pin: gpt-5.5, day: null}
"""


def test_recall_runs_each_peer_from_its_wheel_and_says_why_one_did_not(
        recall: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pins = tmp_path / "pins.yaml"
    pins.write_text(PINS, encoding="utf-8")
    peers = tmp_path / "peers"
    peers.mkdir()
    # A stand-in for bydtech-model-retire's scan: one right day, one wrong, one false.
    _wheel(peers, "bydtech-model-retire", "0.1.1", ">=3.9", {
        "model_retire/__init__.py": "",
        "model_retire/scan.py": (
            "def scan(paths, cwd, today):\n"
            "    return {'findings': [\n"
            "        {'file': 'models/pin-01.yaml', 'retires_on': '2026-10-23'},\n"
            "        {'file': 'models/pin-01.yaml', 'retires_on': None},\n"
            "        {'file': 'models/pin-02.yaml', 'retires_on': '2027-01-01'},\n"
            "        {'file': 'models/pin-03.yaml', 'retires_on': '2026-12-31'}]}\n")})
    _wheel(peers, "foretop-ebb", "0.3.0", ">=99", {"ebb/__init__.py": ""})
    _wheel(peers, "depdesk", "0.3.0", ">=3.9", {
        "depdesk/__init__.py": "", "depdesk/catalog.py": "import not_installed_here\n",
        "depdesk/scan.py": ""})
    assert recall.main(["--peers", str(peers), "--pins", str(pins), "-v"]) == 0
    out = capsys.readouterr().out
    python = sys.executable
    version = recall.python_version(python)
    assert out.splitlines() == [
        "3 sample pins from pins.yaml, 2 with a known shutdown day.",
        "",
        "| tool | pins dated | wrong day | day for a pin with none known | how it ran |",
        "|---|---|---|---|---|",
        "| aireg (this checkout) | 2 of 2 (100%) | 0 | 0 | `aireg deprecations --format json` "
        "on the registry |",
        "| bydtech-model-retire 0.1.1 | 1 of 2 (50%) | 1 | 1 | model_retire.scan over its "
        "models.json |",
        "| llm-sunset 0.3.1 | – | – | – | did not run: no llm_sunset-0.3.1-py3-none-any.whl in "
        "the peers folder |",
        f"| foretop-ebb 0.3.0 | – | – | – | did not run: it requires Python >=99 and {python} "
        f"is {version}; pass --python foretop-ebb=PATH to a Python >=99 with its imports |",
        f"| depdesk 0.3.0 | – | – | – | did not run: its matcher failed on Python {version}: "
        "ModuleNotFoundError: No module named 'not_installed_here' |",
        "",
        "aireg (this checkout):",
        "  every pin with a known day dated, no other",
        "",
        "bydtech-model-retire 0.1.1:",
        "  wrong day 2027-01-01 for openai `gpt-4o-2024-05-13` (known 2026-10-23)",
        "  day 2026-12-31 for openai `gpt-5.5`, whose shutdown is not known",
    ]
