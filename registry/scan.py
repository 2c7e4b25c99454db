"""`aireg scan`: what a repository's code and configs use, found by reading every file once.

Three kinds of use are found:

- **model ids** in Python, TypeScript/JavaScript, YAML, JSON, TOML, `.env` examples and the
  front matter of Jinja/Markdown/Dotprompt/Prompty prompt files, spelt as providers and
  their SDKs spell them: bare ids (`gpt-4o-2024-08-06`, `claude-3-5-sonnet-20241022`),
  routing prefixes (`openai/`, `anthropic/`, `gemini/`, `vertex_ai/`, `bedrock/`, `azure/`,
  promptfoo's `openai:chat:`), Bedrock inference profiles and ARNs, Vertex `@` versions and
  publisher paths, Azure deployment names (`azure_deployment=`, `AZURE_OPENAI_DEPLOYMENT=`),
  and Hugging Face repo ids given to `from_pretrained`. Each is normalised as the retirement
  data normalises ids (`modelids.normalize`), so one Model pin covers every spelling;
- **MCP servers** named in client configs: `.mcp.json` and `claude_desktop_config.json`
  (`mcpServers`), `.vscode/mcp.json` (`servers`, JSON with comments), `.cursor/mcp.json`;
- **adapters**: each PEFT `adapter_config.json` with its base model.

A line holding `aireg: ignore` is not read for model ids (a comment about an old model).
Vendored, generated and binary files are skipped, and each file is read once.
"""

from __future__ import annotations

import json
import operator
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import ahocorasick_rs

from .files import READ_FLAGS, Tree, read_descriptor
from .findings import Finding, Span, finding
from .modelids import normalize

UseKind = Literal["model", "mcp-server", "adapter"]
How = Literal["code", "front", "env", "mcp", "adapter"]  # how a file is read

# Folders that hold other people's code, generated output or tool state.
SKIPPED_FOLDERS = frozenset({
    ".git", ".hg", ".svn", "node_modules", ".venv", "venv", "env", ".env", "__pycache__",
    ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages", "dist",
    "build", ".next", ".nuxt", ".svelte-kit", ".turbo", ".parcel-cache", "coverage",
    ".terraform", "target", "vendor", "bower_components", ".gradle", ".idea", ".eggs",
})
CODE_SUFFIXES = frozenset({
    ".py", ".pyi", ".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs", ".yaml",
    ".yml", ".json", ".jsonc", ".toml",
})
# Prompt files: only their front matter names a model; the body is prose.
FRONT_MATTER_SUFFIXES = frozenset({".md", ".markdown", ".j2", ".jinja", ".jinja2", ".prompt",
                                   ".prompty"})
ENV_EXAMPLES = frozenset({".env.example", ".env.sample", ".env.template", ".env.dist",
                          "example.env", "sample.env", ".env.defaults"})
LOCK_FILES = frozenset({"package-lock.json", "pnpm-lock.yaml", "yarn.lock", "poetry.lock",
                        "uv.lock", "Pipfile.lock", "composer.lock", "Cargo.lock"})
MCP_CONFIGS = (".mcp.json", "claude_desktop_config.json")
MCP_FOLDER_CONFIGS = (".vscode/mcp.json", ".cursor/mcp.json")
ADAPTER_CONFIG = "adapter_config.json"
# Past this size a file is data, not code or config.
MAX_SCAN_BYTES = 4 * 1024 * 1024
IGNORE_MARK = "aireg: ignore"

_BEDROCK_VENDOR = (r"(?:anthropic|meta|amazon|ai21|cohere|mistral|writer|twelvelabs|deepseek|"
                   r"qwen|openai|minimax|moonshot|moonshotai|nvidia|zai|stability|luma)")
_BEDROCK_PROFILE = r"(?:us-gov|us|eu|apac|global|au|jp|ca)\."
_OPENAI = (r"(?:gpt-[0-9][a-z0-9.-]*|chatgpt-[a-z0-9.-]+|o[1-9](?:-[a-z0-9.-]+)?|"
           r"text-embedding-(?:3-small|3-large|ada-002)|dall-e-[23]|whisper-1|tts-1(?:-hd)?|"
           r"gpt-image-[0-9a-z.-]+|davinci-002|babbage-002)")
_ANTHROPIC = r"claude-[a-z0-9.-]*[a-z0-9](?:@[0-9a-z]+)?"
_GOOGLE = (r"(?:gemini-[a-z0-9.-]*[a-z0-9]|gemma-[a-z0-9.-]*[a-z0-9]|text-embedding-00[0-9]|"
           r"text-multilingual-embedding-00[0-9])(?:@[0-9a-z]+)?")
_MISTRAL = (r"(?:mistral|open-mistral|open-mixtral|codestral|pixtral|ministral|magistral|"
            r"devstral)-[a-z0-9.-]*[a-z0-9]")
_COHERE = (r"(?:command-(?:r|a|light|nightly|r-plus|r7b)(?:-[a-z0-9.-]*[a-z0-9])?|"
           r"embed-(?:english|multilingual)-[a-z0-9.-]*[a-z0-9]|"
           r"rerank-(?:english|multilingual|v[0-9])[a-z0-9.-]*[a-z0-9])")
_ID_CHAR = r"A-Za-z0-9._:@/-"
# One pass over a file finds every spelling; the group that matched says which it is.
_PATTERN = re.compile(
    rf"(?<![{_ID_CHAR}])(?:"
    # Bedrock: an ARN or bedrock/ route, an optional profile, a vendor, the model.
    rf"(?P<bedrock>(?:arn:aws[a-z-]*:bedrock:[a-z0-9-]*:[0-9]*:"
    rf"(?:foundation-model|inference-profile|application-inference-profile)/|"
    rf"bedrock/(?:[a-z0-9_-]+/)*)?(?:{_BEDROCK_PROFILE})?{_BEDROCK_VENDOR}\."
    rf"[a-z0-9]+-[a-z0-9.:-]*[0-9][a-z0-9.:-]*)"
    # Vertex AI: a publisher path or vertex_ai/ route, or an `@` version.
    rf"|(?P<vertex>(?:vertex_ai/|vertex:(?:chat:|embedding:)?|"
    rf"(?:projects/[a-z0-9-]+/locations/[a-z0-9-]+/)?publishers/(?:google|anthropic)/models/)"
    rf"(?:{_ANTHROPIC}|{_GOOGLE})|(?:claude|gemini)-[a-z0-9.-]*[a-z0-9]@[0-9a-z]+)"
    # Azure OpenAI: a deployment name after azure/ or promptfoo's azure:chat:.
    rf"|(?:azure/|azure_text/|azure:(?:chat|completion|embedding|responses):)"
    rf"(?P<azure>[A-Za-z0-9][A-Za-z0-9._-]*)"
    # A routing prefix of one provider, then a bare id.
    rf"|(?P<route>openai/|text-completion-openai/|openai:(?:chat:|completion:|embedding:|"
    rf"responses:)?|anthropic/|anthropic:(?:messages:|completion:)?|gemini/|models/|google:|"
    rf"mistral/|mistral:|cohere/|cohere_chat/)?(?:(?P<openai>{_OPENAI})|"
    rf"(?P<anthropic>{_ANTHROPIC})|(?P<google>{_GOOGLE})|(?P<mistral>{_MISTRAL})|"
    rf"(?P<cohere>{_COHERE}))"
    rf")(?![{_ID_CHAR}])"
    # Azure deployments set by name, and Hugging Face weights loaded by repo id.
    r"|(?:azure_deployment|deployment_name|azure_deployment_name|AZURE_OPENAI_DEPLOYMENT"
    r"(?:_NAME)?|AZURE_OPENAI_CHAT_DEPLOYMENT(?:_NAME)?|deploymentName)[\"']?\s*[:=]\s*"
    r"[\"'`]?(?P<deployment>[A-Za-z0-9][A-Za-z0-9._-]*)"
    r"|from_pretrained\(\s*[\"'](?P<hf>[A-Za-z0-9][\w.-]*/[\w.-]+)[\"']"
)
# Cheap first test, each word found by str's own search (far faster than one regex of
# alternatives): a file with none of these holds no model id.
HINTS = (
    "gpt-", "claude", "gemini", "gemma", "o1", "o3", "o4", "text-embedding", "dall-e",
    "whisper", "tts-1", "davinci", "babbage", "mistral", "mixtral", "codestral", "pixtral",
    "ministral", "magistral", "devstral", "command-", "embed-", "rerank-", "bedrock",
    "anthropic.", "meta.", "amazon.", "ai21.", "cohere.", "writer.", "deepseek.", "qwen.",
    "openai.", "nvidia.", "stability.", "luma.", "minimax.", "moonshot", "twelvelabs.", "zai.",
    "azure", "deployment", "from_pretrained", "_DEPLOYMENT",
)


# One automaton finds every hint in one pass (a str search per word costs 10x more on a
# large repository: measured in benchmarks/scan_bench.py).
_HINT_BYTES = ahocorasick_rs.BytesAhoCorasick([word.encode() for word in HINTS])
_HINT_TEXT = ahocorasick_rs.AhoCorasick(list(HINTS))


def hinted(data: bytes) -> bool:
    return bool(_HINT_BYTES.find_matches_as_indexes(data))


# Candidate platforms of an id by its spelling: a bare Claude id may be sent to Anthropic,
# Bedrock or Vertex AI, and a declared pin on any of them covers it.
_BARE_PLATFORMS: dict[str, tuple[str, ...]] = {
    "openai": ("openai", "azure-openai"),
    "anthropic": ("anthropic", "bedrock", "vertex-ai"),
    "google": ("google", "vertex-ai"),
    "mistral": ("mistral",),
    "cohere": ("cohere", "bedrock"),
}
_ROUTE_PLATFORMS: dict[str, str] = {
    "openai/": "openai", "text-completion-openai/": "openai", "anthropic/": "anthropic",
    "gemini/": "google", "models/": "google", "google:": "google", "mistral/": "mistral",
    "mistral:": "mistral", "cohere/": "cohere", "cohere_chat/": "cohere",
}
# Providers whose pins name ids that aireg does not normalise: compared as written.
LITERAL_PROVIDERS = frozenset({"huggingface", "self-hosted", "other"})


@dataclass(frozen=True)
class Use:
    """One use found in a file: a model id, an MCP server or an adapter."""

    kind: UseKind
    path: str  # from the repository root
    line: int
    column: int
    text: str  # as written
    platforms: tuple[str, ...] = ()  # model ids: the platforms it may be sent to
    id: str = ""  # model ids: normalised for platforms[0]; servers: the name; adapters: base
    deployment: bool = False  # an Azure deployment name, not a model id
    detail: str | None = None  # servers: url or command; adapters: the base's revision

    @property
    def span(self) -> Span:
        return Span(self.path, self.line, self.column)


@dataclass
class ScanResult:
    uses: list[Use] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    files: int = 0  # files read


_PROMPTFOO_PREFIX = re.compile(
    r"^(?:openai:(?:chat:|completion:|embedding:|responses:)?|anthropic:(?:messages:|"
    r"completion:)?|google:|mistral:|vertex:(?:chat:|embedding:)?)")


def bare(text: str) -> str:
    """An id without promptfoo's provider prefix (`openai:chat:gpt-4o` -> `gpt-4o`); the
    routing prefixes the retirement data knows are left for `normalize`."""
    return _PROMPTFOO_PREFIX.sub("", text)


def platforms_of(match: re.Match[str]) -> tuple[tuple[str, ...], str, bool]:
    """The candidate platforms, the normalised id and whether it is an Azure deployment."""
    text = match.group(0)
    if match.group("bedrock"):
        return ("bedrock",), normalize("bedrock", text), False
    if match.group("vertex"):
        body = re.sub(r"^vertex:(?:chat:|embedding:)?", "", text)
        return ("vertex-ai",), normalize("vertex-ai", body), False
    if match.group("azure"):
        return ("azure-openai",), match.group("azure").lower(), True
    if match.group("deployment"):
        return ("azure-openai",), match.group("deployment").lower(), True
    if match.group("hf"):
        return ("huggingface",), match.group("hf").lower(), False
    route = match.group("route")
    for family, platforms in _BARE_PLATFORMS.items():
        body = match.group(family)
        if body is None:
            continue
        if route is not None:
            platform = _ROUTE_PLATFORMS.get(route) or route.split(":")[0]
            return (platform,), normalize(platform, body), False
        return platforms, normalize(platforms[0], body), False
    raise AssertionError(text)  # pragma: no cover - every alternative has a group


class _Lines:
    """1-based line and column of an offset, with the line starts found once per file."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        self.starts.extend(m.end() for m in re.finditer(r"\n", text))

    def position(self, offset: int) -> tuple[int, int]:
        import bisect

        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def line_text(self, line: int) -> str:
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        return self.text[start:end]


def model_uses(path: str, text: str, start: int = 0, end: int | None = None) -> list[Use]:
    """The model ids written in `text` (between `start` and `end`): the pattern runs only
    over the lines that hold a hint."""
    stop = len(text) if end is None else end
    hits = _HINT_TEXT.find_matches_as_indexes(text[start:stop] if start or end else text)
    if not hits:
        return []
    import bisect

    lines = _Lines(text)
    starts, count = lines.starts, len(lines.starts)
    numbers = {bisect.bisect_right(starts, start + first) for _, first, _ in hits}
    spans = set()
    for number in numbers:  # 1-based line numbers: each line is searched once
        finish = starts[number] - 1 if number < count else len(text)
        spans.add((max(starts[number - 1], start), min(finish, stop)))
    out: list[Use] = []
    matches = (m for begin, finish in sorted(spans)
               for m in _PATTERN.finditer(text, begin, finish))
    for match in matches:
        platforms, normalised, deployment = platforms_of(match)
        group = next(name for name in ("azure", "deployment", "hf") if match.group(name)) \
            if (deployment or platforms == ("huggingface",)) else None
        offset = match.start(group) if group else match.start()
        line, column = lines.position(offset)
        if IGNORE_MARK in lines.line_text(line):
            continue
        written = match.group(group) if group else match.group(0)
        out.append(Use("model", path, line, column, written, platforms, normalised,
                       deployment))
    return out


def front_matter_end(text: str) -> int:
    """Where a file's leading `---` front matter ends (0 when it has none)."""
    if not text.startswith("---"):
        return 0
    found = re.search(r"\n---[ \t]*(?:\r?\n|$)", text)
    return found.start() if found else 0


# --- JSON configs -------------------------------------------------------------------------

_JSONC = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/|,(?=\s*[}\]])', re.DOTALL)


def strip_jsonc(text: str) -> str:
    """JSON with comments and trailing commas (VS Code's format) as JSON, each removed
    character replaced by a space so that every position stays where it was."""
    def blank(match: re.Match[str]) -> str:
        found = match.group(0)
        if found.startswith('"'):
            return found
        return re.sub(r"[^\n]", " ", found)
    return _JSONC.sub(blank, text)


class ConfigError(Exception):
    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


def read_json(text: str, comments: bool = False) -> Any:
    try:
        return json.loads(strip_jsonc(text) if comments else text)
    except json.JSONDecodeError as error:
        raise ConfigError(f"not valid JSON: {error.msg}", error.lineno, error.colno) from None


def key_position(text: str, key: str, after: int = 0) -> tuple[int, int]:
    """The line and column of `"key":` in JSON text, at or after offset `after`."""
    found = re.compile(r'"' + re.escape(json.dumps(key)[1:-1]) + r'"\s*:').search(text, after)
    offset = found.start() if found else after
    return _Lines(text).position(offset)


def key_offset(text: str, key: str, after: int = 0) -> int:
    found = re.compile(r'"' + re.escape(json.dumps(key)[1:-1]) + r'"\s*:').search(text, after)
    return found.start() if found else after


def mcp_servers(text: str, rel: str) -> tuple[dict[str, Any], str, list[tuple[str, int, int]]]:
    """The servers an MCP client config declares (name -> entry), the key holding them and
    each name's position; a ConfigError when it is not such a config."""
    vscode = rel.endswith(MCP_FOLDER_CONFIGS)
    data = read_json(text, comments=vscode)
    if not isinstance(data, dict):
        raise ConfigError("an MCP client config is a JSON object with `mcpServers` (or "
                          "`servers` in .vscode/mcp.json)")
    holder = "servers" if vscode and "servers" in data else "mcpServers"
    servers = data.get(holder, {})
    if not isinstance(servers, dict):
        line, column = key_position(text, holder)
        raise ConfigError(f"`{holder}` must be an object of server names", line, column)
    start = key_offset(text, holder)
    positions = []
    for name in servers:
        line, column = key_position(text, name, start)
        positions.append((name, line, column))
    return servers, holder, positions


def server_detail(entry: Any) -> str | None:
    if not isinstance(entry, dict):
        return None
    if isinstance(entry.get("url"), str):
        return str(entry["url"])
    if isinstance(entry.get("command"), str):
        args = [a for a in entry.get("args", []) if isinstance(a, str)] \
            if isinstance(entry.get("args"), list) else []
        import shlex

        return shlex.join([entry["command"], *args])
    return None


# --- walking ------------------------------------------------------------------------------


def walk(root: Path, start: Path) -> Iterator[tuple[str, str]]:
    """Every file under `start` (a file or folder, both resolved) with its path from `root`,
    skipping vendored folders and links to folders. Paths stay strings, each folder's path
    from `root` made once: a Path made and resolved per file costs more than reading it."""
    prefix = str(root).rstrip(os.sep) + os.sep
    if start.is_file():
        yield str(start), _rel(prefix, str(start))
        return
    top = str(start)
    stack = [(top, "" if top + os.sep == prefix else _rel(prefix, top) + "/")]
    while stack:
        folder, base = stack.pop()
        try:
            with os.scandir(folder) as found:
                entries = sorted(found, key=_NAME)
        except OSError:
            continue
        subfolders = []
        for entry in entries:
            name = entry.name if entry.name.isascii() else _shown(entry.name)
            try:
                if entry.is_dir(follow_symlinks=False):
                    if name not in SKIPPED_FOLDERS and not name.endswith(".egg-info"):
                        subfolders.append((entry.path, f"{base}{name}/"))
                elif entry.is_file():
                    yield entry.path, base + name
            except OSError:
                continue
        stack.extend(reversed(subfolders))


def _rel(prefix: str, path: str) -> str:
    rel = path[len(prefix):] if path.startswith(prefix) else path
    return _shown(rel.replace(os.sep, "/"))


def _shown(name: str) -> str:
    """A name as it can be written out: bytes that are not UTF-8 (kept by the file system
    as lone surrogates) shown as U+FFFD, as git and editors show them."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return name


_NAME = operator.attrgetter("name")
_CHUNK = 1 << 16


def read_bytes(path: str) -> bytes | None:
    """A file's bytes, or None when it cannot be read or holds more than MAX_SCAN_BYTES.
    Read through the file descriptor (a file object costs as much again as the read), in
    one read for most source files."""
    try:
        fd = os.open(path, READ_FLAGS)
    except OSError:
        return None
    try:
        return read_descriptor(fd, _CHUNK - 1, MAX_SCAN_BYTES)
    except OSError:
        return None
    finally:
        os.close(fd)


_BY_SUFFIX: dict[str, Literal["code", "front"]] = {
    **dict.fromkeys(CODE_SUFFIXES, "code"),
    **dict.fromkeys(FRONT_MATTER_SUFFIXES, "front"),
}


def wanted(rel: str) -> How | None:
    """How a file is read, by its name; None: not at all."""
    name = rel[rel.rfind("/") + 1:]
    dot = name.rfind(".")
    how = _BY_SUFFIX.get(name[dot:].lower()) if dot > 0 else None
    if how == "code":
        if name == ADAPTER_CONFIG:
            return "adapter"
        if name in MCP_CONFIGS or rel.endswith(MCP_FOLDER_CONFIGS):
            return "mcp"
        if name in LOCK_FILES or name.endswith(".min.js"):
            return None
        return how
    if how is None and name in ENV_EXAMPLES:
        return "env"
    return how


_DECLARATION = re.compile(r"^apiVersion:\s*[\"']?aireg/", re.MULTILINE)


def listing(root: Path, paths: Iterable[Path]) -> list[tuple[str, str, How]]:
    """The files a scan of `paths` reads, in order: each one's path, its path from `root`
    and how it is read."""
    found: list[tuple[str, str, How]] = []
    starts = list(paths)
    seen: set[str] | None = set() if len(starts) > 1 else None  # starts may overlap
    for start in starts:
        for path, rel in walk(root, start):
            if seen is not None:
                if rel in seen:
                    continue
                seen.add(rel)
            how = wanted(rel)
            if how is not None:
                found.append((path, rel, how))
    return found


def scan_files(files: Iterable[tuple[str, str, How]]) -> ScanResult:
    result = ScanResult()
    for path, rel, how in files:
        data = read_bytes(path)
        if data is not None:
            take(rel, data, how, result)
    return result


def scan(root: Path, paths: Iterable[Path]) -> ScanResult:
    """Every use in the files under `paths`; positions from `root` (the repository root)."""
    return scan_files(listing(root, paths))


class SharedScan:
    """A scan that a forked child starts at once and this process joins once it is free
    (`result`): reading files is all system calls, so two processes on two cores read
    nearly twice as fast as one. The files are cut into runs; the number of each run waits
    in a pipe, and whichever process reads a number (a read of four bytes from a pipe is
    never split) scans that run. The result is the same as `scan` gives, in the same order."""

    def __init__(self, root: Path, paths: Iterable[Path]) -> None:
        from . import fork

        self.files = listing(root, paths)
        # At most 1,024 runs: their numbers must fit in the pipe before anyone reads.
        self.size = max(64, -(-len(self.files) // 1024))
        runs = -(-len(self.files) // self.size)
        self._queue, write_end = os.pipe()
        try:
            os.write(write_end, b"".join(n.to_bytes(4, "little") for n in range(runs)))
        finally:
            os.close(write_end)
        self.runs = runs
        self.child = fork.start(self._take) if fork.worthwhile() else None

    def _take(self) -> dict[int, ScanResult]:
        """Every run this process takes from the pipe, scanned, by number."""
        done = {}
        while len(record := os.read(self._queue, 4)) == 4:
            number = int.from_bytes(record, "little")
            done[number] = self._scan(number)
        return done

    def _scan(self, number: int) -> ScanResult:
        return scan_files(self.files[number * self.size:(number + 1) * self.size])

    def result(self) -> ScanResult:
        mine = self._take()
        # A child that failed sends nothing (and taking again here finds the pipe empty):
        # whatever it took is scanned here.
        theirs = self.child.result() if self.child is not None else {}
        os.close(self._queue)
        result = ScanResult()
        for number in range(self.runs):
            part = mine.get(number) or theirs.get(number) or self._scan(number)
            result.uses.extend(part.uses)
            result.problems.extend(part.problems)
            result.files += part.files
        return result


def scan_tree(tree: Tree, starts: Iterable[str]) -> ScanResult:
    """The same over a tree of files at a git revision (the base of a pull request): every
    file whose path from the repository root is, or is under, one of `starts` ("" for all),
    read from git's object store."""
    result = ScanResult()
    prefixes = [start.strip("/") for start in starts]
    for entry in tree.files():
        rel = entry.rel
        folders = rel.split("/")[:-1]
        if entry.is_link or any(f in SKIPPED_FOLDERS or f.endswith(".egg-info")
                                for f in folders):
            continue
        if not any(p == "" or rel == p or rel.startswith(p + "/") for p in prefixes):
            continue
        how = wanted(rel)
        if how is None or tree.size(rel) > MAX_SCAN_BYTES:
            continue
        data = tree.read(rel)
        if data is not None:
            take(rel, data, how, result)
    return result


_HINTED = frozenset({"code", "front", "env"})  # read only when a hint is found in them


def take(rel: str, data: bytes, how: str, result: ScanResult) -> None:
    """One file's uses into `result`."""
    if data.find(b"\0", 0, 8192) >= 0:
        return  # binary
    result.files += 1
    if how in _HINTED and not hinted(data):
        return  # no model id can be in it
    read_file(rel, data.decode("utf-8", "replace"), how, result)


def read_file(rel: str, text: str, how: str, result: ScanResult) -> None:
    if how == "adapter":
        _adapter(rel, text, result)
        return
    if how == "mcp":
        _mcp(rel, text, result)
    if how == "front":
        end = front_matter_end(text)
        if end:
            result.uses.extend(model_uses(rel, text, 0, end))
        return
    if "aireg/" in text and _DECLARATION.search(text):
        return  # the registry's own declarations: what covers, not what uses
    result.uses.extend(model_uses(rel, text))


def _problem(rel: str, error: ConfigError, what: str) -> Finding:
    return finding("unreadable-source", f"{what} cannot be read: {error.message}; fix the file "
                   "so that aireg can see what it uses", Span(rel, error.line, error.column),
                   value=rel)


def _mcp(rel: str, text: str, result: ScanResult) -> None:
    try:
        servers, _, positions = mcp_servers(text, rel)
    except ConfigError as error:
        result.problems.append(_problem(rel, error, "this MCP client config"))
        return
    for name, line, column in positions:
        result.uses.append(Use("mcp-server", rel, line, column, name, id=server_name(name),
                               detail=server_detail(servers[name])))


def _adapter(rel: str, text: str, result: ScanResult) -> None:
    try:
        data = read_json(text)
    except ConfigError as error:
        result.problems.append(_problem(rel, error, "this adapter_config.json"))
        return
    base = data.get("base_model_name_or_path") if isinstance(data, dict) else None
    if not isinstance(base, str) or not base:
        line, column = (key_position(text, "base_model_name_or_path")
                        if isinstance(data, dict) and "base_model_name_or_path" in data
                        else (1, 1))
        result.problems.append(finding(
            "unreadable-source", "this adapter_config.json names no base model "
            "(base_model_name_or_path); write the base model's repo id there", Span(
                rel, line, column), value=rel))
        return
    offset = key_offset(text, "base_model_name_or_path")
    value_at = text.find(json.dumps(base)[0], text.find(":", offset) + 1)
    line, column = _Lines(text).position(value_at if value_at >= 0 else offset)
    revision = data.get("revision")
    result.uses.append(Use("adapter", rel, line, column, base, id=base,
                           detail=revision if isinstance(revision, str) else None))


def server_name(written: str) -> str:
    """A server's name in a client config as a declaration name (`GitHub Issues` ->
    `github-issues`)."""
    name = re.sub(r"[^a-z0-9._-]+", "-", written.lower()).strip("._-")
    return name[:128] or "server"
