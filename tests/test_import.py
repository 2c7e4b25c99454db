"""`aireg import`: real files of each format in, declarations out; malformed files give a
positioned finding each; importing again updates what it wrote and keeps hand edits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import GitRepo, Run, write_files

CONFIG = """\
apiVersion: aireg/v1
kind: Registry
metadata:
  name: lab
spec:
  include: ["registry/**/*.yaml"]
"""
TEAM = """\
apiVersion: aireg/v1
kind: Team
metadata: {name: ml}
spec: {members: [ana]}
"""
PEFT = """\
{
  "base_model_name_or_path": "meta-llama/Meta-Llama-3-8B-Instruct",
  "bias": "none",
  "fan_in_fan_out": false,
  "inference_mode": true,
  "lora_alpha": 32,
  "lora_dropout": 0.05,
  "peft_type": "LORA",
  "r": 16,
  "revision": null,
  "target_modules": ["v_proj", "q_proj"],
  "task_type": "CAUSAL_LM",
  "use_dora": false
}
"""
CARD = """\
---
license: apache-2.0
base_model: mistralai/Mistral-7B-v0.1
base_model_relation: finetune
datasets:
  - HuggingFaceH4/ultrachat_200k
pipeline_tag: text-generation
model-index:
  - name: acme/zephyr-support
    results:
      - task: {type: text-generation}
        dataset: {name: MT-Bench, type: mt-bench}
        metrics:
          - {type: mt_bench_score, value: 7.34}
---
# Zephyr support

A fine-tune of Mistral 7B for support chats.
"""
DOTPROMPT = """\
---
model: googleai/gemini-2.5-flash
description: Greet a customer
input:
  schema:
    name: string
    locale?: string, a BCP 47 tag
---
Hello {{name}}!{{#if locale}} ({{locale}}){{/if}}
"""
PROMPTY = """\
---
name: Support Answer
description: Answer from the help center
model:
  api: chat
  configuration:
    type: azure_openai
    azure_endpoint: ${env:AZURE_OPENAI_ENDPOINT}
    azure_deployment: answers-gpt41
inputs:
  question:
    type: string
  context:
    type: string
---
system:
Answer from this context only: {{context}}

user:
{{question}}
"""
PROMPTFOO = """\
description: Greeting stays polite
prompts:
  - file://../prompts/greet.prompt
  - "Say hi to {{name}}"
providers:
  - vertex:gemini-2.5-flash
tests:
  - vars: {name: Ana}
"""
MODELS = """\
apiVersion: aireg/v1
kind: Model
metadata: {name: gemini-flash, owner: team/ml}
spec: {provider: google, modelId: gemini-2.5-flash}
---
apiVersion: aireg/v1
kind: Model
metadata: {name: answers-gpt41, owner: team/ml}
spec: {provider: azure-openai, modelId: gpt-4.1, revision: "2025-04-14"}
"""


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    root = tmp_path / "lab"
    write_files(root, {"aireg.yaml": CONFIG, "registry/teams/ml.yaml": TEAM,
                       "registry/models/hosted.yaml": MODELS})
    return root


def run_import(aireg: Run, lab: Path, *args: str) -> object:
    return aireg("-C", str(lab), "import", *args, "--owner", "team/ml", "-o",
                 str(lab / "registry"), cwd=lab)


def test_peft_adapter_and_its_base_model(lab: Path, aireg: Run) -> None:
    write_files(lab, {"adapters/router/adapter_config.json": PEFT})
    result = aireg("-C", str(lab), "import", "peft", "adapters", "--owner", "team/ml", "-o",
                   "registry", cwd=lab)
    assert result.code == 0, result.err
    assert result.out == (
        "created model/meta-llama-3-8b-instruct in registry/models/meta-llama-3-8b-instruct.yaml"
        " from adapters/router/adapter_config.json\n"
        "created adapter/router@1.0.0 in registry/adapters/router.yaml from "
        "adapters/router/adapter_config.json\n")
    import hashlib

    digest = hashlib.sha256(PEFT.encode()).hexdigest()
    text = (lab / "registry/adapters/router.yaml").read_text()
    assert text.splitlines()[0] == (
        f"# aireg import peft: adapters/router/adapter_config.json sha256:{digest}")
    assert text.split("\n", 2)[2] == """\
apiVersion: aireg/v1
kind: Adapter
metadata:
  name: router
  version: 1.0.0
  owner: team/ml
spec:
  baseModel: model/meta-llama-3-8b-instruct
  method: lora
  hyperparameters:
    rank: 16
    alpha: 32
    dropout: 0.05
    targetModules: q_proj,v_proj
  artifact:
    uri: adapters/router/
"""
    model = (lab / "registry/models/meta-llama-3-8b-instruct.yaml").read_text()
    assert "  provider: huggingface\n  modelId: meta-llama/Meta-Llama-3-8B-Instruct\n" \
           "  task: text-generation\n  hosting: self-hosted\n" in model
    check = aireg("-C", str(lab), "check", "--scan", str(lab))
    assert "adapter-base-mismatch" not in check.out and "import-drift" not in check.out


def test_reimport_is_idempotent_updates_and_keeps_hand_edits(lab: Path, aireg: Run) -> None:
    write_files(lab, {"adapters/router/adapter_config.json": PEFT})
    assert run_import(aireg, lab, "peft", "adapters").code == 0
    path = lab / "registry/adapters/router.yaml"
    first = path.read_text()
    again = run_import(aireg, lab, "peft", "adapters")
    assert again.code == 0
    assert again.out == ("unchanged model/meta-llama-3-8b-instruct "
                         "(registry/models/meta-llama-3-8b-instruct.yaml)\n"
                         "unchanged adapter/router@1.0.0 (registry/adapters/router.yaml)\n")
    assert path.read_text() == first
    assert len(list((lab / "registry").rglob("*.yaml"))) == 4  # no duplicates
    # A hand edit (method), a comment and a new field by hand; then the source changes.
    edited = first.replace("  method: lora\n", "  method: qlora  # trained 4-bit\n").replace(
        "  artifact:\n", "  trainedAt: 2026-03-01\n  artifact:\n")
    path.write_text(edited)
    write_files(lab, {"adapters/router/adapter_config.json": PEFT.replace('"r": 16', '"r": 32')})
    drift = aireg("-C", str(lab), "check")
    assert drift.out.splitlines()[0] == (
        "registry/adapters/router.yaml:1:1: warning[import-drift] "
        "adapters/router/adapter_config.json changed since adapter/router@1.0.0 was imported "
        "from it; run `aireg import peft adapters/router/adapter_config.json` to update it "
        "(hand-edited fields are kept)")
    updated = run_import(aireg, lab, "peft", "adapters/router/adapter_config.json")
    assert updated.code == 0, updated.err
    assert updated.out.splitlines()[1:] == [
        "updated spec.hyperparameters of adapter/router@1.0.0 (registry/adapters/router.yaml) "
        "from adapters/router/adapter_config.json",
        "kept spec.method of adapter/router@1.0.0, edited by hand (the import would write lora)",
    ]
    after = path.read_text()
    assert "  method: qlora  # trained 4-bit\n" in after
    assert "  trainedAt: 2026-03-01\n" in after
    assert "  hyperparameters: {rank: 32, alpha: 32, dropout: 0.05, targetModules: " \
           '"q_proj,v_proj"}\n' in after
    assert "import-drift" not in aireg("-C", str(lab), "check").out
    # Once more: nothing changes, the hand edit is still kept.
    third = run_import(aireg, lab, "peft", "adapters")
    assert path.read_text() == after
    assert "kept spec.method" in third.out


def test_drift_is_found_at_a_revision_and_with_everything_cached(
        lab: Path, aireg: Run) -> None:
    """The records are found where the load read them: a revision whose parses are all
    cached reads no file again, and a parallel load keeps the texts of marked files."""
    write_files(lab, {"adapters/router/adapter_config.json": PEFT})
    assert run_import(aireg, lab, "peft", "adapters").code == 0
    # Enough files that the working tree is read by two processes.
    write_files(lab, {f"registry/prompts/p{n:04d}.yaml":
                      f"apiVersion: aireg/v1\nkind: Prompt\nmetadata: {{name: p{n:04d}, "
                      "owner: team/ml, version: 1.0.0}\nspec: {template: Hi}\n"
                      for n in range(1100)})
    repo = GitRepo(lab)
    repo.commit("Import the router adapter")
    repo.commit("Retrain with rank 32", {"adapters/router/adapter_config.json":
                                         PEFT.replace('"r": 16', '"r": 32')})
    expected = ("registry/adapters/router.yaml:1:1: warning[import-drift] "
                "adapters/router/adapter_config.json changed since adapter/router@1.0.0 was "
                "imported from it; run `aireg import peft adapters/router/adapter_config.json`"
                " to update it (hand-edited fields are kept)")
    for day in ("2026-12-01", "2026-12-02"):  # the second with every parse cached
        for options in (["--rev", "HEAD"], [], ["--no-cache"]):  # another day: no replay
            result = aireg("-C", str(lab), "--today", day, *options, "check")
            assert expected in result.out.splitlines(), options


def test_dry_run_writes_nothing(lab: Path, aireg: Run) -> None:
    write_files(lab, {"adapters/router/adapter_config.json": PEFT})
    result = aireg("-C", str(lab), "import", "peft", "adapters", "--owner", "team/ml", "-o",
                   "registry", "--dry-run", cwd=lab)
    assert result.code == 0
    assert result.out.startswith("--- /dev/null\n+++ b/registry/adapters/router.yaml\n")
    assert not (lab / "registry/adapters").exists()


def test_hf_card_finetune_with_dataset_and_metrics(lab: Path, aireg: Run) -> None:
    write_files(lab, {"cards/zephyr-support/README.md": CARD})
    result = run_import(aireg, lab, "hf-card", "cards")
    assert result.code == 0, result.err
    assert [line.split(" in ")[0] for line in result.out.splitlines()] == [
        "created dataset/ultrachat_200k@1.0.0", "created model/mistral-7b-v0.1",
        "created adapter/zephyr-support@1.0.0"]
    adapter = (lab / "registry/adapters/zephyr-support.yaml").read_text()
    assert "  method: full-finetune\n  datasets:\n  - dataset/ultrachat_200k@^1\n" \
           "  metrics:\n    mt_bench_score: 7.34\n" in adapter
    assert "uri: https://huggingface.co/acme/zephyr-support" in adapter
    dataset = (lab / "registry/datasets/ultrachat_200k.yaml").read_text()
    assert "uri: https://huggingface.co/datasets/HuggingFaceH4/ultrachat_200k" in dataset


def test_mcp_configs_keep_env_names_never_values(lab: Path, aireg: Run) -> None:
    write_files(lab, {
        ".mcp.json": json.dumps({"mcpServers": {
            "GitHub": {"command": "docker", "args": ["run", "-i", "--rm", "-e",
                                                     "GITHUB_PERSONAL_ACCESS_TOKEN",
                                                     "ghcr.io/github/github-mcp-server:0.9.0"],
                       "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_secret_value"}},
            "linear": {"type": "sse", "url": "https://mcp.linear.app/sse"}}}, indent=2),
        ".vscode/mcp.json": """\
            {
              "inputs": [{"type": "promptString", "id": "key", "password": true}],
              "servers": {
                // the fetch tool
                "fetch": {"type": "stdio", "command": "uvx", "args": ["mcp-server-fetch==2025.4.7"],
                          "env": {"FETCH_API_KEY": "${input:key}"}},
              }
            }
            """})
    result = run_import(aireg, lab, "mcp", ".mcp.json", ".vscode/mcp.json")
    assert result.code == 0, result.err
    github = (lab / "registry/mcp/github.yaml").read_text()
    assert "ghp_secret_value" not in github
    assert github.split("\n", 2)[2] == """\
apiVersion: aireg/v1
kind: McpServer
metadata:
  name: github
  version: 0.9.0
  owner: team/ml
spec:
  transport: stdio
  command: docker run -i --rm -e GITHUB_PERSONAL_ACCESS_TOKEN ghcr.io/github/github-mcp-server:0.9.0
  package:
    ecosystem: oci
    name: ghcr.io/github/github-mcp-server
    version: 0.9.0
  auth: token
  env:
  - GITHUB_PERSONAL_ACCESS_TOKEN
  trust: third-party
"""
    fetch = (lab / "registry/mcp/fetch.yaml").read_text()
    assert "version: 2025.4.7" in fetch and "- FETCH_API_KEY" in fetch
    assert "ecosystem: pypi" in fetch
    assert "transport: sse\n  url: https://mcp.linear.app/sse\n" in (
        lab / "registry/mcp/linear.yaml").read_text()


def test_prompts_and_the_eval_that_covers_them(lab: Path, aireg: Run) -> None:
    write_files(lab, {"prompts/greet.prompt": DOTPROMPT, "prompts/answer.prompty": PROMPTY,
                      "evals/promptfooconfig.yaml": PROMPTFOO})
    assert run_import(aireg, lab, "dotprompt", "prompts").code == 0
    assert run_import(aireg, lab, "prompty", "prompts/answer.prompty").code == 0
    evals = run_import(aireg, lab, "promptfoo", "evals")
    assert evals.err == (
        "evals/promptfooconfig.yaml:4:5: warning[import-ambiguous] this prompt is written "
        "inline in the config, so no declaration covers it; move it to a file, import that "
        "file, and import again\n")
    greet = (lab / "registry/prompts/greet.yaml").read_text()
    assert greet.split("\n", 2)[2] == """\
apiVersion: aireg/v1
kind: Prompt
metadata:
  name: greet
  version: 1.0.0
  owner: team/ml
  description: Greet a customer
spec:
  template: |
    Hello {{name}}!{{#if locale}} ({{locale}}){{/if}}
  templateLanguage: handlebars
  variables:
  - locale
  - name
  model: model/gemini-flash
"""
    answer = (lab / "registry/prompts/support-answer.yaml").read_text()
    assert "templateLanguage" not in answer  # Prompty is Jinja2
    assert "  variables:\n  - context\n  - question\n  model: model/answers-gpt41\n" in answer
    evaluation = (lab / "registry/evals/evals.yaml").read_text()
    assert "  covers:\n  - prompt/greet@^1\n  command: promptfoo eval -c " \
           "evals/promptfooconfig.yaml\n" in evaluation
    check = aireg("-C", str(lab), "check")
    assert "[template]" not in check.out and "error" not in check.out.splitlines()[-1][:12]
    rendered = aireg("-C", str(lab), "render", "prompt/greet")
    assert rendered.code == 2 and "is a handlebars template" in rendered.err


@pytest.mark.parametrize(("kind", "rel", "content", "message"), [
    ("peft", "a/adapter_config.json", '{"r": 8,\n  "peft_type": "LORA",,}',
     "a/adapter_config.json:2:23: error[unreadable-source] this adapter_config.json is not "
     "valid JSON: Expecting property name enclosed in double quotes; fix it (PEFT writes it "
     "with save_pretrained) and import again"),
    ("peft", "b/adapter_config.json", '{\n  "peft_type": "LORA",\n  "r": 8\n}',
     "b/adapter_config.json:1:1: error[unreadable-source] base_model_name_or_path is missing "
     "or empty, so the adapter's base model is unknown; write the base model's repo id there "
     "(such as meta-llama/Meta-Llama-3-8B-Instruct)"),
    ("peft", "c/adapter_config.json", '{\n  "base_model_name_or_path": "/data/llama",\n'
     '  "peft_type": "LORA"\n}',
     "c/adapter_config.json:2:3: error[unreadable-source] base_model_name_or_path "
     "`/data/llama` is a local path, not a repo id, so aireg cannot tell which model it is; "
     "write the base model's Hugging Face repo id there and import again"),
    ("hf-card", "m/README.md", "# A model card with no metadata\n",
     "m/README.md:1:1: error[unreadable-source] this model card has no front matter: it must "
     "start with a `---` line, then YAML, then `---`"),
    ("hf-card", "n/README.md", "---\nlicense: mit\nbase_model: [a/b, c/d]\n---\n",
     "n/README.md:3:1: error[unreadable-source] base_model lists 2 models and "
     "base_model_relation is not `merge`, so aireg cannot tell which one this model was "
     "trained from; keep one, or set base_model_relation"),
    ("mcp", "x/.mcp.json", '{"mcpServers": []}',
     "x/.mcp.json:1:2: error[unreadable-source] `mcpServers` must be an object of server "
     "names"),
    ("dotprompt", "p/bad.prompt", "---\nmodel: [unclosed\n---\nHi\n",
     "p/bad.prompt:3:1: error[unreadable-source] the front matter is not valid YAML: did not "
     "find expected ',' or ']'; fix it and import again"),
    ("prompty", "p/bad.prompty", "---\nname: x\nno closing line\n",
     "p/bad.prompty:1:1: error[unreadable-source] the front matter of this Prompty file has "
     "no closing `---` line; end the YAML with a line holding `---`"),
    ("promptfoo", "e/promptfooconfig.yaml", "providers: [openai:gpt-4.1]\n",
     "e/promptfooconfig.yaml:1:1: error[unreadable-source] a promptfoo config is a mapping "
     "with `prompts:` (and providers, tests); this file has no prompts to cover"),
])
def test_malformed_sources_give_a_positioned_finding(lab: Path, aireg: Run, kind: str,
                                                     rel: str, content: str,
                                                     message: str) -> None:
    write_files(lab, {rel: content})
    result = run_import(aireg, lab, kind, rel)
    assert result.code == 1
    assert result.err == message + "\n"
    assert result.out == ""


def test_one_bad_file_does_not_stop_the_others(lab: Path, aireg: Run) -> None:
    write_files(lab, {"a/adapter_config.json": "{", "b/adapter_config.json": PEFT})
    result = run_import(aireg, lab, "peft", "a", "b")
    assert result.code == 1
    assert "created adapter/b@1.0.0" in result.out
    assert result.err.startswith("a/adapter_config.json:1:2: error[unreadable-source]")


def test_a_declaration_written_by_hand_is_not_overwritten(lab: Path, aireg: Run) -> None:
    write_files(lab, {"a/router/adapter_config.json": PEFT, "registry/adapters/mine.yaml": """\
        apiVersion: aireg/v1
        kind: Adapter
        metadata: {name: router, version: 2.0.0, owner: team/ml}
        spec: {baseModel: model/base, method: lora}
        """})
    result = run_import(aireg, lab, "peft", "a")
    assert "adapter/router@2.0.0 is already declared (registry/adapters/mine.yaml:3:18) and " \
           "records no import" in result.err
    assert not (lab / "registry/adapters/router.yaml").exists()


def test_an_adapter_trained_again_on_another_base_gets_a_pin_of_its_own(
        lab: Path, aireg: Run) -> None:
    """Two adapters share a base pin; one is trained again on another base. Importing it
    again (no --owner, no -o) writes a new pin beside the first, with its owner, and
    releases the first instead of rewriting it: the other adapter still points at the base
    it was trained on, and nothing drifts."""
    other = PEFT.replace('"r": 16', '"r": 8')
    write_files(lab, {"adapters/router/adapter_config.json": PEFT,
                      "adapters/triage/adapter_config.json": other})
    assert run_import(aireg, lab, "peft", "adapters").code == 0
    old_pin = lab / "registry/models/meta-llama-3-8b-instruct.yaml"
    before = old_pin.read_text()
    retrained = PEFT.replace("Meta-Llama-3-8B-Instruct", "Llama-3.1-8B-Instruct")
    write_files(lab, {"adapters/router/adapter_config.json": retrained})
    again = aireg("-C", str(lab), "import", "peft", "adapters", cwd=lab)
    assert again.code == 0, again.out + again.err
    assert again.out == (
        "created model/llama-3.1-8b-instruct in registry/models/llama-3.1-8b-instruct.yaml "
        "from adapters/router/adapter_config.json\n"
        "updated spec.baseModel of adapter/router@1.0.0 (registry/adapters/router.yaml) from "
        "adapters/router/adapter_config.json\n"
        "unchanged adapter/triage@1.0.0 (registry/adapters/triage.yaml)\n"
        "released model/meta-llama-3-8b-instruct (registry/models/meta-llama-3-8b-instruct.yaml)"
        ": adapters/router/adapter_config.json now names the base "
        "meta-llama/Llama-3.1-8B-Instruct; it stays as declared and this import no longer "
        "updates it (remove it if nothing uses it)\n")
    after = old_pin.read_text()
    assert after.split("\n")[:2] == [
        "# imported by aireg import peft from adapters/router/adapter_config.json; released: "
        "adapters/router/adapter_config.json now names the base "
        "meta-llama/Llama-3.1-8B-Instruct", "# (aireg import no longer updates it)"]
    assert after.split("\n")[2:] == before.split("\n")[2:]  # the pin itself is untouched
    new_pin = (lab / "registry/models/llama-3.1-8b-instruct.yaml").read_text()
    assert "  owner: team/ml\n" in new_pin
    assert "  modelId: meta-llama/Llama-3.1-8B-Instruct\n" in new_pin
    assert "baseModel: model/meta-llama-3-8b-instruct\n" in (
        lab / "registry/adapters/triage.yaml").read_text()
    check = aireg("-C", str(lab), "check", "--scan", str(lab))
    for rule in ("import-drift", "adapter-base-mismatch", "dangling-ref", "missing-owner"):
        assert rule not in check.out, check.out
    third = aireg("-C", str(lab), "import", "peft", "adapters", cwd=lab)
    assert third.out == (
        "unchanged model/llama-3.1-8b-instruct (registry/models/llama-3.1-8b-instruct.yaml)\n"
        "unchanged adapter/router@1.0.0 (registry/adapters/router.yaml)\n"
        "unchanged adapter/triage@1.0.0 (registry/adapters/triage.yaml)\n")


def test_a_base_pin_whose_model_id_was_edited_by_hand_stays_the_adapters(
        lab: Path, aireg: Run) -> None:
    write_files(lab, {"adapters/router/adapter_config.json": PEFT})
    assert run_import(aireg, lab, "peft", "adapters").code == 0
    pin = lab / "registry/models/meta-llama-3-8b-instruct.yaml"
    pin.write_text(pin.read_text().replace("modelId: meta-llama/Meta-Llama-3-8B-Instruct",
                                           "modelId: acme/Meta-Llama-3-8B-Instruct-mirror"))
    again = run_import(aireg, lab, "peft", "adapters")
    assert again.out.splitlines() == [
        "unchanged model/meta-llama-3-8b-instruct (registry/models/meta-llama-3-8b-instruct.yaml)",
        "kept spec.modelId of model/meta-llama-3-8b-instruct, edited by hand (the import would "
        "write meta-llama/Meta-Llama-3-8B-Instruct)",
        "unchanged adapter/router@1.0.0 (registry/adapters/router.yaml)"]
    assert sorted(p.name for p in (lab / "registry/models").iterdir()) == [
        "hosted.yaml", "meta-llama-3-8b-instruct.yaml"]


def test_new_declarations_go_where_the_include_globs_read_them(lab: Path, aireg: Run) -> None:
    """Without -o, under the folder the include globs start with; a place the globs do not
    select is refused, not written where no load would read it."""
    write_files(lab, {"adapters/router/adapter_config.json": PEFT})
    made = aireg("-C", str(lab), "import", "peft", "adapters", "--owner", "team/ml", cwd=lab)
    assert made.code == 0, made.err
    assert made.out.splitlines()[1] == (
        "created adapter/router@1.0.0 in registry/adapters/router.yaml from "
        "adapters/router/adapter_config.json")
    listed = aireg("-C", str(lab), "ls", "--kind", "Adapter").out
    assert "adapter/router@1.0.0" in listed, listed
    write_files(lab, {"adapters/triage/adapter_config.json": PEFT,
                      "aireg.yaml": CONFIG.replace("registry/**/*.yaml", "registry/*/*.yaml")})
    refused = aireg("-C", str(lab), "import", "peft", "adapters/triage", "--owner", "team/ml",
                    "-o", "registry/adapters", cwd=lab)
    assert refused.out == ""
    assert refused.err == (
        "adapters/triage/adapter_config.json:1:1: warning[import-ambiguous] adapter/triage@1.0.0 "
        "from adapters/triage/adapter_config.json would be written to "
        "registry/adapters/adapters/triage.yaml, which aireg.yaml's include globs do not "
        "select, so it would not be read: import with -o into a folder they cover\n")
    assert not (lab / "registry/adapters/adapters").exists()


def test_an_updated_url_stays_plain_as_import_wrote_it(lab: Path, aireg: Run) -> None:
    config = '{"mcpServers": {"search": {"type": "http", "url": "https://a.example/mcp"}}}\n'
    write_files(lab, {".mcp.json": config})
    assert run_import(aireg, lab, "mcp", ".mcp.json").code == 0
    path = lab / "registry/mcp/search.yaml"
    assert "  url: https://a.example/mcp\n" in path.read_text()
    write_files(lab, {".mcp.json": config.replace("a.example", "b.example")})
    assert run_import(aireg, lab, "mcp", ".mcp.json").code == 0
    assert "  url: https://b.example/mcp\n" in path.read_text()


def test_a_server_gone_from_its_config_is_released_and_a_broken_one_is_not(
        lab: Path, aireg: Run) -> None:
    servers = {"docs": {"url": "https://docs.example/mcp"},
               "files": {"command": "npx", "args": ["-y", "server-filesystem"]},
               "search": {"type": "http", "url": "https://search.example/mcp"}}
    write_files(lab, {".mcp.json": json.dumps({"mcpServers": servers}, indent=2)})
    assert run_import(aireg, lab, "mcp", ".mcp.json").code == 0
    del servers["search"]
    servers["files"] = "npx server-filesystem"  # broken for now: not an object
    write_files(lab, {".mcp.json": json.dumps({"mcpServers": servers}, indent=2)})
    again = run_import(aireg, lab, "mcp", ".mcp.json")
    assert again.out.splitlines() == [
        "recorded the new digest of .mcp.json in mcp/docs@1.0.0 (registry/mcp/docs.yaml)",
        "released mcp/search@1.0.0 (registry/mcp/search.yaml): .mcp.json no longer configures "
        "it; it stays as declared and this import no longer updates it (remove it if nothing "
        "uses it)"]
    assert "server `files` is not an object with command or url" in again.err
    assert (lab / "registry/mcp/search.yaml").read_text().startswith(
        "# imported by aireg import mcp from .mcp.json; released: .mcp.json no longer "
        "configures it\n# (aireg import no longer updates it)\napiVersion: aireg/v1\n")
    drift = aireg("-C", str(lab), "check").out
    assert "search.yaml:1:1: warning[import-drift]" not in drift
    assert "files.yaml:1:1: warning[import-drift]" in drift


def test_a_dataset_gone_from_its_card_is_released(lab: Path, aireg: Run) -> None:
    two = CARD.replace("  - HuggingFaceH4/ultrachat_200k\n",
                       "  - HuggingFaceH4/ultrachat_200k\n  - acme/support-chats\n")
    write_files(lab, {"models/zephyr-support/README.md": two})
    assert run_import(aireg, lab, "hf-card", "models/zephyr-support/README.md").code == 0
    write_files(lab, {"models/zephyr-support/README.md": CARD})
    again = run_import(aireg, lab, "hf-card", "models/zephyr-support/README.md")
    assert [line for line in again.out.splitlines() if "dataset/" in line] == [
        "recorded the new digest of models/zephyr-support/README.md in "
        "dataset/ultrachat_200k@1.0.0 (registry/datasets/ultrachat_200k.yaml)",
        "released dataset/support-chats@1.0.0 (registry/datasets/support-chats.yaml): "
        "models/zephyr-support/README.md no longer lists it; it stays as declared and this "
        "import no longer updates it (remove it if nothing uses it)"]
    assert "import-drift" not in aireg("-C", str(lab), "check").out


def test_a_server_renamed_by_hand_is_still_found_in_a_config_of_several(
        lab: Path, aireg: Run) -> None:
    """Its record is the one whose import wrote what the config now holds for that name,
    when no other server's name claims it; renamed and moved at once, it is still found."""
    def config(docs_url: str, *, search: bool = True) -> str:
        servers = {"docs": {"url": docs_url}}
        if search:
            servers["search"] = {"url": "https://search.example/mcp"}
        return json.dumps({"mcpServers": servers})

    write_files(lab, {".mcp.json": config("https://docs.example/mcp")})
    assert run_import(aireg, lab, "mcp", ".mcp.json").code == 0
    path = lab / "registry/mcp/docs.yaml"
    path.write_text(path.read_text().replace("name: docs\n", "name: docs-server\n"))
    assert run_import(aireg, lab, "mcp", ".mcp.json").out.splitlines() == [
        "unchanged mcp/docs-server@1.0.0 (registry/mcp/docs.yaml)",
        "unchanged mcp/search@1.0.0 (registry/mcp/search.yaml)"]
    write_files(lab, {".mcp.json": config("https://docs2.example/mcp")})
    assert run_import(aireg, lab, "mcp", ".mcp.json").out.splitlines()[0] == (
        "updated spec.url of mcp/docs-server@1.0.0 (registry/mcp/docs.yaml) from .mcp.json")
    assert sorted(p.name for p in (lab / "registry/mcp").iterdir()) == ["docs.yaml",
                                                                       "search.yaml"]
