"""Deadlines through the graph (SPEC sections 4 and 9): sunset-passed, sunset-soon and
deprecated-dependency at each direct user's ref, the known-retirements data and a registry's
own file, and `aireg deprecations` in text, JSON and Markdown. Every run fixes `--today`."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import CONFIG, Check, Result, Run, check_golden, findings, of_rule, validate_output

from registry.retirements import Retirements

MakeRegistry = Callable[..., Path]
TODAY = "2026-11-21"
DIGEST = "sha256:" + "0" * 64
ZWSP = "\u200b"


# --- building declarations ---------------------------------------------------------------------

def decl(kind: str, name: str, spec: str, *, version: str | None = "1.0.0",
         owner: str = "team/platform", deprecation: str | None = None) -> str:
    """A declaration in block style: `name` on line 4 (column 9), the version on line 5, the
    owner next, a one-line flow-style `deprecation` after it, then `spec`."""
    lines = ["apiVersion: aireg/v1", f"kind: {kind}", "metadata:", f"  name: {name}"]
    if version is not None:
        lines.append(f"  version: {version}")
    lines.append(f"  owner: {owner}")
    if deprecation is not None:
        lines.append(f"  deprecation: {{{deprecation}}}")
    lines.append("spec:")
    return "\n".join(lines) + "\n" + textwrap.indent(textwrap.dedent(spec), "  ")


def prompt(name: str, spec: str = "template: hi\n", **options: Any) -> str:
    """A Prompt: with no deprecation its spec starts on line 8; `template: hi` is the first
    line, so a second spec line (`includes`, `model`) is on line 9, its value at column 10
    (`model: `) or 14 (`includes: [`)."""
    return decl("Prompt", name, spec, **options)


def model(name: str, model_id: str | None = None, provider: str = "openai",
          deprecation: str | None = None) -> str:
    return decl("Model", name, f"provider: {provider}\nmodelId: {model_id or name}\n",
                version=None, deprecation=deprecation)


def feature(*uses: str, name: str = "bot", owner: str = "team/platform") -> str:
    """A Feature: its first ref is on line 8, column 7."""
    items = "".join(f"    - {ref}\n" for ref in uses)
    return (f"apiVersion: aireg/v1\nkind: Feature\nmetadata:\n  name: {name}\n"
            f"  owner: {owner}\nspec:\n  uses:\n{items}")


def documents(*docs: str) -> str:
    return "---\n".join(docs)


def config(spec: str) -> str:
    """aireg.yaml with a `spec:` section; its first line is line 6 (`retirements:` value at
    column 16)."""
    return CONFIG + "spec:\n" + textwrap.indent(textwrap.dedent(spec), "  ")


# --- running ------------------------------------------------------------------------------------



@pytest.fixture
def check(check: Check) -> Check:
    """conftest's `check`, judged on TODAY unless told otherwise."""
    return functools.partial(check, today=TODAY)


# --- sunset-passed --------------------------------------------------------------------------------

TWO_USERS = {
    "old.yaml": prompt("old", deprecation="sunset: 2026-11-01, replacement: prompt/new@^2, "
                       "reason: superseded"),
    "new.yaml": prompt("new", version="2.0.0"),
    # triage includes old (line 9, column 14); bot uses old directly (line 19, column 7) and
    # through triage; helper reaches old only through triage.
    "users.yaml": documents(
        prompt("triage", "template: hi\nincludes: [prompt/old@^1]\n"),
        feature("prompt/triage@^1", "prompt/old@^1"),
        feature("prompt/triage@^1", "prompt/new@^2", name="helper")),
}
PASSED = ("error[sunset-passed] {} uses prompt/old@1.0.0, whose sunset day 2026-11-01 has passed "
          "(20 days ago; firm day declared in metadata.deprecation); move to prompt/new@^2; "
          "features "
          "hit through this ref: {}")


def test_sunset_passed_is_reported_at_each_direct_user(check: Check) -> None:
    """Each finding names the features its own ref serves: helper reaches old only through
    triage, so bot's direct ref names bot alone."""
    result = check(TWO_USERS)
    assert result.code == 1
    assert findings(result) == [
        "users.yaml:9:14: " + PASSED.format("prompt/triage@1.0.0", "feature/bot, feature/helper"),
        "users.yaml:19:7: " + PASSED.format("feature/bot", "feature/bot"),
    ]
    assert result.out.splitlines()[-1] == (
        "Found 2 errors, 0 warnings, 0 infos in 6 declarations in 5 files.")


def test_sunset_passed_through_a_prompt_names_the_features_above_it(check: Check) -> None:
    result = check({"old.yaml": prompt("old", deprecation="sunset: 2026-11-20"),
                    "user.yaml": prompt("user", "template: hi\nincludes: [prompt/old@^1]\n"),
                    "bot.yaml": feature("prompt/user@^1")})
    assert result.code == 1
    assert findings(result) == [
        "user.yaml:9:14: error[sunset-passed] prompt/user@1.0.0 uses prompt/old@1.0.0, whose "
        "sunset day 2026-11-20 has passed (1 day ago; firm day declared in metadata.deprecation); "
        "features hit through this ref: feature/bot"]


def test_sunset_findings_name_only_the_features_of_their_own_site(check: Check) -> None:
    """Two prompts on one retiring model, each used by its own feature (the support-reply
    report): each finding names its own feature; a user no feature reaches says so."""
    result = check({
        "gpt.yaml": model("gpt-4-0613"),
        "prompts.yaml": documents(
            prompt("reply", "template: hi\nmodel: model/gpt-4-0613\n"),
            prompt("search", "template: hi\nmodel: model/gpt-4-0613\n"),
            prompt("draft", "template: hi\nmodel: model/gpt-4-0613\n")),
        "features.yaml": documents(feature("prompt/reply@^1", name="support"),
                                   feature("prompt/search@^1", name="search"))})
    passed = of_rule(result, "sunset-passed")
    assert [line.split("; ")[-1] for line in passed] == [
        "features hit through this ref: feature/support",
        "features hit through this ref: feature/search",
        "no feature is hit through this ref",
    ]
    assert [line.split(" uses ")[0] for line in passed] == [
        "prompts.yaml:9:10: error[sunset-passed] prompt/reply@1.0.0",
        "prompts.yaml:19:10: error[sunset-passed] prompt/search@1.0.0",
        "prompts.yaml:29:10: error[sunset-passed] prompt/draft@1.0.0",
    ]


# --- sunset-soon, the window, --today ------------------------------------------------------------

SOON = {"old.yaml": prompt("old", deprecation="sunset: 2026-12-31"),
        "bot.yaml": feature("prompt/old@^1")}
SOON_LINE = ("bot.yaml:8:7: warning[sunset-soon] feature/bot uses prompt/old@1.0.0, whose sunset "
             "day 2026-12-31 is {} (firm day declared in metadata.deprecation); features hit "
             "through "
             "this ref: feature/bot")


@pytest.mark.parametrize(("today", "when"), [
    ("2026-10-02", "in 90 days"),  # the last day of the default 90-day window
    ("2026-12-30", "in 1 day"),
    ("2026-12-31", "today"),
])
def test_sunset_soon_within_the_window(check: Check, today: str, when: str) -> None:
    result = check(SOON, today=today)
    assert result.code == 0  # a warning does not fail the check
    assert findings(result) == [SOON_LINE.format(when)]


def test_sunset_beyond_the_window_is_not_reported(check: Check) -> None:
    result = check(SOON, today="2026-10-01")  # 91 days left
    assert (result.code, findings(result)) == (0, [])


def test_a_custom_window(check: Check, tmp_path: Path) -> None:
    narrow = config("policy:\n  deprecationWindowDays: 10\n")
    assert findings(check(SOON, today="2026-10-02", config=narrow)) == []
    assert findings(check(SOON, today="2026-12-20", config=narrow,
                          root=tmp_path / "b")) == []  # 11 days
    assert findings(check(SOON, today="2026-12-21", config=narrow, root=tmp_path / "c")) == [
        SOON_LINE.format("in 10 days")]
    wide = config("policy:\n  deprecationWindowDays: 365\n")
    assert findings(check(SOON, today="2026-01-01", config=wide, root=tmp_path / "d")) == [
        SOON_LINE.format("in 364 days")]


def test_today_changes_the_result(make_registry: MakeRegistry, aireg: Run) -> None:
    root = make_registry(SOON)

    def run(today: str) -> tuple[int, list[str]]:
        result = aireg("--today", today, "-C", str(root), "check")
        return result.code, findings(result)

    assert run("2026-09-01") == (0, [])
    assert run("2026-12-01") == (0, [SOON_LINE.format("in 30 days")])
    assert run("2027-02-01") == (1, [
        "bot.yaml:8:7: error[sunset-passed] feature/bot uses prompt/old@1.0.0, whose sunset day "
        "2026-12-31 has passed (32 days ago; firm day declared in metadata.deprecation); features "
        "hit through this ref: feature/bot"])


# --- deprecated-dependency, unused deadlines, replacement refs ----------------------------------

def test_deprecated_dependency_without_a_sunset_is_info(check: Check) -> None:
    result = check({
        "prompts.yaml": documents(
            prompt("old", deprecation="reason: going away, replacement: prompt/new@^2"),
            prompt("new", version="2.0.0")),
        "bot.yaml": feature("prompt/old@^1", "prompt/new@^2")})
    assert result.code == 0
    assert findings(result) == [
        "bot.yaml:8:7: info[deprecated-dependency] feature/bot uses prompt/old@1.0.0, which is "
        "deprecated (no sunset day yet); move to prompt/new@^2"]


def test_a_sunset_nobody_uses_is_no_finding_but_a_deadline(make_registry: MakeRegistry,
                                                           aireg: Run) -> None:
    root = make_registry({"old.yaml": prompt("old", deprecation="sunset: 2026-01-01"),
                          "soon.yaml": prompt("soon", deprecation="sunset: 2026-12-01")})
    result = aireg("--today", TODAY, "-C", str(root), "check")
    assert result.code == 0
    assert findings(result) == [
        "old.yaml:4:9: info[unused-artifact] nothing uses prompt/old@1.0.0; remove it if it is no "
        "longer needed",
        "soon.yaml:4:9: info[unused-artifact] nothing uses prompt/soon@1.0.0; remove it if it is "
        "no longer needed",
    ]
    listed = aireg("--today", TODAY, "-C", str(root), "deprecations", "--format", "json")
    assert [(d["id"], d["daysLeft"], d["features"]) for d in json.loads(listed.out)["deadlines"]] \
        == [("prompt/old@1.0.0", -324, []), ("prompt/soon@1.0.0", 10, [])]


def test_a_replacement_naming_nothing_is_a_dangling_ref(check: Check) -> None:
    old = """\
        apiVersion: aireg/v1
        kind: Prompt
        metadata:
          name: old
          version: 1.0.0
          owner: team/platform
          deprecation:
            sunset: 2027-06-30
            replacement: prompt/nwe@^2
        spec:
          template: hi
        """
    result = check({"old.yaml": old, "new.yaml": prompt("new", version="2.0.0"),
                    "bot.yaml": feature("prompt/old@^1", "prompt/new@^2")})
    assert result.code == 1
    assert findings(result) == [
        "old.yaml:9:18: error[dangling-ref] `prompt/nwe@^2` names prompt/nwe, which is not "
        "declared (did you mean prompt/new?); declare it or fix the ref"]


# --- known retirements (SPEC section 9) -----------------------------------------------------------

BUNDLED_SOURCE = ("known retirements data: firm day from OpenAI deprecations page "
                  "(https://platform.openai.com/docs/deprecations), read 2026-11-21")


def pinned(*models: str, decls: str = "") -> dict[str, str]:
    """Models named by their ids, each pinned by one prompt (`model:` on line 9, column 10)
    that feature/bot uses."""
    names = [m.replace(".", "-") for m in models]
    prompts = [prompt(f"p{i}", f"template: hi\nmodel: model/{name}\n")
               for i, name in enumerate(names)]
    return {"models.yaml": decls or documents(*(model(n, m) for n, m in zip(names, models,
                                                                             strict=True))),
            "prompts.yaml": documents(*prompts),
            "bot.yaml": feature(*(f"prompt/p{i}@^1" for i in range(len(models))))}


def test_a_known_retirement_without_a_declared_date(check: Check) -> None:
    result = check(pinned("gpt-4-0613"))
    assert result.code == 1
    assert findings(result) == [
        "prompts.yaml:9:10: error[sunset-passed] prompt/p0@1.0.0 uses model/gpt-4-0613, whose "
        f"sunset day 2026-10-23 has passed (29 days ago; {BUNDLED_SOURCE}); move to gpt-5.5; "
        "features hit through this ref: feature/bot"]


def test_an_alias_or_a_sibling_snapshot_does_not_borrow_a_record(check: Check) -> None:
    bundled = Retirements.bundled()
    assert bundled.lookup("openai", "gpt-4o-2024-05-13") is not None
    assert bundled.lookup("openai", "gpt-4o-2024-11-20") is not None
    assert bundled.lookup("openai", "gpt-4o-2024-11-21") is None
    result = check(pinned("gpt-4o-2024-11-21", "gpt-4o-2024-05-13"))
    # Only the snapshot with a record of its own is dated; an estimated day is a warning
    # (policy.estimatedDates); the other pin is said to be unknown, not safe.
    assert findings(result) == [
        "models.yaml:8:12: info[lifecycle-unknown] model/gpt-4o-2024-11-21: no known retirement "
        "for openai `gpt-4o-2024-11-21`, so no deadline can be reported; check the provider's "
        "deprecations page and set metadata.deprecation.sunset, or add a record with `aireg "
        "retirements update`",
        "prompts.yaml:19:10: warning[sunset-passed] prompt/p1@1.0.0 uses model/gpt-4o-2024-05-13, "
        "whose sunset day 2026-10-23 has passed (29 days ago; known retirements data: estimated "
        "day from SunsetPR lifecycle data (https://github.com/synergia-yoshi/sunsetpr-action/blob"
        "/main/data/lifecycle.json), read 2026-11-21); move to gpt-5.5; features hit "
        "through this ref: feature/bot"]


def test_a_declared_date_wins_over_the_bundled_one(check: Check) -> None:
    mine = model("gpt-4-0613", deprecation="sunset: 2026-12-15, replacement: model/gpt-5-5")
    successor = model("gpt-5-5", "gpt-5.5")
    result = check({**pinned("gpt-4-0613", decls=documents(mine, successor)),
                    "bot.yaml": feature("prompt/p0@^1", "model/gpt-5-5")})
    assert result.code == 0
    assert findings(result) == [
        "models.yaml:18:12: info[lifecycle-unknown] model/gpt-5-5: no known retirement for "
        "openai `gpt-5.5`, so no deadline can be reported; check the provider's deprecations "
        "page and set metadata.deprecation.sunset, or add a record with `aireg retirements "
        "update`",
        "prompts.yaml:9:10: warning[sunset-soon] prompt/p0@1.0.0 uses model/gpt-4-0613, whose "
        "sunset day 2026-12-15 is in 24 days (firm day declared in metadata.deprecation); move to "
        "model/gpt-5-5; features hit through this ref: feature/bot"]


def test_retirements_none_turns_the_data_off(check: Check) -> None:
    result = check(pinned("gpt-4-0613"), config=config("retirements: none\n"))
    assert (result.code, findings(result)) == (0, [
        "models.yaml:8:12: info[lifecycle-unknown] model/gpt-4-0613: no known retirement for "
        "openai `gpt-4-0613`, so no deadline can be reported; check the provider's deprecations "
        "page and set metadata.deprecation.sunset, or add a record with `aireg retirements "
        "update`"])


OWN = """\
records:
  - {platform: openai, modelId: gpt-4o, sunset: 2026-12-01}
  - {platform: openai, modelId: gpt-4-0613, sunset: 2027-01-15, source: acme platform notes}
"""


def test_a_registry_file_adds_records_and_overrides_bundled_ones(check: Check) -> None:
    result = check({**pinned("gpt-4o", "gpt-4-0613"), "my-retirements.yaml": OWN},
                   config=config("retirements: my-retirements.yaml\n"))
    assert result.code == 0
    assert findings(result) == [
        "prompts.yaml:9:10: warning[sunset-soon] prompt/p0@1.0.0 uses model/gpt-4o, whose sunset "
        "day 2026-12-01 is in 10 days (known retirements data: firm day from retirements file "
        "my-retirements.yaml); features hit through this ref: feature/bot",
        "prompts.yaml:19:10: warning[sunset-soon] prompt/p1@1.0.0 uses model/gpt-4-0613, whose "
        "sunset day 2027-01-15 is in 55 days (known retirements data: firm day from acme platform "
        "notes); "
        "features hit through this ref: feature/bot",
    ]


KEEPS_WORKING = (
    "prompts.yaml:9:10: error[sunset-passed] prompt/p0@1.0.0 uses model/gpt-4-0613, whose sunset "
    f"day 2026-10-23 has passed (29 days ago; {BUNDLED_SOURCE}); move to gpt-5.5; features "
    "hit through this ref: feature/bot")


@pytest.mark.parametrize(("setting", "content", "problem"), [
    ("gone.yaml", None,
     "schema] retirements file `gone.yaml` does not exist; write `bundled`, `none` or the path "
     "of a retirements file relative to the registry root"),
    ("own.yaml", "records:\n  - {platform: openai, modelId: gpt-4o}\n",
     "schema] retirements file: own.yaml: records[0]: `sunset` is missing; give the day as "
     "YYYY-MM-DD"),
    ("own.yaml", "- {platform: openai, modelId: gpt-4o, sunset: 2026-12-01}\n",
     "schema] retirements file: own.yaml: a retirements file is a mapping with a `records` list"),
    ("../outside.yaml", None,
     "path-escape] retirements file `../outside.yaml` is outside the registry; keep it inside "
     "the registry root"),
    (".git/config", "[core]\n",
     "path-escape] retirements file `.git/config` leads into .git, git's own files, which aireg "
     "never reads (a checkout's .git/config can hold credentials); keep it in the registry's "
     "own files"),
    ('"a\\0b.yaml"', None,
     "schema] retirements file `a\\x00b.yaml` holds a NUL character, which no file name can; "
     "write `bundled`, `none` or the path of a retirements file relative to the registry root"),
], ids=["missing", "no-sunset", "not-a-mapping", "outside", "into-git", "nul"])
def test_a_broken_registry_file_is_a_finding_and_the_rest_works(
        check: Check, setting: str, content: str | None, problem: str) -> None:
    files = pinned("gpt-4-0613")
    if content is not None:
        files[setting] = content
    result = check(files, config=config(f"retirements: {setting}\n"))
    assert result.code == 1
    assert findings(result) == [f"aireg.yaml:6:16: error[{problem}",
                                KEEPS_WORKING]  # the bundled data still applies


@pytest.mark.parametrize(("content", "problem"), [
    ("records: [{platform: openai\n",
     "own.yaml:2:1: error[yaml-syntax] invalid YAML: did not find expected ',' or '}' (while "
     "parsing a flow mapping)"),
    ("records:\n  - {platform: openai, modelId: gpt\x07}\n",
     "own.yaml:2:36: error[yaml-syntax] invalid YAML: character U+0007 is not allowed in YAML; "
     "delete it, or write it as `\\x07` inside a double-quoted string"),
    ("records: []\n\x00",
     "own.yaml:2:1: error[yaml-syntax] invalid YAML: character U+0000 is not allowed in YAML; "
     "delete it, or write it as `\\x00` inside a double-quoted string"),
], ids=["syntax", "control-character", "nul"])
def test_a_registry_file_that_is_not_yaml_is_a_finding_in_that_file(
        check: Check, content: str, problem: str) -> None:
    result = check({**pinned("gpt-4-0613"), "own.yaml": content},
                   config=config("retirements: own.yaml\n"))
    assert result.code == 1
    assert findings(result) == [problem, KEEPS_WORKING]  # the bundled data still applies


def test_deprecations_says_when_the_registry_file_is_broken(make_registry: MakeRegistry,
                                                            aireg: Run) -> None:
    root = make_registry(pinned("gpt-4-0613"), config=config("retirements: gone.yaml\n"))
    result = aireg("--today", TODAY, "-C", str(root), "deprecations")
    assert result.out.startswith("Deadlines as of 2026-11-21")
    assert result.err == (
        "aireg: warning: aireg.yaml:6:16: retirements file `gone.yaml` does not exist; write "
        "`bundled`, `none` or the path of a retirements file relative to the registry root\n")


# --- aireg deprecations ---------------------------------------------------------------------------

SUPPORT = """\
apiVersion: aireg/v1
kind: Team
metadata:
  name: support
spec:
  members: [dev-lee]
  contact: "#support-ai"
"""
# Declared out of day order: house-style retires last, faq next, gpt-4-0613 has passed.
DEADLINES = {
    "teams/support.yaml": SUPPORT,
    "prompts.yaml": documents(
        prompt("house-style", deprecation="sunset: 2027-01-31, replacement: "
               "prompt/house-style@^2, reason: superseded by the v2 voice guide"),
        prompt("house-style", version="2.0.0"),
        prompt("triage", "template: hi\nincludes: [prompt/house-style@^1]\n"
               "model: model/gpt-4-0613\n", owner="team/support")),
    "data.yaml": decl("Dataset", "faq", f"license: CC-BY-4.0\nsource: {{uri: s3://faq/, "
                      f"digest: {DIGEST}}}\n", owner="team/support",
                      deprecation="sunset: 2026-12-01"),
    "models.yaml": model("gpt-4-0613"),
    "features.yaml": documents(
        feature("prompt/triage@^1", "dataset/faq@^1", name="support-bot", owner="user/dev-lee"),
        feature("prompt/house-style@^2", name="search")),
}


def deprecations(make_registry: MakeRegistry, aireg: Run, *args: str) -> Result:
    result = aireg("--today", TODAY, "-C", str(make_registry(DEADLINES)), "deprecations", *args)
    assert (result.code, result.err) == (0, "")
    return result


def test_deprecations_text(make_registry: MakeRegistry, aireg: Run,
                           request: pytest.FixtureRequest) -> None:
    check_golden(request, "lifecycle-deprecations.txt",
                 deprecations(make_registry, aireg).out)


def test_deprecations_markdown(make_registry: MakeRegistry, aireg: Run,
                               request: pytest.FixtureRequest) -> None:
    check_golden(request, "lifecycle-deprecations.md",
                 deprecations(make_registry, aireg, "--format", "markdown").out)


REACHED = ["feature/support-bot"]
OWNERS = [{"owner": "team/platform", "contacts": ["#platform"]},
          {"owner": "team/support", "contacts": ["#support-ai"]},
          {"owner": "user/dev-lee", "contacts": ["#support-ai"]}]


def test_deprecations_json(make_registry: MakeRegistry, aireg: Run) -> None:
    document = json.loads(deprecations(make_registry, aireg, "--format", "json").out)
    validate_output("deprecations", document)
    assert document == {"version": 1, "today": TODAY, "window": 90, "deadlines": [
        {"id": "model/gpt-4-0613", "kind": "Model", "sunset": "2026-10-23", "daysLeft": -29,
         "status": "passed", "declared": False, "source": BUNDLED_SOURCE, "dateKind": "firm",
         "replacement": "gpt-5.5", "reason": None, "features": REACHED, "owners": OWNERS,
         "actions": []},
        {"id": "dataset/faq@1.0.0", "kind": "Dataset", "sunset": "2026-12-01", "daysLeft": 10,
         "status": "upcoming", "declared": True,
         "source": "firm day declared in metadata.deprecation",
         "dateKind": "firm", "replacement": None, "reason": None, "features": REACHED,
         "owners": OWNERS[1:], "actions": []},
        {"id": "prompt/house-style@1.0.0", "kind": "Prompt", "sunset": "2027-01-31",
         "daysLeft": 71, "status": "upcoming", "declared": True,
         "source": "firm day declared in metadata.deprecation", "dateKind": "firm",
         "replacement": "prompt/house-style@^2", "reason": "superseded by the v2 voice guide",
         "features": REACHED, "owners": OWNERS,
         "actions": []},
    ]}


@pytest.mark.parametrize(("within", "ids"), [
    ("0", ["model/gpt-4-0613"]),  # passed ones are always listed
    ("10", ["model/gpt-4-0613", "dataset/faq@1.0.0"]),
    ("70", ["model/gpt-4-0613", "dataset/faq@1.0.0"]),
    ("71", ["model/gpt-4-0613", "dataset/faq@1.0.0", "prompt/house-style@1.0.0"]),
])
def test_deprecations_within(make_registry: MakeRegistry, aireg: Run, within: str,
                             ids: list[str]) -> None:
    document = json.loads(deprecations(make_registry, aireg, "--within", within,
                                       "--format", "json").out)
    validate_output("deprecations", document)
    assert [d["id"] for d in document["deadlines"]] == ids


def test_deprecations_within_in_text(make_registry: MakeRegistry, aireg: Run) -> None:
    out = deprecations(make_registry, aireg, "--within", "5").out
    assert out == textwrap.dedent("""\
        Deadlines as of 2026-11-21 (deprecation window: 90 days):

        2026-10-23  29 days ago  model/gpt-4-0613
          source:      known retirements data: firm day from OpenAI deprecations page (https://platform.openai.com/docs/deprecations), read 2026-11-21
          replacement: gpt-5.5
          features:    feature/support-bot
          owners:      team/platform (#platform), team/support (#support-ai), user/dev-lee (#support-ai)
        """)  # noqa: E501


def test_deprecations_with_nothing_due(make_registry: MakeRegistry, aireg: Run) -> None:
    root = make_registry({"p.yaml": prompt("p")})
    for fmt in ("text", "markdown"):
        result = aireg("--today", TODAY, "-C", str(root), "deprecations", "--format", fmt)
        assert (result.code, result.out) == (0, "No deadlines as of 2026-11-21.\n")
    result = aireg("--today", TODAY, "-C", str(root), "deprecations", "--format", "json")
    assert json.loads(result.out) == {"version": 1, "today": TODAY, "window": 90,
                                      "deadlines": []}


def test_deprecations_within_rejects_a_negative_count(make_registry: MakeRegistry,
                                                      aireg: Run) -> None:
    result = aireg("--today", TODAY, "-C", str(make_registry({})), "deprecations",
                   "--within", "-1")
    assert (result.code, result.out) == (2, "")
    assert "Invalid value for '--within': -1 is not in the range x>=0." in result.err


def test_deprecations_text_says_one_day(make_registry: MakeRegistry, aireg: Run) -> None:
    root = make_registry({"p.yaml": documents(
        prompt("a", deprecation="sunset: 2026-11-20"),
        prompt("b", deprecation="sunset: 2026-11-22"))})
    out = aireg("--today", TODAY, "-C", str(root), "deprecations").out
    assert "2026-11-20  1 day ago  prompt/a@1.0.0" in out.splitlines()
    assert "2026-11-22  in 1 day  prompt/b@1.0.0" in out.splitlines()


# --- Markdown escapes what comes from the repository ----------------------------------------------

HOSTILE = "</details> @octocat [x](javascript:alert(1)) a|b `tick`"


def test_deprecations_markdown_is_inert(make_registry: MakeRegistry, aireg: Run) -> None:
    # A reason is free text; a replacement is a ref (so it may hold `||`) in a declaration,
    # and free text, as is the source's name, in a registry's own retirements file.
    old = textwrap.dedent(f"""\
        apiVersion: aireg/v1
        kind: Prompt
        metadata:
          name: old
          version: 1.0.0
          owner: team/platform
          deprecation:
            sunset: 2026-12-01
            replacement: "prompt/new@^1 || ^2"
            reason: '{HOSTILE}'
        spec:
          template: hi
        """)
    own = textwrap.dedent(f"""\
        sources:
          evil: {{name: '{HOSTILE}', url: 'javascript:alert(1)'}}
        records:
          - platform: openai
            modelId: gpt-x
            sunset: 2026-12-15
            replacement: '{HOSTILE}'
            source: evil
        """)
    files = {"old.yaml": old, "own.yaml": own, "model.yaml": model("gpt-x"),
             "new.yaml": prompt("new", version="2.0.0"),
             "bot.yaml": feature("prompt/old@^1", "model/gpt-x", "prompt/new@^2")}
    root = make_registry(files, config=config("retirements: own.yaml\n"))
    result = aireg("--today", TODAY, "-C", str(root), "deprecations", "--format", "markdown")
    assert (result.code, result.err) == (0, "")
    rows = [line for line in result.out.splitlines() if line.startswith("| 2026-")]
    assert len(rows) == 2
    for row in rows:  # seven cells: no `|` from the repository splits one
        assert len(re.split(r"(?<!\\)\|", row)) == 9
    declared, retired = (re.split(r" (?<!\\)\| ", row.strip("| ")) for row in rows)
    assert declared[3] == "`prompt/new@^1 \\|\\| ^2`"
    # Free text in a code span: a fence longer than any backtick run inside, `|` escaped.
    assert retired[3] == "`` </details> @octocat [x](javascript:alert(1)) a\\|b `tick` ``"
    # Free text outside a code span: no HTML, no link, no mention, no table cell, no code.
    assert retired[6] == (
        "known retirements data: firm day from &lt;/details&gt; @" + ZWSP + "octocat \\[x\\]"
        "\\(javascript" + ZWSP + ":alert\\(1\\)\\) a\\|b \\`tick\\` \\(javascript" + ZWSP
        + ":alert\\(1\\)\\)")
    # Outside code spans nothing can open a tag or a mention; the reason is not shown at all.
    outside = re.sub(r"(`+) .*? \1|`[^`]*`", "", result.out)
    assert "<" not in outside
    assert re.search("@(?!" + ZWSP + ")", outside) is None
    assert result.out.count("</details>") == 1  # the one in the code span


# --- how sure a day is: policy.estimatedDates -------------------------------------------------

ESTIMATED = """\
records:
  - {platform: openai, modelId: gpt-x, sunset: 2026-11-01, dateKind: estimated, source: guess}
"""
ESTIMATED_MESSAGE = (
    "prompts.yaml:9:10: {}[sunset-passed] prompt/p0@1.0.0 uses model/gpt-x, whose sunset day "
    "2026-11-01 has passed (20 days ago; known retirements data: estimated day from guess); "
    "features hit through this ref: feature/bot")


@pytest.mark.parametrize(("policy", "code", "expected"), [
    ("", 0, [ESTIMATED_MESSAGE.format("warning")]),  # default: an estimate never fails CI
    ("policy: {estimatedDates: warning}\n", 0, [ESTIMATED_MESSAGE.format("warning")]),
    ("policy: {estimatedDates: error}\n", 1, [ESTIMATED_MESSAGE.format("error")]),
    ("policy: {estimatedDates: ignore}\n", 0, []),
    # A per-rule override applies first; the cap still holds.
    ("policy: {estimatedDates: warning, rules: {sunset-passed: error}}\n", 0,
     [ESTIMATED_MESSAGE.format("warning")]),
])
def test_estimated_dates_policy(check: Check, policy: str, code: int,
                                expected: list[str]) -> None:
    result = check({**pinned("gpt-x"), "own.yaml": ESTIMATED},
                   config=config("retirements: own.yaml\n" + policy))
    assert (result.code, findings(result)) == (code, expected)


NOT_BEFORE = """\
records:
  - {platform: openai, modelId: gpt-x, sunset: 2026-11-01, dateKind: not-before, source: floor}
"""
NOT_BEFORE_MESSAGE = (
    "prompts.yaml:9:10: {}[sunset-passed] prompt/p0@1.0.0 uses model/gpt-x, which may be "
    "retired any day since 2026-11-01 (20 days ago): the provider promised no retirement "
    "before that day and no firm day is known (known retirements data: not before this day "
    "from floor); watch for its notice; features hit through this ref: feature/bot")


@pytest.mark.parametrize(("policy", "code", "expected"), [
    # A floor is no deadline: a passed one is a note, not a warning on every pull request.
    ("", 0, [NOT_BEFORE_MESSAGE.format("info")]),
    ("policy: {estimatedDates: error}\n", 0, [NOT_BEFORE_MESSAGE.format("warning")]),
    ("policy: {estimatedDates: ignore}\n", 0, []),
])
def test_a_passed_not_before_day_is_no_deadline(check: Check, policy: str, code: int,
                                                expected: list[str]) -> None:
    result = check({**pinned("gpt-x"), "own.yaml": NOT_BEFORE},
                   config=config("retirements: own.yaml\n" + policy))
    assert (result.code, findings(result)) == (code, expected)


# --- silence is not safety: lifecycle-unknown ---------------------------------------------------

UNKNOWN = ("models.yaml:8:12: info[lifecycle-unknown] model/gpt-unknown: no known retirement "
           "for openai `gpt-unknown`, so no deadline can be reported; check the provider's "
           "deprecations page and set metadata.deprecation.sunset, or add a record with `aireg "
           "retirements update`")


def test_an_api_pin_without_a_record_is_said_to_be_unknown(check: Check) -> None:
    result = check(pinned("gpt-unknown"))
    assert (result.code, findings(result)) == (0, [UNKNOWN])


def test_lifecycle_unknown_can_be_turned_off(check: Check) -> None:
    result = check(pinned("gpt-unknown"),
                   config=config("policy: {rules: {lifecycle-unknown: 'off'}}\n"))
    assert (result.code, findings(result)) == (0, [])


def test_a_self_hosted_pin_is_not_unknown(check: Check) -> None:
    hosted = decl("Model", "llama", "provider: self-hosted\nmodelId: llama\nhosting: "
                  "self-hosted\n", version=None)
    result = check(pinned("llama", decls=hosted))
    assert (result.code, findings(result)) == (0, [])


def test_show_prints_the_known_retirement_or_says_there_is_none(
        make_registry: MakeRegistry, aireg: Run) -> None:
    root = make_registry(pinned("gpt-4-0613", "gpt-unknown"))
    known = aireg("--today", TODAY, "-C", str(root), "show", "model/gpt-4-0613").out
    assert ("  retirement:  2026-10-23 (firm day from OpenAI deprecations page "
            "(https://platform.openai.com/docs/deprecations), read 2026-11-21); replacement "
            "gpt-5.5") in known.splitlines()
    unknown = aireg("--today", TODAY, "-C", str(root), "show", "model/gpt-unknown").out
    assert "  retirement:  no retirement data" in unknown.splitlines()


def test_show_json_gives_the_known_retirement_or_null(
        make_registry: MakeRegistry, aireg: Run) -> None:
    root = make_registry(pinned("gpt-4-0613", "gpt-unknown"))
    shown = {name: json.loads(aireg("--today", TODAY, "-C", str(root), "show",
                                    f"model/{name}", "--format", "json").out)
             for name in ("gpt-4-0613", "gpt-unknown")}
    for document in shown.values():
        validate_output("show", document)
    assert shown["gpt-4-0613"]["retirement"] == {
        "sunset": "2026-10-23", "dateKind": "firm", "source": "OpenAI deprecations page",
        "sourceUrl": "https://platform.openai.com/docs/deprecations", "read": "2026-11-21",
        "replacement": "gpt-5.5", "otherDays": []}
    assert shown["gpt-unknown"]["retirement"] is None


# --- deprecations: retention days, --fail-on ------------------------------------------------

RETAINED = decl("Dataset", "tickets", "source: {uri: 's3://x/'}\nlicense: CC-BY-4.0\n"
                "retention: {until: 2026-12-31}\n")


@pytest.mark.parametrize(("files", "fail_on", "code"), [
    ("passed", "passed", 1), ("passed", "soon", 1),
    ("soon", "passed", 0), ("soon", "soon", 1),
    ("estimated", "passed", 0), ("estimated", "soon", 1),  # capped: a passed estimate is soon
    ("far", "soon", 0),
])
def test_deprecations_fail_on(make_registry: MakeRegistry, aireg: Run, files: str,
                              fail_on: str, code: int) -> None:
    registries = {
        "passed": (pinned("gpt-4-0613"), CONFIG),
        "soon": ({"data.yaml": RETAINED}, CONFIG),
        "estimated": ({**pinned("gpt-x"), "own.yaml": ESTIMATED},
                      config("retirements: own.yaml\n")),
        "far": ({"data.yaml": RETAINED.replace("2026-12-31", "2028-01-01")}, CONFIG),
    }
    content, aireg_yaml = registries[files]
    root = make_registry(content, config=aireg_yaml)
    result = aireg("--today", TODAY, "-C", str(root), "deprecations", "--fail-on", fail_on)
    assert result.code == code


def test_deprecations_lists_retention_days(make_registry: MakeRegistry, aireg: Run) -> None:
    root = make_registry({"data.yaml": RETAINED})
    out = aireg("--today", TODAY, "-C", str(root), "deprecations").out
    assert "2026-12-31  in 40 days  dataset/tickets@1.0.0  (data retention)" in out.splitlines()
    assert "  source:      retention declared in spec.retention.until" in out.splitlines()


# --- aireg retirements update ---------------------------------------------------------------

NEWER_LITELLM = json.dumps({
    "gpt-4-0613": {"litellm_provider": "openai", "deprecation_date": "2027-09-09"},
    "brand-new-x": {"litellm_provider": "openai", "deprecation_date": "2027-03-01"},
    "azure_ai/other": {"litellm_provider": "azure_ai", "deprecation_date": "2027-03-01"},
})
UPDATE_OUT = [
    "added openai brand-new-x: 2027-03-01 (estimated, LiteLLM data newer.json)",
    "kept openai gpt-4-0613: 2026-10-23 (firm, OpenAI deprecations page, rank 3) over "
    "2027-09-09 from LiteLLM data newer.json (rank 1)",
]


def test_retirements_update_from_a_file_creates_the_registry_file(
        make_registry: MakeRegistry, aireg: Run, tmp_path: Path) -> None:
    root = make_registry(pinned("brand-new-x"))
    newer = tmp_path / "newer.json"
    newer.write_text(NEWER_LITELLM, encoding="utf-8")
    result = aireg("--today", TODAY, "-C", str(root), "retirements", "update", str(newer))
    assert result.code == 0
    assert result.out.splitlines() == [
        *UPDATE_OUT,
        "retirements.yaml: 1 added, 0 changed, 1 kept over a lower-ranked day; 1 records"]
    assert result.err == ("aireg: retirements.yaml is not used yet: set `retirements: "
                          "retirements.yaml` under spec in aireg.yaml (the bundled data stays "
                          "in use beside it)\n")
    own = Retirements.from_file(root / "retirements.yaml")
    (record,) = own
    assert (record.model_id, record.sunset, record.date_kind, record.rank) == (
        "brand-new-x", dt.date(2027, 3, 1), "estimated", 1)
    # Merging the same data again changes nothing and keeps the record.
    again = aireg("--today", TODAY, "-C", str(root), "retirements", "update", str(newer))
    assert again.out.splitlines()[-1] == (
        "retirements.yaml: 0 added, 0 changed, 1 kept over a lower-ranked day; 1 records")


def test_retirements_update_from_a_url_into_the_configured_file(
        make_registry: MakeRegistry, aireg: Run) -> None:
    import http.server
    import threading

    body = NEWER_LITELLM.encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    server.timeout = 10
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    try:
        root = make_registry({**pinned("brand-new-x"), "own.yaml": "records: []\n"},
                             config=config("retirements: own.yaml\n"))
        url = f"http://127.0.0.1:{server.server_port}/newer.json"
        result = aireg("--today", TODAY, "-C", str(root), "retirements", "update", url)
    finally:
        thread.join(timeout=10)
        server.server_close()
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines() == [
        *UPDATE_OUT, "own.yaml: 1 added, 0 changed, 1 kept over a lower-ranked day; 1 records"]
    checked = aireg("--today", TODAY, "-C", str(root), "check")
    assert "brand-new-x" not in checked.out  # dated now, so not lifecycle-unknown
