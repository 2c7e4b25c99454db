from __future__ import annotations

import pytest
from conftest import Check, of_rule

from registry.refs import Ref, RefSyntaxError, best_match, parse_constraint, parse_version


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("prompt/house-style", Ref("prompt", "house-style")),
        ("prompt/house-style@^3", Ref("prompt", "house-style", "^3")),
        ("prompt/house-style@3.1.0", Ref("prompt", "house-style", "3.1.0")),
        ("prompt/x@>=3.0.0 <4.0.0", Ref("prompt", "x", ">=3.0.0 <4.0.0")),
        ("prompt/x@~3.1.0", Ref("prompt", "x", "~3.1.0")),
        ("prompt/x@3.x", Ref("prompt", "x", "3.x")),
        ("prompt/x@*", Ref("prompt", "x", "*")),
        ("mcp/zendesk@^2#search_tickets", Ref("mcp", "zendesk", "^2", "search_tickets")),
        ("mcp/hubspot#hubspot-search-objects", Ref("mcp", "hubspot", None,
                                                   "hubspot-search-objects")),
        ("model/gpt-4o-2024-08-06", Ref("model", "gpt-4o-2024-08-06")),
        ("team/support", Ref("team", "support")),
        ("user/dev-lee", Ref("user", "dev-lee")),
    ],
)
def test_parse(text: str, expected: Ref) -> None:
    assert Ref.parse(text) == expected
    assert str(Ref.parse(text)) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("house-style", "`house-style` is not a ref; write kind/name[@constraint][#member], "
                        "such as prompt/house-style@^3"),
        ("prmpt/x", "`prmpt/x` has an unknown kind `prmpt` (did you mean prompt?); kinds are "
                    "model, prompt, adapter, dataset, mcp, feature, eval, team, env, user, "
                    "index, revocation"),
        ("prompt/House", "`prompt/House` has an invalid name `House`; names are lowercase "
                         "letters, digits, `.`, `_` and `-`, starting with a letter or digit"),
        ("prompt/" + "a" * 129, f"`prompt/{'a' * 129}` has an invalid name `{'a' * 129}`; names "
         "are lowercase letters, digits, `.`, `_` and `-`, starting with a letter or digit"),
        ("prompt/x@", "`prompt/x@` has an empty version range after `@`"),
        ("prompt/x@^^3", "`prompt/x@^^3`: `^^3` is not a version range; write one in npm "
                         "syntax, such as 3.1.0, ^3, ~3.1.0, 3.x or \">=3.0.0 <4.0.0\""),
        # semantic_version raises AttributeError on this one, not ValueError
        ("prompt/x@1 - 2*", "`prompt/x@1 - 2*`: `1 - 2*` is not a version range; write one in "
                            "npm syntax, such as 3.1.0, ^3, ~3.1.0, 3.x or \">=3.0.0 <4.0.0\""),
        ("team/support@1", "`team/support@1`: team refs take no version range; write "
                           "team/support"),
        ("prompt/x#tool", "`prompt/x#tool`: only mcp refs name a tool with `#`; remove `#tool`"),
        ("mcp/x#bad tool", "`mcp/x#bad tool` has an invalid tool name `bad tool`"),
    ],
)
def test_parse_errors(text: str, message: str) -> None:
    with pytest.raises(RefSyntaxError) as error:
        Ref.parse(text)
    assert str(error.value) == message


VERSIONS = ["2.4.0", "3.0.0", "3.1.0", "3.2.0-rc.1", "4.0.0-beta.2"]


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        (None, "3.1.0"),  # highest release; pre-releases lose to releases
        ("^3", "3.1.0"),  # a pre-release matches only a range that names one
        ("^3.2.0-rc.0", "3.2.0-rc.1"),
        ("~3.0.0", "3.0.0"),
        ("2.x", "2.4.0"),
        (">=3.0.0 <4.0.0", "3.1.0"),
        ("3.1.0", "3.1.0"),
        ("*", "3.1.0"),
        ("^5", None),
        ("^4", None),  # 4.0.0-beta.2 is a pre-release: ^4 does not name one
    ],
)
def test_best_match(constraint: str | None, expected: str | None) -> None:
    spec = parse_constraint(constraint) if constraint is not None else None
    assert best_match(spec, VERSIONS) == expected


def test_only_prereleases_still_resolve_without_a_range() -> None:
    assert best_match(None, ["1.0.0-rc.1", "1.0.0-rc.2"]) == "1.0.0-rc.2"


@pytest.mark.parametrize("text", ["1.10", "1", "01.2.3", "1.2.3.4", "v1.2.3", "1.2.3-"])
def test_versions_must_be_full_semver(text: str) -> None:
    with pytest.raises(ValueError, match="is not a SemVer version; write a full version"):
        parse_version(text)


def test_versions_order_as_semver() -> None:
    ordered = sorted(["1.10.0", "1.9.0", "1.10.0-rc.1", "1.2.0"], key=parse_version)
    assert ordered == ["1.2.0", "1.9.0", "1.10.0-rc.1", "1.10.0"]


def test_a_range_the_library_chokes_on_is_a_schema_finding(check: Check) -> None:
    result = check({"feature.yaml": """\
        apiVersion: aireg/v1
        kind: Feature
        metadata: {name: bot, owner: team/platform}
        spec:
          uses: [prompt/x@1 - 2*]
        """})
    assert result.code == 1
    assert of_rule(result, "schema") == [
        "feature.yaml:5:10: error[schema] `spec.uses[0]`: `prompt/x@1 - 2*`: `1 - 2*` is not a "
        "version range; write one in npm syntax, such as 3.1.0, ^3, ~3.1.0, 3.x or "
        "\">=3.0.0 <4.0.0\""]
