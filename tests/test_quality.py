"""The code-quality gates of the project's CI also run with the test suite, so `.ci/run`
holds them too: ruff (which bans print outside cli/) and mypy --strict."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO_ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, check=False)


def test_ruff_passes() -> None:
    result = _run("ruff", "check", "registry", "cli", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_passes() -> None:
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def _imports() -> dict[str, set[str]]:
    """Each module of registry/ and cli/ -> the project modules it imports (lazily or not)."""
    import ast

    modules = {}
    for folder in ("registry", "cli"):
        for path in (REPO_ROOT / folder).rglob("*.py"):
            parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                # A package's own modules may import from its __init__.
                if target and target != name and not name.startswith(target + "."):
                    edges[name].add(target)
    return edges


def test_no_module_imports_one_that_imports_it_back() -> None:
    edges = _imports()
    pairs = sorted({tuple(sorted((a, b))) for a in edges for b in edges[a] if a in edges[b]})
    assert pairs == []
    assert "registry.files" in edges["registry.cache"]  # the walk sees real imports


def test_only_gitrepo_starts_processes() -> None:
    """Git is reached only through registry/gitrepo.py: no other module of registry/ or cli/
    imports subprocess (the processes it starts are git's)."""
    import ast

    starting = []
    for folder in ("registry", "cli"):
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                if any(name.split(".")[0] == "subprocess" for name in names):
                    starting.append(path.relative_to(REPO_ROOT).as_posix())
    assert sorted(set(starting)) == ["registry/gitrepo.py"]
