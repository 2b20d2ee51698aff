"""The shape of the code: no import cycles, one owner of the fitted state, stateless stages, a light CLI."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "topiclens"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path) -> set[str]:
    """Every topiclens module ``name`` imports, at module level or inside functions."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # "from pkg import module" imports the module; "from module import name" the module itself
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        found.update(t for t in targets if t in MODULES and t != name)
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return result


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_itself_back_even_inside_functions():
    graph = {name: _imports(name, path) for name, path in MODULES.items()}
    assert graph["topiclens.model"] >= {"topiclens.pipeline.fit", "topiclens.pipeline.adapt"}  # the parser sees imports
    assert _cycles(graph) == []


def _written(target: ast.AST):
    """(owner, attribute) pairs an assignment target writes: ``a.b = ``, ``a.b[i] = ``, tuples of those."""
    if isinstance(target, (ast.Tuple, ast.List)):
        for item in target.elts:
            yield from _written(item)
    elif isinstance(target, ast.Subscript):
        yield from _written(target.value)
    elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
        yield target.value.id, target.attr


def _attribute_writes(tree: ast.AST):
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for owner, attr in _written(target):
                yield owner, attr, node.lineno


def test_only_the_model_installs_a_fitted_state():
    """No module writes ``something.attr_`` or a model's ``_fitted``; ``TopicModel._install`` is the one writer of
    the fitted state, which is frozen; nothing calls ``setattr``."""
    offenders = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for owner, attr, line in _attribute_writes(tree):
            if (attr.endswith("_") and not attr.startswith("_")) or attr == "_fitted":
                offenders.append(f"{name}:{line} {owner}.{attr}")
        offenders += [f"{name}:{node.lineno} setattr" for node in ast.walk(tree)
                      if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "setattr"]
        offenders += [f"{name}:{node.lineno} _install" for node in ast.walk(tree)
                      if isinstance(node, ast.Attribute) and node.attr == "_install" and name != "topiclens.model"]
    model = ast.parse(MODULES["topiclens.model"].read_text(encoding="utf-8"))
    install = next(node for node in ast.walk(model) if isinstance(node, ast.FunctionDef) and node.name == "_install")
    inside = range(install.lineno, install.end_lineno + 1)
    assert [o for o in offenders if not (o.startswith("topiclens.model:") and int(o.split(":")[1].split()[0]) in inside
                                         and o.endswith("self._fitted"))] == []
    from dataclasses import FrozenInstanceError

    from topiclens.state import TopicState

    assert TopicState.__dataclass_params__.frozen
    assert issubclass(FrozenInstanceError, AttributeError)


# The layers, bottom first: a module imports only from its own layer or the ones below it. A unit is a
# package of topiclens (``ops``) or a module at its top (``state``); "topiclens" is the package's __init__.
LAYERS = [
    {"_version", "core"},                           # errors, parameter rules, runtime, the topic table: no model stack
    {"io", "llm", "guidance"},                      # reading and writing files, LLM backends, guidance specs
    {"stages", "embedders"},                        # the stages as objects, the embedders
    {"labeling", "state"},                          # the LLM labeler stage; what a fitted model is
    {"pipeline", "evaluate"},                       # the computations of a fit
    {"editing", "growing", "hierarchy", "breakdown"},  # what operations compute, as array functions
    {"ops", "store"},                               # operations on a fitted model; model directories
    {"views", "saving"},                            # figures, tables and the explorer; save and load
    {"model"},                                      # the thin TopicModel
    {"apps", "topiclens", "__main__"},              # the command line and the workbench; the public names
]


def _unit(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "topiclens"


def test_imports_only_go_down_the_layers():
    """Every unit is in one layer, and no module imports from a layer above its own (so no two units import
    each other, and a new module's place is a choice that this test checks)."""
    layer_of = {unit: level for level, units in enumerate(LAYERS) for unit in units}
    units = {_unit(name) for name in MODULES}
    assert units - set(layer_of) == set(), "put every package and top-level module in a layer"
    upward = sorted(f"{name} -> {imported}" for name, path in MODULES.items() for imported in _imports(name, path)
                    if layer_of[_unit(imported)] > layer_of[_unit(name)])
    assert upward == []


def _private_names_taken(name: str, path: Path) -> list[str]:
    """The private names (``_name``) ``name`` takes from another module: imported, or read off an imported module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules: dict[str, str] = {}
    taken = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                base = ".".join(anchor[: len(anchor) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                if f"{base}.{alias.name}" in MODULES:
                    modules[alias.asname or alias.name] = f"{base}.{alias.name}"
                elif alias.name.startswith("_") and not alias.name.startswith("__") and base in MODULES:
                    taken.append(f"{name} imports {base}.{alias.name}")
        elif isinstance(node, ast.Import):
            modules.update({alias.asname or alias.name: alias.name for alias in node.names if alias.name in MODULES})
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules and \
                node.attr.startswith("_") and not node.attr.startswith("__"):
            taken.append(f"{name} reads {modules[node.value.id]}.{node.attr}")
    return taken


def test_no_module_reaches_into_another_modules_private_names():
    """What a module keeps private (``_name``) stays in it: another module neither imports it nor reads it."""
    assert [taken for name, path in MODULES.items() for taken in _private_names_taken(name, path)] == []


def test_the_model_has_no_mixins_and_its_methods_are_operations():
    """TopicModel is one class over scikit-learn's BaseEstimator; its methods are made from the operations."""
    from sklearn.base import BaseEstimator

    from topiclens import TopicModel

    assert TopicModel.__bases__ == (BaseEstimator,)
    made = [name for name, value in vars(TopicModel).items() if hasattr(value, "operation")]
    assert len(made) >= 20 and all(vars(TopicModel)[name].operation.__module__.startswith(("topiclens.ops.",
                                                                                            "topiclens.views."))
                                   for name in made)


def test_stage_objects_keep_nothing_they_learn():
    """A stage's methods return what they learn; only __init__ writes to self (scikit-learn's rule too)."""
    offenders = []
    for name, path in MODULES.items():
        if ".stages." not in name and ".labeling." not in name:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
            if not bases & {"Stage"}:
                continue
            for method in node.body:
                if isinstance(method, ast.FunctionDef) and method.name != "__init__":
                    writes = [a for o, a, _ in _attribute_writes(method) if o == "self"]
                    offenders += [f"{name}.{node.name}.{method.name}: self.{a}" for a in writes]
    assert offenders == []


@pytest.mark.parametrize("argv", [["--help"], ["fit", "--help"]])
def test_the_command_line_parses_without_the_model_stack(argv):
    """`topiclens --help` must answer at once: parsing imports no numpy, pandas, scikit-learn or torch."""
    code = ("import sys\nfrom topiclens.apps.cli import main\ntry:\n    main(sys.argv[1:])\n"
            "except SystemExit:\n    pass\n"
            "heavy = sorted(m for m in ('numpy', 'pandas', 'sklearn', 'scipy', 'torch') if m in sys.modules)\n"
            "print('HEAVY', heavy)")
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=60)
    assert "usage: topiclens" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "HEAVY []"
