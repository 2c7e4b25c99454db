"""registry.render.markdown on report objects built by hand: the impact summary, the
deadlines table, and the pull-request comment with and without its diagram."""

from __future__ import annotations

import dataclasses
import datetime as dt

from reports import decl, hop, prompt

from registry.diff import Change, ChangeImpact, PullReport
from registry.impact import Dependent, FeatureHit, ImpactReport, OwnerToNotify, view
from registry.lifecycle import Deadline, DeadlineReport, Sunset
from registry.render.markdown import MARKER, deprecations, impact, pr_comment
from registry.views import GraphNode, Subgraph

BASE = prompt("base")
STYLE = prompt("style", "2.0.0")
BOT = decl("Feature", "bot", None, spec={"tier": "high"})
PATH = (hop(BOT.id, STYLE.id, "prompt"), hop(STYLE.id, BASE.id, "includes"))
REPORT = ImpactReport((BASE,), (Dependent(STYLE, 1, PATH[1:]), Dependent(BOT, 2, PATH)),
                      (FeatureHit(BOT, "high", PATH),),
                      (OwnerToNotify("team/core", ("#core",), (BOT.id, STYLE.id)),), ())


def test_impact_names_the_features_with_their_paths_and_the_owners() -> None:
    assert impact(view(REPORT)) == (
        "### Impact of `prompt/base@1.0.0`\n\n"
        "2 dependents, 1 feature (highest tier **high**).\n\n"
        "| Feature | Tier | Owner | Path |\n"
        "|---|---|---|---|\n"
        "| `feature/bot` | high | team/core | `feature/bot` → *prompt* `prompt/style@2.0.0` "
        "→ *includes* `prompt/base@1.0.0` |\n\n"
        "Owners to notify: team/core (\\#core)\n")


def test_deprecations_table_escapes_what_the_repository_wrote() -> None:
    sunset = Sunset(BASE.id, dt.date(2026, 12, 1), "declared by @octocat", True, None, None)
    rows = (Deadline(sunset, BASE, 10, (BOT.id,), (("team/core", ("#core",)),)),)
    table = deprecations(DeadlineReport(rows, dt.date(2026, 11, 21), 30))
    assert table.splitlines() == [
        "### Deadlines as of 2026-11-21", "",
        "1 deadline, 0 passed (deprecation window: 30 days).", "",
        "| Sunset | Days left | Artifact | Replacement | Features | Owners | Source |",
        "|---|---|---|---|---|---|---|",
        "| 2026-12-01 | 10 | `prompt/base@1.0.0` | - | `feature/bot` | team/core | "
        "declared by @\u200boctocat |"]


CHANGED = PullReport("main (abc)", "the working tree",
                     (ChangeImpact(Change(BASE.id, "modified", BASE), (BOT.id,), ("team/core",)),),
                     view(REPORT), (), "main")


def test_the_comment_draws_the_blast_radius_it_is_given() -> None:
    radius = Subgraph((GraphNode(BASE.id, "Prompt", "team/core"),), (), frozenset({BASE.id}))
    comment = pr_comment(dataclasses.replace(CHANGED, blast_radius=radius))
    assert comment.startswith(f"{MARKER}\naireg: **1 feature affected**, highest tier "
                              "**high**, 1 changed declaration, no new errors.\n")
    assert comment.endswith(
        "<details><summary>Blast radius</summary>\n\n```mermaid\nflowchart LR\n"
        '  n0["prompt/base@1.0.0"]\n  classDef changed fill:#fde2e1,stroke:#c0392b\n'
        "  class n0 changed\n```\n\n</details>\n")


def test_without_a_blast_radius_the_comment_has_no_diagram() -> None:
    comment = pr_comment(CHANGED)
    assert "mermaid" not in comment
    assert comment.endswith("| team/core | \\#core | 2 |\n\n</details>\n")


def test_nothing_changed_is_one_line_after_the_marker() -> None:
    quiet = dataclasses.replace(CHANGED, changes=())
    assert pr_comment(quiet) == (
        f"{MARKER}\naireg: no AI declaration changed and no new findings.\n")
