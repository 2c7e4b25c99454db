"""Environments (SPEC section 11): desired and observed state, the rules on them, `status`,
`digest` and `history --env`, on temporary git repositories with state files written at fixed
times."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CONFIG, TEAM, GitRepo, Run, check_golden, validate_output

PROMPTS = """\
apiVersion: aireg/v1
kind: Model
metadata: {name: gpt-4o, owner: team/platform}
spec: {provider: openai, modelId: gpt-4o-2024-08-06}
---
apiVersion: aireg/v1
kind: Prompt
metadata: {name: style, version: 1.0.0, owner: team/platform}
spec:
  template: "Be kind."
---
apiVersion: aireg/v1
kind: Prompt
metadata: {name: system, version: 46.0.0, owner: team/platform}
spec:
  template: |
    {% include "prompt/style" %}
    Help {{ user }}.
  includes: [prompt/style@^1]
  variables: [user]
  model: model/gpt-4o
---
apiVersion: aireg/v1
kind: Prompt
metadata: {name: system, version: 47.0.0, owner: team/platform}
spec:
  template: |
    {% include "prompt/style" %}
    Help {{ user }} quickly.
  includes: [prompt/style@^1]
  variables: [user]
  model: model/gpt-4o
---
apiVersion: aireg/v1
kind: Feature
metadata: {name: bot, owner: team/platform}
spec:
  uses: [prompt/system@^47]
"""


def env_yaml(name: str, stage: str, region: str, extra: str = "") -> str:
    return f"""\
apiVersion: aireg/v1
kind: Environment
metadata: {{name: {name}, owner: team/platform}}
spec:
  stage: {stage}
  regions: [{region}]
  deploys: [feature/bot]
  observed: state/{name}.json
  maxSkew: 2h
{extra}"""


ENVS = {
    "envs/dev.yaml": env_yaml("dev", "development", "us-east-1"),
    "envs/prod-us.yaml": env_yaml("prod-us", "production", "us-east-1"),
    "envs/prod-ap.yaml": env_yaml("prod-ap", "production", "ap-south-1"),
}


class Registry:
    """A registry in a git repository whose state files are written at fixed times."""

    def __init__(self, repo: GitRepo, aireg: Run) -> None:
        self.repo, self.aireg = repo, aireg
        repo.write({"aireg.yaml": CONFIG, "teams/platform.yaml": TEAM, "decl.yaml": PROMPTS,
                    **ENVS})
        self.digests = {ref: self.run("digest", ref).out.strip() for ref in (
            "prompt/system@46.0.0", "prompt/system@47.0.0", "prompt/style@1.0.0",
            "model/gpt-4o")}

    def run(self, *args: str) -> object:
        return self.aireg("-C", str(self.repo.root), *args)

    def state(self, env: str, at: str, system: dict[str, float]) -> str:
        """A state file observed `at` running prompt/system at these shares, and the rest."""
        running = [{"ref": f"prompt/system@{version}",
                    "digest": self.digests[f"prompt/system@{version}"], **(
                        {"share": share} if share < 1 else {})}
                   for version, share in system.items()]
        running += [{"ref": "prompt/style@1.0.0", "digest": self.digests["prompt/style@1.0.0"]},
                    {"ref": "model/gpt-4o", "digest": self.digests["model/gpt-4o"]}]
        return json.dumps({"observedAt": at, "commit": "0123456789ab", "running": running},
                          indent=2) + "\n"

    def write_state(self, env: str, at: str, system: dict[str, float]) -> None:
        self.repo.write({f"state/{env}.json": self.state(env, at, system)})


@pytest.fixture
def reg(git_repo: GitRepo, aireg: Run) -> Registry:
    """Day 1: every environment runs 46. Day 2 08:00: prod-us at 47 for 67%; dev at 47.
    Day 2 14:00: prod-us still at 67% (rewritten, same shares)."""
    registry = Registry(git_repo, aireg)
    for env in ("dev", "prod-us", "prod-ap"):
        registry.write_state(env, "2026-01-01T10:00:00Z", {"46.0.0": 1.0})
    git_repo.commit("All on 46")
    registry.write_state("dev", "2026-01-02T07:00:00Z", {"47.0.0": 1.0})
    registry.write_state("prod-us", "2026-01-02T08:00:00Z", {"47.0.0": 0.67, "46.0.0": 0.33})
    git_repo.commit("47 to dev, and 67% of prod-us")
    registry.write_state("prod-us", "2026-01-02T14:00:00Z", {"47.0.0": 0.67, "46.0.0": 0.33})
    registry.write_state("prod-ap", "2026-01-02T14:00:00Z", {"46.0.0": 1.0})
    git_repo.commit("Observed again")
    return registry


def lines(result: object, rule: str) -> list[str]:
    out: str = result.out  # type: ignore[attr-defined]
    return [line for line in out.splitlines() if f"[{rule}] " in line]


NOW = ("--now", "2026-01-02T16:00:00Z")


def test_rules_on_a_stalled_rollout(reg: Registry) -> None:
    result = reg.run(*NOW, "check")
    assert lines(result, "version-skew") == [
        "state/prod-ap.json:6:14: error[version-skew] production runs prompt/system in "
        "different versions for 8h (maxSkew 2h): 46.0.0 in prod-ap; 46.0.0, 47.0.0 in "
        "prod-us; finish the rollout or roll back so that the stage agrees"]
    assert lines(result, "rollout-stalled") == [
        "state/prod-us.json:6:14: warning[rollout-stalled] the rollout of prompt/system "
        "47.0.0 in prod-us has stood at 67% since 2026-01-02T08:00:00Z (8h, maxSkew 2h); "
        "finish it or roll it back"]
    assert lines(result, "drift") == [
        "state/prod-ap.json:6:14: warning[drift] prod-ap runs prompt/system 46.0.0 but its "
        "deploys resolve to 47.0.0 at this revision; finish the deploy, or pin the running "
        "version in spec.deploys",
        "state/prod-us.json:6:14: warning[drift] prod-us runs prompt/system 47.0.0 (67%), "
        "46.0.0 (33%) but its deploys resolve to 47.0.0 at this revision; finish the deploy, "
        "or pin the running version in spec.deploys"]
    assert lines(result, "state-stale") == []  # 9h at most: within the default 24h
    assert result.code == 1  # type: ignore[attr-defined]


def test_skew_is_a_warning_within_max_skew_and_the_clock_honours_today(reg: Registry) -> None:
    early = reg.run("--now", "2026-01-02T09:00:00Z", "check")
    assert lines(early, "version-skew") == [
        "state/prod-ap.json:6:14: warning[version-skew] production runs prompt/system in "
        "different versions for 1h (maxSkew 2h): 46.0.0 in prod-ap; 46.0.0, 47.0.0 in "
        "prod-us; finish the rollout or roll back so that the stage agrees"]
    assert lines(early, "rollout-stalled") == []  # 67% since 08:00: 1h, within 2h
    # --today alone is midnight UTC of that day: two days on, every state is stale.
    later = reg.run("--today", "2026-01-04", "check")
    assert lines(later, "state-stale") == [
        "state/dev.json:2:17: warning[state-stale] dev was last observed at "
        "2026-01-02T07:00:00Z, 1d 17h ago (more than policy.stateMaxAgeHours 24); check that "
        "the CD system still writes state/dev.json",
        "state/prod-ap.json:2:17: warning[state-stale] prod-ap was last observed at "
        "2026-01-02T14:00:00Z, 1d 10h ago (more than policy.stateMaxAgeHours 24); check "
        "that the CD system still writes state/prod-ap.json",
        "state/prod-us.json:2:17: warning[state-stale] prod-us was last observed at "
        "2026-01-02T14:00:00Z, 1d 10h ago (more than policy.stateMaxAgeHours 24); check "
        "that the CD system still writes state/prod-us.json"]


def test_state_max_age_is_a_policy(reg: Registry) -> None:
    reg.repo.write({"aireg.yaml": CONFIG + "spec:\n  policy:\n    stateMaxAgeHours: 8\n"})
    result = reg.run(*NOW, "check")
    assert lines(result, "state-stale") == [
        "state/dev.json:2:17: warning[state-stale] dev was last observed at "
        "2026-01-02T07:00:00Z, 9h ago (more than policy.stateMaxAgeHours 8); check that the "
        "CD system still writes state/dev.json"]


def test_a_finished_rollout_is_clean(reg: Registry) -> None:
    reg.write_state("prod-us", "2026-01-02T15:00:00Z", {"47.0.0": 1.0})
    reg.write_state("prod-ap", "2026-01-02T15:30:00Z", {"47.0.0": 1.0})
    result = reg.run(*NOW, "check")
    for rule in ("version-skew", "rollout-stalled", "drift", "state-stale",
                 "undeclared-running", "state-file"):
        assert lines(result, rule) == [], rule


def test_rules_read_state_files_at_the_revision(reg: Registry) -> None:
    first = reg.repo.git("rev-list", "--max-parents=0", "HEAD").strip()
    result = reg.run(*NOW, "--rev", first, "check")
    # All on 46, but the feature wants 47: drift everywhere, no skew, nothing stalled.
    assert [line.split(": ")[0] for line in lines(result, "drift")] == [
        "state/dev.json:6:14", "state/prod-ap.json:6:14", "state/prod-us.json:6:14"]
    assert lines(result, "version-skew") == lines(result, "rollout-stalled") == []


def test_undeclared_running(reg: Registry) -> None:
    state = json.loads(reg.state("prod-ap", "2026-01-02T15:00:00Z", {"47.0.0": 1.0}))
    state["running"] += [
        {"ref": "prompt/ghost@1.0.0", "digest": "sha256:" + "a" * 64},
        {"ref": "prompt/system@48.0.0", "digest": "sha256:" + "b" * 64},
        {"ref": "prompt/style", "digest": "sha256:" + "c" * 64},
    ]
    state["running"][0]["digest"] = reg.digests["prompt/system@46.0.0"]
    reg.repo.write({"state/prod-ap.json": json.dumps(state, indent=2)})
    result = reg.run(*NOW, "check")
    assert (f"state/prod-ap.json:7:17: warning[drift] prod-ap runs prompt/system@47.0.0 with "
            f"digest {reg.digests['prompt/system@46.0.0'][:19]}…, but that version is now "
            f"{reg.digests['prompt/system@47.0.0'][:19]}… (it is the content of "
            "prompt/system@46.0.0): what it includes or uses resolves elsewhere, or it was "
            "edited in place; redeploy it") in lines(result, "drift")
    assert lines(result, "undeclared-running") == [
        "state/prod-ap.json:18:14: error[undeclared-running] prompt/ghost runs in prod-ap "
        "but no declaration has it; declare it, or fix the ref the CD system reports",
        "state/prod-ap.json:22:14: error[undeclared-running] prompt/system 48.0.0 runs in "
        "prod-ap but is not declared (declared: 46.0.0, 47.0.0); declare it, or roll the "
        "environment to a declared version",
        f"state/prod-ap.json:27:17: error[undeclared-running] digest sha256:{'c' * 12}… "
        "running in prod-ap matches no declared version of prompt/style; the service loaded "
        "content no declaration has: declare it, or redeploy a declared version"]


@pytest.mark.parametrize(("content", "expected"), [
    ("{\n  \"observedAt\": \"2026-01-02T15:00:00Z\",\n  \"running\": [\n",
     "state/prod-ap.json:4:1: error[state-file] not valid JSON: Expecting value; the CD "
     "system must write JSON (schemas/observed-state.schema.json)"),
    ('{"observedAt": 5, "commit": "0123456789ab", "running": []}',
     "state/prod-ap.json:1:16: error[state-file] `observedAt`: input should be a valid "
     "string (schemas/observed-state.schema.json)"),
    ('{"observedAt": "2026-01-02T15:00:00Z", "commit": "0123456789ab",\n'
     ' "running": [{"ref": "prompt/style@1.0.0", "digest": "sha256:x", "share": "all"}]}',
     None),
    ('{"observedAt": "yesterday", "commit": "0123456789ab", "running": []}',
     "state/prod-ap.json:1:16: error[state-file] observedAt `yesterday` is not an RFC 3339 "
     "date-time with a zone; write it such as 2026-01-05T14:30:00Z"),
    ('{"observedAt": "2026-01-02T15:00:00Z", "commit": "0123456789ab", "running": [],\n'
     ' "extra": 1}',
     "state/prod-ap.json:2:2: error[state-file] unknown field `extra`; the fields are "
     "observedAt, commit, running and, in running, ref, version, digest, share "
     "(schemas/observed-state.schema.json)"),
    ('{"observedAt": "2026-01-02T15:00:00Z", "commit": "0123456789ab",\n'
     ' "running": [{"ref": "prompt/Style", "digest": "sha256:' + "a" * 64 + '"}]}',
     "state/prod-ap.json:2:22: error[state-file] `prompt/Style` has an invalid name `Style`; "
     "names are lowercase letters, digits, `.`, `_` and `-`, starting with a letter or "
     "digit"),
    ('[]', "state/prod-ap.json:1:1: error[state-file] the file must be a JSON object with "
     "observedAt, commit and running (schemas/observed-state.schema.json)"),
    (b"\xff\xfe{}", "state/prod-ap.json:1:1: error[state-file] observed-state file is not "
     "UTF-8 (byte 1); write it as UTF-8 JSON"),
])
def test_bad_state_file_gets_a_positioned_finding(reg: Registry, content: str | bytes,
                                                  expected: str | None) -> None:
    reg.repo.write({"state/prod-ap.json": content})
    result = reg.run(*NOW, "check")
    found = lines(result, "state-file")
    if expected is None:  # two problems in one entry: each at its own place
        assert found == [
            "state/prod-ap.json:2:54: error[state-file] `running.0.digest`: string should "
            "match pattern '^sha256:[0-9a-f]{64}$' (schemas/observed-state.schema.json)",
            "state/prod-ap.json:2:75: error[state-file] `running.0.share`: input should be a "
            "valid number, unable to parse string as a number "
            "(schemas/observed-state.schema.json)"]
    else:
        assert found == [expected]
    assert "Traceback" not in result.err  # type: ignore[attr-defined]
    status = reg.run(*NOW, "status")
    assert (status.code, status.err) == (0, "")  # type: ignore[attr-defined]


def test_missing_state_file(reg: Registry) -> None:
    (reg.repo.root / "state" / "dev.json").unlink()
    result = reg.run(*NOW, "check")
    assert lines(result, "state-file") == [
        "envs/dev.yaml:8:13: error[state-file] observed-state file state/dev.json does not "
        "exist; the CD system writes it after each deploy (remove spec.observed if it never "
        "will)"]


def test_environment_schema_errors(reg: Registry) -> None:
    reg.repo.write({"envs/dev.yaml": env_yaml("dev", "qa", "us-east-1").replace(
        "maxSkew: 2h", "maxSkew: 2 hours")})
    result = reg.run(*NOW, "check")
    assert lines(result, "schema") == [
        "envs/dev.yaml:5:10: error[schema] `spec.stage` must be one of development, staging "
        "or production; got `qa`",
        "envs/dev.yaml:9:12: error[schema] `spec.maxSkew` must be a duration: a number with "
        "m, h or d, such as 30m, 2h or 1d; got `2 hours`"]


def test_a_pin_in_deploys_overrides_resolution(reg: Registry) -> None:
    reg.repo.write({"envs/prod-ap.yaml": env_yaml("prod-ap", "production", "ap-south-1")
                    .replace("deploys: [feature/bot]",
                             "deploys: [feature/bot, prompt/system@46.0.0]")})
    result = reg.run(*NOW, "status", "--env", "prod-ap", "--format", "json")
    data = json.loads(result.out)  # type: ignore[attr-defined]
    rows = {row["artifact"]: row["environments"][0] for row in data["artifacts"]}
    assert rows["prompt/system"]["desired"] == ["46.0.0"]
    assert rows["prompt/system"]["drift"] is False
    assert rows["prompt/style"]["desired"] == ["1.0.0"]  # what the pinned version includes


# --- status ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "ext"), [("text", "txt"), ("json", "json"),
                                          ("markdown", "md")])
def test_status_golden(request: pytest.FixtureRequest, reg: Registry, fmt: str,
                       ext: str) -> None:
    result = reg.run(*NOW, "status", "--format", fmt)
    assert (result.code, result.err) == (0, "")  # type: ignore[attr-defined]
    if fmt == "json":
        validate_output("status", json.loads(result.out))  # type: ignore[attr-defined]
    check_golden(request, f"status-rollout.{ext}", result.out)  # type: ignore[attr-defined]


def test_status_of_one_environment_and_an_unknown_one(reg: Registry) -> None:
    one = reg.run(*NOW, "status", "--env", "dev")
    assert one.out.splitlines()[1].startswith("dev ")  # type: ignore[attr-defined]
    assert "prod-us" not in one.out  # type: ignore[attr-defined]
    unknown = reg.run(*NOW, "status", "--env", "prod")
    assert (unknown.code, unknown.err) == (  # type: ignore[attr-defined]
        2, "aireg: error: no Environment `prod` is declared (environments: dev, prod-ap, "
        "prod-us)\n")


def test_now_must_be_rfc3339(reg: Registry) -> None:
    result = reg.run("--now", "tomorrow", "status")
    assert (result.code, result.err) == (  # type: ignore[attr-defined]
        2, "aireg: error: --now takes an RFC 3339 date-time with a zone, such as "
        "2026-01-05T14:00:00Z, not `tomorrow`\n")


# --- history --env --------------------------------------------------------------------------


def test_history_of_an_environment(reg: Registry) -> None:
    reg.write_state("prod-us", "2026-01-03T09:00:00Z", {"47.0.0": 1.0})
    reg.repo.commit("prod-us done")
    result = reg.run("history", "--env", "prod-us", "prompt/system")
    commits = reg.repo.git("log", "--format=%h", "--abbrev=12", "--reverse",
                           "--", "state/prod-us.json").split()
    assert result.out == (  # type: ignore[attr-defined]
        "env/prod-us (state/prod-us.json)\n"
        f"2026-01-01T10:00:00Z  {commits[0]}  deployed 0123456789ab  started prompt/system "
        "46.0.0\n"
        f"2026-01-02T08:00:00Z  {commits[1]}  deployed 0123456789ab  prompt/system 46.0.0 "
        "100% -> 33%\n"
        f"2026-01-02T08:00:00Z  {commits[1]}  deployed 0123456789ab  started prompt/system "
        "47.0.0 at 67%\n"
        f"2026-01-03T09:00:00Z  {commits[3]}  deployed 0123456789ab  prompt/system 47.0.0 "
        "67% -> 100%\n"
        f"2026-01-03T09:00:00Z  {commits[3]}  deployed 0123456789ab  stopped prompt/system "
        "46.0.0\n")
    data = json.loads(reg.run("history", "--env", "prod-us", "--format", "json").out)  # type: ignore[attr-defined]
    validate_output("history-env", data)
    assert [(e["artifact"], e["change"], e["version"]) for e in data["events"]][:3] == [
        ("model/gpt-4o", "started", None), ("prompt/style", "started", "1.0.0"),
        ("prompt/system", "started", "46.0.0")]


def test_history_needs_a_known_environment(reg: Registry) -> None:
    result = reg.run("history", "--env", "staging")
    assert result.err == ("aireg: error: no Environment `staging` is declared "  # type: ignore[attr-defined]
                          "(environments: dev, prod-ap, prod-us)\n")


# --- impact --base ---------------------------------------------------------------------------


def test_impact_lists_the_environments_in_stage_order(reg: Registry) -> None:
    head = PROMPTS.replace("Help {{ user }} quickly.", "Help {{ user }} at once.").replace(
        "name: system, version: 47.0.0", "name: system, version: 47.1.0")
    reg.repo.write({"decl.yaml": head,
                    "envs/prod-ap.yaml": env_yaml("prod-ap", "production", "ap-south-1")
                    .replace("deploys: [feature/bot]",
                             "deploys: [feature/bot, prompt/system@46.0.0]")})
    result = reg.run("impact", "--base", "HEAD", "--format", "json")
    data = json.loads(result.out)  # type: ignore[attr-defined]
    by_id = {c["id"]: c["environments"] for c in data["changes"]}
    assert by_id["prompt/system@47.1.0"] == ["dev", "prod-us"]  # prod-ap pins 46.0.0
    comment = reg.run("impact", "--base", "HEAD", "--format", "markdown").out  # type: ignore[attr-defined]
    assert "| Rolls out to |" in comment
    assert "`dev` → `prod-us`" in comment
    text = reg.run("impact", "--base", "HEAD").out  # type: ignore[attr-defined]
    assert "  modified    prompt/system@47.1.0  (from prompt/system@47.0.0)\n" in text
    assert f"{'':14}rolls out to dev -> prod-us\n" in text


# --- digest ----------------------------------------------------------------------------------

SYSTEM = """\
apiVersion: aireg/v1
kind: Prompt
metadata: {name: system, version: 1.0.0, owner: team/platform}
spec:
  template: |
    {% include "prompt/style" %}
    Help {{ user }}.
  includes: [prompt/style@^1]
  variables: [user, tone]
  model: model/gpt-4o
  tools: [mcp/desk@^1#search]
"""
# The same declaration written otherwise: flow mappings, key order, quoting, comments, a
# templateFile, the variables in another order.
REFORMATTED = """\
# the system prompt
apiVersion: "aireg/v1"
kind: Prompt
spec:
  tools: ["mcp/desk@^1#search"]   # a comment
  variables:
    - tone
    - user
  model: 'model/gpt-4o'
  includes:
    - prompt/style@^1
  templateFile: system.j2
metadata:
  owner: team/platform
  version: "1.0.0"
  name: system
  description: described now, which is not content
"""
REST = """\
apiVersion: aireg/v1
kind: Prompt
metadata: {name: style, version: 1.0.0, owner: team/platform}
spec: {template: "Be kind."}
---
apiVersion: aireg/v1
kind: Model
metadata: {name: gpt-4o, owner: team/platform}
spec: {provider: openai, modelId: gpt-4o-2024-08-06}
---
apiVersion: aireg/v1
kind: McpServer
metadata: {name: desk, version: 1.0.0, owner: team/platform}
spec:
  transport: http
  url: https://desk.example.com/mcp
  trust: first-party
  tools: [{name: search, description: Search tickets}]
"""


def digest_of(make_registry: object, aireg: Run, system: str, rest: str = REST,
              extra: dict[str, str] | None = None) -> str:
    root: Path = make_registry({"system.yaml": system, "rest.yaml": rest,  # type: ignore[operator]
                                **(extra or {})})
    result = aireg("-C", str(root), "digest", "prompt/system")
    assert result.code == 0, result.err
    out: str = result.out
    assert out.startswith("sha256:") and len(out) == 7 + 64 + 1
    return out.strip()


def test_digest_ignores_yaml_formatting(make_registry: object, aireg: Run) -> None:
    plain = digest_of(make_registry, aireg, SYSTEM)
    template = '{% include "prompt/style" %}\nHelp {{ user }}.\n'
    assert digest_of(make_registry, aireg, REFORMATTED,
                     extra={"system.j2": template}) == plain
    assert digest_of(make_registry, aireg, SYSTEM.replace("owner: team/platform",
                                                          "owner: user/maria")) == plain


@pytest.mark.parametrize(("what", "system", "rest"), [
    ("template text", SYSTEM.replace("Help {{ user }}.", "Help {{ user }} now."), REST),
    ("trailing newline", SYSTEM.replace("template: |", "template: |-"), REST),
    ("included text", SYSTEM, REST.replace("Be kind.", "Be kinder.")),
    ("whitespace control", SYSTEM.replace('{% include "prompt/style" %}',
                                          '{%- include "prompt/style" %}'), REST),
    ("variables", SYSTEM.replace("[user, tone]", "[user]"), REST),
    ("model id", SYSTEM, REST.replace("modelId: gpt-4o-2024-08-06", "modelId: gpt-4o")),
    ("tools", SYSTEM.replace("#search", ""), REST),
    ("tool description", SYSTEM, REST.replace("Search tickets", "Search every ticket")),
])
def test_digest_changes_with_what_the_model_is_sent(make_registry: object, aireg: Run,
                                                    what: str, system: str, rest: str) -> None:
    assert digest_of(make_registry, aireg, system, rest) != digest_of(
        make_registry, aireg, SYSTEM), what


def test_show_carries_the_digest(make_registry: object, aireg: Run) -> None:
    root: Path = make_registry({"system.yaml": SYSTEM, "rest.yaml": REST})  # type: ignore[operator]
    digest = aireg("-C", str(root), "digest", "prompt/system").out.strip()
    shown = aireg("-C", str(root), "show", "prompt/system", "--format", "json").out
    assert json.loads(shown)["digest"] == digest
    assert f"digest:      {digest}" in aireg("-C", str(root), "show", "prompt/system").out


def test_no_damage_to_a_state_file_crashes(reg: Registry) -> None:
    """Every cut of a state file, and seeded byte flips, give findings or a state: never an
    exception."""
    import random

    from registry.environments import Environments
    from registry.project import Project

    project = Project.open(reg.repo.root, use_cache=False)
    envs = Environments(project.catalog, project.graph, project.location, None)
    env = envs.named("prod-us")
    assert env is not None
    data = (reg.repo.root / "state" / "prod-us.json").read_bytes()
    rng = random.Random(16)
    damaged = [data[:cut] for cut in range(len(data))]
    for _ in range(300):
        flipped = bytearray(data)
        flipped[rng.randrange(len(data))] = rng.randrange(256)
        damaged.append(bytes(flipped))
    damaged += [b"[" * 100_000, b'{"running": ' + b"[" * 5000 + b"]" * 5000 + b"}"]
    for content in damaged:
        problems: list[object] = []
        state = envs.state_from(env.decl, "state/prod-us.json", content, problems)  # type: ignore[arg-type]
        assert state is not None or problems, content[:80]
        for item in problems:
            assert item.at.line >= 1 and item.at.column >= 1  # type: ignore[attr-defined]


def test_status_output_is_cached_per_clock(reg: Registry, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    monkeypatch.delenv("AIREG_NO_CACHE")
    first = reg.run("--now", "2026-01-02T09:00:00Z", "check").out  # type: ignore[attr-defined]
    assert reg.run("--now", "2026-01-02T09:00:00Z", "check").out == first  # type: ignore[attr-defined]
    later = reg.run("--now", "2026-01-02T16:00:00Z", "check").out  # type: ignore[attr-defined]
    assert "[rollout-stalled]" in later and "[rollout-stalled]" not in first


def test_a_change_waiting_for_deploy_is_no_new_finding(reg: Registry) -> None:
    """Drift a declaration change causes is listed as environments to roll out to, not as
    new findings; a state file the change writes is judged like any other file."""
    reg.repo.write({"decl.yaml": PROMPTS.replace("Help {{ user }} quickly.", "Help at once.")
                    .replace("name: system, version: 47.0.0", "name: system, version: 47.1.0")})
    data = json.loads(reg.run(*NOW, "impact", "--base", "HEAD", "--format", "json").out)  # type: ignore[attr-defined]
    assert data["newFindings"] == []
    assert [c["environments"] for c in data["changes"]] == [["dev", "prod-ap", "prod-us"]] * 2
    state = json.loads(reg.state("dev", "2026-01-02T15:00:00Z", {"47.0.0": 1.0}))
    state["running"][1]["digest"] = "sha256:" + "d" * 64
    reg.repo.write({"state/dev.json": json.dumps(state, indent=2)})
    data = json.loads(reg.run(*NOW, "impact", "--base", "HEAD", "--format", "json").out)  # type: ignore[attr-defined]
    # The state file is part of the change: it still runs 47.0.0, which head no longer
    # declares (its successor 47.1.0 is not deployed yet: drift, not undeclared-running),
    # and prompt/style at a digest that version does not have.
    assert [(f["rule"], f["path"], f["line"]) for f in data["newFindings"]] == [
        ("drift", "state/dev.json", 6), ("drift", "state/dev.json", 11)]
