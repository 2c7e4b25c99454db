"""MCP client configs -> McpServer declarations.

Claude Code's `.mcp.json` and Claude Desktop's `claude_desktop_config.json` hold
`mcpServers: {name: {command, args, env} | {type: http|sse, url, headers}}`; VS Code's
`.vscode/mcp.json` holds `servers` in the same shape (JSON with comments) and `inputs`, the
prompts for secrets it substitutes as `${input:id}`. Only the names of environment variables
are kept, never their values.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from ..scan import ConfigError, mcp_servers, server_name
from . import Context, Draft, Source, ambiguous, problem

_NPX_PACKAGE = re.compile(r"^(@?[a-z0-9][\w.-]*(?:/[\w.-]+)?)(?:@([0-9][\w.+-]*))?$")
_SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$")
_DOCKER_VALUED = frozenset({"-e", "--env", "-v", "--volume", "-p", "--publish", "--name",
                            "--network", "-w", "--workdir", "--env-file", "-u", "--user"})
_SECRET_WORDS = ("TOKEN", "KEY", "SECRET", "PASSWORD", "PAT", "AUTH")


def read(source: Source, context: Context) -> list[Draft]:
    try:
        servers, holder, positions = mcp_servers(source.text, source.path)
    except ConfigError as error:
        raise problem(source, f"this MCP client config is {error.message}" if
                      error.message.startswith("not valid") else error.message,
                      error.line, error.column) from None
    if not servers:
        raise problem(source, f"this MCP client config names no servers under `{holder}`; "
                      "nothing to import")
    context.holds.append((source.path, "McpServer",
                          frozenset(server_name(name) for name in servers),
                          f"{source.path} no longer configures it"))
    drafts = []
    for name, line, column in positions:
        entry = servers[name]
        draft = _server(source, context, name, entry, line, column)
        if draft is not None:
            drafts.append(draft)
    return drafts


def _server(source: Source, context: Context, name: str, entry: Any, line: int,
            column: int) -> Draft | None:
    if not isinstance(entry, dict):
        context.findings.append(ambiguous(
            source, f"server `{name}` is not an object with command or url; it is not "
            "imported", line, column))
        return None
    kind = entry.get("type")
    fields: dict[str, Any] = {}
    version = "1.0.0"
    url = entry.get("url")
    if isinstance(url, str) and kind in (None, "http", "sse", "streamable-http"):
        fields["spec.transport"] = "sse" if kind == "sse" else "http"
        fields["spec.url"] = url
        headers = entry.get("headers")
        secret = isinstance(headers, dict) and any(
            str(k).lower() in ("authorization", "x-api-key") for k in headers)
        fields["spec.auth"] = "token" if secret else "none"
    elif isinstance(entry.get("command"), str) and kind in (None, "stdio"):
        args = entry.get("args", [])
        if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
            context.findings.append(ambiguous(
                source, f"server `{name}` has `args` that are not a list of strings; it is "
                "not imported", line, column))
            return None
        command = [entry["command"], *args]
        fields["spec.transport"] = "stdio"
        fields["spec.command"] = shlex.join(command)
        package = _package(command)
        if package is not None:
            fields["spec.package"] = package
            if _SEMVER.match(str(package.get("version", ""))):
                version = str(package["version"])
        env = entry.get("env")
        names = sorted(str(k) for k in env) if isinstance(env, dict) else []
        names = [n for n in names if re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", n)]
        fields["spec.auth"] = "token" if any(
            word in n.upper() for n in names for word in _SECRET_WORDS) else "none"
        if names:
            fields["spec.env"] = names
    else:
        context.findings.append(ambiguous(
            source, f"server `{name}` has neither a `command` (stdio) nor a `url` (http, sse) "
            f"that aireg can read (type: {kind}); it is not imported", line, column))
        return None
    # Nothing in a client config says who runs the server: third-party until an owner says
    # otherwise (a hand-edited value is kept on the next import).
    fields["spec.trust"] = "third-party"
    return Draft("McpServer", server_name(name), fields, version)


def _package(command: list[str]) -> dict[str, Any] | None:
    """The package a launcher runs: `npx -y @scope/pkg@1.2.3`, `uvx pkg==1.0`, `docker run
    image:tag`."""
    program = command[0].rsplit("/", 1)[-1]
    rest = [a for a in command[1:] if not a.startswith("-")]
    if program in ("npx", "bunx", "pnpx") and rest:
        found = _NPX_PACKAGE.match(rest[0])
        if found:
            out: dict[str, Any] = {"ecosystem": "npm", "name": found.group(1)}
            if found.group(2):
                out["version"] = found.group(2)
            return out
    if program in ("uvx", "pipx") and rest:
        name, _, pinned = rest[0].partition("==")
        out = {"ecosystem": "pypi", "name": name}
        if pinned:
            out["version"] = pinned
        return out
    if program in ("docker", "podman") and "run" in command:
        after = command[command.index("run") + 1:]
        images, skip = [], False
        for arg in after:
            if skip:
                skip = False
            elif arg in _DOCKER_VALUED:
                skip = True
            elif not arg.startswith("-"):
                images.append(arg)
        if images:
            image, _, tag = images[0].partition(":")
            out = {"ecosystem": "oci", "name": image}
            if tag:
                out["version"] = tag
            return out
    return None
