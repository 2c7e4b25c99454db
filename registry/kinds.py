"""One pydantic model per declaration kind, plus the registry configuration (`aireg.yaml`).

Attribute names are the YAML keys themselves (camelCase), so a validation error's location is
the path a user reads in the file. Every model forbids unknown fields.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Strict,
    StringConstraints,
    Tag,
    WithJsonSchema,
    model_validator,
)

from .findings import RULES
from .refs import NAME_MAX, NAME_PATTERN, SEMVER_PATTERN, Ref, RefSyntaxError, suggest

API_VERSION = "aireg/v1"
DIGEST_PATTERN = r"^sha256:[0-9a-f]{64}$"
OWNER_PATTERN = rf"^(team|user)/{NAME_PATTERN}$"


def _version_text(value: Any) -> Any:
    # PyYAML reads `1.10` as the float 1.1: say what to write rather than "expected string".
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    raw = getattr(value, "raw", None) or str(value)
    parts = raw.split(".")
    full = ".".join([*parts, "0", "0"][:3]) if all(p.isdigit() for p in parts) else "1.0.0"
    raise ValueError(
        f"`{raw}` is read by YAML as the number {float(value):g}; write a full version such as "
        f"{full}"
    )


def _check_ref(value: str) -> str:
    try:
        Ref.parse(value)
    except RefSyntaxError as error:
        raise ValueError(str(error)) from None
    return value


def _day(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise ValueError("must be a day written YYYY-MM-DD, without a time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            if len(value) == 10:
                return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"`{value}` is not a day; write it as YYYY-MM-DD")


Text = Annotated[str, Strict()]
Name = Annotated[
    str, Strict(), StringConstraints(pattern=rf"^{NAME_PATTERN}$", max_length=NAME_MAX)]
Version = Annotated[
    str, BeforeValidator(_version_text), Strict(),
    StringConstraints(pattern=rf"^{SEMVER_PATTERN}$")]
Owner = Annotated[str, Strict(), StringConstraints(pattern=OWNER_PATTERN)]
Digest = Annotated[str, Strict(), StringConstraints(pattern=DIGEST_PATTERN)]
RefText = Annotated[str, Strict(), AfterValidator(_check_ref)]
Day = Annotated[dt.date, BeforeValidator(_day)]
RefList = list[RefText]  # for a model with a field named `list`
Scalar = (Annotated[str, Strict()] | Annotated[int, Strict()] | Annotated[float, Strict()]
          | Annotated[bool, Strict()])
PositiveInt = Annotated[int, Strict(), Field(gt=0)]
Flag = Annotated[bool, Strict()]

# Human descriptions of the patterns above, for schema error messages.
PATTERN_HELP: dict[str, str] = {
    rf"^{NAME_PATTERN}$": "a name of lowercase letters, digits, `.`, `_` and `-`, "
    "starting with a letter or digit",
    rf"^{SEMVER_PATTERN}$": "a full SemVer version such as 1.0.0 or 2.0.0-rc.1",
    OWNER_PATTERN: "team/<name> or user/<handle>",
    DIGEST_PATTERN: "sha256: followed by 64 lowercase hex digits",
}


class Strictly(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Descriptions are the editor's hover help (schemas/) and the declaration reference (docs/),
# so each field says what it holds, what it accepts and its default, in the user's words.
API_HELP = "The format version of this declaration: always `aireg/v1`."
KIND_HELP = ("What this declaration is: Model, Prompt, Adapter, Dataset, McpServer, Feature, "
             "Eval, Team, Environment, VectorIndex or Revocation.")
METADATA_HELP = "The declaration's name, version, owner and other facts about it."
SPEC_HELP = "What the kind itself declares (its fields are listed with the kind)."
NAME_HELP = ("The artifact's name, unique within its kind: lowercase letters, digits, `.`, `_` "
             f"and `-`, starting with a letter or digit, at most {NAME_MAX} characters.")
DESCRIPTION_HELP = "What the artifact is for, in a sentence."
LABELS_HELP = "Free-form labels, string to string (such as `tier: shared`)."
DEPRECATION_HELP = ("Set when the artifact is on its way out: when that was announced, the "
                    "day after which nothing may use it, and what replaces it.")
OWNER_HELP = ("Who answers for it: `team/<name>` (a declared Team) or `user/<handle>` (a member "
              "of an active Team).")
VERSION_HELP = ("The version, a full SemVer string such as `3.1.0` or `2.0.0-rc.1` (not "
                "`1.10`, which YAML reads as the number 1.1).")


class Deprecation(Strictly):
    announced: Day | None = Field(None, description="The day the deprecation was announced "
                                  "(YYYY-MM-DD).")
    sunset: Day | None = Field(None, description="The day after which nothing may depend on "
                               "it (YYYY-MM-DD); users get a warning as it comes near and an "
                               "error once it has passed.")
    replacement: RefText | None = Field(None, description="A ref to what users should move "
                                        "to, such as `prompt/house-style@^4`.")
    reason: Text | None = Field(None, description="Why it is deprecated, in a sentence.")


class Metadata(Strictly):
    name: Name = Field(description=NAME_HELP)
    version: Version | None = Field(None, description=VERSION_HELP + " Optional on Model and "
                                    "Feature.")
    owner: Owner | None = Field(None, description=OWNER_HELP + " Without one, check reports "
                                "missing-owner.")
    description: Text | None = Field(None, description=DESCRIPTION_HELP)
    labels: dict[Text, Text] = Field(default_factory=dict, description=LABELS_HELP)
    deprecation: Deprecation | None = Field(None, description=DEPRECATION_HELP)


class VersionedMetadata(Metadata):
    version: Version = Field(description=VERSION_HELP + " Required on this kind.")


class TeamMetadata(Strictly):
    name: Name = Field(description=NAME_HELP + " Owners name the team as `team/<name>`.")
    description: Text | None = Field(None, description=DESCRIPTION_HELP)
    labels: dict[Text, Text] = Field(default_factory=dict, description=LABELS_HELP)
    deprecation: Deprecation | None = Field(None, description=DEPRECATION_HELP)


class EnvironmentMetadata(Strictly):
    name: Name = Field(description=NAME_HELP + " Refs name it as `env/<name>`.")
    owner: Owner | None = Field(None, description=OWNER_HELP)
    description: Text | None = Field(None, description=DESCRIPTION_HELP)
    labels: dict[Text, Text] = Field(default_factory=dict, description=LABELS_HELP)
    deprecation: Deprecation | None = Field(None, description=DEPRECATION_HELP)


class Declaration(Strictly):
    apiVersion: Literal["aireg/v1"] = Field(description=API_HELP)
    kind: str = Field(description=KIND_HELP)
    metadata: Metadata | TeamMetadata | EnvironmentMetadata = Field(description=METADATA_HELP)
    spec: Any = Field(description=SPEC_HELP)

    @property
    def name(self) -> str:
        return self.metadata.name

    @property
    def version(self) -> str | None:
        return getattr(self.metadata, "version", None)

    @property
    def owner(self) -> str | None:
        return getattr(self.metadata, "owner", None)


# --- Model ----------------------------------------------------------------------------------

Provider = Literal[
    "openai", "anthropic", "google", "vertex-ai", "azure-openai", "bedrock", "mistral",
    "cohere", "huggingface", "self-hosted", "other",
]
Task = Literal[
    "chat", "text-generation", "embedding", "reranking", "classification", "image-generation",
    "speech", "other",
]


# --- Model cards (Model and Adapter) --------------------------------------------------------

EnergyPhase = Literal["design", "data-collection", "data-preparation", "training", "fine-tuning",
                      "validation", "deployment", "inference", "other"]
Approach = Literal["supervised", "unsupervised", "reinforcement-learning", "semi-supervised",
                   "self-supervised"]


class Architecture(Strictly):
    family: Text | None = Field(default=None, description=(
        "The architecture family, such as transformer or llama (CycloneDX "
        "modelParameters.architectureFamily)."))
    name: Text | None = Field(default=None, description=(
        "The specific architecture, such as LlamaForCausalLM (CycloneDX "
        "modelParameters.modelArchitecture)."))


class EthicalRisk(Strictly):
    name: Text = Field(description="The risk, in a few words (CycloneDX "
                       "considerations.ethicalConsiderations[].name).")
    mitigation: Text | None = Field(default=None, description="What is done about it "
                                    "(mitigationStrategy).")


class Fairness(Strictly):
    group: Text = Field(description="The group at risk (considerations.fairnessAssessments[]."
                        "groupAtRisk).")
    benefits: Text | None = Field(default=None, description="The expected benefits to the group.")
    harms: Text | None = Field(default=None, description="The harms the group may suffer.")
    mitigation: Text | None = Field(default=None, description="What is done about the harms.")


class EnergyUse(Strictly):
    phase: EnergyPhase = Field(description="The lifecycle activity the energy was spent on "
                               "(environmentalConsiderations.energyConsumptions[].activity).")
    kWh: Annotated[float, Field(ge=0)] = Field(description="Energy spent in that phase, in "
                                               "kilowatt-hours.")


class Card(Strictly):
    """A model card: what the model is, what it is for, and what to watch for."""

    architecture: Architecture | None = Field(default=None, description=(
        "The model's architecture family and name."))
    inputs: list[Text] = Field(default_factory=list, description=(
        "Input formats, such as text or image (modelParameters.inputs[].format)."))
    outputs: list[Text] = Field(default_factory=list, description=(
        "Output formats (modelParameters.outputs[].format)."))
    intendedUse: Text | None = Field(default=None, description=(
        "What the model is used for here (considerations.useCases)."))
    users: list[Text] = Field(default_factory=list, description=(
        "Who uses its output (considerations.users)."))
    limitations: list[Text] = Field(default_factory=list, description=(
        "Known technical limitations (considerations.technicalLimitations)."))
    ethicalRisks: list[EthicalRisk] = Field(default_factory=list, description=(
        "Ethical risks, each with its mitigation (considerations.ethicalConsiderations)."))
    fairness: list[Fairness] = Field(default_factory=list, description=(
        "Fairness assessments by group at risk (considerations.fairnessAssessments)."))
    energy: list[EnergyUse] = Field(default_factory=list, description=(
        "Energy spent per lifecycle phase (considerations.environmentalConsiderations)."))
    documentation: Text | None = Field(default=None, description=(
        "URL of the model card or documentation (externalReferences type model-card)."))
    download: Text | None = Field(default=None, description=(
        "URL the weights can be downloaded from (externalReferences type distribution)."))


class ModelSpec(Strictly):
    provider: Provider = Field(description="Who serves the model, or where its weights come "
                               "from.")
    modelId: Text = Field(description="The exact identifier sent to the provider, or the "
                          "weights' repository id (such as `gpt-4o-2024-08-06`).")
    revision: Text | None = Field(None, description="The weights' revision (Hugging Face or "
                                  "self-hosted), or the model version on azure-openai.")
    task: Task | None = Field(None, description="What the model is used for.")
    hosting: Literal["api", "self-hosted"] = Field("api", description="Called through a "
                                                   "provider's API (default) or run on your "
                                                   "own machines.")
    endpoint: Text | None = Field(None, description="The URL the model is called at.")
    license: Text | None = Field(None, description="An SPDX license expression, or "
                                 "`proprietary`.")
    digest: Digest | None = Field(None, description="The weights' digest, `sha256:` and 64 "
                                  "lowercase hex digits (self-hosted weights).")
    contextWindow: PositiveInt | None = Field(None, description="The most tokens the model "
                                              "takes in one request.")
    card: Card | None = Field(default=None, description="The model card: architecture, inputs "
                              "and outputs, intended use, limitations, risks, energy, links.")
    dimensions: PositiveInt | None = Field(
        None, description="For an embedding model: the length of the vectors it returns (an "
        "index it embeds must have as many).")

    @model_validator(mode="after")
    def _dimensions_for_embeddings(self) -> ModelSpec:
        if self.dimensions is not None and self.task not in (None, "embedding"):
            raise ValueError(f"`dimensions` is for embedding models, and this one is `task: "
                             f"{self.task}`; remove it, or set task: embedding")
        return self


class Model(Declaration):
    kind: Literal["Model"] = Field(description=KIND_HELP)
    metadata: Metadata = Field(description=METADATA_HELP)
    spec: ModelSpec = Field(description="A model pin: which model, from whom, at which "
                            "revision.")


# --- Prompt ---------------------------------------------------------------------------------


class PromptSpec(Strictly):
    template: Text | None = Field(None, description="The Jinja2 template, inline. Give this "
                                  "or `templateFile`, not both.")
    templateFile: Text | None = Field(None, description="The template's file, relative to "
                                      "this YAML file and inside the registry. Give this or "
                                      "`template`, not both.")
    includes: list[RefText] = Field(default_factory=list, description="Refs to the prompts "
                                    "the template may `{% include %}` by kind/name, such as "
                                    "`prompt/house-style@^3`.")
    variables: list[Text] = Field(default_factory=list, description="The template's declared "
                                  "inputs; a variable used but not declared is a finding.")
    model: RefText | None = Field(None, description="A ref to the Model the prompt is written "
                                  "for, such as `model/gpt-4o-2024-08-06`.")
    tools: list[RefText] = Field(default_factory=list, description="Refs to the MCP tools it "
                                 "calls, such as `mcp/zendesk@^2#search_tickets`.")
    uses: list[RefText] = Field(
        default_factory=list, description="Refs to the vector indexes the prompt retrieves "
        "from, such as `index/help-center@^5`.")
    queryModel: RefText | None = Field(
        None, description="A ref to the Model that embeds this prompt's retrieval queries; "
        "default: each index's own embeddingModel.")
    templateLanguage: Literal["jinja2", "handlebars", "mustache"] | None = Field(
        default=None, description="The template's language when it is not Jinja2 (an imported "
        "Dotprompt file is Handlebars): aireg then neither parses nor renders it.")

    @model_validator(mode="after")
    def _one_template(self) -> PromptSpec:
        if (self.template is None) == (self.templateFile is None):
            raise ValueError("give exactly one of `template` (inline text) or `templateFile` "
                             "(a path relative to this file)")
        return self


class Prompt(Declaration):
    kind: Literal["Prompt"] = Field(description=KIND_HELP)
    metadata: VersionedMetadata = Field(description=METADATA_HELP)
    spec: PromptSpec = Field(description="A prompt template, what it includes and what it "
                             "calls.")


# --- Adapter --------------------------------------------------------------------------------


class Artifact(Strictly):
    uri: Text = Field(description="Where the trained weights are stored, such as "
                      "`s3://models/ticket-classifier/1.2.0/`.")
    digest: Digest | None = Field(None, description="The weights' digest, `sha256:` and 64 "
                                  "lowercase hex digits.")


class AdapterSpec(Strictly):
    baseModel: RefText = Field(description="A ref to the Model it was trained from, such as "
                               "`model/llama-3-8b-instruct`.")
    method: Literal["lora", "qlora", "dora", "prefix-tuning", "full-finetune", "other"] = (
        Field(description="How it was trained."))
    datasets: list[RefText] = Field(default_factory=list, description="Refs to the Datasets "
                                    "it was trained on.")
    evalDatasets: list[RefText] = Field(default_factory=list, description="Refs to the "
                                        "Datasets it was tested on.")
    artifact: Artifact | None = Field(None, description="Where the trained weights are, and "
                                      "their digest.")
    hyperparameters: dict[Text, Scalar] = Field(default_factory=dict, description="Training "
                                                "settings, name to string, number or "
                                                "boolean (such as `rank: 32`).")
    metrics: dict[Text, Scalar] = Field(default_factory=dict, description="Measured results, "
                                        "name to string, number or boolean (such as "
                                        "`f1: 0.91`).")
    trainedAt: Day | None = Field(None, description="The day training finished (YYYY-MM-DD).")
    approach: Approach | None = Field(default=None, description=(
        "The learning approach of the fine-tune (CycloneDX modelParameters.approach.type); "
        "left out of the BOM when not declared."))
    card: Card | None = Field(default=None, description="The adapter's model card: "
                              "architecture, inputs and outputs, intended use, limitations, "
                              "risks, energy, links.")


class Adapter(Declaration):
    kind: Literal["Adapter"] = Field(description=KIND_HELP)
    metadata: VersionedMetadata = Field(description=METADATA_HELP)
    spec: AdapterSpec = Field(description="A fine-tune: its base model, method, data and "
                              "weights.")


# --- Dataset --------------------------------------------------------------------------------


class DataSource(Strictly):
    uri: Text | None = Field(None, description="Where the data is, such as "
                             "`s3://data/support-tickets/2.0.0/`.")
    digest: Digest | None = Field(None, description="The data's digest, `sha256:` and 64 "
                                  "lowercase hex digits.")


class Retention(Strictly):
    until: Day = Field(description="The day after which the data must be purged "
                       "(YYYY-MM-DD); past it, check reports retention-expired.")


class DerivedStep(Strictly):
    """A `derivedFrom` entry that records how the data was made from its source."""

    ref: RefText = Field(description="The dataset this one was made from (dataset/...)")
    step: Text | None = Field(default=None, description="The transformation, such as filter, "
                              "dedupe, reweight, merge or redact")
    tool: Text | None = Field(default=None, description="What ran the step: a program and its "
                              "version, or a pipeline name")
    digest: Digest | None = Field(default=None, description="sha256 of the step's code commit or "
                                  "configuration, so the step can be rerun")


def _derived_tag(value: Any) -> str:
    return "step-object" if isinstance(value, dict | DerivedStep) else "ref-text"


# The tags pydantic puts in error locations of the unions above; a location a user reads
# has none of them.
UNION_TAGS = frozenset({"ref-text", "step-object"})
DerivedFrom = Annotated[
    Annotated[RefText, Tag("ref-text")] | Annotated[DerivedStep, Tag("step-object")],
    Discriminator(_derived_tag)]

ConsentUse = Literal["model-training", "fine-tuning", "evaluation", "retrieval", "analytics",
                     "product-improvement", "other"]


class Consent(Strictly):
    basis: Literal["consent", "contract", "legitimate-interest", "public"] = Field(
        description="The lawful basis the data is processed under")
    uses: list[ConsentUse] = Field(
        default_factory=list, description="The uses that basis covers, such as model-training "
        "and evaluation")


class DatasetSpec(Strictly):
    source: DataSource | None = Field(None, description="Where the data is, and its digest.")
    license: Text | None = Field(None, description="An SPDX license expression (such as "
                                 "`CC-BY-4.0`), or `proprietary`; missing or NOASSERTION is "
                                 "a dataset-license finding.")
    classification: Literal["public", "internal", "confidential", "restricted"] | None = (
        Field(None, description="How sensitive the data is."))
    personalData: Flag | None = Field(None, description="Whether the data holds personal "
                                      "data.")
    retention: Retention | None = Field(None, description="How long the data may be kept.")
    derivedFrom: list[DerivedFrom] = Field(
        default_factory=list, description="The Datasets this one was made from: refs, or "
        "`{ref, step, tool, digest}` naming the transformation that made it.")
    records: Annotated[int, Strict(), Field(ge=0)] | None = Field(None, description="How "
                                                                  "many records it holds.")
    consent: Consent | None = Field(
        None, description="The lawful basis the data is processed under, and the uses it "
        "covers.")
    excludes: list[RefText] = Field(
        default_factory=list, description="Refs to the Revocations (`revocation/<name>`) whose "
        "subjects this version was made without.")

    def derived_refs(self) -> list[str]:
        """The refs of `derivedFrom`, whichever way each entry is written."""
        return [item if isinstance(item, str) else item.ref for item in self.derivedFrom]


class Dataset(Declaration):
    kind: Literal["Dataset"] = Field(description=KIND_HELP)
    metadata: VersionedMetadata = Field(description=METADATA_HELP)
    spec: DatasetSpec = Field(description="Data used for training, evaluation or retrieval, "
                              "and its governance.")


# --- McpServer ------------------------------------------------------------------------------


class Package(Strictly):
    ecosystem: Literal["npm", "pypi", "oci", "cargo", "go", "nuget", "maven", "other"] = (
        Field(description="The package registry it comes from."))
    name: Text = Field(description="The package's name there, such as `@acme/zendesk-mcp`.")
    version: Text | None = Field(None, description="The package version that is run.")


class Tool(Strictly):
    name: Annotated[str, Strict(), StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.:-]*$")
                    ] = Field(description="The tool's name, as refs name it after `#` "
                              "(`mcp/zendesk@^2#search_tickets`).")
    description: Text | None = Field(None, description="What the tool does, as the server "
                                     "describes it.")
    digest: Digest | None = Field(None, description="A digest of the tool's canonical {name, "
                                  "description, inputSchema}, `sha256:` and 64 lowercase hex "
                                  "digits, so a changed tool is noticed.")


class McpServerSpec(Strictly):
    transport: Literal["stdio", "http", "sse"] = Field(description="How clients talk to it: "
                                                       "`stdio` needs `command`, `http` and "
                                                       "`sse` need `url`.")
    url: Text | None = Field(None, description="Where an http or sse server listens.")
    command: Text | None = Field(None, description="How a stdio server is started, such as "
                                 "`npx -y @acme/zendesk-mcp@2.3.0`.")
    package: Package | None = Field(None, description="The package the server is run from.")
    auth: Literal["none", "oauth", "token"] = Field("none", description="How clients "
                                                    "authenticate (default none).")
    trust: Literal["first-party", "third-party"] = Field(description="Whether your "
                                                         "organisation wrote it or someone "
                                                         "else did.")
    tools: list[Tool] = Field(default_factory=list, description="The tools it offers; each "
                              "name at most once.")
    env: list[Annotated[str, Strict(), StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]] = (
        Field(default_factory=list, description="The names of the environment variables the "
              "server is started with (never their values)."))

    @model_validator(mode="after")
    def _transport_fields(self) -> McpServerSpec:
        if self.transport == "stdio" and self.command is None:
            raise ValueError("a stdio server needs `command`: how to start it")
        if self.transport in ("http", "sse") and self.url is None:
            raise ValueError(f"an {self.transport} server needs `url`")
        names = [tool.name for tool in self.tools]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"tool `{repeated[0]}` is listed twice in `tools`")
        return self


class McpServer(Declaration):
    kind: Literal["McpServer"] = Field(description=KIND_HELP)
    metadata: VersionedMetadata = Field(description=METADATA_HELP)
    spec: McpServerSpec = Field(description="An MCP server: how it is reached and the tools "
                                "it offers.")


# --- Feature, Eval, Team --------------------------------------------------------------------


class FeatureSpec(Strictly):
    tier: Literal["critical", "high", "medium", "low"] = Field("medium", description="How "
                                                               "much users depend on it "
                                                               "(default medium).")
    uses: list[RefText] = Field(default_factory=list, description="Refs to what it is built "
                                "from: prompts, models, adapters, MCP tools, datasets, other "
                                "features (any kind but Team).")
    queryModel: RefText | None = Field(
        None, description="A ref to the Model that embeds the feature's retrieval queries "
        "against the indexes in `uses`; default: each index's own embeddingModel.")


class Feature(Declaration):
    kind: Literal["Feature"] = Field(description=KIND_HELP)
    metadata: Metadata = Field(description=METADATA_HELP)
    spec: FeatureSpec = Field(description="An AI feature that users see, and what it uses.")


class EvalSpec(Strictly):
    covers: list[RefText] = Field(default_factory=list, description="Refs to what it "
                                  "evaluates (any kind).")
    datasets: list[RefText] = Field(default_factory=list, description="Refs to the Datasets "
                                    "it evaluates with.")
    command: Text | None = Field(None, description="How to run it, such as `promptfoo eval -c "
                                 "evals/support.yaml`.")


class Eval(Declaration):
    kind: Literal["Eval"] = Field(description=KIND_HELP)
    metadata: VersionedMetadata = Field(description=METADATA_HELP)
    spec: EvalSpec = Field(description="An evaluation suite: what it covers and how to run "
                           "it.")


class TeamSpec(Strictly):
    members: list[Annotated[str, Strict(), StringConstraints(pattern=rf"^{NAME_PATTERN}$")]] = (
        Field(default_factory=list, description="The members' handles; `user/<handle>` is an "
              "owner while the handle is in an active team."))
    contact: Text | None = Field(None, description="How to reach the team, such as a chat "
                                 "channel (`#support-ai`).")
    active: Flag = Field(True, description="Whether the team still exists (default true); "
                         "an inactive team's artifacts need a new owner.")


class Team(Declaration):
    kind: Literal["Team"] = Field(description=KIND_HELP)
    metadata: TeamMetadata = Field(description=METADATA_HELP + " A Team has no version or "
                                   "owner.")
    spec: TeamSpec = Field(default_factory=TeamSpec, description="Who is in the team and how "
                           "to reach it.")


# --- Environment (SPEC section 11) -----------------------------------------------------------

_DURATION = re.compile(r"^([1-9][0-9]{0,5})([mhd])$")
_DURATION_UNITS = {"m": 60, "h": 3600, "d": 86400}


def duration_seconds(text: str) -> int:
    """`30m`, `2h`, `1d` in seconds (the text has passed the Duration pattern)."""
    found = _DURATION.match(text)
    assert found is not None
    return int(found[1]) * _DURATION_UNITS[found[2]]


Duration = Annotated[str, Strict(), StringConstraints(pattern=_DURATION.pattern)]
PATTERN_HELP[_DURATION.pattern] = "a duration: a number with m, h or d, such as 30m, 2h or 1d"


class EnvironmentSpec(Strictly):
    stage: Literal["development", "staging", "production"] = Field(
        description="Where it stands in the rollout order: development, staging, production.")
    regions: list[Text] = Field(default_factory=list,
                                description="The regions it serves, such as eu-west-1.")
    deploys: list[RefText] = Field(
        default_factory=list,
        description="Features or artifacts it runs, resolved at the revision with everything "
                    "they use; a ref to an artifact (prompt/house-style@3.1.0) pins that "
                    "artifact's version here, overriding what features resolve to.")
    observed: Text | None = Field(
        None, description="The observed-state JSON file the CD system writes back, relative to "
                          "the registry root (schemas/observed-state.schema.json).")
    maxSkew: Duration | None = Field(
        None, description="How long versions may differ across the stage, or a partial "
                          "rollout may stand still: a number with m, h or d (30m, 2h, 1d).")


class Environment(Declaration):
    kind: Literal["Environment"] = Field(description=KIND_HELP)
    metadata: EnvironmentMetadata = Field(description=METADATA_HELP + " An Environment has no "
                                          "version.")
    spec: EnvironmentSpec = Field(description="Where it runs, what it deploys, and where its "
                                  "observed state is written back.")


# --- VectorIndex, Revocation (SPEC section 12) -----------------------------------------------


class Store(Strictly):
    type: Text = Field(description="The vector store: pgvector, pinecone, weaviate, chroma, "
                       "qdrant, ...")
    uri: Text = Field(description="Where the index lives: a connection string with its table, "
                      "or a collection URL")


class VectorIndexSpec(Strictly):
    embeddingModel: RefText = Field(description="The model that embedded the records "
                                    "(model/...); queries must be embedded by the same model")
    dimensions: PositiveInt = Field(description="The length of the stored vectors")
    metric: Literal["cosine", "dot", "euclidean"] = Field(
        description="The distance the index compares vectors with")
    store: Store = Field(description="Where the vectors are kept")
    builtFrom: list[RefText] = Field(
        default_factory=list, description="The datasets (corpora) embedded into it: pin the "
        "versions it was built from, such as dataset/help-center-corpus@4.1.0")
    builtAt: Day | None = Field(default=None, description="The day the index was built, "
                                "YYYY-MM-DD")


class VectorIndex(Declaration):
    kind: Literal["VectorIndex"] = Field(description=KIND_HELP)
    metadata: VersionedMetadata = Field(description=METADATA_HELP)
    spec: VectorIndexSpec = Field(description="A vector index: the model that embedded it, its "
                                  "vectors, its store and the corpora it holds.")


class RevocationMetadata(TeamMetadata):
    """A revocation is one event, so it has no version; it has an owner (who handles it)."""

    name: Name = Field(description=NAME_HELP + " Datasets name it as `revocation/<name>`.")
    owner: Owner | None = Field(None, description="Who handles the revocation: `team/<name>` "
                                "or `user/<handle>`.")


class ListFile(Strictly):
    uri: Text = Field(description="Where the list of revoked subjects is kept")
    digest: Digest = Field(description="sha256 of that list, so every exclusion uses the same "
                           "one")


class RevocationSpec(Strictly):
    received: Day = Field(description="The day the withdrawals were received, YYYY-MM-DD")
    deadline: Day = Field(description="The day by which the data must be gone from what was "
                          "built on it, YYYY-MM-DD")
    affects: RefList = Field(
        min_length=1, description="The dataset versions that hold the subjects' data "
        "(dataset/<name>@<version or range>)")
    subjects: Annotated[int, Strict(), Field(ge=0)] = Field(
        description="How many people withdrew")
    list: ListFile = Field(description="The list of subjects: where it is and its digest")

    @model_validator(mode="after")
    def _in_order(self) -> RevocationSpec:
        if self.deadline < self.received:
            raise ValueError(f"`deadline` {self.deadline} is before `received` "
                             f"{self.received}; fix one of the days")
        return self


class Revocation(Declaration):
    kind: Literal["Revocation"] = Field(description=KIND_HELP)
    metadata: RevocationMetadata = Field(description="The revocation's name, owner and "
                                         "description; it has no version.")
    spec: RevocationSpec = Field(description="Withdrawals of consent: when, by how many "
                                 "people, the data they affect and where their list is.")


KINDS: dict[str, type[Declaration]] = {
    cls.__name__: cls for cls in (Model, Prompt, Adapter, Dataset, McpServer, Feature, Eval, Team,
                                  Environment, VectorIndex, Revocation)
}
# Kinds whose declarations must carry a version, may carry one, or must not.
VERSIONED = frozenset({"Prompt", "Adapter", "Dataset", "McpServer", "Eval", "VectorIndex"})
UNVERSIONED = frozenset({"Team", "Environment", "Revocation"})



# --- Registry configuration (aireg.yaml) ----------------------------------------------------

def _off(value: Any) -> Any:
    # YAML 1.1 reads an unquoted `off` as false; SPEC writes `unused-artifact: off`.
    return "off" if value is False else value


def _known_rule(value: str) -> str:
    if value not in RULES:
        raise ValueError(f"unknown rule `{value}`{suggest(value, list(RULES))}")
    return value


Level = Annotated[Literal["error", "warning", "info", "off"], BeforeValidator(_off)]
RuleId = Annotated[str, Strict(), AfterValidator(_known_rule),
                   WithJsonSchema({"type": "string", "enum": sorted(RULES)})]


class Policy(Strictly):
    deprecationWindowDays: Annotated[int, Strict(), Field(ge=0)] = Field(
        90, description="A sunset within this many days is a warning (default 90).")
    failOn: Literal["error", "warning"] = Field("error", description="check exits 1 when a "
                                                "finding is at this severity or above "
                                                "(default error).")
    rules: dict[RuleId, Level] = Field(default_factory=dict, description="Per-rule severity, "
                                       "rule id to error, warning, info or off (off drops the "
                                       "rule's findings).")
    estimatedDates: Literal["warning", "error", "ignore"] = Field(
        "warning", description="The highest severity of a sunset whose day is only estimated "
        "or not-before (default warning); ignore leaves such findings out.")
    stateMaxAgeHours: PositiveInt = Field(
        24, description="An observed-state file whose observedAt is older than this many hours "
                        "is reported by state-stale (default 24).")


class Supplier(Strictly):
    name: Text = Field(description="The organisation that supplies what the registry declares.")
    url: Text | None = Field(default=None, description="Its web address.")
    contact: Text | None = Field(default=None, description="An e-mail address to reach it.")


class RegistrySpec(Strictly):
    include: list[Text] = Field(default_factory=lambda: ["**/*.yaml", "**/*.yml"],
                                description="Globs of the declaration files, relative to the "
                                "registry root (default every .yaml and .yml file).")
    exclude: list[Text] = Field(default_factory=list, description="Globs of files to leave "
                                "out, relative to the registry root (default none).")
    policy: Policy = Field(default_factory=Policy, description="How severe each rule is, and "
                           "what makes check fail.")
    retirements: Text = Field("bundled", description="The known model retirements to check "
                              "against: `bundled` (the data shipped with aireg, default), "
                              "`none`, or the path of the registry's own retirements file, "
                              "added to the bundled data.")
    supplier: Supplier | None = Field(default=None, description=(
        "The organisation behind the registry: the supplier and manufacturer in BOM metadata, "
        "and the supplier of what it makes (adapters, prompts, features, evals)."))
    license: Text | None = Field(default=None, description=(
        "An SPDX expression: the license of the registry's declarations, written into BOM "
        "metadata."))


class RegistryMetadata(Strictly):
    name: Name = Field(description="The registry's name, used in BOM metadata and report "
                       "titles.")
    description: Text | None = Field(None, description="What the registry holds, in a "
                                     "sentence.")


class RegistryConfig(Strictly):
    apiVersion: Literal["aireg/v1"] = Field(description=API_HELP)
    kind: Literal["Registry"] = Field(description="Always `Registry`: aireg.yaml holds the "
                                      "registry's settings.")
    metadata: RegistryMetadata = Field(description="The registry's name and description.")
    spec: RegistrySpec = Field(default_factory=RegistrySpec, description="Which files are "
                               "declarations, and the checking policy.")
