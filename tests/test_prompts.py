"""The quick template reader gives Jinja's answer whenever it answers at all."""

from __future__ import annotations

import pytest
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
