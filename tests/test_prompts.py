"""The quick template reader gives Jinja's answer whenever it answers at all."""

from __future__ import annotations

import pytest
from conftest import Check, of_rule
from hypothesis import given, settings
from hypothesis import strategies as st

from registry import prompts

PIECES = ["Hello ", "\n", "{{ name }}", "{{ user.first }}", "{{- who -}}", "{{ true }}",
          '{% include "prompt/base" %}', "{%- include 'prompt/tone' -%}", "{# note #}",
          "{# {{ not a tag }} #}", "{{ a\n}}", "{% if x %}", "{% endif %}", "{{", "}}",
          "{{ 'text' }}", "text with { braces }", "{{ name | upper }}",
          "{% raw %}{{ x }}{% endraw %}"]


def jinja_facts(text: str) -> prompts.TemplateFacts:
    """What Jinja's parser says, with the quick reader turned off."""
    real = prompts._quick_facts
    try:
        prompts._quick_facts = lambda text: None
        return prompts.facts(text)
    finally:
        prompts._quick_facts = real


@given(st.lists(st.sampled_from(PIECES), max_size=12))
@settings(max_examples=400, deadline=None)
def test_quick_facts_agree_with_jinja(pieces: list[str]) -> None:
    text = "".join(pieces)
    quick = prompts._quick_facts(text)
    if quick is None:
        return  # Jinja answers these
    expected = jinja_facts(text)
    assert expected.error is None
    assert list(quick.includes) == list(expected.includes)
    assert sorted(quick.used) == sorted(expected.used)


@pytest.mark.parametrize(("text", "used"), [
    ("a\nb {{ x }}\n\n{{ y\n}} {{ z }}", [("x", 2), ("y", 4), ("z", 5)]),
    ('{% include "prompt/p" %}\n{{ v }}', [("v", 2)]),
])
def test_quick_facts_name_the_line_of_first_use(text: str, used: list[tuple[str, int]]
                                                ) -> None:
    quick = prompts._quick_facts(text)
    assert quick is not None
    assert sorted(quick.used) == used


# --- templates a pull request may make pathological ---------------------------------------

def prompt_file(name: str, template_file: str, includes: str = "[]") -> str:
    return f"""\
        apiVersion: aireg/v1
        kind: Prompt
        metadata: {{name: {name}, version: 1.0.0, owner: team/platform}}
        spec:
          templateFile: {template_file}
          includes: {includes}
          variables: [x, i]
        """


NESTING = ("blocks and brackets nest more than 50 levels deep here, over the 50 that aireg "
           "reads; flatten them, or move the inner part into a prompt of its own and include it")


@pytest.mark.parametrize(("template", "where", "message"), [
    ("{% if x %}\n" * 5000 + "{% endif %}" * 5000, "p.j2:51:1", NESTING),
    ("{{ " + "(" * 5000 + "x" + ")" * 5000 + " }}", "p.j2:1:1", NESTING),
    ("{{" * 40000, "p.j2:1:1", NESTING),
    ("{% if x %}\n" * 40 + "{{ " + "[" * 11 + "x" + "]" * 11 + " }}\n" + "{% endif %}" * 40,
     "p.j2:41:1", NESTING),
    ("{% for i in x %}\n" * 25 + "{% endfor %}" * 25, "p.j2:21:1",
     "for loops nest more than 20 deep here, over the 20 that Jinja2 can compile; move the "
     "inner loops into a prompt of its own and include it"),
    ("{{ x" + " + x" * 5000 + " }}", "p.j2:1:1",
     "Jinja2 cannot read this template: an expression nests too deeply (a long chain of "
     "operators, say); split it into smaller ones with {% set %}"),
], ids=["blocks", "brackets", "braces", "both", "loops", "operators"])
def test_a_deeply_nested_template_is_a_finding(check: Check, template: str, where: str,
                                               message: str) -> None:
    result = check({"p.yaml": prompt_file("p", "p.j2"), "p.j2": template})
    assert result.code == 1
    assert of_rule(result, "template") == [f"{where}: error[template] {message}"]


def test_nesting_up_to_the_limit_is_read(check: Check) -> None:
    template = ("{% if x %}" * 30 + "{% for i in x %}" * 19 + "{{ (i) }}"
                + "{% endfor %}" * 19 + "{% endif %}" * 30)
    assert prompts.too_deep(template) is None
    result = check({"p.yaml": prompt_file("p", "p.j2"), "p.j2": template})
    assert of_rule(result, "template") == []


@pytest.mark.parametrize("text", [
    "{{" * 500_000, "{%" * 500_000, "{#" * 500_000, "{{ x }}{{" * 100_000,
    "{% raw %}" * 100_000, "{{ '" * 200_000,
])
def test_reading_a_template_is_linear_in_its_size(text: str) -> None:
    # 1 MB of these: minutes for a reader that tries each tag start against all the rest
    # (80 KB of `{{` took the old quick reader 27 s).
    assert prompts._quick_facts(text) is None
    prompts.too_deep(text)


CHAIN = 1500  # deeper than Python's recursion limit


def include_chain(length: int) -> dict[str, str | bytes]:
    """prompt/p0 includes p1, which includes p2, ... down to p{length - 1}."""
    files: dict[str, str | bytes] = {}
    for i in range(length):
        last = i == length - 1
        files[f"p/p{i}.yaml"] = prompt_file(f"p{i}", f"p{i}.j2",
                                            "[]" if last else f"[prompt/p{i + 1}@^1]")
        files[f"p/p{i}.j2"] = "end\n" if last else f'{i} {{% include "prompt/p{i + 1}" %}}\n'
    return files


def test_a_chain_of_includes_too_deep_to_render_is_one_finding(check: Check) -> None:
    result = check(include_chain(CHAIN))
    assert result.code == 1
    assert of_rule(result, "template") == [
        f"p/p0.j2:1:15: error[template] includes nest {CHAIN - 1} levels deep from this one "
        f"(down to prompt/p{CHAIN - 1}@1.0.0), over the 100 levels aireg renders; include the "
        "fragments side by side, from fewer levels"]


def test_a_chain_of_includes_up_to_the_limit_is_fine(check: Check) -> None:
    assert of_rule(check(include_chain(101)), "template") == []
