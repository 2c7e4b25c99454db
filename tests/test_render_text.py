"""registry.render.text on report objects built by hand: each view's lines, exactly."""

from __future__ import annotations

import datetime as dt

from reports import decl, hop, prompt

from registry.bom import Completeness, Gaps
from registry.history import HistoryReport
from registry.impact import Dependent
from registry.lifecycle import DeadlineReport
from registry.orphans import OrphanReport
from registry.refs import NodeId
from registry.render import text
from registry.views import DepsTree, Listing, Placed, ShowView

BASE = prompt("base")
STYLE = prompt("style", "2.0.0", description="Tone \u202e guide", labels={"tier": "shared"})
BOT = decl("Feature", "bot", None, spec={"tier": "high"})


def test_ls_lists_each_declaration_where_it_starts() -> None:
    listing = Listing("demo", (Placed(BOT, 1), Placed(decl("Prompt", "free", owner=None,
                                                            spec={"template": "x"}), 7)))
    lines = text.ls(listing).splitlines()
    assert lines == ["ID                 KIND     OWNER      FILE",
                     "feature/bot        Feature  team/core  features/bot.yaml:1",
                     "prompt/free@1.0.0  Prompt   -          prompts/free.yaml:7"]


def test_ls_says_when_nothing_matches() -> None:
    assert text.ls(Listing("demo", ())) == "No declarations match.\n"


def test_show_gives_versions_edges_contacts_and_hidden_characters_escaped() -> None:
    view = ShowView(STYLE, 4, ("#core",), ("1.0.0",),
                    (hop(STYLE.id, BASE.id, "includes"),), (hop(BOT.id, STYLE.id, "prompt"),),
                    None, None, "")
    assert text.show(view) == (
        "prompt/style@2.0.0  (Prompt)\n"
        "  file:        prompts/style.yaml:4\n"
        "  owner:       team/core  (#core)\n"
        "  description: Tone \\u202e guide\n"
        "  labels:      tier=shared\n"
        "  also:        1.0.0\n"
        "  uses:        1 artifact\n"
        "    -includes-> prompt/base@1.0.0\n"
        "  used by:     1 artifact\n"
        "    feature/bot -prompt->\n")


def test_show_of_a_model_says_what_is_known_of_its_retirement() -> None:
    model = decl("Model", "gpt", None, spec={"provider": "openai", "modelId": "gpt-4o"})
    view = ShowView(model, 1, (), (), (), (), None, "no retirement data", "")
    assert text.show(view).splitlines()[3:5] == ["  retirement:  no retirement data",
                                                 "  uses:        0 artifacts"]


def test_deps_prints_a_node_reached_twice_once_and_stops_at_the_depth() -> None:
    uses = {BASE.id: (), STYLE.id: (hop(STYLE.id, BASE.id, "includes"),),
            BOT.id: (hop(BOT.id, STYLE.id, "prompt"), hop(BOT.id, BASE.id, "prompt"))}
    found = (Dependent(STYLE, 1, uses[BOT.id][:1]), Dependent(BASE, 1, uses[BOT.id][1:]))
    assert text.deps(DepsTree(BOT, None, uses, found)) == (
        "feature/bot\n"
        "├── prompt prompt/style@2.0.0\n"
        "│   └── includes prompt/base@1.0.0\n"
        "└── prompt prompt/base@1.0.0\n")
    assert text.deps(DepsTree(BOT, 1, uses, found)) == (
        "feature/bot\n"
        "├── prompt prompt/style@2.0.0\n"
        "└── prompt prompt/base@1.0.0\n")


def test_deps_marks_a_repeated_node_with_dependencies_of_its_own_as_above() -> None:
    other = prompt("other")
    uses = {BASE.id: (), STYLE.id: (hop(STYLE.id, BASE.id, "includes"),),
            other.id: (hop(other.id, STYLE.id, "includes"),),
            BOT.id: (hop(BOT.id, other.id, "prompt"), hop(BOT.id, STYLE.id, "prompt"))}
    assert text.deps(DepsTree(BOT, None, uses, ())).splitlines()[-1] == (
        "└── prompt prompt/style@2.0.0 (above)")


def test_empty_reports_say_so_in_one_line() -> None:
    today = dt.date(2026, 11, 21)
    assert text.deprecations(DeadlineReport((), today, 90)) == "No deadlines as of 2026-11-21.\n"
    assert text.orphans(OrphanReport((), today)) == "No orphaned adapters.\n"
    assert text.history(HistoryReport("prompt/x\u202e", ())) == (
        "No commit declares prompt/x\\u202e yet.\n")


def test_completeness_counts_the_fields_present_and_names_the_missing() -> None:
    review = Completeness((Gaps(NodeId("model/gpt"), ("license", "supplier"), ("license",)),
                           Gaps(BASE.id, ("license",), ())), 66)
    assert text.completeness(review) == (
        "BOM completeness: 66% (2 of 3 fields a procurement review expects)\n"
        "  model/gpt: missing license\n")
