"""The house in layers (docs/architecture.md): subpackages are layers, no import cycles, no
imports inside functions, and the contracts of pyproject.toml catch a planted upward import."""

from __future__ import annotations

import ast
import importlib
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "symresnet"
#: lowest first, as in docs/architecture.md (read independently of pyproject.toml's contract)
LAYERS = (
    "examples",
    "base",
    "values",
    "solve",
    "model",
    "compute",
    "claims",
    "verify",
    "explain",
    "present",
    "io",
    "cli",
)
#: the optional dependencies that may be imported inside a function (and only these)
OPTIONAL = (
    "matplotlib",
    "mpl_toolkits",
    "dask",
    "distributed",
    "z3",
    "onnx",
    "onnxruntime",
    "torch",
    "vnnlib",
    "scipy",  # HiGHS for the LP leaves of verify
)


def _modules() -> dict[str, Path]:
    out = {}
    for f in PACKAGE.rglob("*.py"):
        parts = list(f.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = f
    return out


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    return {
        id(m)
        for n in ast.walk(tree)
        if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test)
        for m in ast.walk(n)
    }


def _imports(name: str, path: Path, modules: dict[str, Path]) -> list[tuple[str, bool, int]]:
    """(imported symresnet module, inside a function?, line) for every import that runs."""
    tree = ast.parse(path.read_text())
    skip = _type_checking_nodes(tree)
    lazy = {
        id(n)
        for fn in ast.walk(tree)
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
        for n in ast.walk(fn)
    }
    is_pkg = path.name == "__init__.py"
    out = []
    for n in ast.walk(tree):
        if id(n) in skip:
            continue
        targets: list[str] = []
        if isinstance(n, ast.Import):
            targets = [a.name for a in n.names]
        elif isinstance(n, ast.ImportFrom):
            base = n.module or ""
            if n.level:
                here = name.split(".") if is_pkg else name.split(".")[:-1]
                here = here[: len(here) - (n.level - 1)]
                base = ".".join([*here, *([n.module] if n.module else [])])
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in n.names
            ]
        for t in targets:
            while t and t not in modules:
                t = t.rpartition(".")[0]
            if t.startswith("symresnet") and t not in ("symresnet", name):
                out.append((t, id(n) in lazy, n.lineno))
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {
        name: {t for t, _, _ in _imports(name, path, modules)}
        for name, path in modules.items()
        if name != "symresnet"  # the facade re-exports lazily by design
    }


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def test_every_module_lives_in_a_layer():
    loose = [
        m for m in _modules() if m not in ("symresnet", "symresnet.__main__") and _layer(m) is None
    ]
    assert loose == []


def test_no_import_goes_up_a_layer():
    upward = [
        f"{a} -> {b}"
        for a, targets in _graph().items()
        for b in targets
        if _layer(a) is not None and _layer(b) is not None and _layer(b) > _layer(a)  # type: ignore[operator]
    ]
    assert upward == []


def test_no_import_cycle_counting_imports_inside_functions():
    graph = _graph()
    # Tarjan's strongly connected components, iteratively
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        while work:
            v, children = work[-1]
            w = next(children, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    x = stack.pop()
                    on.discard(x)
                    comp.append(x)
                    if x == v:
                        break
                if len(comp) > 1:
                    cycles.append(sorted(comp))
    assert cycles == []


def test_imports_inside_functions_are_optional_dependencies_only():
    modules = _modules()
    lazy_internal = [
        f"{name}:{line} -> {t}"
        for name, path in modules.items()
        for t, lazy, line in _imports(name, path, modules)
        if lazy
    ]
    assert lazy_internal == []
    others = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text())
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for n in ast.walk(fn):
                if isinstance(n, ast.Import):
                    roots = [a.name.split(".")[0] for a in n.names]
                elif isinstance(n, ast.ImportFrom):
                    roots = [(n.module or "").split(".")[0]]
                else:
                    continue
                others += [f"{name}:{n.lineno} {r}" for r in roots if r not in OPTIONAL]
    assert others == []


@pytest.mark.parametrize(
    "first",
    ["symresnet", "symresnet.values.exact", "symresnet.values", "symresnet.compute.realization"],
)
def test_exact_is_the_function_in_every_import_order(first):
    code = (
        f"import importlib; importlib.import_module({first!r}); "
        "from symresnet import realize; from symresnet import exact; "
        "import symresnet; "
        "assert callable(exact) and exact.__name__ == 'exact', exact; "
        "assert symresnet.exact is exact; print(exact('1/2'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1/2"


def test_public_names_resolve_and_keep_the_35_of_before():
    symresnet = importlib.import_module("symresnet")
    before = {
        "ResNet", "identity", "plain_ann", "realize", "realize_many", "Batch", "Trace",
        "LayerTrace", "check", "check_box", "decompose", "compare", "PointClaim", "Verdict",
        "load_spec", "loads_spec", "Spec", "activation", "Activation", "softmax", "exact",
        "Limits", "SymresnetError", "InputError", "ParseError", "SpecError", "NetworkError",
        "ActivationError", "ClaimError", "LimitError", "StudyError", "Study", "Sweep",
        "realization_pieces", "Pieces",
    }  # fmt: skip
    assert len(before) == 35
    assert before <= set(symresnet.__all__)
    for name in symresnet.__all__:
        assert getattr(symresnet, name) is not None
        assert type(getattr(symresnet, name)).__name__ != "module", name


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("lint-imports")
    if exe is None:
        pytest.fail("import-linter is not installed (pip install -e '.[test]')")
    return subprocess.run(
        [exe, "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(root), "PATH": str(Path(sys.executable).parent)},
    )


def test_import_contracts_hold_and_catch_a_planted_upward_import(tmp_path):
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    listed = [m.split(".")[1] for m in config["contracts"][0]["layers"]]
    assert listed == list(reversed(LAYERS))  # the contract is the documented layering
    shutil.copytree(PACKAGE, tmp_path / "symresnet", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    kept = _lint_imports(tmp_path)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    # plant an upward import inside a function of the numbers layer: values -> present
    planted = tmp_path / "symresnet" / "values" / "relations.py"
    planted.write_text(
        planted.read_text()
        + "\n\ndef _planted() -> object:\n"
        + "    from symresnet.present import text\n\n    return text\n"
    )
    broken = _lint_imports(tmp_path)
    assert broken.returncode != 0
    assert "symresnet.values.relations -> symresnet.present.text" in broken.stdout
