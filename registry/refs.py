"""The reference grammar (`kind/name[@constraint][#member]`) and npm-style version ranges."""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from typing import NewType

from semantic_version import NpmSpec, Version

# A graph node: `kind/name@version`, or `kind/name` for an unversioned declaration.
NodeId = NewType("NodeId", str)

# Ref kind (as written in refs) -> declaration kind. `user` names a person, not a declaration.
REF_KINDS: dict[str, str] = {
    "model": "Model",
    "prompt": "Prompt",
    "adapter": "Adapter",
    "dataset": "Dataset",
    "mcp": "McpServer",
    "feature": "Feature",
    "eval": "Eval",
    "team": "Team",
    "env": "Environment",
    "user": "",
    "index": "VectorIndex",
    "revocation": "Revocation",
}
KIND_TO_REF: dict[str, str] = {kind: ref for ref, kind in REF_KINDS.items() if kind}

NAME_PATTERN = r"[a-z0-9][a-z0-9._-]*"
NAME_MAX = 128
NAME_RE = re.compile(rf"^{NAME_PATTERN}$")
# SemVer 2.0.0, the official expression (semver.org), without the optional leading `v`.
SEMVER_PATTERN = (
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?"
)
SEMVER_RE = re.compile(rf"^{SEMVER_PATTERN}$")
_REF_RE = re.compile(
    r"^(?P<kind>[^/@#\s]+)/(?P<name>[^@#]*)(?:@(?P<constraint>[^#]*))?(?:#(?P<member>.*))?$"
)
_MEMBER_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:-]*$")
REF_SHAPE = "kind/name[@constraint][#member], such as prompt/house-style@^3"


class RefSyntaxError(ValueError):
    """A ref that does not parse; the message says what to write instead."""


def suggest(word: str, choices: list[str] | tuple[str, ...] | set[str], prefix: str = "") -> str:
    """` (did you mean X?)` for the closest choice, or an empty string.

    `prefix` is shown before the choice but not compared (`prompt/` would make every
    prompt name look alike).
    """
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean {prefix}{close[0]}?)" if close else ""


@functools.lru_cache(maxsize=4096)
def parse_version(text: str) -> Version:
    if not SEMVER_RE.match(text):
        raise ValueError(f"`{text}` is not a SemVer version; write a full version such as 1.0.0")
    return Version(text)


@functools.lru_cache(maxsize=4096)
def parse_constraint(text: str) -> NpmSpec:
    try:
        return NpmSpec(text)
    except Exception:
        # The one boundary for the range library: besides ValueError it fails in other ways
        # (`1 - 2*` raises AttributeError inside it), and every failure means a bad range.
        raise RefSyntaxError(
            f"`{text}` is not a version range; write one in npm syntax, such as "
            "3.1.0, ^3, ~3.1.0, 3.x or \">=3.0.0 <4.0.0\""
        ) from None


@dataclass(frozen=True)
class Ref:
    kind: str  # as written in refs: model, prompt, mcp, ...
    name: str
    constraint: str | None = None
    member: str | None = None

    @classmethod
    def parse(cls, text: str) -> Ref:
        return _parse_ref(text)

    @property
    def decl_kind(self) -> str:
        return REF_KINDS[self.kind]

    @functools.cached_property
    def key(self) -> tuple[str, str]:
        """The artifact this ref names, whatever the version: (declaration kind, name)."""
        return (self.decl_kind, self.name)

    @property
    def spec(self) -> NpmSpec | None:
        return parse_constraint(self.constraint) if self.constraint is not None else None

    def __str__(self) -> str:
        text = f"{self.kind}/{self.name}"
        if self.constraint is not None:
            text += f"@{self.constraint}"
        if self.member is not None:
            text += f"#{self.member}"
        return text


@functools.cache  # one entry per distinct ref text: a registry's worth, never thrashing
def _parse_ref(text: str) -> Ref:
    if not isinstance(text, str):
        raise RefSyntaxError(f"a ref is a string of the form {REF_SHAPE}")
    match = _REF_RE.match(text.strip())
    if match is None:
        raise RefSyntaxError(f"`{text}` is not a ref; write {REF_SHAPE}")
    kind, name = match["kind"], match["name"]
    constraint, member = match["constraint"], match["member"]
    if kind not in REF_KINDS:
        raise RefSyntaxError(
            f"`{text}` has an unknown kind `{kind}`{suggest(kind, list(REF_KINDS))}; "
            f"kinds are {', '.join(REF_KINDS)}"
        )
    if not NAME_RE.match(name) or len(name) > NAME_MAX:
        raise RefSyntaxError(
            f"`{text}` has an invalid name `{name}`; names are lowercase letters, digits, "
            "`.`, `_` and `-`, starting with a letter or digit"
        )
    if constraint is not None:
        constraint = constraint.strip()
        if not constraint:
            raise RefSyntaxError(f"`{text}` has an empty version range after `@`")
        if kind in ("team", "user", "env"):
            raise RefSyntaxError(
                f"`{text}`: {kind} refs take no version range; write {kind}/{name}")
        try:
            parse_constraint(constraint)
        except RefSyntaxError as error:
            raise RefSyntaxError(f"`{text}`: {error}") from None
    if member is not None:
        if kind != "mcp":
            raise RefSyntaxError(
                f"`{text}`: only mcp refs name a tool with `#`; remove `#{member}`"
            )
        if not _MEMBER_RE.match(member):
            raise RefSyntaxError(f"`{text}` has an invalid tool name `{member}`")
    return Ref(kind, name, constraint, member)


def node_id(decl_kind: str, name: str, version: str | None) -> NodeId:
    base = f"{KIND_TO_REF[decl_kind]}/{name}"
    return NodeId(f"{base}@{version}" if version is not None else base)


def best_match(spec: NpmSpec | None, versions: list[str]) -> str | None:
    """The highest version satisfying `spec` (any version when spec is None).

    With no range, pre-releases lose to releases but are still chosen when nothing else is
    declared, so an artifact that only has a release candidate resolves.
    """
    parsed = [(parse_version(v), v) for v in versions]
    if spec is None:
        releases = [p for p in parsed if not p[0].prerelease]
        pool = releases or parsed
    else:
        pool = [p for p in parsed if _satisfies(spec, p[1])]
    return max(pool)[1] if pool else None


@functools.lru_cache(maxsize=65536)
def _satisfies(spec: NpmSpec, version: str) -> bool:
    # semantic_version's matching is slow, and registries repeat the same few ranges and
    # versions (every `^1` against every 1.0.0) thousands of times.
    return parse_version(version) in spec
