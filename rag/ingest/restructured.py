"""reStructuredText (Sphinx sources, ``README.rst``) as HTML, for :func:`rag.ingest.markup.html_blocks` to read.

docutils parses the file; Sphinx's roles (``:func:`~pkg.f```, ``:ref:`title <label>```) become their text,
Sphinx's directives their content: an object's signature a described term (``.. function:: f(x)``), a release
note a sentence ("Added in version 3.1."), code blocks literal blocks. Nothing outside the file is read:
``include``, ``literalinclude`` and ``raw`` insert nothing, and no docutils configuration file is consulted.
"""

from __future__ import annotations

import contextvars
import functools
import re
import threading
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

# Directives that describe an object: the signature becomes a described term, the content its description.
_OBJECTS = frozenset(
    """function method class attribute data exception property decorator decoratormethod classmethod staticmethod
    module-function member var type macro struct enum enumerator option envvar describe object cmdoption
    autofunction automethod autoclass autoattribute autodata autoexception autoproperty autodecorator""".split()
)
_VERSIONS = {
    "versionadded": "Added in version",
    "versionchanged": "Changed in version",
    "deprecated": "Deprecated since version",
    "versionremoved": "Removed in version",
}
# Directives that hold no text of their own (navigation, indexing, markup settings, files from elsewhere).
_DROPPED = frozenset(
    """toctree index highlight currentmodule module default-domain default-role rst-class tabularcolumns
    literalinclude autosummary automodule autoflask autoprogram graphviz inheritance-diagram sectionauthor
    moduleauthor codeauthor program""".split()
)
_KINDS = frozenset("note notes warning tip hint important caution danger attention error seealso".split()) | {"see also"}
_CODE = ("code", "code-block", "sourcecode")
_CODE_ROLES = frozenset("func meth class attr exc data const mod obj option envvar file samp kbd code program".split())
_ROLE = re.compile(r"(?<![\w`]):((?:[A-Za-z0-9]+[-.:+])*[A-Za-z0-9]+):`")
_DIRECTIVE = re.compile(r"^[ \t]*\.\.[ \t]+((?:[A-Za-z0-9]+[-.:+_])*[A-Za-z0-9]+)[ \t]*::", re.M)
_TITLED = re.compile(r"^(.*?)\s*<([^<>]*)>$", re.S)
# ".. _label:" before a section title: what Sphinx shows for ":ref:`label`"
_LABELLED = re.compile(r"^\.\. _([^:\n]+):[ \t]*\n(?:[ \t]*\n)*([^\n]+)\n([=\-~^\"'`#*+.:_])\3{2,}[ \t]*$", re.M)
_titles: contextvars.ContextVar[Mapping[str, str]] = contextvars.ContextVar("rst_titles", default=MappingProxyType({}))
_SETTINGS = {
    "_disable_config": True,  # never a docutils.conf from the working directory
    "file_insertion_enabled": False,  # "include" and friends read no file
    "raw_enabled": False,
    "report_level": 5,  # parse problems are not text
    "halt_level": 5,
    "warning_stream": False,
    "syntax_highlight": "none",
    "output_encoding": "unicode",
    "embed_stylesheet": False,
    "stylesheet_path": "",
    "math_output": "HTML",
}
_LOCK = threading.Lock()
_registered: set[str] = set()


def _role_text(name: str, text: str) -> str:
    """What Sphinx shows for a role: the title of ``title <target>``, the last part of ``~a.b.c``, and ``()``
    after a function or method."""
    explicit = _TITLED.match(text)
    if explicit and explicit.group(1):
        return explicit.group(1)
    kind = name.rsplit(":", 1)[-1]
    if kind == "ref":  # a label: the title of the section it marks in this file, else its words
        return _titles.get().get(text.lower()) or re.sub(r"[-_]+", " ", text)
    text = text.lstrip("!").lstrip("/") if kind == "doc" else text.lstrip("!")
    if text.startswith("~"):
        text = text[1:].rsplit(".", 1)[-1]
    if kind in ("func", "meth") and not text.endswith(")"):
        text += "()"
    return text


def _role(name: str, rawtext: str, text: str, lineno: int, inliner: Any, options: Any = None, content: Any = None):  # type: ignore[no-untyped-def]
    from docutils import nodes, utils

    shown = _role_text(name, utils.unescape(text))
    kind = name.rsplit(":", 1)[-1]
    node = nodes.literal(rawtext, shown) if kind in _CODE_ROLES else nodes.inline(rawtext, shown)
    return [node], []


class _AnyOption(dict):  # type: ignore[type-arg]
    """An option spec that takes every option as text (Sphinx's ``:caption:``, ``:noindex:``, ``:members:``)."""

    def __bool__(self) -> bool:  # docutils reads options only where a spec is given
        return True

    def __missing__(self, key: str) -> Any:
        from docutils.parsers.rst import directives

        return directives.unchanged


@functools.cache
def _directive_classes() -> dict[str, type]:
    """The directive classes, made once docutils is imported."""
    from docutils import nodes
    from docutils.parsers.rst import Directive

    class Base(Directive):  # type: ignore[misc]
        optional_arguments = 1
        final_argument_whitespace = True
        has_content = True
        option_spec = _AnyOption()

        def body(self) -> list[Any]:
            holder = nodes.container()
            if self.content:
                self.state.nested_parse(self.content, self.content_offset, holder)
            return list(holder.children)

    class Dropped(Base):
        def run(self) -> list[Any]:
            return []

    class Content(Base):
        def run(self) -> list[Any]:
            return self.body()

    class Code(Base):
        def run(self) -> list[Any]:
            code = "\n".join(self.content)
            return [nodes.literal_block(code, code)] if code.strip() else []

    class Described(Base):
        def run(self) -> list[Any]:
            signature = " ".join(" ".join(self.arguments).split())
            body = self.body()
            if not body and (not signature or self.name.startswith("auto")):
                return []  # an autodoc line says nothing the file holds: the docstring is in the code
            term = nodes.term("", "", nodes.literal(signature, signature))
            item = nodes.definition_list_item("", term, nodes.definition("", *body))
            return [nodes.definition_list("", item)]

    class Version(Base):
        required_arguments = 1
        optional_arguments = 1

        def run(self) -> list[Any]:
            label = f"{_VERSIONS[self.name]} {self.arguments[0]}"
            body = self.body()
            if len(self.arguments) > 1:
                inline, _ = self.state.inline_text(self.arguments[1], self.lineno)
                body.insert(0, nodes.paragraph("", "", *inline))
            if body and isinstance(body[0], nodes.paragraph):
                body[0].insert(0, nodes.Text(label + ": "))
                return body
            return [nodes.paragraph("", label + "."), *body]

    class SeeAlso(Base):
        def run(self) -> list[Any]:
            body = self.body()
            if self.arguments:
                inline, _ = self.state.inline_text(self.arguments[0], self.lineno)
                body.insert(0, nodes.paragraph("", "", *inline))
            if body and isinstance(body[0], nodes.paragraph):
                body[0].insert(0, nodes.Text("See also: "))
            return body

    return {"dropped": Dropped, "content": Content, "code": Code, "described": Described, "version": Version, "seealso": SeeAlso}


def _register(text: str) -> None:
    """Register the Sphinx roles and directives the text uses that docutils doesn't know."""
    from docutils.parsers.rst import directives, roles
    from docutils.parsers.rst.languages import en

    classes = _directive_classes()
    with _LOCK:
        for name in set(_CODE) - _registered:  # docutils' own "code" takes none of Sphinx's options
            directives.register_directive(name, classes["code"])
            _registered.add(name)
        for name in {n.lower() for n in _DIRECTIVE.findall(text)} - _registered:
            _registered.add(name)
            if name not in en.directives and name not in directives._directive_registry:
                directives.register_directive(name, classes[_kind(name.rsplit(":", 1)[-1])])
        for name in set(_ROLE.findall(text)) - _registered:
            _registered.add(name)
            if name.lower() not in en.roles and name.lower() not in roles._role_registry:
                roles.register_local_role(name, _role)


def _kind(name: str) -> str:
    if name in _VERSIONS:
        return "version"
    if name in _DROPPED:
        return "dropped"
    if name in _OBJECTS or name.startswith("auto"):
        return "described"
    if name == "seealso":
        return "seealso"
    return "content"


def _fields_as_lists(document: Any) -> None:
    """Field lists (``:param x: ...``, ``:returns: ...``) as bulleted "name: text" items, not as described terms
    that would each open a section."""
    from docutils import nodes

    for fields in list(document.findall(nodes.field_list)):
        items = []
        for field in fields.children:
            if not isinstance(field, nodes.field) or len(field.children) < 2:
                continue
            name, body = field.children[0], field.children[1]
            parts = list(body.children)
            lead = parts.pop(0) if parts and isinstance(parts[0], nodes.paragraph) else nodes.paragraph()
            lead.insert(0, nodes.Text(name.astext() + ": "))
            items.append(nodes.list_item("", lead, *parts))
        fields.replace_self(nodes.bullet_list("", *items, bullet="-") if items else [])


def _admonitions_inline(document: Any) -> None:
    """Notes and warnings as their paragraphs (docutils writes them as ``<aside>``, which page readers skip), a
    titled one's title leading its first paragraph ("Implementation: ...") unless it only names the kind."""
    from docutils import nodes

    for box in list(document.findall(nodes.Admonition)):
        parts = list(box.children)
        title = parts.pop(0).astext().strip() if parts and isinstance(parts[0], nodes.title) else ""
        if title and title.lower() not in _KINDS and parts and isinstance(parts[0], nodes.paragraph):
            parts[0].insert(0, nodes.Text(title.rstrip(":") + ": "))
        box.replace_self(parts)


def rst_html(text: str) -> str:
    """The reStructuredText as an HTML page (title, sections, paragraphs, lists, code), or "" when docutils
    can't read it."""
    from docutils.core import publish_doctree, publish_from_doctree

    _register(text)
    token = _titles.set({m.group(1).strip().lower(): m.group(2).strip() for m in _LABELLED.finditer(text)})
    try:
        document = publish_doctree(text, settings_overrides=_SETTINGS)
        _fields_as_lists(document)
        _admonitions_inline(document)
        html = publish_from_doctree(document, writer="html5", settings_overrides=_SETTINGS)
    except Exception:  # noqa: BLE001 - a parser's failure on a hostile file leaves it to the plain-text reading
        return ""
    finally:
        _titles.reset(token)  # the file's section titles go with its parse
    return html if isinstance(html, str) else html.decode("utf-8", errors="replace")
