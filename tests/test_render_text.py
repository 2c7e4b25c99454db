"""registry.render.text on report objects built by hand: each view's lines, exactly."""

from __future__ import annotations

import datetime as dt

from reports import decl, hop, prompt

from registry.bom_score import Missing, Review, Scored
from registry.history import HistoryReport
from registry.lifecycle import DeadlineReport
from registry.orphans import OrphanReport
from registry.render import text
from registry.views import Listing, Placed, ShowView

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


def test_empty_reports_say_so_in_one_line() -> None:
    today = dt.date(2026, 11, 21)
    assert text.deprecations(DeadlineReport((), today, 90)) == "No deadlines as of 2026-11-21.\n"
    assert text.orphans(OrphanReport((), today)) == "No orphaned adapters.\n"
    assert text.history(HistoryReport("prompt/x\u202e", ())) == (
        "No commit declares prompt/x\\u202e yet.\n")


def test_completeness_gives_both_scores_and_the_keys_that_fill_each_gap() -> None:
    review = Review((Scored("model/gpt", 50.0, 4, 2, (
        Missing("owasp", "modelCard.modelParameters.architectureFamily",
                "card.architecture.family"),
        Missing("cyclonedx", "modelCard.considerations.useCases", "card.intendedUse"),
        Missing("owasp", "metadata.authors", None))),
        Scored(BASE.id, None, 2, 2, ())))
    assert text.completeness(review) == (
        "BOM completeness: 50% on OWASP AIBOM's weighted fields (mean over 1 ML model), 66% "
        "of the CycloneDX ML-BOM guide's fields (4 of 6)\n"
        "  model/gpt (OWASP 50%): add card.architecture.family (architectureFamily); "
        "card.intendedUse (useCases)\n"
        "  no model key fills OWASP's authors\n")


def test_the_completeness_summary_is_the_review_while_it_is_short() -> None:
    review = Review(tuple(Scored(f"dataset/d{i}@1.0.0", None, 7, 6, (
        Missing("cyclonedx", "data.classification", "spec.classification"),))
        for i in range(text.SUMMARY_COMPONENTS)))
    assert text.completeness_summary(review) == text.completeness(review)


def test_a_long_completeness_summary_shows_the_lowest_and_how_to_see_the_rest() -> None:
    """Lowest share of the guide's fields first, then the lowest OWASP score, then by id."""
    gap = (Missing("cyclonedx", "data.classification", "spec.classification"),
           Missing("owasp", "domain", None))
    datasets = [Scored(f"dataset/d{i:02}@1.0.0", None, 7, 6, gap[:1]) for i in range(12)]
    review = Review((
        *datasets,
        Scored("dataset/done@1.0.0", None, 7, 7, ()),
        Scored("model/a", 60.0, 16, 8, gap),
        Scored("model/b", 40.0, 16, 8, gap),
        Scored("model/c", 90.0, 16, 15, gap)))
    add = ": add spec.classification (classification)"
    assert text.completeness_summary(review) == "\n".join([
        "BOM completeness: 63% on OWASP AIBOM's weighted fields (mean over 3 ML models), 79% "
        "of the CycloneDX ML-BOM guide's fields (110 of 139)",
        f"  model/b (OWASP 40%){add}", f"  model/a (OWASP 60%){add}",
        *(f"  dataset/d{i:02}@1.0.0{add}" for i in range(8)),
        "  ... and 5 more: run `aireg bom --completeness` for every component",
        "  no model key fills OWASP's domain", ""])
    assert len(text.completeness(review).splitlines()) == 1 + 15 + 1

