"""The bodies of `aireg status`, `aireg digest` and `aireg history --env` (SPEC section 11);
cli/main.py declares their options and writes what these return."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from registry.findings import AiregError
from registry.render import Format

if TYPE_CHECKING:
    from registry.environments import Environments
    from registry.project import Project


def parse_now(text: str) -> dt.datetime:
    """--now: an RFC 3339 date-time with a zone."""
    from registry.environments import parse_time

    when = parse_time(text)
    if when is None:
        raise AiregError(f"--now takes an RFC 3339 date-time with a zone, such as "
                         f"2026-01-05T14:00:00Z, not `{text}`")
    return when


def environments(project: Project) -> Environments:
    from registry.environments import Environments

    return Environments(project.catalog, project.graph, project.location, project.now)


def status(project: Project, env: str | None, fmt: str) -> str:
    from registry.render import status as out
    from registry.rules import apply_policy

    envs = environments(project)
    if env is not None and envs.named(env) is None:
        known = ", ".join(e.name for e in envs.envs) or "none"
        raise AiregError(f"no Environment `{env}` is declared (environments: {known})")
    report = envs.status(env)
    located = project.locate(apply_policy(list(report.findings), project.loaded.config))
    report = type(report)(report.environments, report.rows, tuple(located), report.now)
    match Format(fmt):
        case Format.TEXT:
            return out.text(report)
        case Format.JSON:
            return out.json(report)
        case Format.MARKDOWN:
            return out.markdown(report)
        case other:
            raise AssertionError(other)


def digest(project: Project, decl_ref: str) -> str:
    from registry.digest import Digests
    from registry.refs import Ref

    found = project.catalog.lookup(decl_ref)
    chosen = project.catalog.resolve(Ref.parse(decl_ref)) or found[-1]
    return Digests(project.catalog).of(chosen) + "\n"


def env_history(project: Project, env: str, artifact: str | None, fmt: str) -> str:
    from registry import environments as analysis
    from registry.findings import GitRequired
    from registry.refs import Ref
    from registry.render import status as out

    if project.location.toplevel is None:
        raise GitRequired("history needs git, and this registry is not inside a git repository")
    name = None
    if artifact is not None:
        ref = Ref.parse(artifact) if "/" in artifact else None
        if ref is None:
            raise AiregError(f"`{artifact}` is not a ref; write kind/name, such as "
                             "prompt/house-style")
        name = f"{ref.kind}/{ref.name}"
    found = analysis.history(environments(project), env, name)
    match Format(fmt):
        case Format.TEXT:
            return out.history_text(found)
        case Format.JSON:
            return out.history_json(found)
        case other:
            raise AssertionError(other)
