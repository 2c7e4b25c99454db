"""The YAML reader's shortcuts give PyYAML's answers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from registry import yamlio

PYYAML_RESOLVE = yamlio._pyyaml_resolve  # PyYAML's own, typed
YAML_11_FORMS = ["", "~", "null", "Null", "yes", "No", "on", "OFF", "true", "y", "n",
                 "0", "-12", "1_000", "0x1F", "0o17", "017", "0b101", "190:20:30", "1.5",
                 "1.5e3", "-.inf", ".NaN", "6.8523015e+5", "2026-01-01",
                 "2026-01-01 10:00:00", "2001-12-14t21:59:43.10-05:00", "=", "<<",
                 "prompt/house-style@^3", "1.0.0", "team/platform", "1e", "0x", "+1"]


def resolved(value: str, implicit: tuple[bool, bool]) -> tuple[str, str]:
    """(aireg's tag, PyYAML's tag) for a scalar, asked twice so the second answer comes
    from the table of values seen."""
    loader = yamlio._Loader("")
    try:
        ours = loader.resolve(ScalarNode, value, implicit)
        again = loader.resolve(ScalarNode, value, implicit)
        theirs = PYYAML_RESOLVE(loader, ScalarNode, value, implicit)
    finally:
        loader.dispose()
    assert again == ours
    return ours, theirs


@pytest.mark.parametrize("value", YAML_11_FORMS)
@pytest.mark.parametrize("implicit", [(True, False), (False, True)])
def test_scalars_resolve_as_pyyaml_resolves_them(value: str, implicit: tuple[bool, bool]
                                                 ) -> None:
    ours, theirs = resolved(value, implicit)
    assert ours == theirs


@given(st.text(max_size=50))
@settings(max_examples=300, deadline=None)
def test_any_plain_scalar_resolves_as_pyyaml_resolves_it(value: str) -> None:
    ours, theirs = resolved(value, (True, False))
    assert ours == theirs


def test_collections_resolve_as_pyyaml_resolves_them() -> None:
    loader = yamlio._Loader("")
    try:
        for kind in (SequenceNode, MappingNode):
            assert loader.resolve(kind, None, (True, False)) == \
                PYYAML_RESOLVE(loader, kind, None, (True, False))
    finally:
        loader.dispose()


def test_documents_read_as_pyyaml_reads_them() -> None:
    # Without the forms no safe loader builds (`=`, `<<` as a value) or compares (NaN).
    values = [v for v in YAML_11_FORMS if v not in ("", "=", "<<", ".NaN")]
    text = "\n".join(f"k{i}: {v}" for i, v in enumerate(values)) + "\n"
    documents, problems = yamlio.load_documents(text)
    assert problems == []
    assert documents == [yaml.load(text, Loader=yaml.CSafeLoader)]


VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20)
    | st.floats(allow_nan=False) | st.dates(),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=4),
    max_leaves=20)


@given(VALUES)
@settings(max_examples=300, deadline=None)
def test_any_document_reads_as_pyyaml_reads_it(value: object) -> None:
    text = yaml.safe_dump(value, default_flow_style=False)
    documents, problems = yamlio.load_documents(text)
    assert problems == []
    assert documents == [yaml.load(text, Loader=yaml.CSafeLoader)]


class CountingList(list[tuple[Node, Node]]):
    """A mapping node's entries that count how many times they are looked at."""

    looked_at = 0

    def __iter__(self) -> Iterator[tuple[Node, Node]]:
        for item in super().__iter__():
            CountingList.looked_at += 1
            yield item


def test_locating_every_key_of_a_wide_mapping_looks_at_each_key_once() -> None:
    keys = 5000
    text = "spec:\n" + "".join(f"  k{i}: {i}\n" for i in range(keys))
    located = yamlio.Located(text)
    spec = located.roots[0].value[0][1]
    spec.value = CountingList(spec.value)
    CountingList.looked_at = 0
    positions = [located.position(0, ("spec", f"k{i}"), on_key=True) for i in range(keys)]
    assert positions[0] == yamlio.Position(2, 3)
    assert positions[-1] == yamlio.Position(keys + 1, 3)
    assert CountingList.looked_at == keys  # once in all, not once a lookup (12.5 million)
