"""The cells of a chapter that its explorers need: what the live JupyterLab test runs of it.

The live test checks every explorer in a real JupyterLab (``tests/test_live_jupyterlab.py``);
nbval runs every cell of every chapter. An explorer needs the cells that make it and show it, and
the earlier cells whose names those use, and so on back; a chapter's other cells (its seed
studies, its comparisons with PyTorch, most of its figures) add nothing to what JupyterLab checks.
:func:`explorer_cells` finds the cells an explorer needs by reading the code (Python's ``ast``),
erring on the side of running a cell:

* a cell *makes* an explorer when it calls one of the explorers' classes, *shows* one when its
  last line is a name it was assigned to, and may *change* one as below; these cells run;
* going back from the last of them, a cell runs when it binds or may change a name that a cell
  that runs later needs: it assigns it, or assigns to an item or attribute of it, or calls a
  method of it (``playground.train()``) other than those that only read (:data:`READING_METHODS`,
  such as NumPy's ``reshape``), or ``+=``; modules never change;
* a cell that runs needs the names it reads or may change before a statement of its own binds
  them: the ``total`` of a loop's ``total += x``, not the ``fig`` of ``fig = plt.figure()``
  followed by ``fig.suptitle(...)``; a name it assigns at the top level is no longer needed from
  the cells before it.

What the explorers hold after these cells is checked against nbval's run of the whole chapter
(``tests/test_live_jupyterlab.py``), so a cell missed here fails the live test, naming it.
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass

import nbformat
from IPython.core.inputtransformer2 import TransformerManager


#: Methods of NumPy's arrays and of Python's containers that read their object and never change it.
READING_METHODS = frozenset({
    "all", "any", "argmax", "argmin", "argsort", "astype", "copy", "count", "cumsum", "dot", "flatten", "get",
    "index", "item", "items", "keys", "max", "mean", "min", "nonzero", "prod", "ravel", "reshape", "round",
    "std", "sum", "tolist", "transpose", "values", "var",
})


@dataclass(frozen=True)
class CellNames:
    """What one code cell does with names: binds or may change (``changes``), binds at its top level
    (``assigns``), and needs from the cells before it (``needs``)."""

    changes: frozenset[str]
    assigns: frozenset[str]
    needs: frozenset[str]


def parse(source: str) -> ast.Module:
    """A cell's code as Python sees it once IPython has turned its magics into calls."""
    return ast.parse(TransformerManager().transform_cell(source))


def imported_names(node: ast.Import | ast.ImportFrom) -> set[str]:
    """The names an import binds: ``np`` of ``import numpy as np``, ``os`` of ``import os.path``."""
    return {alias.asname or alias.name.split(".")[0] for alias in node.names}


def target_names(targets: list[ast.expr]) -> set[str]:
    """The names that assignment ``targets`` bind (``a`` and ``b`` of ``a, b = ...``; none of ``a[0] = ...``)."""
    return {node.id for target in targets for node in ast.walk(target)
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load)}


def imported_modules(trees: list[ast.Module]) -> set[str]:
    """The names that the cells bind to modules: ``import numpy as np``, ``from dlbook import numpy as dnp``."""
    modules = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules |= imported_names(node)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules |= {alias.asname or alias.name for alias in node.names
                            if is_module(f"{node.module}.{alias.name}")}
    return modules


def is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def base_name(node: ast.expr) -> str | None:
    """The name an attribute, item or call chain starts from (``a`` of ``a.b[0].c()``)."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def top_level_assigns(tree: ast.Module) -> set[str]:
    """The names a cell's own top-level statements bind (not those inside its functions, ifs or withs)."""
    names = set()
    for statement in tree.body:
        if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.For)):
            names |= target_names(statement.targets if isinstance(statement, ast.Assign) else [statement.target])
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            names |= imported_names(statement)
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(statement.name)
    return names


def bound_names(node: ast.AST) -> set[str]:
    """Every name that code binds anywhere inside it: assigned, imported, defined, or a function's argument."""
    names = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name) and not isinstance(inner.ctx, ast.Load):
            names.add(inner.id)
        elif isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(inner.name)
        elif isinstance(inner, ast.arg):
            names.add(inner.arg)
        elif isinstance(inner, (ast.Import, ast.ImportFrom)):
            names |= imported_names(inner)
    return names


def used_first(tree: ast.Module, modules: set[str]) -> set[str]:
    """The names a cell reads before it binds them: those that it needs from the cells before it.

    Statement by statement: a name a statement reads counts unless an earlier statement bound it or the
    statement binds it inside itself (a loop's variable, a function's argument), but not when the statement
    only assigns it (``x = x + 1`` reads ``x`` first). A name it may change (:func:`changed_names`)
    counts unless an earlier statement bound it, wherever in the statement the change is (``x += 1`` in a
    loop reads ``x``).
    """
    needed, bound = set(), set()
    for statement in tree.body:
        assigned = statement.targets if isinstance(statement, ast.Assign) else (
            [statement.target] if isinstance(statement, (ast.AnnAssign, ast.AugAssign)) else [])
        inside = bound_names(statement) - target_names(assigned)
        reads = {node.id for node in ast.walk(statement)
                 if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
        needed |= (reads - inside - bound) | (changed_names(statement) - modules - bound)
        bound |= bound_names(statement)
    return needed


def changed_names(node: ast.AST) -> set[str]:
    """The names whose objects ``node`` may change in place: it assigns to an item or attribute of
    them, calls a method of them other than :data:`READING_METHODS`, or adds to them (``+=``)."""
    changes = set()
    for inner in ast.walk(node):
        if isinstance(inner, (ast.Attribute, ast.Subscript)) and not isinstance(inner.ctx, ast.Load):
            changes.add(base_name(inner.value))
        elif isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) and (
                inner.func.attr not in READING_METHODS):
            changes.add(base_name(inner.func.value))
        elif isinstance(inner, ast.AugAssign) and isinstance(inner.target, ast.Name):
            changes.add(inner.target.id)
    return {name for name in changes if name}


def cell_names(tree: ast.Module, modules: set[str]) -> CellNames:
    changes = changed_names(tree) - modules
    return CellNames(changes=frozenset(bound_names(tree) | changes),
                     assigns=frozenset(top_level_assigns(tree)),
                     needs=frozenset(used_first(tree, modules)))


def called(call: ast.Call) -> str | None:
    """The name of what ``call`` calls: ``f`` of ``f(...)`` and of ``module.f(...)``."""
    return call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", None)


def explorer_cells(notebook: nbformat.NotebookNode, classes: set[str]) -> list[int]:
    """The indices (among all the notebook's cells) of the code cells its explorers need, in order.

    ``classes`` are the explorers' class names. Empty when no cell makes an explorer.
    """
    code = [index for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    trees = [parse(notebook.cells[index].source) for index in code]
    modules = imported_modules(trees)
    names = [cell_names(tree, modules) for tree in trees]
    explorers: set[str] = set()
    shows = set()
    for position, tree in enumerate(trees):
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and called(node) in classes:
                shows.add(position)
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and called(node.value) in classes:
                explorers |= {target.id for target in node.targets if isinstance(target, ast.Name)}
        last = tree.body[-1] if tree.body else None
        if (isinstance(last, ast.Expr) and isinstance(last.value, ast.Name) and last.value.id in explorers
                or names[position].changes & explorers):
            shows.add(position)
    needed: set[str] = set()
    runs = []
    for position in range(max(shows, default=-1), -1, -1):
        cell = names[position]
        if position in shows or cell.changes & needed:
            runs.append(code[position])
            needed = (needed - cell.assigns) | cell.needs
    return sorted(runs)
