"""Jinja's environment, made quicker for pages whose variables are plain dicts, with the same output.

    Environment   a dict's item read at once; a template's globals as one dict; loaded templates found by name
    Context       call() quicker for plain functions (url, asset, abs_url)
    Template      output tags escape to a plain str, `~` joins with a plain join (escape_text, join_text)

Renderer (renderer.py) makes one Environment per build; tests/test_render.py holds each of these to Jinja's own
behaviour.
"""
from __future__ import annotations

from types import FunctionType
from typing import Any, Callable

import jinja2
from jinja2.runtime import markup_join
from markupsafe import escape

try:
    from markupsafe import _escape_inner  # markupsafe 3: the escaping that escape() wraps in a Markup
except ImportError:  # pragma: no cover - another markupsafe: the same text through escape()
    def _escape_inner(s: str) -> str:
        return str(escape(s))

__all__ = ["Environment", "Context", "Template", "escape_text", "join_text"]


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


class Environment(jinja2.Environment):
    """Jinja's Environment, quicker where a page's variables are plain dicts (as site.py makes them).

    `card.title` on a dict: Jinja's getattr tries getattr(card, "title") first, which raises AttributeError
    (a dict has no attributes but its methods), then card["title"]; here a name that is no dict attribute
    goes straight to the item, with the same result. A template's globals: Jinja chains them onto the
    environment's (a ChainMap, which every render and include walks twice to make its context); here they
    are one dict made when the template is loaded, which is the same as long as the globals are not changed
    after a template is loaded (Jinja's documentation asks that; Renderer sets them first). Its contexts and
    templates are this module's Context and Template."""

    _DICT_NAMES = frozenset(dir(dict))
    context_class = Context
    template_class = Template

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._loaded: dict[str, jinja2.Template] = {}

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
