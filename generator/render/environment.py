"""Jinja's environment, made quicker for pages whose variables are plain dicts, with the same output.

    Environment   a dict's item read at once; a template's globals as one dict; loaded templates found by name
    Context       call() quicker for plain functions (url, asset, abs_url)
    Template      output tags escape to a plain str, `~` joins with a plain join (escape_text, join_text)
    CodeGenerator a run of text and output tags is yielded as one joined str, not a piece at a time;
                  a call of a pure global with constant arguments (`url('archive/')`) is its text;
                  an include of a partial is the partial's nodes, where that renders the same (inline.py)

Renderer (renderer.py) makes one Environment per build; tests/test_render.py holds each of these to Jinja's own
behaviour.
"""
from __future__ import annotations

from types import FunctionType
from typing import Any, Callable, Iterable

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator as JinjaCodeGenerator, Frame
from jinja2.runtime import markup_join
from markupsafe import escape

from .inline import inline_includes

try:
    from markupsafe import _escape_inner  # markupsafe 3: the escaping that escape() wraps in a Markup
except ImportError:  # pragma: no cover - another markupsafe: the same text through escape()
    def _escape_inner(s: str) -> str:
        return str(escape(s))

__all__ = ["Environment", "Context", "Template", "CodeGenerator", "escape_text", "join_text"]


class Context(jinja2.runtime.Context):
    """Jinja's Context with a quicker call() for plain functions (url, asset, abs_url: ~40 calls a page).

    Context.call looks for pass_context markers on the callable and on its __call__ at every call; a plain
    function without a marker is called as Context.call would call it."""

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's signature
        if type(__obj) is not FunctionType or hasattr(__obj, "jinja_pass_arg"):
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined("value was undefined because a callable raised a"
                                                " StopIteration exception")


def escape_text(value: Any) -> str:
    """What `{{ value }}` outputs with autoescape: markupsafe.escape(value) as a plain str, without the Markup
    object (a paper page escapes ~120 values: at 10k papers in one process, 2.39 → 1.95 s for all the pages)."""
    if value.__class__ is str:
        return _escape_inner(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape_inner(str(value))


def join_text(items: tuple) -> Any:
    """What the `~` operator gives with autoescape (Jinja's markup_join): the plain join when every piece is a
    str, as markup_join's is then; with a Markup or another value among them, markup_join itself."""
    for item in items:
        if item.__class__ is not str:
            return markup_join(items)
    return "".join(items)


class Template(jinja2.Template):
    """A template whose output expressions escape with escape_text, and whose `~` joins with join_text.

    Jinja's compiled code calls its module's `escape` only on what an output tag (`{{ … }}`) yields; every
    such piece is joined into the page, or into a block, macro or `{% set %}` body that is then marked
    Markup as a whole. So a plain str of the same text gives the same output. markupsafe.escape itself, as
    the `e` filter and everywhere else, is unchanged."""

    @classmethod
    def from_code(cls, environment: jinja2.Environment, code: Any, globals: Any,
                  uptodate: Callable[[], bool] | None = None) -> jinja2.Template:
        template = super().from_code(environment, code, globals, uptodate)
        namespace = template.root_render_func.__globals__  # the compiled module's, shared by its blocks
        if namespace.get("escape") is escape:
            namespace["escape"] = escape_text
        if namespace.get("markup_join") is markup_join:
            namespace["markup_join"] = join_text
        return template


class CodeGenerator(JinjaCodeGenerator):
    """Jinja's code generator, with each run of template text and output tags yielded as one str.

    Jinja yields each piece of a run (`<h1>`, `{{ title }}`, `</h1>`) on its own, and every piece climbs the
    generators of the blocks and templates it is in (a child's root, base.html's root, the block) to the
    join in Template.render: ~230 pieces a paper page. Here the run is `yield "".join((…))`, the same
    pieces made by the same code in the same order, so the page is the same text (tests/test_render.py
    builds the golden site, every kind of page, both ways). Left to Jinja: a run of one piece, a run inside a block that
    collects its output (`{% set %}`, macros, `{% call %}`), output outside a child template's blocks, and
    async templates."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        env = self.environment
        into = getattr(env, "inline_into", ())  # () for an environment not of this module: none
        if self.name is not None and (into is None or self.name in into):
            env.compiling.add(self.name)
            try:
                done = inline_includes(node, env, self.name, env.compiling)  # may compile the partials first
                env.inlined += done
            finally:
                env.compiling.discard(self.name)
        folded = getattr(env, "folded", None)
        if folded:
            _fold(node, env, folded)
        super().visit_Template(node, frame)

    def visit_Output(self, node: nodes.Output, frame: Frame) -> None:
        if frame.buffer is not None or frame.require_output_check or self.environment.is_async:
            return super().visit_Output(node, frame)
        finalize = self._make_finalize()
        body: list[list[Any] | nodes.Expr] = []
        for child in node.nodes:  # as Jinja does: template text and constants folded when compiled
            try:
                if not (finalize.const or isinstance(child, nodes.TemplateData)):
                    raise nodes.Impossible()
                const = self._output_child_to_const(child, frame, finalize)
            except (nodes.Impossible, Exception):  # noqa: BLE001 - Jinja's: evaluated (and reported) when run
                body.append(child)
                continue
            if body and isinstance(body[-1], list):
                body[-1].append(const)
            else:
                body.append([const])
        if len(body) < 2:
            return super().visit_Output(node, frame)
        self.writeline('yield "".join((')
        self.indent()
        for item in body:
            if isinstance(item, list):
                self.writeline(self._output_const_repr(item) + ",")
            else:
                self.newline(item)  # the template line of each expression, for error messages
                self._output_child_pre(item, frame, finalize)
                self.visit(item, frame)
                self._output_child_post(item, frame, finalize)
                self.write(",")
        self.outdent()
        self.writeline("))")


def _fold(node: nodes.Node, env: jinja2.Environment, names: frozenset[str]) -> None:
    """Replace, under `node`, each call of a global in `names` whose arguments are constants with a constant of
    what it returns (a call that raises is left to raise when rendered, at its line)."""
    for field in node.fields:
        value = getattr(node, field, None)
        if isinstance(value, nodes.Node):
            setattr(node, field, _folded(value, env, names))
        elif isinstance(value, list):
            value[:] = [_folded(item, env, names) if isinstance(item, nodes.Node) else item for item in value]


def _folded(node: nodes.Node, env: jinja2.Environment, names: frozenset[str]) -> nodes.Node:
    if (isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name in names
            and not (node.kwargs or node.dyn_args or node.dyn_kwargs)
            and all(isinstance(arg, nodes.Const) for arg in node.args)):
        try:
            value = env.globals[node.node.name](*(arg.value for arg in node.args))
        except Exception:  # noqa: BLE001 - e.g. asset() of a file the theme lacks: reported when rendered
            return node
        if value.__class__ is str:
            return nodes.Const(value, lineno=node.lineno, environment=env)
    _fold(node, env, names)
    return node


def _bound(ast: nodes.Template) -> set[str]:
    """The names a template binds: `{% set %}`, `{% for %}`, `{% with %}`, parameters, macros, imports."""
    names = {name.name for name in ast.find_all(nodes.Name) if name.ctx != "load"}
    names.update(macro.name for macro in ast.find_all(nodes.Macro))
    names.update(imp.target for imp in ast.find_all(nodes.Import))
    for imp in ast.find_all(nodes.FromImport):
        names.update(n if isinstance(n, str) else n[1] for n in imp.names)
    return names


class Environment(jinja2.Environment):
    """Jinja's Environment, quicker where a page's variables are plain dicts (as site.py makes them).

    `card.title` on a dict: Jinja's getattr tries getattr(card, "title") first, which raises AttributeError
    (a dict has no attributes but its methods), then card["title"]; here a name that is no dict attribute
    goes straight to the item, with the same result. A template's globals: Jinja chains them onto the
    environment's (a ChainMap, which every render and include walks twice to make its context); here they
    are one dict made when the template is loaded, which is the same as long as the globals are not changed
    after a template is loaded (Jinja's documentation asks that; Renderer sets them first). Its contexts,
    templates and code generator are this module's."""

    _DICT_NAMES = frozenset(dir(dict))
    context_class = Context
    template_class = Template
    code_generator_class = CodeGenerator

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._loaded: dict[str, jinja2.Template] = {}
        self._parsed: dict[str, tuple[str, nodes.Template]] = {}
        self.folded: frozenset[str] = frozenset()
        # includes compiled as the partials' nodes where that renders the same (inline.py), in these templates
        self.inline_into: frozenset[str] | None = None  # (None: all)
        self.inlined = 0  # how many were
        self.compiling: set[str] = set()  # the templates being compiled now (one compiles those it includes)
        self.partials: dict[str, tuple] = {}  # name → (source, filename) of one that may be inlined, else ()

    def plain(self) -> Environment:
        """This environment without inlined includes, its templates compiled anew: an error in a partial then
        points at the partial's file and line (Renderer renders a failed page again with it)."""
        plain = self.overlay(cache_size=-1)
        plain._loaded, plain._parsed, plain.compiling, plain.partials = {}, {}, set(), {}
        plain.inline_into, plain.inlined = frozenset(), 0
        return plain

    def fold_calls(self, names: Iterable[str]) -> None:
        """Let the templates call the globals `names` with constant arguments once, when each is compiled:
        `{{ url('archive/') }}` becomes the text it gives (26 calls of a paper page). They must be pure and
        stay as they are for this environment's life, and no page context may hold those names (Renderer's
        url, abs_url and asset). A name any template of the loader binds is folded nowhere: an include, or a
        parent template, sees the binding. The templates parsed to find out are not parsed again."""
        bound: set[str] = set()
        for name in self.list_templates():
            try:
                source = self.loader.get_source(self, name)[0]  # type: ignore[union-attr]
                ast = self.parse(source, name)
            except (jinja2.TemplateError, ValueError, OSError):  # not a template: an error if a page uses it
                continue
            self._parsed[name] = (source, ast)
            bound |= _bound(ast)
        self.folded = frozenset(names) - bound

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        found = self._parsed.pop(name, None) if name is not None else None
        if found is not None and found[0] == source:
            return found[1]
        return super()._parse(source, name, filename)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in self._DICT_NAMES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def make_globals(self, d: Any) -> Any:
        return {**self.globals, **d} if d else dict(self.globals)

    def get_template(self, name: Any, parent: str | None = None, globals: Any = None) -> jinja2.Template:
        """Jinja's, with a template already loaded found by its name in one dict look-up (every extends and
        include asks again; Jinja's cache makes a weak reference and a key each time). The same template: this
        environment never reloads or evicts one (auto_reload off, cache_size -1) and joins no paths."""
        if globals is None and name.__class__ is str:
            found = self._loaded.get(name)
            if found is None:
                found = self._loaded[name] = super().get_template(name, parent)
            return found
        return super().get_template(name, parent, globals)
