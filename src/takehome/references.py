"""The files a page refers to, found by parsing it as the renderer will: HTML attributes with
tinyhtml5 (WeasyPrint's own parser), CSS `url()` and `@import` with tinycss2, SVG links.
Never a regular expression over text: words in a page are never taken for a file name."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import tinycss2
import tinyhtml5

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"

# What a reference asks for, and so what the file it names must be.
IMAGE, STYLESHEET, FONT = "image", "stylesheet", "font"
# References that are refused whatever they name: a file attached to the PDF, an embedded
# document, a base address that moves every other reference.
ATTACHMENT, EMBED, BASE = "attachment", "embed", "base"

_EMBEDDING = {"embed", "object", "iframe", "frame", "applet", "portal"}
_FILE_ATTRIBUTES = ("src", "data", "poster", "background")  # on any other HTML element
_NESTING_AT_RULES = {"media", "supports", "layer", "container", "document", "scope",
                     "starting-style"}


@dataclass(frozen=True)
class Reference:
    """One file a page asks for: its address as written, what it must be, and where it is."""

    url: str
    kind: str
    where: str


def _urls(tokens: Iterable[Any]) -> Iterator[str]:
    """Every url() in a list of CSS component values, however deeply nested."""
    for token in tokens:
        if token.type == "url":
            yield token.value
        elif token.type == "function":
            if token.lower_name == "url":
                strings = [t.value for t in token.arguments if t.type == "string"]
                if strings:
                    yield strings[0]
            yield from _urls(token.arguments)
        elif token.type in ("() block", "[] block", "{} block"):
            yield from _urls(token.content)


def _css_rules(rules: Iterable[Any], where: str) -> Iterator[Reference]:
    for rule in rules:
        if rule.type == "at-rule":
            keyword = rule.lower_at_keyword
            if keyword == "import":  # @import "a.css", url(a.css) or url("a.css")
                strings = [t.value for t in rule.prelude if t.type == "string"]
                for url in [*strings[:1], *_urls(rule.prelude)][:1]:
                    yield Reference(url, STYLESHEET, f"@import in {where}")
                continue
            if keyword in _NESTING_AT_RULES and rule.content is not None:
                yield from _css_rules(tinycss2.parse_rule_list(
                    rule.content, skip_comments=True, skip_whitespace=True), where)
                continue
            kind = FONT if keyword == "font-face" else IMAGE
            for url in _urls([*rule.prelude, *(rule.content or ())]):
                yield Reference(url, kind, f"@{keyword} in {where}")
        elif rule.type == "qualified-rule":
            for url in _urls(rule.content):
                yield Reference(url, IMAGE, f"url() in {where}")


def css_references(text: str, where: str = "a stylesheet") -> list[Reference]:
    """The files a stylesheet asks for: @import, @font-face sources, url() in any rule."""
    return list(_css_references(text, where))


@lru_cache(maxsize=64)
def _css_references(text: str, where: str) -> tuple[Reference, ...]:
    # A build's few stylesheets, parsed once per process (a `--watch` process's every build
    # scans the same ones).
    rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    return tuple(_local(_css_rules(rules, where)))


def style_references(text: str, where: str) -> list[Reference]:
    """The files a `style` attribute (or a CSS-valued SVG attribute) asks for."""
    return _local(Reference(url, IMAGE, where)
                  for url in _urls(tinycss2.parse_component_value_list(text)))


def _local(found: Iterable[Reference]) -> list[Reference]:
    """Leave out references to a place inside the page itself (`#id`) and empty ones."""
    return [r for r in found if r.url.strip() and not r.url.strip().startswith("#")]


def _srcset(value: str) -> list[str]:
    """The addresses of an HTML srcset ("a.png 1x, b.png 2x")."""
    return [part.split()[0] for part in value.split(",") if part.split()]


def _tag(element: ET.Element) -> str | None:
    return element.tag if isinstance(element.tag, str) else None  # comments are functions


def svg_references(root: ET.Element, where: str = "an SVG picture") -> list[Reference]:
    """The files an SVG picture (a file, or inline in a page) asks for: links to other
    files (`<image>`, `<use>`, `<feImage>`), url() in its styles and attributes, @import."""
    found: list[Reference] = []
    for element in root.iter():
        tag = _tag(element)
        if tag is None or not tag.startswith(SVG):
            continue
        name = tag.removeprefix(SVG)
        if name == "style":
            found += css_references("".join(element.itertext()), f"a <style> of {where}")
            continue
        for attribute, value in element.attrib.items():
            if attribute in (XLINK_HREF, "href"):
                if name != "a":  # a link is followed by a reader, never fetched
                    found += _local([Reference(value, IMAGE, f"<{name} href> in {where}")])
            elif "url(" in value:
                found += style_references(value, f"{attribute}= of <{name}> in {where}")
    return found


def _rel(element: ET.Element) -> set[str]:
    return set(element.get("rel", "").lower().split())


def html_references(html: str) -> list[Reference]:
    """Every file a page asks for, as the renderer will see it (stylesheets, pictures, fonts),
    and every element that would attach or embed a file."""
    tree = tinyhtml5.parse(html, namespace_html_elements=False)
    found: list[Reference] = []
    for element in tree.iter():
        tag = _tag(element)
        if tag is None:
            continue
        if tag.startswith(SVG):
            if tag == f"{SVG}svg":
                found += svg_references(element, "an inline <svg>")
            continue
        if "{" in tag:  # MathML: nothing it holds is fetched
            continue
        if "style" in element.attrib:
            found += style_references(element.get("style", ""), f"the style of <{tag}>")
        if tag == "style":
            found += css_references("".join(element.itertext()), "a <style> element")
            continue
        href = element.get("href", "").strip()
        if "attachment" in _rel(element):
            found.append(Reference(href, ATTACHMENT, f'<{tag} rel="attachment">'))
        elif tag == "link" and href and "stylesheet" in _rel(element) \
                and "alternate" not in _rel(element):
            found.append(Reference(href, STYLESHEET, "<link rel=\"stylesheet\">"))
        elif tag == "base":
            found.append(Reference(href, BASE, "<base>"))
        if tag in _EMBEDDING:
            source = element.get("src") or element.get("data") or ""
            found.append(Reference(source, EMBED, f"<{tag}>"))
            continue
        for attribute in _FILE_ATTRIBUTES:
            if element.get(attribute, "").strip():
                found.append(Reference(element.get(attribute, ""), IMAGE,
                                       f"<{tag} {attribute}>"))
        for url in _srcset(element.get("srcset", "")):
            found.append(Reference(url, IMAGE, f"<{tag} srcset>"))
    refused = [r for r in found if r.kind in (ATTACHMENT, EMBED, BASE)]
    return list(dict.fromkeys(refused + _local(r for r in found if r not in refused)))
