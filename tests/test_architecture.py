"""The house kept in order: no import cycles, layers that run one way, modules of a readable size, and no
reaching into another object's private state (style.md, points 2 and 17).

Every check reads the source with :mod:`ast`, so it sees imports under ``if TYPE_CHECKING:`` and inside
functions as well as those at the top of a file. Each check is a function over a package folder, and each
has a self-test that plants a violation in a tiny package under ``tmp_path`` and sees it caught.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIM = ROOT / "sim"

# The layers, lowest first; a module may import from its own layer and those below it (see FORBIDDEN).
# sim/__init__.py and sim/errors.py are neutral leaves: any layer may import them, they import no layer.
LAYERS = {"core", "interventions", "io", "run", "analysis", "forecast", "cli", "__main__"}
NEUTRAL = {"", "errors"}
FORBIDDEN = {
    "core": {"interventions", "io", "run", "analysis", "forecast", "cli", "__main__"},
    "interventions": {"io", "run", "analysis", "forecast", "cli", "__main__"},
    "io": {"run", "analysis", "forecast", "cli", "__main__"},
    "run": {"analysis", "forecast", "cli", "__main__"},
    "analysis": {"forecast", "cli", "__main__"},  # forecast may use analysis (one way), not the reverse
    "forecast": {"cli", "__main__"},
    "": LAYERS,
    "errors": LAYERS,
}
HEAVY = ("xarray", "matplotlib", "yaml", "h5netcdf", "zarr")  # libraries the core must not load
MAX_MODULE_LINES = 400
MAX_ROUTE_MODEL_LINES = 200


# --------------------------------------------------------------------------- reading a package
def modules(package: Path) -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name, for its ``__init__.py``)."""
    out = {}
    for path in sorted(package.rglob("*.py")):
        parts = [package.name, *path.relative_to(package).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imported_names(tree: ast.AST, module: str, is_package: bool) -> list[tuple[str, str | None]]:
    """(module imported from, name imported or None) for every import anywhere in the tree."""
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's own package, up level - 1 more
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found += [(base, alias.name) for alias in node.names]
    return found


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module -> the package's modules it imports. ``from a.b import c`` counts as importing ``a.b.c`` if
    that is a module, else ``a.b``; ``import a.b.c`` as the longest of ``a.b.c``, ``a.b``, ``a`` that is one."""
    mods = modules(package)
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        deps = set()
        for base, imported in _imported_names(tree, name, path.name == "__init__.py"):
            target = f"{base}.{imported}" if imported and f"{base}.{imported}" in mods else base
            while target and target not in mods:
                target = target.rpartition(".")[0]
            if target and target != name:
                deps.add(target)
        graph[name] = deps
    return graph


# --------------------------------------------------------------------------- 1. cycles
def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path that returns to its start (``[a, b, a]``), or None if there is none."""
    done: set[str] = set()
    for root in sorted(graph):
        if root in done:
            continue
        path = [root]
        stack = [iter(sorted(graph[root]))]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                stack.pop()
                done.add(path.pop())
            elif nxt in path:
                return path[path.index(nxt):] + [nxt]
            elif nxt not in done and nxt in graph:
                path.append(nxt)
                stack.append(iter(sorted(graph[nxt])))
    return None


def test_no_import_cycles():
    cycle = find_cycle(import_graph(SIM))
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_cycle_check_catches_a_planted_cycle(tmp_path):
    pkg = _package(tmp_path, {
        "a.py": "from pkg.b import f\n",
        "b.py": "def f():\n    from pkg.sub import g\n",
        "sub/__init__.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n",
        "c.py": "import pkg.a\n",
    })
    graph = import_graph(pkg)
    assert graph["pkg.c"] == {"pkg.a"}
    assert find_cycle(graph) == ["pkg.a", "pkg.b", "pkg.sub", "pkg.a"]
    (pkg / "sub" / "__init__.py").write_text("")
    assert find_cycle(import_graph(pkg)) is None


# --------------------------------------------------------------------------- 2. layers
def layer(module: str) -> str:
    """``sim.core.model`` -> ``core``; ``sim`` -> ``""``; ``sim.errors`` -> ``errors``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def layering_violations(package: Path, forbidden: dict[str, set[str]]) -> list[str]:
    out = []
    for module, deps in sorted(import_graph(package).items()):
        for dep in sorted(deps):
            if layer(dep) in forbidden.get(layer(module), set()):
                out.append(f"{module} imports {dep} ({layer(module) or 'the package'} may not use "
                           f"{layer(dep)})")
    return out


def test_layers_run_one_way():
    assert layering_violations(SIM, FORBIDDEN) == []


def test_layer_check_catches_an_upward_import(tmp_path):
    pkg = _package(tmp_path, {"core/__init__.py": "", "core/m.py": "def f():\n    import pkg.io.w\n",
                              "io/__init__.py": "", "io/w.py": "from pkg.core import m\n"})
    assert layering_violations(pkg, FORBIDDEN) == ["pkg.core.m imports pkg.io.w (core may not use io)"]


def unwanted_by_core(package: str, path: Path) -> list[str]:
    """Modules loaded by importing ``<package>.core`` and ``<package>.core.model`` in a fresh interpreter that
    the core must not need: xarray, plotting, file formats, and the package's layers above the core (their
    pandas-based I/O included). Mesa itself imports pandas, so pandas alone is not counted; Numba reads its
    configuration with yaml, so what importing Mesa and Numba alone loads is not counted either."""
    code = ("import sys; import mesa, numba; before = set(sys.modules); "
            f"import {package}.core; import {package}.core.model; "
            "print(' '.join(sorted(set(sys.modules) - before)))")
    loaded = _python(code, path).split()
    return [m for m in loaded if m in HEAVY or (m.startswith(f"{package}.") and layer(m) not in ("core", "errors"))]


def test_importing_the_core_loads_no_io_plotting_or_upper_layers():
    loaded = unwanted_by_core("sim", ROOT)
    assert loaded == [], f"importing sim.core loads {loaded}"


def test_core_import_check_sees_io_loaded_at_run_time(tmp_path):
    _package(tmp_path, {"core/__init__.py": "", "core/model.py": "from pkg.io import w\n",
                        "io/__init__.py": "", "io/w.py": "import xarray\n"})
    assert unwanted_by_core("pkg", tmp_path) == ["pkg.io", "pkg.io.w", "xarray"]


# --------------------------------------------------------------------------- 3. size
def oversized(package: Path, limit: int) -> list[str]:
    out = []
    for name, path in modules(package).items():
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > limit:
            out.append(f"{name}: {n} lines")
    return out


def class_lines(path: Path, cls: str) -> int:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    node = next(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == cls)
    return node.end_lineno - node.lineno + 1


def test_no_module_over_400_lines():
    assert oversized(SIM, MAX_MODULE_LINES) == []


def test_route_model_class_at_most_200_lines():
    n = class_lines(SIM / "core" / "model.py", "RouteModel")
    assert n <= MAX_ROUTE_MODEL_LINES, f"RouteModel is {n} lines"


def test_size_checks_catch_a_long_module_and_class(tmp_path):
    body = "class Big:\n" + "    x = 1\n" * 12
    pkg = _package(tmp_path, {"short.py": "x = 1\n", "long.py": body})
    assert oversized(pkg, 10) == ["pkg.long: 13 lines"]
    assert class_lines(pkg / "long.py", "Big") == 13


# --------------------------------------------------------------------------- 4. private state
def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_reaches(path: Path) -> list[str]:
    """``x._name`` where x is not ``self`` or ``cls``, and ``from m import _name``: file:line and what."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            if not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                out.append(f"{path}:{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.ImportFrom):
            out += [f"{path}:{node.lineno}: from {node.module} import {a.name}" for a in node.names if _private(a.name)]
        elif isinstance(node, ast.Import):
            out += [f"{path}:{node.lineno}: import {a.name}" for a in node.names
                    if any(_private(p) for p in a.name.split("."))]
    return out


def test_no_reaching_into_private_state():
    found = [v for folder in (SIM, ROOT / "benchmarks") for p in sorted(folder.rglob("*.py")) for v in
             private_reaches(p)]
    assert found == [], "private names used from outside their object or module:\n" + "\n".join(found)


def test_private_check_catches_planted_reaches(tmp_path):
    pkg = _package(tmp_path, {"m.py": (
        "from pkg.a import _helper, public\n"
        "class A:\n"
        "    def f(self, other):\n"
        "        self._mine = cls = other._theirs\n"
        "        return self.__class__, cls._ok, self.peer._state, public.__doc__\n")})
    found = [v.split(": ", 1)[1] for v in private_reaches(pkg / "m.py")]
    assert sorted(found) == ["from pkg.a import _helper", "other._theirs", "self.peer._state"]


# --------------------------------------------------------------------------- helpers
def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    pkg = tmp_path / "pkg"
    for rel, text in {"__init__.py": "", **files}.items():
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_text(text, encoding="utf-8")
    return pkg


def _python(code: str, path: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=path,
                          check=True)
    return done.stdout.strip()


def test_every_parameter_has_a_row_in_the_model_description():
    """docs/model.md section 8 is the parameters' reference: a parameter added to the code gets its row there."""
    from sim.core.parameters import PARAMETERS

    doc = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    table = doc[doc.index("## 8. Parameters"):doc.index("## 9. Network")]
    missing = [name for name in PARAMETERS if f"| `{name}` |" not in table]
    assert not missing, f"no row in docs/model.md section 8 for: {', '.join(missing)}"
