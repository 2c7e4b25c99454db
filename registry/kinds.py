"""One pydantic model per declaration kind, plus the registry configuration (`aireg.yaml`).

Attribute names are the YAML keys themselves (camelCase), so a validation error's location is
the path a user reads in the file. Every model forbids unknown fields.
"""

from __future__ import annotations

import datetime as dt
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


class Deprecation(Strictly):
    announced: Day | None = None
    sunset: Day | None = None
    replacement: RefText | None = None
    reason: Text | None = None


class Metadata(Strictly):
    name: Name
    version: Version | None = None
    owner: Owner | None = None
    description: Text | None = None
    labels: dict[Text, Text] = Field(default_factory=dict)
    deprecation: Deprecation | None = None


class VersionedMetadata(Metadata):
    version: Version


class TeamMetadata(Strictly):
    name: Name
    description: Text | None = None
    labels: dict[Text, Text] = Field(default_factory=dict)
    deprecation: Deprecation | None = None


class Declaration(Strictly):
    apiVersion: Literal["aireg/v1"]
    kind: str
    metadata: Metadata | TeamMetadata
    spec: Any

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


class ModelSpec(Strictly):
    provider: Provider
    modelId: Text
    revision: Text | None = None
    task: Task | None = None
    hosting: Literal["api", "self-hosted"] = "api"
    endpoint: Text | None = None
    license: Text | None = None
    digest: Digest | None = None
    contextWindow: PositiveInt | None = None
    dimensions: PositiveInt | None = Field(
        default=None, description="For an embedding model: the length of the vectors it "
        "returns (an index it embeds must have as many)")

    @model_validator(mode="after")
    def _dimensions_for_embeddings(self) -> ModelSpec:
        if self.dimensions is not None and self.task not in (None, "embedding"):
            raise ValueError(f"`dimensions` is for embedding models, and this one is `task: "
                             f"{self.task}`; remove it, or set task: embedding")
        return self


class Model(Declaration):
    kind: Literal["Model"]
    metadata: Metadata
    spec: ModelSpec


# --- Prompt ---------------------------------------------------------------------------------


class PromptSpec(Strictly):
    template: Text | None = None
    templateFile: Text | None = None
    includes: list[RefText] = Field(default_factory=list)
    variables: list[Text] = Field(default_factory=list)
    model: RefText | None = None
    tools: list[RefText] = Field(default_factory=list)
    uses: list[RefText] = Field(
        default_factory=list, description="The vector indexes the prompt retrieves from "
        "(index/<name>@range)")
    queryModel: RefText | None = Field(
        default=None, description="The model that embeds this prompt's retrieval queries "
        "(model/...); default: each index's own embeddingModel")

    @model_validator(mode="after")
    def _one_template(self) -> PromptSpec:
        if (self.template is None) == (self.templateFile is None):
            raise ValueError("give exactly one of `template` (inline text) or `templateFile` "
                             "(a path relative to this file)")
        return self


class Prompt(Declaration):
    kind: Literal["Prompt"]
    metadata: VersionedMetadata
    spec: PromptSpec


# --- Adapter --------------------------------------------------------------------------------


class Artifact(Strictly):
    uri: Text
    digest: Digest | None = None


class AdapterSpec(Strictly):
    baseModel: RefText
    method: Literal["lora", "qlora", "dora", "prefix-tuning", "full-finetune", "other"]
    datasets: list[RefText] = Field(default_factory=list)
    evalDatasets: list[RefText] = Field(default_factory=list)
    artifact: Artifact | None = None
    hyperparameters: dict[Text, Scalar] = Field(default_factory=dict)
    metrics: dict[Text, Scalar] = Field(default_factory=dict)
    trainedAt: Day | None = None


class Adapter(Declaration):
    kind: Literal["Adapter"]
    metadata: VersionedMetadata
    spec: AdapterSpec


# --- Dataset --------------------------------------------------------------------------------


class DataSource(Strictly):
    uri: Text | None = None
    digest: Digest | None = None


class Retention(Strictly):
    until: Day


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
    source: DataSource | None = None
    license: Text | None = None
    classification: Literal["public", "internal", "confidential", "restricted"] | None = None
    personalData: Flag | None = None
    retention: Retention | None = None
    derivedFrom: list[DerivedFrom] = Field(
        default_factory=list, description="The datasets this one was made from: refs, or "
        "{ref, step, tool, digest} naming the transformation")
    records: Annotated[int, Strict(), Field(ge=0)] | None = None
    consent: Consent | None = Field(
        default=None, description="The lawful basis of the data and the uses it covers")
    excludes: list[RefText] = Field(
        default_factory=list, description="The revocations (revocation/<name>) whose subjects "
        "this version no longer holds")

    def derived_refs(self) -> list[str]:
        """The refs of `derivedFrom`, whichever way each entry is written."""
        return [item if isinstance(item, str) else item.ref for item in self.derivedFrom]


class Dataset(Declaration):
    kind: Literal["Dataset"]
    metadata: VersionedMetadata
    spec: DatasetSpec


# --- McpServer ------------------------------------------------------------------------------


class Package(Strictly):
    ecosystem: Literal["npm", "pypi", "oci", "cargo", "go", "nuget", "maven", "other"]
    name: Text
    version: Text | None = None


class Tool(Strictly):
    name: Annotated[str, Strict(), StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.:-]*$")]
    description: Text | None = None
    digest: Digest | None = None


class McpServerSpec(Strictly):
    transport: Literal["stdio", "http", "sse"]
    url: Text | None = None
    command: Text | None = None
    package: Package | None = None
    auth: Literal["none", "oauth", "token"] = "none"
    trust: Literal["first-party", "third-party"]
    tools: list[Tool] = Field(default_factory=list)

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
    kind: Literal["McpServer"]
    metadata: VersionedMetadata
    spec: McpServerSpec


# --- Feature, Eval, Team --------------------------------------------------------------------


class FeatureSpec(Strictly):
    tier: Literal["critical", "high", "medium", "low"] = "medium"
    uses: list[RefText] = Field(default_factory=list)
    queryModel: RefText | None = Field(
        default=None, description="The model that embeds the feature's retrieval queries "
        "against the indexes in `uses` (model/...); default: each index's embeddingModel")


class Feature(Declaration):
    kind: Literal["Feature"]
    metadata: Metadata
    spec: FeatureSpec


class EvalSpec(Strictly):
    covers: list[RefText] = Field(default_factory=list)
    datasets: list[RefText] = Field(default_factory=list)
    command: Text | None = None


class Eval(Declaration):
    kind: Literal["Eval"]
    metadata: VersionedMetadata
    spec: EvalSpec


class TeamSpec(Strictly):
    members: list[Annotated[str, Strict(), StringConstraints(pattern=rf"^{NAME_PATTERN}$")]] = (
        Field(default_factory=list))
    contact: Text | None = None
    active: Flag = True


class Team(Declaration):
    kind: Literal["Team"]
    metadata: TeamMetadata
    spec: TeamSpec = Field(default_factory=TeamSpec)


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
    kind: Literal["VectorIndex"]
    metadata: VersionedMetadata
    spec: VectorIndexSpec


class RevocationMetadata(TeamMetadata):
    """A revocation is one event, so it has no version; it has an owner (who handles it)."""

    owner: Owner | None = Field(default=None, description="Who handles the revocation: "
                                "team/<name> or user/<handle>")


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
    kind: Literal["Revocation"]
    metadata: RevocationMetadata
    spec: RevocationSpec


KINDS: dict[str, type[Declaration]] = {
    cls.__name__: cls for cls in (Model, Prompt, Adapter, Dataset, McpServer, Feature, Eval, Team,
                                  VectorIndex, Revocation)
}
# Kinds whose declarations must carry a version, may carry one, or must not.
VERSIONED = frozenset({"Prompt", "Adapter", "Dataset", "McpServer", "Eval", "VectorIndex"})
UNVERSIONED = frozenset({"Team", "Revocation"})

AnyDeclaration = Annotated[
    Model | Prompt | Adapter | Dataset | McpServer | Feature | Eval | Team | VectorIndex
    | Revocation,
    Field(discriminator="kind"),
]


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
    deprecationWindowDays: Annotated[int, Strict(), Field(ge=0)] = 90
    failOn: Literal["error", "warning"] = "error"
    rules: dict[RuleId, Level] = Field(default_factory=dict)
    # The highest severity of a sunset finding whose day is not firm (estimated or
    # not-before); `ignore` drops such findings from check.
    estimatedDates: Literal["warning", "error", "ignore"] = "warning"


class RegistrySpec(Strictly):
    include: list[Text] = Field(default_factory=lambda: ["**/*.yaml", "**/*.yml"])
    exclude: list[Text] = Field(default_factory=list)
    policy: Policy = Field(default_factory=Policy)
    retirements: Text = "bundled"


class RegistryMetadata(Strictly):
    name: Name
    description: Text | None = None


class RegistryConfig(Strictly):
    apiVersion: Literal["aireg/v1"]
    kind: Literal["Registry"]
    metadata: RegistryMetadata
    spec: RegistrySpec = Field(default_factory=RegistrySpec)
