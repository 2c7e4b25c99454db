"""A synthetic registry of N declarations in a fresh git repository, for benchmarks.

    python benchmarks/generate.py 20000 [--out DIR] [--seed 1]

The shape follows a large company's registry: teams; model pins of several providers;
datasets derived from each other; MCP servers with tools; prompts, a tenth of them shared
fragments included several levels deep (fragment-0 reaches well over a thousand
dependents); adapters trained on datasets; features using prompts, adapters, tools and
other features; evals covering features and prompts. About five refs a declaration, one
declaration a file. A first commit holds it all; a second commit edits five files (four
prompt templates and one feature), so `impact --base HEAD~1` has something to do.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
from pathlib import Path

PROVIDERS = ["openai", "anthropic", "google", "bedrock", "azure-openai", "huggingface"]


class Registry:
    def __init__(self, total: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.files: dict[str, str] = {}
        self.total = total
        share = {  # fractions of the total, by kind
            "Team": 0.005, "Model": 0.01, "Dataset": 0.05, "McpServer": 0.01, "Adapter": 0.05,
            "Eval": 0.075, "Feature": 0.2,
        }
        self.counts = {kind: max(2, int(total * part)) for kind, part in share.items()}
        self.counts["Prompt"] = total - sum(self.counts.values())

    def pick(self, items: list[str], k: int) -> list[str]:
        return self.rng.sample(items, min(k, len(items)))

    def owner(self) -> str:
        team = self.rng.randrange(self.counts["Team"])
        return f"team/t{team}" if self.rng.random() < 0.8 else f"user/u{team}-0"

    def add(self, path: str, text: str) -> None:
        self.files[path] = text

    def build(self) -> dict[str, str]:
        n = self.counts
        self.add("aireg.yaml", "apiVersion: aireg/v1\nkind: Registry\nmetadata:\n  name: bench\n"
                 "spec:\n  policy:\n    rules:\n      unused-artifact: off\n")
        for i in range(n["Team"]):
            self.add(f"teams/t{i}.yaml", _doc("Team", f"t{i}", None, None,
                                              f"  members: [u{i}-0, u{i}-1]\n"
                                              f"  contact: \"#team-{i}\"\n"))
        models = []
        for i in range(n["Model"]):
            provider = PROVIDERS[i % len(PROVIDERS)]
            hosting = "self-hosted" if provider == "huggingface" else "api"
            models.append(f"model/m{i}")
            self.add(f"models/m{i}.yaml", _doc("Model", f"m{i}", None, self.owner(),
                     f"  provider: {provider}\n  modelId: bench-model-{i}\n  task: chat\n"
                     f"  hosting: {hosting}\n  license: proprietary\n"))
        datasets: list[str] = []
        for i in range(n["Dataset"]):
            derived = self.pick(datasets, 1) if datasets and self.rng.random() < 0.5 else []
            datasets.append(f"dataset/d{i}@^1")
            self.add(f"datasets/d{i}.yaml", _doc("Dataset", f"d{i}", "1.0.0", self.owner(),
                     f"  source: {{uri: s3://bench/d{i}/, digest: sha256:{i:064x}}}\n"
                     f"  license: CC-BY-4.0\n  classification: internal\n"
                     f"  derivedFrom: [{', '.join(derived)}]\n"))
        tools = []
        for i in range(n["McpServer"]):
            names = [f"tool{j}" for j in range(5)]
            tools += [f"mcp/s{i}@^2#{t}" for t in names]
            listed = "".join(f"    - name: {t}\n      description: Tool {t}\n" for t in names)
            self.add(f"mcp/s{i}.yaml", _doc("McpServer", f"s{i}", "2.0.0", self.owner(),
                     f"  transport: http\n  url: https://mcp.bench/s{i}\n  auth: oauth\n"
                     f"  trust: first-party\n  tools:\n{listed}"))
        prompts = self._prompts(n["Prompt"], models, tools)
        adapters = []
        for i in range(n["Adapter"]):
            adapters.append(f"adapter/a{i}@^1")
            base = self.rng.choice([m for k, m in enumerate(models) if k % 6 == 5] or models)
            self.add(f"adapters/a{i}.yaml", _doc("Adapter", f"a{i}", "1.0.0", self.owner(),
                     f"  baseModel: {base}\n  method: lora\n"
                     f"  datasets: [{', '.join(self.pick(datasets, 2))}]\n"
                     f"  evalDatasets: [{', '.join(self.pick(datasets, 1))}]\n"
                     f"  artifact: {{uri: s3://bench/a{i}/, digest: sha256:{i + 7:064x}}}\n"
                     f"  hyperparameters: {{rank: 16, alpha: 32}}\n  metrics: {{f1: 0.9}}\n"))
        features: list[str] = []
        for i in range(n["Feature"]):
            uses = self.pick(prompts, 3) + self.pick(adapters, 1) + self.pick(tools, 1)
            if features and self.rng.random() < 0.3:
                uses += self.pick(features, 1)
            features.append(f"feature/f{i}")
            listed = "".join(f"    - {ref}\n" for ref in uses)
            tier = self.rng.choice(["critical", "high", "medium", "low"])
            self.add(f"features/f{i}.yaml", _doc("Feature", f"f{i}", None, self.owner(),
                     f"  tier: {tier}\n  uses:\n{listed}"))
        for i in range(n["Eval"]):
            covers = self.pick(features, 2) + self.pick(prompts, 2)
            self.add(f"evals/e{i}.yaml", _doc("Eval", f"e{i}", "1.0.0", self.owner(),
                     f"  covers: [{', '.join(covers)}]\n"
                     f"  datasets: [{', '.join(self.pick(datasets, 1))}]\n"
                     f"  command: promptfoo eval -c evals/e{i}.yaml\n"))
        return self.files

    def _prompts(self, count: int, models: list[str], tools: list[str]) -> list[str]:
        """Fragments in levels (each level includes the one below), then leaf prompts."""
        levels = [[0], list(range(1, 11)), list(range(11, 111))]
        fragments: list[list[str]] = []
        refs: list[str] = []
        for level, numbers in enumerate(levels):
            names = []
            for i in numbers:
                below = fragments[level - 1] if level else []
                includes = self.pick(below, 2) if below else []
                self._prompt(f"fragment-{i}", includes, models, [], fragment=True)
                names.append(f"prompt/fragment-{i}@^1")
            fragments.append(names)
        for i in range(count - sum(len(level) for level in levels)):
            includes = self.pick(fragments[-1], 1) + (
                ["prompt/fragment-0@^1"] if self.rng.random() < 0.1 else [])
            self._prompt(f"p{i}", includes, models, self.pick(tools, 1))
            refs.append(f"prompt/p{i}@^1")
        return refs

    def _prompt(self, name: str, includes: list[str], models: list[str], tools: list[str],
                fragment: bool = False) -> None:
        body = "".join(f"    {{% include \"{ref.split('@')[0]}\" %}}\n" for ref in includes)
        body += f"    You are the {name} assistant. Answer {{{{ question }}}} for {{{{ user }}}}.\n"
        model = "" if fragment else f"  model: {self.rng.choice(models)}\n"
        self.add(f"prompts/{name}.yaml", _doc("Prompt", name, "1.0.0", self.owner(),
                 f"  template: |\n{body}  includes: [{', '.join(includes)}]\n"
                 f"  variables: [question, user]\n{model}"
                 f"  tools: [{', '.join(tools)}]\n"))


def _doc(kind: str, name: str, version: str | None, owner: str | None, spec: str) -> str:
    meta = f"  name: {name}\n"
    if version:
        meta += f"  version: {version}\n"
    if owner:
        meta += f"  owner: {owner}\n"
    meta += f"  description: Synthetic {kind.lower()} {name}\n"
    return f"apiVersion: aireg/v1\nkind: {kind}\nmetadata:\n{meta}spec:\n{spec}"


GIT_ENV = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
           "GIT_AUTHOR_DATE": "2026-01-01T00:00:00+00:00",
           "GIT_COMMITTER_DATE": "2026-01-01T00:00:00+00:00"}


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "gc.auto=0", *args], cwd=root, check=True,
                   env={**os.environ, **GIT_ENV}, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL)


def generate(total: int, out: Path, seed: int = 1) -> Path:
    registry = Registry(total, seed)
    files = registry.build()
    out.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(out, "init", "-q", "-b", "main")
    git(out, "add", "-A")
    git(out, "commit", "-q", "-m", f"{total} declarations")
    # The second commit: five edited files (four templates, one feature).
    for rel in ["prompts/fragment-5.yaml", "prompts/p1.yaml", "prompts/p2.yaml",
                "prompts/p3.yaml"]:
        path = out / rel
        path.write_text(path.read_text(encoding="utf-8").replace(
            "Answer", "Answer briefly"), encoding="utf-8")
    feature = out / "features/f1.yaml"
    feature.write_text(feature.read_text(encoding="utf-8").replace(
        "Synthetic feature f1", "Synthetic feature f1, edited"), encoding="utf-8")
    git(out, "commit", "-q", "-am", "Edit five files")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("total", type=int, help="how many declarations")
    parser.add_argument("--out", type=Path, help="where (default: benchmarks/out/registry-N)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    out = args.out or Path(__file__).parent / "out" / f"registry-{args.total}"
    if out.exists() and any(out.iterdir()):
        sys.exit(f"{out} exists and is not empty; remove it or pass --out")
    generate(args.total, out, args.seed)
    print(out)


if __name__ == "__main__":
    main()
