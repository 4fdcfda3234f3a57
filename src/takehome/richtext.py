"""Markdown written by the teacher -> safe HTML: no raw HTML, no pictures from the web."""

from __future__ import annotations

from functools import cache
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup, escape

LINK_SCHEMES = ("http", "https", "mailto", "tel")


def short_url(url: str) -> str:
    """An address short enough to print and type: no scheme, no "www.", no trailing slash."""
    parts = urlsplit(url)
    if parts.scheme in ("mailto", "tel"):
        return unquote(parts.path)
    host = (parts.hostname or "").removeprefix("www.")
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # a port that is not one, in text written by a teacher: print it as is
        host, port = parts.netloc.rpartition("@")[2].removeprefix("www."), ""
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{port}{unquote(parts.path).rstrip('/')}{query}"


def _valid_link(url: str) -> bool:
    """Only web, mail and phone links: no javascript:, file: or data:, no relative paths."""
    return urlsplit(url.strip()).scheme.lower() in LINK_SCHEMES


def _link_close(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict,
                env: EnvType) -> str:
    """On paper a link cannot be clicked: print its address after the link text."""
    if not env.get("print"):
        return "</a>"
    start = next(i for i in range(idx - 1, -1, -1) if tokens[i].type == "link_open")
    href = str(tokens[start].attrGet("href") or "")
    text = "".join(t.content for t in tokens[start + 1:idx]).strip()
    address = short_url(href)
    if text.casefold() in (address.casefold(), href.casefold()):
        return "</a>"
    return f'</a><span class="url"> ({escape(address)})</span>'


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable("image")  # pictures come from the project, with a caption and credit, not Markdown
    md.validateLink = _valid_link  # type: ignore[method-assign]
    md.add_render_rule("link_close", _link_close)
    return md


def markdown(text: str, *, print_links: bool = True) -> Markup:
    """Paragraphs, lists, emphasis and links as HTML; headings become h3/h4 under a section's h2."""
    md = _parser()
    env: EnvType = {"print": print_links}
    tokens = md.parse(text, env)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = "h3" if token.tag in ("h1", "h2", "h3") else "h4"
        for child in token.children or ():
            if child.type == "link_open" and not print_links:
                child.attrSet("rel", "noopener")
    return Markup(md.renderer.render(tokens, md.options, env))


# Quotation marks by language (CLDR's delimiters; Babel does not expose them): outer, inner.
QUOTES: dict[str, str | list[str]] = {
    "es": "«»“”", "ar": "«»“”", "fr": ["«\u202f", "\u202f»", "“", "”"], "de": "„“‚‘",
}


@cache
def _typographer(lang: str) -> MarkdownIt:
    quotes = QUOTES.get(lang.split("_")[0].split("-")[0], "“”‘’")
    return MarkdownIt("zero", {"typographer": True, "quotes": quotes}).enable(
        ["smartquotes"])


def typographic(text: str, lang: str, keep_last: bool = True) -> Markup:
    """Plain text as HTML with the language's quotation marks and apostrophes, and (with
    `keep_last`) its last two words bound, so that no word stands alone on the last line."""
    html = _typographer(lang).renderInline(text)
    if keep_last:
        head, space, last = html.rpartition(" ")
        if space and " " in head.strip():  # three words or more
            html = f"{head}\u00a0{last}"
    return Markup(html)
