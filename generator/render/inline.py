"""`{% include "partials/x.html" %}` compiled as the partial's own nodes, where that renders the same text.

Jinja runs an include when the page renders: it looks the partial up, copies the includer's variables into a
new context (`context.get_all()` and the includer's locals) and runs the partial's root function, whose names
each resolve through that context. A paper page includes three partials and a listing row two, ~110k includes
at 10k papers. Compiled into the includer, the partial reads the includer's own variables and locals, which
hold the same values the copied context would. So an include is inlined only when nothing can tell:

- its name is a constant, it keeps the context (`with context`, the default) and is not `ignore missing`;
- the partial compiles on its own (else the include reports its error when it runs, as Jinja's does);
- the partial binds no name that could outlive it in the includer (`{% set %}`, a macro, an import, a block,
  `{% extends %}`, an unscoped `{% autoescape %}`), and reads none that mean its own template or frame
  (`self`, `caller`, `varargs`, `kwargs`, `super`, and `loop` outside its own loops);
- the partial hands the context to nothing: inlined, a function given the context would miss the includer's
  locals, which the include adds to the partial's. So it calls only the pure globals (`url`, `asset`, …:
  Environment.fold_calls) and uses no filter or test marked pass_context (`paper_list.html`, which calls
  `paper_row(p)`, stays an include);
- the partial autoescapes as the includer does, and the include is not inside an `{% autoescape %}` block;
- in a template that extends another, the include is inside a block (output outside blocks is never shown);
- it is not the template being compiled, or one that is (a partial that includes itself stays an include).

What still differs is where an error points: the includer's file, at the partial's line. Renderer renders a
page that fails again without inlining (Environment.plain()), to name the partial's file and line.
"""
from __future__ import annotations

from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.parser import Parser
from jinja2.utils import _PassArg

__all__ = ["inline_includes"]

_BINDING = (nodes.Extends, nodes.Block, nodes.Assign, nodes.AssignBlock, nodes.Macro, nodes.CallBlock,
            nodes.Import, nodes.FromImport, nodes.EvalContextModifier)
_CONTEXT = (nodes.ContextReference, nodes.DerivedContextReference)  # what an extension hands the context with
_OWN_NAMES = frozenset({"self", "caller", "varargs", "kwargs", "super"})


def inline_includes(ast: nodes.Template, env: Any, name: str, compiling: set[str]) -> int:
    """Inline, in the template `name` (being compiled: in `compiling`), each include that qualifies (see the
    module's docstring). Returns how many were inlined."""
    if env.is_async or ast.find(nodes.Include) is None:
        return 0
    return _walk(ast, env, name, compiling, in_block=ast.find(nodes.Extends) is None)


def _walk(node: nodes.Node, env: Any, name: str, compiling: set[str], in_block: bool) -> int:
    count = 0
    if isinstance(node, nodes.Block):
        in_block = True
    elif isinstance(node, nodes.ScopedEvalContextModifier):
        return 0  # the partial would take this block's autoescape, not its own
    for field in node.fields:
        value = getattr(node, field, None)
        if isinstance(value, nodes.Node):
            count += _walk(value, env, name, compiling, in_block)
        elif isinstance(value, list):
            out: list[Any] = []
            for item in value:
                found = _body(item, env, name, compiling) if in_block and isinstance(item, nodes.Include) else None
                if found is None:
                    if isinstance(item, nodes.Node):
                        count += _walk(item, env, name, compiling, in_block)
                    out.append(item)
                else:
                    out.extend(found[0])
                    count += 1 + found[1]
            value[:] = out
    return count


def _body(include: nodes.Include, env: Any, includer: str, compiling: set[str]
          ) -> tuple[list[nodes.Node], int] | None:
    """The partial's nodes, freshly parsed (each place gets its own: the compiler folds nodes in place), and how
    many includes they inline in turn, when the include qualifies; else None."""
    target = include.template
    if (not isinstance(target, nodes.Const) or not isinstance(target.value, str) or include.ignore_missing
            or not include.with_context or target.value in compiling):
        return None
    partial = target.value
    if _autoescape(env, partial) != _autoescape(env, includer):
        return None
    found = env.partials.get(partial)
    if found is None:
        try:
            env.get_template(partial)  # compiles on its own (and is compiled once, for the pages that use it)
            source, filename, _ = env.loader.get_source(env, partial)
            ast = Parser(env, source, partial, filename).parse()
        except (jinja2.TemplateError, ValueError, OSError):  # left to the include, which reports it when run
            ast = None
        found = env.partials[partial] = (source, filename) if ast is not None and _self_contained(ast, env) else ()
    else:
        ast = None
    if not found:
        return None
    if ast is None:
        ast = Parser(env, found[0], partial, found[1]).parse()
    nested = 0
    if ast.find(nodes.Include) is not None:
        nested = _walk(ast, env, partial, compiling | {partial}, in_block=True)  # its own, at their places
    return list(ast.body), nested


def _self_contained(ast: nodes.Template, env: Any) -> bool:
    """No binding that could leak into the includer, no name that means the partial's own template or frame,
    nothing that is handed the context (which, inlined, would lack what the include adds: the includer's
    locals): a call only of the pure globals Environment.fold_calls names, no pass_context filter or test."""
    if any(True for _ in ast.find_all(_BINDING + _CONTEXT)):
        return False
    for call in ast.find_all(nodes.Call):
        if not (isinstance(call.node, nodes.Name) and call.node.name in env.folded):
            return False
    for node in ast.find_all((nodes.Filter, nodes.Test)):
        found = (env.filters if isinstance(node, nodes.Filter) else env.tests).get(node.name)
        if found is None or _PassArg.from_obj(found) is _PassArg.context:
            return False
    loads = [n for n in ast.find_all(nodes.Name) if n.ctx == "load"]
    if any(n.name in _OWN_NAMES for n in loads):
        return False
    in_loops = {id(n) for loop in ast.find_all(nodes.For) for part in loop.body
                for n in part.find_all(nodes.Name)}
    return all(id(n) in in_loops for n in loads if n.name == "loop")


def _autoescape(env: Any, name: str) -> bool:
    return bool(env.autoescape(name) if callable(env.autoescape) else env.autoescape)
