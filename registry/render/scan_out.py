"""The JSON schema of `aireg scan --format json` (registry.render.scan writes the output
itself, without these models, so that a scan answered from the snapshot imports none)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .fields import Out, RegistryName, version_field
from .json import FindingOut


class UseOut(Out):
    kind: Literal["model", "mcp-server", "adapter"] = Field(
        description="what is used: a model id, an MCP server or an adapter's base model")
    path: str = Field(description="relative to the repository root, forward slashes")
    line: int = Field(description="the line in `path`, from 1")
    column: int = Field(description="the column in `line`, from 1")
    text: str = Field(description="the id, server name or base model as written")
    id: str = Field(description="model ids: normalised as the retirement data normalises "
                    "them (for the first platform); servers: the declaration name; adapters: "
                    "the base model")
    platforms: list[str] = Field(description="model ids: the platforms the spelling may be "
                                 "sent to; empty for servers and adapters")
    deployment: bool = Field(description="an Azure OpenAI deployment name, not a model id")
    coveredBy: str | None = Field(description="the declaration that covers the use "
                                  "(kind/name@version), or null when none does")


class ScanOut(Out):
    version: Literal[1] = version_field(1)
    registry: RegistryName
    files: int = Field(description="files read")
    uses: list[UseOut] = Field(description="every use found, by path, line and column")
    findings: list[FindingOut] = Field(description="the scan rules' findings")
