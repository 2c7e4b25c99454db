"""Findings, positions, and the error types every other module raises."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field  # `field` is also a Finding attribute
from typing import NamedTuple, TypedDict


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


# Findings about a ref that resolves to nothing: a removed-in-use at the same ref says more.
UNRESOLVED = frozenset({"dangling-ref", "unsatisfied-ref"})

# Rule id -> default severity. The rule ids are part of the public contract (SPEC section 4).
RULES: dict[str, Severity] = {
    "yaml-syntax": Severity.ERROR,
    "schema": Severity.ERROR,
    "duplicate": Severity.ERROR,
    "dangling-ref": Severity.ERROR,
    "unsatisfied-ref": Severity.ERROR,
    "ref-kind": Severity.ERROR,
    "unknown-tool": Severity.ERROR,
    "cycle": Severity.ERROR,
    "path-escape": Severity.ERROR,
    "template": Severity.ERROR,
    "undeclared-variable": Severity.WARNING,
    "missing-owner": Severity.ERROR,
    "unknown-owner": Severity.ERROR,
    "inactive-owner": Severity.WARNING,
    "sunset-passed": Severity.ERROR,
    "sunset-soon": Severity.WARNING,
    "deprecated-dependency": Severity.INFO,
    "orphan-adapter": Severity.WARNING,
    "unused-artifact": Severity.INFO,
    "dataset-license": Severity.WARNING,
    "retention-expired": Severity.WARNING,
    "unpinned-ref": Severity.INFO,
    "version-not-bumped": Severity.ERROR,
    "version-decreased": Severity.ERROR,
    "removed-in-use": Severity.ERROR,
    "lifecycle-unknown": Severity.INFO,
    "version-skew": Severity.WARNING,
    "drift": Severity.WARNING,
    "state-stale": Severity.WARNING,
    "undeclared-running": Severity.ERROR,
    "rollout-stalled": Severity.WARNING,
    "state-file": Severity.ERROR,
    "embedding-mismatch": Severity.ERROR,
    "dimension-mismatch": Severity.ERROR,
    "index-stale": Severity.WARNING,
    "consent-revoked": Severity.WARNING,
    "undeclared-model": Severity.WARNING,
    "undeclared-mcp-server": Severity.WARNING,
    "adapter-base-mismatch": Severity.ERROR,
    "unreferenced-pin": Severity.INFO,
    "import-drift": Severity.WARNING,
    "unreadable-source": Severity.ERROR,
    "import-ambiguous": Severity.WARNING,
}

# What each rule means, in one line (SARIF rule descriptions, `--format github` titles, docs).
RULE_HELP: dict[str, str] = {
    "yaml-syntax": "The file is not valid YAML (or not UTF-8, too large, or an alias bomb).",
    "schema": "A declaration does not match its kind: missing or unknown field, wrong type, "
              "bad name, version or ref.",
    "duplicate": "The same kind/name@version is declared twice.",
    "dangling-ref": "A ref names an artifact that is not declared.",
    "unsatisfied-ref": "The artifact exists but no declared version satisfies the range.",
    "ref-kind": "A ref of the wrong kind for its field.",
    "unknown-tool": "#tool names a tool the MCP server does not declare.",
    "cycle": "A dependency cycle.",
    "path-escape": "A templateFile or declaration file leads out of the registry.",
    "template": "A Jinja2 syntax error, or an include not listed in includes.",
    "undeclared-variable": "The template uses a variable not listed in variables.",
    "missing-owner": "No owner on a kind that needs one.",
    "unknown-owner": "The owner is not a declared team, or a user in no team.",
    "inactive-owner": "The owner team is inactive, or the user is only in inactive teams.",
    "sunset-passed": "Uses something whose sunset day has passed.",
    "sunset-soon": "Uses something whose sunset day is within the deprecation window.",
    "deprecated-dependency": "Uses something deprecated that has no sunset day.",
    "orphan-adapter": "An adapter whose base model, owner or training data is gone, or that "
                      "nothing uses.",
    "unused-artifact": "Nothing depends on it.",
    "dataset-license": "A dataset license is missing, NOASSERTION, or not a valid SPDX "
                       "expression.",
    "retention-expired": "A dataset whose retention day has passed.",
    "unpinned-ref": "A ref to a versioned artifact with no version range.",
    "version-not-bumped": "Content changed but the version did not.",
    "version-decreased": "A version went down.",
    "removed-in-use": "A version with no successor was removed while something still refers "
                      "to it.",
    "lifecycle-unknown": "An API-hosted model pin with no known retirement record (silence is "
                         "not safety).",
    "version-skew": "Environments of one stage run different versions of one artifact.",
    "drift": "An environment's observed state differs from its desired state.",
    "state-stale": "An observed-state file older than policy.stateMaxAgeHours.",
    "undeclared-running": "An observed version or digest that no declaration has.",
    "rollout-stalled": "A partial rollout whose share has not moved for longer than maxSkew.",
    "state-file": "An observed-state file that is missing, not JSON, or not in the format.",
    "embedding-mismatch": "Queries embedded with a different model than the index they "
                          "search.",
    "dimension-mismatch": "An index's dimensions differ from its embedding model's.",
    "index-stale": "An index built from an older dataset version than the newest one "
                   "declared in its major line.",
    "consent-revoked": "An adapter or index built on data a consent revocation affects; an "
                       "error after the revocation's deadline.",
    "undeclared-model": "Code uses a model id that no Model declares (check --scan).",
    "undeclared-mcp-server": "An MCP client config names a server that no McpServer declares "
                             "(check --scan).",
    "adapter-base-mismatch": "An adapter_config.json's base model differs from its Adapter's "
                             "baseModel (check --scan).",
    "unreferenced-pin": "A declared Model pin that no scanned code uses (check --scan).",
    "import-drift": "A source file recorded by `aireg import` changed since it was imported.",
    "unreadable-source": "A file given to `aireg import`, or an MCP or adapter config that "
                         "scan reads, is not valid in its format.",
    "import-ambiguous": "`aireg import` could not tell what a source means, and wrote nothing "
                        "for that part rather than guess.",
}


# Positions are NamedTuples: a large registry makes hundreds of thousands of them, and a
# frozen dataclass costs several times more to create.
class Span(NamedTuple):
    """A 1-based position in a file; `path` is relative to the repository root."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class Pointer(NamedTuple):
    """A place inside a YAML document, located lazily (only when a finding needs it).

    `keys` walks from the document root; `on_key` points at the mapping key instead of its
    value. `text_line` is a 1-based line inside a multi-line string value (a template), and
    `text_hint` a name used there (a template variable), to find the exact place in the file.
    """

    path: str
    doc: int
    keys: tuple[str | int, ...] = ()
    on_key: bool = False
    text_line: int | None = None
    text_hint: str | None = None

    def child(self, *keys: str | int, on_key: bool = False) -> Pointer:
        return Pointer(self.path, self.doc, self.keys + keys, on_key=on_key)


# Where a finding is: a file position, or a place in a document that is located only when
# the finding is shown (locate.Locator turns it into a Span).
SpanOrPointer = Span | Pointer


def dotted(keys: tuple[str | int, ...]) -> str | None:
    """The field a path of keys names, without list indices (`spec.includes`): an item's
    index moves when another is inserted before it, its field does not."""
    names = [key for key in keys if isinstance(key, str)]
    return ".".join(names) if names else None


class About(TypedDict, total=False):
    """What a finding is about, as `finding(...)` takes it (see Finding)."""

    subject: str | None
    field: str | None
    value: str | None


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    at: SpanOrPointer
    related: tuple[SpanOrPointer, ...] = ()
    # What the finding is about, which is what identifies it across revisions: the
    # declaration (node id), the field (dotted, no list indices) and the ref or value there.
    subject: str | None = None
    field: str | None = None
    value: str | None = None
    # The highest severity policy lets this finding have (a deadline whose day is not
    # firm, under policy.estimatedDates); applied after the per-rule overrides.
    ceiling: Severity | None = dataclass_field(default=None, compare=False, repr=False)

    @property
    def fingerprint(self) -> str:
        """A stable hash of the rule, the subject's kind/name (no version), the field and the
        value: the same finding keeps it when its message, line, file or version changes.

        A finding about no declaration (a file that does not parse) has only its file to
        tell it apart, so the file's path stands in for the subject.
        """
        subject = (self.subject.partition("@")[0] if self.subject is not None
                   else "file:" + self.at.path)
        text = "\0".join([self.rule, subject, self.field or "", self.value or ""])
        # A path that is not UTF-8 reaches here with its bytes as surrogates.
        import hashlib  # here: loading OpenSSL is a tenth of `aireg --version`

        return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]

    @property
    def span(self) -> Span:
        if not isinstance(self.at, Span):
            raise TypeError("finding has not been located; call Locator.locate first")
        return self.at

    def sort_key(self) -> tuple[str, int, int, str, str]:
        span = self.span
        return (span.path, span.line, span.column, self.rule, self.message)

    def with_severity(self, severity: Severity) -> Finding:
        return replace(self, severity=severity)


def finding(rule: str, message: str, at: SpanOrPointer, related: tuple[SpanOrPointer, ...] = (), *,
            subject: str | None = None, field: str | None = None,
            value: str | None = None) -> Finding:
    """A finding at its rule's default severity (the registry's overrides apply later).

    `subject`, `field` and `value` say what it is about (see Finding); left out, they are
    read from where `at` points (registry.subjects).
    """
    return Finding(rule, RULES[rule], message, at, related, subject, field, value)


class ExitCode(enum.IntEnum):
    """The exit codes of `aireg` (SPEC section 6), the only ones it ends with."""

    OK = 0  # done; no finding at or above failOn
    FINDINGS = 1  # findings at or above failOn, or a registry too broken for the request
    USAGE = 2  # a usage error, no registry, an unknown revision, a ref that does not resolve
    INTERNAL = 3  # a bug in aireg


class AiregError(Exception):
    """An error the user can fix: reported as one line, exit code 2."""

    exit_code = ExitCode.USAGE


class RegistryNotFound(AiregError):
    pass


class GitRequired(AiregError):
    pass


class RevisionNotFound(AiregError):
    pass


class RefArgumentError(AiregError):
    """A ref given on the command line that does not parse or resolve."""


class RegistryBroken(AiregError):
    """The registry has errors that make the requested output meaningless (exit 1): the
    findings that block it are reported before the one-line error."""

    exit_code = ExitCode.FINDINGS

    def __init__(self, message: str, blocking: list[Finding] | None = None) -> None:
        super().__init__(message)
        self.blocking = blocking or []


def with_overrides(findings: list[Finding], overrides: dict[str, str]) -> list[Finding]:
    """The severities a registry's policy sets (rule -> error, warning, info or off: those
    set to `off` are dropped); a finding with a ceiling (a deadline whose day is not firm)
    is then capped at it."""
    out: list[Finding] = []
    for item in findings:
        level = overrides.get(item.rule)
        if level == "off":
            continue
        if level:
            item = item.with_severity(Severity(level))
        if item.ceiling is not None and item.severity.rank > item.ceiling.rank:
            item = item.with_severity(item.ceiling)
        out.append(item)
    return out
