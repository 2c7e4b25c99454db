"""The base of every JSON output model, and the fields many outputs share, each described
once here (the descriptions are the schemas' text in schemas/output/)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


NodeText = Annotated[str, Field(description="a node id: kind/name@version, or kind/name for "
                                "a kind without versions (team/ml)")]
KindText = Annotated[str, Field(description="the declaration's kind (Model, Prompt, ...)")]
OwnerText = Annotated[str | None, Field(description="the owner, team/<name> or "
                                        "user/<handle>; null when none is declared")]
TeamOwner = Annotated[str, Field(description="an owner, team/<name> or user/<handle>")]
Contacts = Annotated[list[str], Field(description="the contacts of the owner's teams, as "
                                      "their spec.contact says")]
RegistryName = Annotated[str, Field(description="the registry's name (metadata.name in "
                                    "aireg.yaml)")]
Day = Annotated[str, Field(description="YYYY-MM-DD")]
Label = Annotated[str, Field(description="the edge: includes, model, tool, base-model, "
                             "trained-on, ...")]
Tier = Annotated[str, Field(description="the feature's tier: critical, high, medium or low")]
HighestTier = Annotated[str | None, Field(description="the highest tier of the features "
                                          "reached; null when none is")]
Evals = Annotated[list[str], Field(description="the Evals among the dependents: the ones to "
                                   "run")]
Features = Annotated[list[str], Field(description="the Features that depend on it")]


def version_field(number: int) -> Any:
    """The `version` of an output: its format, which goes up on a breaking change."""
    return Field(number, description="the version of this output's format; it goes up when "
                 "a field is removed or changes meaning (docs/outputs.md)")
