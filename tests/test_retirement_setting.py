"""registry/retirement_setting.py: aireg.yaml's spec.retirements, read once, its problems
returned as findings at the setting."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_files

from registry.files import FolderTree
from registry.findings import Pointer
from registry.retirement_setting import read_setting

AT = Pointer("aireg.yaml", 0, ("spec", "retirements"))


def test_bundled_and_none_read_no_file(tmp_path: Path) -> None:
    tree = FolderTree(tmp_path, "")
    bundled, none = read_setting("bundled", tree), read_setting("none", tree)
    assert (bundled.findings, none.findings) == ((), ())
    assert len(bundled.retirements()) > 0
    assert len(none.retirements()) == 0


@pytest.mark.parametrize(("setting", "rule", "message"), [
    ("../out.yaml", "path-escape", "retirements file `../out.yaml` is outside the registry; "
     "keep it inside the registry root"),
    ("gone.yaml", "schema", "retirements file `gone.yaml` does not exist; write `bundled`, "
     "`none` or the path of a retirements file relative to the registry root"),
    (".git/own.yaml", "path-escape", "retirements file `.git/own.yaml` leads into .git, git's "
     "own files, which aireg never reads (a checkout's .git/config can hold credentials); keep "
     "it in the registry's own files"),
    ("bad.yaml", "schema", "retirements file: bad.yaml: records[0]: `sunset` 'soon' is not a "
     "valid day; write YYYY-MM-DD"),
])
def test_a_file_that_cannot_be_used_is_a_finding_and_the_bundled_data_stays(
        tmp_path: Path, setting: str, rule: str, message: str) -> None:
    write_files(tmp_path, {"bad.yaml": "records:\n  - {platform: openai, modelId: m, "
                                       "sunset: soon}\n"})
    read = read_setting(setting, FolderTree(tmp_path, ""))
    assert [(f.rule, f.at, f.message) for f in read.findings] == [(rule, AT, message)]
    assert read.own is None and len(read.retirements()) > 0


def test_the_registrys_own_records_win(tmp_path: Path) -> None:
    write_files(tmp_path, {"own.yaml": "records:\n  - {platform: openai, modelId: gpt-4o, "
                                       "sunset: 2031-01-01}\n"})
    read = read_setting("own.yaml", FolderTree(tmp_path, ""))
    assert read.findings == ()
    record = read.retirements().lookup("openai", "gpt-4o")
    assert record is not None and str(record.sunset) == "2031-01-01"
