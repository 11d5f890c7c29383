"""The three rooms and the door: the core imports no CLI, YAML or rendering code."""

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).parent.parent / "cnncalc" / "core"
ALLOWED_ROOTS = {"numpy", "cnncalc", "__future__", "dataclasses", "math", "typing", "itertools",
                 "functools", "enum", "fractions", "collections", "os", "concurrent", "contextlib", "ctypes", "importlib",
                 "threadpoolctl"}  # threadpoolctl: optional, used only when installed (core/parallel.py)


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
            if node.module.startswith("cnncalc.") and not (node.module.startswith("cnncalc.core")
                                                           or node.module in ("cnncalc.errors",
                                                                              "cnncalc.vocabulary")):
                roots.add(node.module)
    return roots


def _printed_by(code: str) -> str:
    """What a fresh interpreter prints running `code` (so imports start from nothing)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_core_imports_only_numpy_and_the_standard_library():
    for path in CORE.glob("*.py"):
        roots = _imported_roots(path)
        assert roots <= ALLOWED_ROOTS, f"{path.name} imports {roots - ALLOWED_ROOTS}"


def test_core_import_pulls_in_no_typer_rich_or_yaml():
    code = ("import sys, importlib, pkgutil, cnncalc.core as c\n"
            "[importlib.import_module('cnncalc.core.' + m.name) for m in pkgutil.iter_modules(c.__path__)]\n"
            "print(sorted({'typer', 'rich', 'yaml', 'click'} & {m.split('.')[0] for m in sys.modules}))")
    assert _printed_by(code) == "[]"


def test_help_imports_no_numpy_yaml_or_core():
    code = ("import sys\nfrom cnncalc.cli.errors import run_guarded\nfrom cnncalc.cli.app import app\n"
            "import contextlib, io\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    run_guarded(app, ['--help'])\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'yaml')"
            " or m.startswith('cnncalc.core')))")
    assert _printed_by(code) == "[]"


def test_a_command_run_imports_no_pydantic_and_builds_only_its_command():
    code = ("import sys, io, contextlib\nfrom cnncalc.cli import app as cli\n"
            "built = []\noriginal = cli.build_app\n"
            "cli.build_app = lambda only=None: built.append(only) or original(only)\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n        cli.main(['conv', '-x', '1 2; 3 4', '-w', '1'])\n"
            "    except SystemExit as exit_:\n        assert exit_.code == 0\n"
            "print(built, 'pydantic' in sys.modules, 'app' in vars(cli))")
    assert _printed_by(code) == "['conv'] False False"  # the whole tree is built only when asked for


def test_a_homework_size_conv_loads_only_the_gather_method():
    code = ("import sys, io, contextlib\nfrom cnncalc.cli.app import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n        main(['conv', '-x', '1 2 3; 4 5 6; 7 8 9', '-w', '1 2; 3 4', '--dy', '{fill: 1}'])\n"
            "    except SystemExit as exit_:\n        assert exit_.code == 0\n"
            "print(sorted(m for m in sys.modules if m.startswith('cnncalc.core.conv_') or m == 'cnncalc.core.parallel'))")
    assert _printed_by(code) == "['cnncalc.core.conv_gather']"


def test_the_wheel_lists_every_package():
    import tomllib

    root = Path(__file__).parent.parent
    listed = set(tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(root).parts) for p in (root / "cnncalc").rglob("__init__.py")}
    assert found | {"cnncalc.examples"} == listed


def _cnncalc_imports(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("cnncalc"):
            modules.add(node.module)
        elif isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names if alias.name.startswith("cnncalc")}
    return modules


PACKAGE = CORE.parent


def test_render_imports_no_core_compute():
    """The output side formats results; the only core modules it reads are the conventions' data and
    the rule for rounding residue, which check judges by too."""
    for path in (PACKAGE / "render").glob("*.py"):
        core = {m for m in _cnncalc_imports(path) if m.startswith("cnncalc.core")}
        assert core <= {"cnncalc.core.conventions", "cnncalc.core.residue"}, f"{path.name} imports {core}"


def test_nothing_outside_the_cli_imports_it():
    for path in PACKAGE.rglob("*.py"):
        if path.parent.name == "cli" or path.name == "__main__.py":  # python -m cnncalc is the door too
            continue
        cli = {m for m in _cnncalc_imports(path) if m.startswith("cnncalc.cli")}
        assert not cli, f"{path.relative_to(PACKAGE)} imports {cli}"


def test_the_declarations_import_nothing_heavy():
    code = ("import sys, cnncalc.layers, cnncalc.naming\n"
            "print(sorted({'numpy', 'yaml', 'rich', 'typer'} & {m.split('.')[0] for m in sys.modules}))")
    assert _printed_by(code) == "[]"


