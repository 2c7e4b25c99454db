# ruff: noqa: E501  (the files a test scans are written as users write them)
"""`aireg scan` and `check --scan`: every spelling of a model id, MCP client configs and
adapter configs, found at their exact places and matched to the declarations that cover
them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Run, check_golden, validate_output, write_files

CONFIG = """\
apiVersion: aireg/v1
kind: Registry
metadata:
  name: shop
spec:
  include: ["registry/**/*.yaml"]
"""

REGISTRY = {
    "aireg.yaml": CONFIG,
    "registry/team.yaml": """\
        apiVersion: aireg/v1
        kind: Team
        metadata: {name: web}
        spec: {members: [ana]}
        """,
    "registry/models.yaml": """\
        apiVersion: aireg/v1
        kind: Model
        metadata: {name: gpt-5.1, owner: team/web}
        spec: {provider: openai, modelId: gpt-5.1-2025-11-13}
        ---
        apiVersion: aireg/v1
        kind: Model
        metadata: {name: sonnet-bedrock, owner: team/web}
        spec: {provider: bedrock, modelId: anthropic.claude-sonnet-4-5-20250929-v1:0}
        ---
        apiVersion: aireg/v1
        kind: Model
        metadata: {name: sonnet-vertex, owner: team/web}
        spec: {provider: vertex-ai, modelId: claude-sonnet-4-5@20250929}
        ---
        apiVersion: aireg/v1
        kind: Model
        metadata: {name: orders-gpt41, owner: team/web}
        spec: {provider: azure-openai, modelId: gpt-4.1, revision: "2025-04-14",
               endpoint: "https://shop.openai.azure.com/openai/deployments/orders-gpt41"}
        ---
        apiVersion: aireg/v1
        kind: Model
        metadata: {name: llama-3-8b, owner: team/web}
        spec: {provider: huggingface, modelId: meta-llama/Meta-Llama-3-8B-Instruct,
               hosting: self-hosted}
        ---
        apiVersion: aireg/v1
        kind: Model
        metadata: {name: unused-pin, owner: team/web}
        spec: {provider: mistral, modelId: mistral-large-2411}
        ---
        apiVersion: aireg/v1
        kind: Adapter
        metadata: {name: router, version: 1.0.0, owner: team/web}
        spec: {baseModel: model/llama-3-8b, method: lora}
        ---
        apiVersion: aireg/v1
        kind: McpServer
        metadata: {name: github, version: 1.0.0, owner: team/web}
        spec: {transport: http, url: "https://api.githubcopilot.com/mcp/", trust: third-party}
        """,
}

CODE = {
    "app/chat.py": '''\
        from openai import OpenAI

        MODEL = "gpt-5.1-2025-11-13"
        ROUTED = "openai/gpt-5.1-2025-11-13"
        OLD = "gpt-4o-2024-08-06"  # undeclared
        LEGACY = "gpt-4o"  # aireg: ignore
        ''',
    "app/bedrock.py": '''\
        PROFILE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
        ARN = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.anthropic.claude-sonnet-4-5-20250929-v1:0"
        ROUTE = "bedrock/us-west-2/anthropic.claude-sonnet-4-5-20250929-v1:0"
        LLAMA = "meta.llama3-1-70b-instruct-v1:0"
        ''',
    "web/src/vertex.ts": '''\
        const publisher = "projects/acme/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929"
        const routed = "vertex_ai/claude-sonnet-4-5@20250929";
        const gemini = "gemini-2.5-pro";
        ''',
    "app/azure.py": '''\
        client.chat.completions.create(model="azure/orders-gpt41", messages=[])
        other = AzureChatOpenAI(azure_deployment="refunds-gpt4o")
        ''',
    ".env.example": "AZURE_OPENAI_DEPLOYMENT=orders-gpt41\n",
    "config/settings.toml": 'fallback = "claude-sonnet-4-5-20250929"\n',
    "prompts/answer.md": """\
        ---
        model: mistral/mistral-small-2503
        ---
        Mentions of gpt-4o in the body are prose, not uses.
        """,
    "weights/load.py":
        'tok = AutoTokenizer.from_pretrained("meta-llama/Meta-Llama-3-8B-Instruct")\n',
    ".mcp.json": """\
        {
          "mcpServers": {
            "github": {"type": "http", "url": "https://api.githubcopilot.com/mcp/"},
            "sentry": {"command": "npx", "args": ["-y", "@sentry/mcp-server@0.20.0"],
                       "env": {"SENTRY_ACCESS_TOKEN": "sntrys_do_not_print"}}
          }
        }
        """,
    ".vscode/mcp.json": """\
        {
          // VS Code allows comments and trailing commas
          "inputs": [{"type": "promptString", "id": "pg", "password": true}],
          "servers": {
            "postgres": {"command": "uvx", "args": ["postgres-mcp"],
                         "env": {"DATABASE_URI": "${input:pg}"}},
          },
        }
        """,
    "adapters/router/adapter_config.json": """\
        {
          "base_model_name_or_path": "meta-llama/Meta-Llama-3.1-8B-Instruct",
          "peft_type": "LORA",
          "r": 8
        }
        """,
    "node_modules/openai/models.js": 'export const m = "gpt-3.5-turbo";\n',
    ".venv/lib/x.py": 'M = "gpt-3.5-turbo"\n',
    "dist/bundle.js": 'var m="gpt-3.5-turbo";\n',
    "bin/model.bin": b"\x00\x01gpt-4o-2024-08-06\x00",
    "broken/claude_desktop_config.json": '{"mcpServers": {"x": {"command": "npx",}}\n',
}


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    root = tmp_path / "shop"
    write_files(root, {**REGISTRY, **CODE})
    return root


EXPECTED_FINDINGS = [
    ".mcp.json:4:5: warning[undeclared-mcp-server] MCP server `sentry` is configured here, "
    "but no McpServer declares it; import it (aireg import mcp .mcp.json) or declare "
    "mcp/sentry",
    ".vscode/mcp.json:5:5: warning[undeclared-mcp-server] MCP server `postgres` is configured "
    "here, but no McpServer declares it; import it (aireg import mcp .vscode/mcp.json) or "
    "declare mcp/postgres",
    "adapters/router/adapter_config.json:2:30: error[adapter-base-mismatch] this adapter was "
    "trained on `meta-llama/Meta-Llama-3.1-8B-Instruct`, but adapter/router@1.0.0 declares "
    "baseModel model/llama-3-8b (modelId meta-llama/Meta-Llama-3-8B-Instruct); point "
    "baseModel at the model it was trained on, or import the adapter again",
    "app/azure.py:2:43: warning[undeclared-model] Azure OpenAI deployment `refunds-gpt4o` is "
    "used here, but no Model declares it; declare a Model (provider: azure-openai, modelId: "
    "refunds-gpt4o, or an endpoint ending in /deployments/refunds-gpt4o), or mark the line "
    "`aireg: ignore`",
    "app/bedrock.py:4:10: warning[undeclared-model] model `meta.llama3-1-70b-instruct-v1:0` "
    "(bedrock id llama3-1-70b-instruct-v1) is used here, but no Model declares it; declare a "
    "Model pin (provider: bedrock, modelId: llama3-1-70b-instruct-v1), or mark the line "
    "`aireg: ignore`",
    "app/chat.py:5:8: warning[undeclared-model] model `gpt-4o-2024-08-06` is used here, but no "
    "Model declares it; declare a Model pin (provider: openai or azure-openai, modelId: "
    "gpt-4o-2024-08-06), or mark the line `aireg: ignore`",
    "broken/claude_desktop_config.json:1:40: error[unreadable-source] this MCP client config "
    "cannot be read: not valid JSON: Expecting property name enclosed in double quotes; fix "
    "the file so that aireg can see what it uses",
    "prompts/answer.md:2:8: warning[undeclared-model] model `mistral/mistral-small-2503` "
    "(mistral id mistral-small-2503) is used here, but no Model declares it; declare a Model "
    "pin (provider: mistral, modelId: mistral-small-2503), or mark the line `aireg: ignore`",
    "registry/models.yaml:31:36: info[unreferenced-pin] no scanned code uses model/unused-pin "
    "(mistral-large-2411); remove the pin if nothing sends requests to it",
    "web/src/vertex.ts:3:17: warning[undeclared-model] model `gemini-2.5-pro` is used here, "
    "but no Model declares it; declare a Model pin (provider: google or vertex-ai, modelId: "
    "gemini-2.5-pro), or mark the line `aireg: ignore`",
]


def test_scan_finds_every_spelling_at_its_place(shop: Path, aireg: Run) -> None:
    result = aireg("-C", str(shop), "scan", "--format", "json")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    validate_output("scan", document)
    uses = [(u["path"], u["line"], u["column"], u["text"], u["coveredBy"])
            for u in document["uses"]]
    assert uses == [
        (".env.example", 1, 25, "orders-gpt41", "model/orders-gpt41"),
        (".mcp.json", 3, 5, "github", "mcp/github@1.0.0"),
        (".mcp.json", 4, 5, "sentry", None),
        (".vscode/mcp.json", 5, 5, "postgres", None),
        ("adapters/router/adapter_config.json", 2, 30, "meta-llama/Meta-Llama-3.1-8B-Instruct",
         "adapter/router@1.0.0"),
        ("app/azure.py", 1, 45, "orders-gpt41", "model/orders-gpt41"),
        ("app/azure.py", 2, 43, "refunds-gpt4o", None),
        ("app/bedrock.py", 1, 12, "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
         "model/sonnet-bedrock"),
        ("app/bedrock.py", 2, 8, "arn:aws:bedrock:us-east-1:123456789012:inference-profile/"
         "eu.anthropic.claude-sonnet-4-5-20250929-v1:0", "model/sonnet-bedrock"),
        ("app/bedrock.py", 3, 10, "bedrock/us-west-2/anthropic.claude-sonnet-4-5-20250929-v1:0",
         "model/sonnet-bedrock"),
        ("app/bedrock.py", 4, 10, "meta.llama3-1-70b-instruct-v1:0", None),
        ("app/chat.py", 3, 10, "gpt-5.1-2025-11-13", "model/gpt-5.1"),
        ("app/chat.py", 4, 11, "openai/gpt-5.1-2025-11-13", "model/gpt-5.1"),
        ("app/chat.py", 5, 8, "gpt-4o-2024-08-06", None),
        ("config/settings.toml", 1, 13, "claude-sonnet-4-5-20250929", "model/sonnet-bedrock"),
        ("prompts/answer.md", 2, 8, "mistral/mistral-small-2503", None),
        ("web/src/vertex.ts", 1, 20, "projects/acme/locations/us-east5/publishers/anthropic/"
         "models/claude-sonnet-4-5@20250929", "model/sonnet-vertex"),
        ("web/src/vertex.ts", 2, 17, "vertex_ai/claude-sonnet-4-5@20250929",
         "model/sonnet-vertex"),
        ("web/src/vertex.ts", 3, 17, "gemini-2.5-pro", None),
        ("weights/load.py", 1, 38, "meta-llama/Meta-Llama-3-8B-Instruct", "model/llama-3-8b"),
    ]
    by_text = {u["text"]: u for u in document["uses"]}
    assert by_text["us.anthropic.claude-sonnet-4-5-20250929-v1:0"]["id"] == \
        "claude-sonnet-4-5-20250929"
    assert by_text["vertex_ai/claude-sonnet-4-5@20250929"]["id"] == "claude-sonnet-4-5-20250929"
    assert by_text["orders-gpt41"]["deployment"] is True
    assert by_text["claude-sonnet-4-5-20250929"]["platforms"] == ["anthropic", "bedrock",
                                                                  "vertex-ai"]
    assert "sntrys_do_not_print" not in result.out
    assert [f"{f['path']}:{f['line']}:{f['column']}: {f['severity']}[{f['rule']}] "
            f"{f['message']}" for f in document["findings"]] == EXPECTED_FINDINGS


def test_check_scan_adds_the_scan_rules(shop: Path, aireg: Run) -> None:
    result = aireg("-C", str(shop), "check", "--scan", str(shop))
    assert result.code == 1  # the adapter's base differs: an error
    rules = ("[undeclared-model]", "[undeclared-mcp-server]", "[adapter-base-mismatch]",
             "[unreferenced-pin]", "[unreadable-source]")
    assert [line for line in result.out.splitlines() if any(r in line for r in rules)] == \
        EXPECTED_FINDINGS
    plain = aireg("-C", str(shop), "check")
    assert "undeclared-model" not in plain.out and plain.code == 0


@pytest.mark.parametrize(("fmt", "golden"), [("text", "scan-shop.txt"),
                                             ("json", "scan-shop.json"),
                                             ("sarif", "scan-shop.sarif"),
                                             ("github", "scan-shop.github.txt")])
def test_scan_formats_golden(shop: Path, aireg: Run, request: pytest.FixtureRequest,
                             fmt: str, golden: str) -> None:
    result = aireg("-C", str(shop), "scan", "--format", fmt)
    assert result.code == 0, result.err
    check_golden(request, golden, result.out)


def test_scan_of_one_path_and_rules_policy(shop: Path, aireg: Run) -> None:
    (shop / "aireg.yaml").write_text(CONFIG + "  policy:\n    rules:\n"
                                     "      undeclared-model: error\n      unreferenced-pin: off\n")
    result = aireg("-C", str(shop), "scan", str(shop / "app" / "chat.py"))
    assert result.out.splitlines()[-3:] == [
        "app/chat.py:5:8: error[undeclared-model] model `gpt-4o-2024-08-06` is used here, but "
        "no Model declares it; declare a Model pin (provider: openai or azure-openai, modelId: "
        "gpt-4o-2024-08-06), or mark the line `aireg: ignore`",
        "",
        "3 uses in 1 file: 2 declared, 1 not; 1 error, 0 warnings, 0 infos.",
    ]
    missing = aireg("-C", str(shop), "scan", "nowhere")
    assert missing.code == 2 and "nowhere does not exist" in missing.err


def test_impact_base_scan_reports_only_new_uses(git_repo: object, aireg: Run) -> None:
    from conftest import GitRepo

    assert isinstance(git_repo, GitRepo)
    registry = {"aireg.yaml": CONFIG, "registry/team.yaml": REGISTRY["registry/team.yaml"],
                "registry/models.yaml": """\
                    apiVersion: aireg/v1
                    kind: Model
                    metadata: {name: gpt-5.1, owner: team/web}
                    spec: {provider: openai, modelId: gpt-5.1-2025-11-13}
                    """}
    git_repo.commit("base", {**registry, "app/chat.py": 'MODEL = "gpt-5.1-2025-11-13"\n'
                             'OLD = "claude-opus-4-8"\n'})
    git_repo.git("branch", "base")
    git_repo.commit("head", {"app/chat.py": 'MODEL = "gpt-5.1-2025-11-13"\n'
                             'OLD = "claude-opus-4-8"\nNEW = "gpt-4o-2024-08-06"\n'})
    result = aireg("-C", str(git_repo.root), "impact", "--base", "base", "--head", "HEAD",
                   "--scan", str(git_repo.root), "--format", "json")
    assert result.code == 0, result.err
    fresh = json.loads(result.out)["newFindings"]
    assert [(f["rule"], f["path"], f["line"], f["column"]) for f in fresh] == [
        ("undeclared-model", "app/chat.py", 3, 8)]
    working = aireg("-C", str(git_repo.root), "impact", "--base", "base", "--scan", ".",
                    cwd=git_repo.root, )
    assert "undeclared-model" in working.out and "claude-opus-4-8" not in working.out
    plain = aireg("-C", str(git_repo.root), "impact", "prompt/x", "--scan", ".")
    assert plain.code == 2 and "--scan goes with --base" in plain.err


def test_scan_reads_in_a_child_while_the_registry_loads(shop: Path, aireg: Run,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The files are read by a forked child while this process loads the registry; the
    answer is the one reading them here gives, and a child that fails is made up for."""
    import os

    from registry import fork, scan

    started: list[int] = []
    real_start = fork.start

    def counted(work: object) -> object:
        started.append(1)
        return real_start(work)  # type: ignore[arg-type]

    monkeypatch.setattr(fork, "start", counted)
    forked = aireg("-C", str(shop), "scan", "--format", "json")
    assert forked.code == 0, forked.err
    assert started == [1]

    monkeypatch.setattr(fork, "worthwhile", lambda: False)
    alone = aireg("-C", str(shop), "scan", "--format", "json")
    assert started == [1] and alone.out == forked.out and alone.err == forked.err

    here, real_scan = os.getpid(), scan.scan_files

    def fails_in_child(files: object) -> scan.ScanResult:
        if os.getpid() != here:
            raise OSError("the child cannot read")
        return real_scan(files)  # type: ignore[arg-type]

    monkeypatch.setattr(fork, "worthwhile", lambda: True)
    monkeypatch.setattr(scan, "scan_files", fails_in_child)
    recovered = aireg("-C", str(shop), "scan", "--format", "json")
    assert started == [1, 1] and recovered.out == forked.out


@pytest.fixture
def many_files(tmp_path: Path) -> Path:
    """700 files (eleven runs of 64) with uses in every run, and an MCP config and an
    unreadable adapter config among them."""
    files = {f"src/m{n:03}/code.py": f'MODEL = "gpt-4.1-2025-04-14"  # {n}\n' if n % 7 == 0
             else f"x = {n}\n" for n in range(700)}
    files[".mcp.json"] = '{"mcpServers": {"docs": {"url": "https://docs.example/mcp"}}}\n'
    files["adapters/a/adapter_config.json"] = "{not json\n"
    write_files(tmp_path, files)
    return tmp_path


def test_a_shared_scan_gives_what_one_process_finds_in_the_same_order(
        many_files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs taken by the child and by this process come back in the order of the walk; a
    child that fails after a run, or no child at all, loses nothing."""
    import os

    from registry import fork, scan

    alone = scan.scan(many_files, [many_files])
    assert alone.files == 702 and len(alone.uses) == 101 and len(alone.problems) == 1

    def same(result: scan.ScanResult) -> None:
        assert (result.uses, result.problems, result.files) == (
            alone.uses, alone.problems, alone.files)

    monkeypatch.setattr(fork, "worthwhile", lambda: True)
    shared = scan.SharedScan(many_files, [many_files])
    assert shared.runs == 11 and shared.child is not None
    same(shared.result())

    here, real_scan, taken = os.getpid(), scan.scan_files, []

    def fails_after_one_run(files: object) -> scan.ScanResult:
        if os.getpid() != here:
            if taken:
                os._exit(1)  # the child dies with a run taken and not sent
            taken.append(1)
        return real_scan(files)  # type: ignore[arg-type]

    monkeypatch.setattr(scan, "scan_files", fails_after_one_run)
    same(scan.SharedScan(many_files, [many_files]).result())

    monkeypatch.setattr(fork, "start", lambda work: None)  # no process could be made
    alone_here = scan.SharedScan(many_files, [many_files])
    assert alone_here.child is None
    same(alone_here.result())


def test_scan_outside_a_registry_says_so_before_reading(tmp_path: Path, aireg: Run) -> None:
    (tmp_path / "app").mkdir()
    result = aireg("-C", str(tmp_path), "scan", str(tmp_path / "app"))
    assert result.code == 2 and result.out == ""
    assert result.err.startswith(f"aireg: error: no aireg.yaml in {tmp_path.resolve()} or any "
                                 "folder above it")
    missing = aireg("-C", str(tmp_path), "scan", "nowhere")
    assert missing.err == result.err  # the registry before the paths, as always


def test_scan_reads_again_with_the_cache_on_and_keys_the_snapshot(
        git_repo: object, aireg: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """A scan's output is never replayed: an edit of code alone (nothing the registry
    reads) is seen. Its load keys and writes the registry's snapshot, as `ls` does, and
    `ls` then answers from the same one."""
    from conftest import GitRepo

    import registry.cache

    assert isinstance(git_repo, GitRepo)
    monkeypatch.delenv("AIREG_NO_CACHE", raising=False)
    monkeypatch.setattr(registry.cache, "FRESH_SECONDS", 0.0)
    git_repo.commit("shop", {"aireg.yaml": CONFIG, "registry/team.yaml": REGISTRY[
        "registry/team.yaml"], "app/chat.py": 'MODEL = "gpt-4o-2024-08-06"\n'})
    snapshots = git_repo.root / ".git" / "aireg" / "snapshots"
    first = aireg("-C", str(git_repo.root), "scan")
    assert first.out.startswith("where             kind   as written         declared by\n"
                                "app/chat.py:1:10  model  gpt-4o-2024-08-06  (undeclared)\n")
    assert len(list(snapshots.iterdir())) == 1
    (git_repo.root / "app" / "chat.py").write_text('MODEL = "claude-opus-4-8"\n')
    second = aireg("-C", str(git_repo.root), "scan")
    assert "app/chat.py:1:10  model  claude-opus-4-8  (undeclared)" in second.out
    assert "gpt-4o" not in second.out
    assert len(list(snapshots.iterdir())) == 2  # the registry's folder holds app/: a new state
    assert aireg("-C", str(git_repo.root), "ls").code == 0
    assert len(list(snapshots.iterdir())) == 2


# --- answered from the registry's snapshot ----------------------------------------------

POLICY = CONFIG + "  policy:\n    rules: {undeclared-mcp-server: error, unreferenced-pin: warning}\n"
FORMATS = ("text", "json", "sarif", "github")


@pytest.fixture
def shop_repo(git_repo: object, aireg: Run, monkeypatch: pytest.MonkeyPatch) -> object:
    """The shop, committed, with a policy that changes two scan rules' severities; the
    cache on (after `aireg` turns it off), no stored output replayed."""
    from conftest import GitRepo

    import registry.cache

    assert isinstance(git_repo, GitRepo)
    git_repo.commit("shop", {**REGISTRY, **CODE, "aireg.yaml": POLICY})
    monkeypatch.delenv("AIREG_NO_CACHE", raising=False)
    monkeypatch.setattr(registry.cache.Cache, "result", lambda self, key: None)
    return git_repo


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Each full load of a registry, counted."""
    from conftest import count_loads

    return count_loads(monkeypatch)


def test_a_scan_from_the_snapshot_gives_the_bytes_of_a_full_load(
        shop_repo: object, aireg: Run, loads: list[Path]) -> None:
    from conftest import GitRepo

    assert isinstance(shop_repo, GitRepo)
    root = str(shop_repo.root)
    loaded = {fmt: aireg("--no-cache", "-C", root, "scan", "--format", fmt) for fmt in FORMATS}
    assert len(loads) == len(FORMATS)
    assert "error[undeclared-mcp-server]" in loaded["text"].out
    assert "warning[unreferenced-pin] no scanned code uses model/unused-pin" in loaded["text"].out
    first = aireg("-C", root, "scan")  # a miss: loads, and writes the snapshot
    assert len(loads) == len(FORMATS) + 1
    assert (first.code, first.out, first.err) == (loaded["text"].code, loaded["text"].out,
                                                 loaded["text"].err)
    for fmt in FORMATS:
        hit = aireg("-C", root, "scan", "--format", fmt)
        assert (hit.code, hit.out, hit.err) == (loaded[fmt].code, loaded[fmt].out,
                                                loaded[fmt].err), fmt
    assert len(loads) == len(FORMATS) + 1  # every one answered from the snapshot
    assert [u["coveredBy"] for u in json.loads(loaded["json"].out)["uses"]][:5] == [
        "model/orders-gpt41", "mcp/github@1.0.0", None, None, "adapter/router@1.0.0"]


def test_a_scan_never_uses_a_stale_snapshot(shop_repo: object, aireg: Run,
                                            loads: list[Path]) -> None:
    from conftest import GitRepo

    assert isinstance(shop_repo, GitRepo)
    root, chat = str(shop_repo.root), str(shop_repo.root / "app" / "chat.py")
    assert aireg("-C", root, "check").code != 2
    before = aireg("-C", root, "scan", chat)
    assert len(loads) == 1  # check's snapshot answers
    assert "app/chat.py:3:10  model  gpt-5.1-2025-11-13         model/gpt-5.1\n" in before.out
    assert "app/chat.py:5:8   model  gpt-4o-2024-08-06          (undeclared)\n" in before.out
    models = shop_repo.root / "registry" / "models.yaml"
    models.write_text(models.read_text().replace("modelId: gpt-5.1-2025-11-13",
                                                 "modelId: gpt-4o-2024-08-06"))
    after = aireg("-C", root, "scan", chat)
    assert len(loads) == 2
    assert "app/chat.py:3:10  model  gpt-5.1-2025-11-13         (undeclared)\n" in after.out
    assert "app/chat.py:5:8   model  gpt-4o-2024-08-06          model/gpt-5.1\n" in after.out
    assert after.out == aireg("--no-cache", "-C", root, "scan", chat).out


def test_a_scan_from_the_snapshot_imports_no_models_or_yaml(shop_repo: object) -> None:
    from conftest import GitRepo, run_listing_heavy_modules

    assert isinstance(shop_repo, GitRepo)
    run_listing_heavy_modules(shop_repo.root, "check")
    for fmt in FORMATS:
        out, heavy = run_listing_heavy_modules(shop_repo.root, "scan", "--format", fmt)
        assert "adapter-base-mismatch" in out, fmt
        assert heavy == "[]", fmt


def test_a_scan_of_imported_declarations_from_the_snapshot(
        git_repo: object, aireg: Run, loads: list[Path], monkeypatch: pytest.MonkeyPatch
        ) -> None:
    """examples/app: its Adapters cover their configs by the source their import recorded,
    from a snapshot as after a load."""
    import shutil

    from conftest import REPO_ROOT, GitRepo

    import registry.cache

    assert isinstance(git_repo, GitRepo)
    shutil.copytree(REPO_ROOT / "examples" / "app", git_repo.root, dirs_exist_ok=True)
    git_repo.commit("app")
    monkeypatch.delenv("AIREG_NO_CACHE", raising=False)
    monkeypatch.setattr(registry.cache.Cache, "result", lambda self, key: None)
    root = str(git_repo.root)
    loaded = aireg("--no-cache", "-C", root, "scan", "--format", "json")
    assert aireg("-C", root, "scan").code == 0
    hit = aireg("-C", root, "scan", "--format", "json")
    assert len(loads) == 2
    assert (hit.code, hit.out) == (loaded.code, loaded.out)
    adapters = [u for u in json.loads(hit.out)["uses"] if u["kind"] == "adapter"]
    assert adapters and all(u["coveredBy"] for u in adapters)


def test_a_file_name_that_is_not_utf8_is_scanned_and_shown(git_repo: object,
                                                           aireg: Run) -> None:
    """A name the file system keeps as raw bytes neither breaks the registry's key nor the
    output: the file is read, and its name is shown with U+FFFD, as git shows it."""
    import os

    root: Path = git_repo.root  # type: ignore[attr-defined]
    write_files(root, {"aireg.yaml": CONFIG})
    try:  # a Path keeps the byte as a lone surrogate, and writes it back as the byte
        (root / os.fsdecode(b"old\xff.py")).write_bytes(b'MODEL = "gpt-4o"\n')
    except (OSError, UnicodeError):
        pytest.skip("this file system takes only UTF-8 names")
    text = aireg("-C", str(root), "scan")
    assert text.code == 0, text.err
    assert text.out == (
        "where         kind   as written  declared by\n"
        "old\N{REPLACEMENT CHARACTER}.py:1:10  model  gpt-4o      (undeclared)\n\n"
        "old\N{REPLACEMENT CHARACTER}.py:1:10: warning[undeclared-model] model `gpt-4o` is "
        "used here, but no Model declares it; declare a Model pin (provider: openai or "
        "azure-openai, modelId: gpt-4o), or mark the line `aireg: ignore`\n\n"
        "1 use in 2 files: 0 declared, 1 not; 0 errors, 1 warning, 0 infos.\n")
    data = json.loads(aireg("-C", str(root), "scan", "--format", "json").out)
    assert [(u["path"], u["line"], u["column"]) for u in data["uses"]] == [
        ("old\N{REPLACEMENT CHARACTER}.py", 1, 10)]
    assert aireg("-C", str(root), "check").code == 0


def test_files_are_read_whole_and_data_past_the_limit_is_left(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from registry import scan

    write_files(tmp_path, {"big.py": "# " + "x" * 70_000 + '\nMODEL = "gpt-4o"\n',
                           "edge.py": "#" * 65_535 + "\n", "empty.py": ""})
    assert scan.read_bytes(str(tmp_path / "edge.py")) == b"#" * 65_535 + b"\n"
    assert scan.read_bytes(str(tmp_path / "empty.py")) == b""
    assert scan.read_bytes(str(tmp_path / "gone.py")) is None
    found = scan.scan(tmp_path, [tmp_path])
    assert (found.files, [(u.path, u.line, u.column) for u in found.uses]) == (
        3, [("big.py", 2, 10)])
    monkeypatch.setattr(scan, "MAX_SCAN_BYTES", 69_999)
    assert scan.read_bytes(str(tmp_path / "big.py")) is None
    assert scan.scan(tmp_path, [tmp_path]).files == 2
