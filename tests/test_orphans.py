"""Orphaned adapters (SPEC section 4): every reason on its own, several at once in the order
the spec lists them, `aireg orphans` in text and JSON; and the dataset rules, dataset-license
and retention-expired. Every date-based run fixes `--today`."""

from __future__ import annotations

import functools
import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import CONFIG, Check, Run, findings, of_rule, validate_output

MakeRegistry = Callable[..., Path]
TODAY = "2026-11-21"
DIGEST = "sha256:" + "0" * 64


# --- building declarations ---------------------------------------------------------------------

def decl(kind: str, name: str, spec: str, *, version: str | None = "1.0.0",
         owner: str | None = "team/platform", deprecation: str | None = None) -> str:
    """A declaration in block style: `name` is on line 4 (column 9), the version on 5, the owner
    next, a one-line flow-style `deprecation` after it, then `spec`."""
    lines = ["apiVersion: aireg/v1", f"kind: {kind}", "metadata:", f"  name: {name}"]
    if version is not None:
        lines.append(f"  version: {version}")
    if owner is not None:
        lines.append(f"  owner: {owner}")
    if deprecation is not None:
        lines.append(f"  deprecation: {{{deprecation}}}")
    lines.append("spec:")
    return "\n".join(lines) + "\n" + textwrap.indent(textwrap.dedent(spec), "  ")


def model(name: str = "base", deprecation: str | None = None) -> str:
    return decl("Model", name, f"provider: self-hosted\nmodelId: acme/{name}\n", version=None,
                deprecation=deprecation)


def adapter(name: str = "clf", base: str = "model/base", datasets: tuple[str, ...] = (),
            owner: str | None = "team/platform") -> str:
    """An Adapter: name on line 4, column 9; `baseModel` on line 8, column 14 (one line earlier
    without an owner); `datasets` on the line after `method`."""
    trained = f"datasets: [{', '.join(datasets)}]\n" if datasets else ""
    return decl("Adapter", name, f"baseModel: {base}\nmethod: lora\n{trained}", owner=owner)


SOURCED = f"source: {{uri: s3://data/, digest: {DIGEST}}}\nlicense: CC-BY-4.0\n"


def dataset(name: str, spec: str = SOURCED) -> str:
    """A Dataset: name on line 4; `spec` starts on line 8."""
    return decl("Dataset", name, spec)


def feature(*uses: str, name: str = "bot") -> str:
    items = "".join(f"    - {ref}\n" for ref in uses)
    return (f"apiVersion: aireg/v1\nkind: Feature\nmetadata:\n  name: {name}\n"
            f"  owner: team/platform\nspec:\n  uses:\n{items}")


def team(name: str, members: str, active: bool = True) -> str:
    return (f"apiVersion: aireg/v1\nkind: Team\nmetadata:\n  name: {name}\nspec:\n"
            f"  members: [{members}]\n  active: {str(active).lower()}\n")


def documents(*docs: str) -> str:
    return "---\n".join(docs)


# --- running ------------------------------------------------------------------------------------



@pytest.fixture
def check(check: Check) -> Check:
    """conftest's `check`, judged on TODAY unless told otherwise."""
    return functools.partial(check, today=TODAY)


def healthy(**changes: str) -> dict[str, str]:
    """A registry with one adapter that nothing is wrong with, used by feature/bot; `changes`
    replace or add files."""
    return {"model.yaml": model(), "data.yaml": dataset("tickets"),
            "adapter.yaml": adapter(datasets=("dataset/tickets@^1",)),
            "bot.yaml": feature("adapter/clf@^1"), **changes}


ORPHAN = "adapter.yaml:4:9: {}[orphan-adapter] adapter/clf@1.0.0 is orphaned: {}"


# --- one reason at a time ------------------------------------------------------------------------

def test_a_healthy_adapter_is_no_orphan(check: Check, make_registry: MakeRegistry,
                                        aireg: Run, tmp_path: Path) -> None:
    result = check(healthy())
    assert (result.code, findings(result)) == (0, [])
    orphans = aireg("--today", TODAY, "-C", str(make_registry(healthy(), root=tmp_path / "o")),
                    "orphans")
    assert (orphans.code, orphans.out, orphans.err) == (0, "No orphaned adapters.\n", "")


def test_base_retired_is_an_error(check: Check) -> None:
    result = check(healthy(**{"model.yaml": model(deprecation="sunset: 2026-11-01")}))
    assert result.code == 1
    assert findings(result) == [
        ORPHAN.format("error", "base-retired (model/base retired on 2026-11-01)"),
        "adapter.yaml:8:14: error[sunset-passed] adapter/clf@1.0.0 uses model/base, whose sunset "
        "day 2026-11-01 has passed (20 days ago; firm day declared in metadata.deprecation); "
        "features "
        "hit through this ref: feature/bot",
    ]


def test_base_retiring_within_the_window(check: Check) -> None:
    result = check(healthy(**{"model.yaml": model(deprecation="sunset: 2027-01-01")}))
    assert result.code == 0
    assert of_rule(result, "orphan-adapter") == [
        ORPHAN.format("warning", "base-retiring (model/base retires on 2027-01-01, in 41 days)")]


def test_base_retiring_beyond_the_window_is_only_deprecated(check: Check) -> None:
    result = check(healthy(**{"model.yaml": model(deprecation="sunset: 2027-06-01")}))
    assert result.code == 0
    assert findings(result) == [
        ORPHAN.format("warning", "base-deprecated (model/base is deprecated)")]


@pytest.mark.parametrize(("sunset", "when"), [("2026-11-22", "in 1 day"),
                                              ("2026-11-21", "today")])
def test_base_retiring_says_day_and_today(check: Check, sunset: str, when: str) -> None:
    result = check(healthy(**{"model.yaml": model(deprecation=f"sunset: {sunset}")}))
    assert of_rule(result, "orphan-adapter") == [
        ORPHAN.format("warning", f"base-retiring (model/base retires on {sunset}, {when})")]


def test_base_deprecated_without_a_sunset(check: Check) -> None:
    result = check(healthy(**{"model.yaml": model(deprecation="reason: the pool is going")}))
    assert result.code == 0
    assert findings(result) == [
        ORPHAN.format("warning", "base-deprecated (model/base is deprecated)"),
        "adapter.yaml:8:14: info[deprecated-dependency] adapter/clf@1.0.0 uses model/base, which "
        "is deprecated (no sunset day yet)",
    ]


def test_base_missing(check: Check) -> None:
    result = check(healthy(**{"adapter.yaml": adapter(base="model/gone",
                                                      datasets=("dataset/tickets@^1",))}))
    assert result.code == 1
    assert findings(result) == [
        ORPHAN.format("warning", "base-missing (model/gone is not declared)"),
        "adapter.yaml:8:14: error[dangling-ref] `model/gone` names model/gone, which is not "
        "declared; declare it or fix the ref",
        "model.yaml:4:9: info[unused-artifact] nothing uses model/base; remove it if it is no "
        "longer needed",
    ]


@pytest.mark.parametrize(("owner", "detail"), [
    ("team/ghost", "team/ghost is not a declared team"),
    ("user/bob", "user/bob is in no team"),
])
def test_owner_unknown(check: Check, owner: str, detail: str) -> None:
    result = check(healthy(**{"adapter.yaml": adapter(owner=owner,
                                                      datasets=("dataset/tickets@^1",))}))
    assert result.code == 1  # unknown-owner is an error of its own
    assert of_rule(result, "orphan-adapter") == [
        ORPHAN.format("warning", f"owner-unknown ({detail})")]


def test_owner_missing_counts_as_unknown(check: Check) -> None:
    result = check(healthy(**{"adapter.yaml": adapter(owner=None,
                                                      datasets=("dataset/tickets@^1",))}))
    assert result.code == 1
    assert findings(result) == [
        "adapter.yaml:3:1: error[missing-owner] adapter/clf@1.0.0 has no owner; add "
        "metadata.owner: team/<name> or user/<handle>",
        ORPHAN.format("warning", "owner-unknown (no owner)"),
    ]


@pytest.mark.parametrize(("owner", "detail"), [
    ("team/legacy", "team/legacy is inactive"),
    ("user/ann", "user/ann is only in inactive teams"),
])
def test_owner_inactive(check: Check, owner: str, detail: str) -> None:
    result = check(healthy(**{
        "teams/legacy.yaml": team("legacy", "ann", active=False),
        "adapter.yaml": adapter(owner=owner, datasets=("dataset/tickets@^1",))}))
    assert result.code == 0
    assert of_rule(result, "orphan-adapter") == [
        ORPHAN.format("warning", f"owner-inactive ({detail})")]


def test_data_missing(check: Check) -> None:
    result = check(healthy(**{"adapter.yaml": adapter(datasets=("dataset/gone@^1",))}))
    assert result.code == 1
    assert findings(result) == [
        ORPHAN.format("warning", "data-missing (dataset/gone@^1 is not declared)"),
        "adapter.yaml:10:14: error[dangling-ref] `dataset/gone@^1` names dataset/gone, which is "
        "not declared; declare it or fix the ref",
        "data.yaml:4:9: info[unused-artifact] nothing uses dataset/tickets@1.0.0; remove it if it "
        "is no longer needed",
    ]


def test_data_missing_names_the_unsatisfied_range(check: Check) -> None:
    result = check(healthy(**{"adapter.yaml": adapter(datasets=("dataset/tickets@^2",))}))
    assert of_rule(result, "orphan-adapter") == [ORPHAN.format(
        "warning", "data-missing (dataset/tickets@^2 matches no declared version (1.0.0))")]


def test_data_expired(check: Check) -> None:
    result = check(healthy(**{"data.yaml": dataset(
        "tickets", SOURCED + "retention: {until: 2026-11-20}\n")}))
    assert result.code == 0
    assert findings(result) == [
        ORPHAN.format("warning",
                      "data-expired (dataset/tickets@1.0.0 retention ended on 2026-11-20)"),
        "data.yaml:10:22: warning[retention-expired] the retention of dataset/tickets@1.0.0 "
        "ended on 2026-11-20 (1 day ago): purge the data or extend spec.retention.until; built "
        "on it: adapter/clf@1.0.0",
    ]


def test_data_expires_only_after_its_last_day(check: Check) -> None:
    result = check(healthy(**{"data.yaml": dataset(
        "tickets", SOURCED + "retention: {until: 2026-11-21}\n")}))
    assert (result.code, findings(result)) == (0, [])


@pytest.mark.parametrize(("spec", "missing"), [
    ("license: MIT\n", "source uri or source digest"),
    ("license: MIT\nsource: {uri: s3://data/}\n", "source digest"),
    (f"license: MIT\nsource: {{digest: {DIGEST}}}\n", "source uri"),
], ids=["no-source", "no-digest", "no-uri"])
def test_data_unsourced(check: Check, spec: str, missing: str) -> None:
    result = check(healthy(**{"data.yaml": dataset("tickets", spec)}))
    assert result.code == 0
    assert findings(result) == [ORPHAN.format(
        "warning", f"data-unsourced (dataset/tickets@1.0.0 has no {missing}, so the adapter "
        "cannot be rebuilt)")]


def test_unused(check: Check) -> None:
    result = check(healthy(**{"bot.yaml": feature("model/base")}))
    assert result.code == 0
    assert findings(result) == [
        ORPHAN.format("warning", "unused (nothing uses it)"),
        "adapter.yaml:4:9: info[unused-artifact] nothing uses adapter/clf@1.0.0; remove it if it "
        "is no longer needed",
    ]


def test_every_reason_is_listed_in_spec_order(check: Check) -> None:
    # Datasets listed in the reverse of the reasons' order; the adapter nothing uses.
    result = check({
        "teams/legacy.yaml": team("legacy", "ann", active=False),
        "model.yaml": model(deprecation="sunset: 2026-11-01"),
        "data.yaml": documents(
            dataset("bare", "license: MIT\n"),
            dataset("old", SOURCED + "retention: {until: 2026-06-30}\n")),
        "adapter.yaml": adapter(owner="team/legacy", datasets=(
            "dataset/bare@^1", "dataset/old@^1", "dataset/gone@^1")),
    })
    assert result.code == 1
    assert of_rule(result, "orphan-adapter") == [ORPHAN.format("error", "; ".join([
        "base-retired (model/base retired on 2026-11-01)",
        "owner-inactive (team/legacy is inactive)",
        "data-missing (dataset/gone@^1 is not declared)",
        "data-expired (dataset/old@1.0.0 retention ended on 2026-06-30)",
        "data-unsourced (dataset/bare@1.0.0 has no source uri or source digest, so the adapter "
        "cannot be rebuilt)",
        "unused (nothing uses it)",
    ]))]


# --- aireg orphans -------------------------------------------------------------------------------

ORPHANS = {
    "teams/legacy.yaml": team("legacy", "ann", active=False),
    "models.yaml": documents(model(), model("mistral", deprecation="sunset: 2027-01-03")),
    "data.yaml": documents(dataset("tickets"), dataset("chats", "license: MIT\n")),
    "adapters.yaml": documents(
        adapter("router", "model/mistral", ("dataset/chats@^1",), owner="user/ann"),
        adapter("clf", datasets=("dataset/tickets@^1",)),
        adapter("spare")),
    "bot.yaml": feature("adapter/router@^1", "adapter/clf@^1"),
}


def test_orphans_text(make_registry: MakeRegistry, aireg: Run) -> None:
    result = aireg("--today", TODAY, "-C", str(make_registry(ORPHANS)), "orphans")
    assert (result.code, result.err) == (0, "")
    assert result.out == textwrap.dedent("""\
        adapter/router@1.0.0  warning  owner user/ann  base model/mistral
          base-retiring: model/mistral retires on 2027-01-03, in 43 days
          owner-inactive: user/ann is only in inactive teams
          data-unsourced: dataset/chats@1.0.0 has no source uri or source digest, so the adapter cannot be rebuilt
          used by: feature/bot

        adapter/spare@1.0.0  warning  owner team/platform  base model/base
          unused: nothing uses it
          used by: -
        """)  # noqa: E501


def test_orphans_json(make_registry: MakeRegistry, aireg: Run) -> None:
    result = aireg("--today", TODAY, "-C", str(make_registry(ORPHANS)), "orphans",
                   "--format", "json")
    assert (result.code, result.err) == (0, "")
    document = json.loads(result.out)
    validate_output("orphans", document)
    assert document == {"version": 1, "today": TODAY, "orphans": [
        {"id": "adapter/router@1.0.0", "owner": "user/ann", "base": "model/mistral",
         "severity": "warning", "reasons": [
             {"code": "base-retiring",
              "detail": "model/mistral retires on 2027-01-03, in 43 days"},
             {"code": "owner-inactive", "detail": "user/ann is only in inactive teams"},
             {"code": "data-unsourced", "detail": "dataset/chats@1.0.0 has no source uri or "
              "source digest, so the adapter cannot be rebuilt"}],
         "usedBy": ["feature/bot"]},
        {"id": "adapter/spare@1.0.0", "owner": "team/platform", "base": "model/base",
         "severity": "warning", "reasons": [{"code": "unused", "detail": "nothing uses it"}],
         "usedBy": []},
    ]}


def test_orphans_json_error_and_missing_base(make_registry: MakeRegistry, aireg: Run) -> None:
    files = {"model.yaml": model(deprecation="sunset: 2026-11-01"),
             "adapters.yaml": documents(adapter("a"), adapter("b", base="model/gone")),
             "bot.yaml": feature("adapter/a@^1", "adapter/b@^1")}
    result = aireg("--today", TODAY, "-C", str(make_registry(files)), "orphans",
                   "--format", "json")
    assert result.code == 0
    document = json.loads(result.out)
    validate_output("orphans", document)
    assert [(o["id"], o["severity"], o["base"], [r["code"] for r in o["reasons"]])
            for o in document["orphans"]] == [
        ("adapter/a@1.0.0", "error", "model/base", ["base-retired"]),
        ("adapter/b@1.0.0", "warning", None, ["base-missing"]),
    ]


def test_orphans_follow_today(make_registry: MakeRegistry, aireg: Run) -> None:
    root = make_registry(healthy(**{"model.yaml": model(deprecation="sunset: 2027-01-01")}))

    def orphans(today: str) -> list[str]:
        result = aireg("--today", today, "-C", str(root), "orphans")
        assert result.code == 0
        return result.out.splitlines()[:2]

    head = "adapter/clf@1.0.0  {}  owner team/platform  base model/base"
    assert orphans("2026-10-02") == [head.format("warning"),  # 91 days left: outside the window
                                     "  base-deprecated: model/base is deprecated"]
    assert orphans("2026-10-03") == [
        head.format("warning"), "  base-retiring: model/base retires on 2027-01-01, in 90 days"]
    assert orphans("2027-01-02") == [head.format("error"),
                                     "  base-retired: model/base retired on 2027-01-01"]


# --- dataset-license -----------------------------------------------------------------------------

SOURCE_LINE = f"source: {{uri: s3://data/, digest: {DIGEST}}}\n"


def licensed(text: str) -> dict[str, str]:
    """A dataset whose license (line 9, column 12) is `text`, used by feature/bot."""
    return {"data.yaml": dataset("tickets", SOURCE_LINE + f"license: '{text}'\n"),
            "bot.yaml": feature("dataset/tickets@^1")}


def test_dataset_license_missing_is_a_warning_at_spec(check: Check) -> None:
    result = check({"data.yaml": dataset("tickets", SOURCE_LINE),
                    "bot.yaml": feature("dataset/tickets@^1")})
    assert result.code == 0
    assert findings(result) == [
        "data.yaml:7:1: warning[dataset-license] dataset/tickets@1.0.0 has no license; set "
        "spec.license to an SPDX expression (such as CC-BY-4.0) or proprietary"]


@pytest.mark.parametrize("text", ["NOASSERTION", "noassertion"])
def test_dataset_license_noassertion_is_a_warning(check: Check, text: str) -> None:
    result = check(licensed(text))
    assert result.code == 0
    assert findings(result) == [
        "data.yaml:9:12: warning[dataset-license] the license of dataset/tickets@1.0.0 is "
        "NOASSERTION; find out its license and write it as an SPDX expression, or proprietary"]


@pytest.mark.parametrize(("text", "problem"), [
    ("MIT ANDD X",
     'Invalid symbols sequence such as (A B) for token: "ANDD X" at position: 4'),
    ("Foo-1.0", "unknown license id Foo-1.0"),
    ("MIT AND", "AND requires two or more licenses as in: MIT AND BSD"),
])
def test_dataset_license_invalid_spdx_is_an_error(check: Check, text: str,
                                                  problem: str) -> None:
    result = check(licensed(text))
    assert result.code == 1
    assert findings(result) == [
        f"data.yaml:9:12: error[dataset-license] `{text}` is not a valid SPDX expression "
        f"({problem}); use SPDX ids such as CC-BY-4.0, LicenseRef-<name> for others, or "
        "proprietary"]


@pytest.mark.parametrize("text", ["proprietary", "LicenseRef-acme-internal", "CC-BY-4.0",
                                  "MIT OR Apache-2.0", "Apache-2.0 WITH LLVM-exception",
                                  "(MIT AND CC-BY-4.0) OR LicenseRef-acme"])
def test_dataset_license_accepted(check: Check, text: str) -> None:
    result = check(licensed(text))
    assert (result.code, findings(result)) == (0, [])


# --- retention-expired ---------------------------------------------------------------------------

def test_retention_expired_names_what_was_built_on_it(check: Check) -> None:
    # raw expired; clean is derived from raw; the adapter is trained on clean; an eval only
    # reads raw and is not "built on it".
    result = check({
        "model.yaml": model(),
        "data.yaml": documents(
            dataset("raw", SOURCED + "retention:\n  until: 2026-10-31\n"),
            dataset("clean", SOURCED + "derivedFrom: [dataset/raw@^1]\n")),
        "adapter.yaml": adapter(datasets=("dataset/clean@^1",)),
        "eval.yaml": decl("Eval", "regression",
                          "covers: [feature/bot]\ndatasets: [dataset/raw@^1]\n"),
        "bot.yaml": feature("adapter/clf@^1"),
    })
    assert result.code == 0
    assert findings(result) == [
        "data.yaml:11:12: warning[retention-expired] the retention of dataset/raw@1.0.0 ended on "
        "2026-10-31 (21 days ago): purge the data or extend spec.retention.until; built on it: "
        "adapter/clf@1.0.0, dataset/clean@1.0.0"]


def test_retention_expired_with_nothing_built_on_it(check: Check) -> None:
    result = check({"data.yaml": dataset("raw", SOURCED + "retention: {until: 2026-11-20}\n"),
                    "bot.yaml": feature("dataset/raw@^1")})
    assert findings(result) == [
        "data.yaml:10:22: warning[retention-expired] the retention of dataset/raw@1.0.0 ended on "
        "2026-11-20 (1 day ago): purge the data or extend spec.retention.until"]


def test_retention_expired_leaves_out_adapters_only_tested_on_it(check: Check) -> None:
    tested = decl("Adapter", "clf", "baseModel: model/base\nmethod: lora\n"
                  "evalDatasets: [dataset/raw@^1]\n")
    result = check({"model.yaml": model(),
                    "data.yaml": dataset("raw", SOURCED + "retention: {until: 2026-11-20}\n"),
                    "adapter.yaml": tested, "bot.yaml": feature("adapter/clf@^1")})
    assert of_rule(result, "retention-expired") == [
        "data.yaml:10:22: warning[retention-expired] the retention of dataset/raw@1.0.0 ended on "
        "2026-11-20 (1 day ago): purge the data or extend spec.retention.until"]


def test_retention_follows_today(check: Check, tmp_path: Path) -> None:
    files = {"data.yaml": dataset("raw", SOURCED + "retention: {until: 2026-11-20}\n"),
             "bot.yaml": feature("dataset/raw@^1")}
    assert findings(check(files, today="2026-11-20")) == []
    assert of_rule(check(files, today="2027-11-20", root=tmp_path / "later"),
                   "retention-expired") == [
        "data.yaml:10:22: warning[retention-expired] the retention of dataset/raw@1.0.0 ended on "
        "2026-11-20 (365 days ago): purge the data or extend spec.retention.until"]


# --- how sure the base's day is (policy.estimatedDates) -----------------------------------------

def api_model(day_kind: str) -> dict[str, str]:
    """The base as an API pin whose day comes from the registry's own retirements file."""
    return {"model.yaml": decl("Model", "base", "provider: openai\nmodelId: foo-1\n",
                               version=None),
            "own.yaml": "records:\n  - {platform: openai, modelId: foo-1, sunset: 2026-11-01, "
                        f"dateKind: {day_kind}, source: a guess}}\n"}


@pytest.mark.parametrize(("day_kind", "policy", "code", "expected"), [
    ("estimated", "", 0, ORPHAN.format(
        "warning", "base-retired (model/base retired on 2026-11-01)")),
    ("estimated", "  policy: {estimatedDates: error}\n", 1, ORPHAN.format(
        "error", "base-retired (model/base retired on 2026-11-01)")),
    ("not-before", "", 0, ORPHAN.format(
        "warning", "base-retiring (model/base may retire any day since 2026-11-01 (20 days "
        "ago; no firm day is known))")),
], ids=["estimated", "estimated-as-error", "not-before"])
def test_a_base_day_that_is_not_firm_fails_only_when_asked(
        check: Check, day_kind: str, policy: str, code: int, expected: str) -> None:
    config = CONFIG + "spec:\n  retirements: own.yaml\n" + policy
    result = check(healthy(**api_model(day_kind)), config=config)
    assert result.code == code
    assert of_rule(result, "orphan-adapter") == [expected]
