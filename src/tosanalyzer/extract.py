"""Turn an HTML page into the stable Markdown the rest of the pipeline reads.

Markdown, because headings and list items must survive (clause segmentation and section paths
are built from them) while markup noise must not. Stable, because a new version of a document is
recorded only when the hash of its extracted text changes: the same HTML must always give the
same bytes, and what varies between fetches of an unchanged page (link URLs with tracking
parameters, image sources, whitespace) must never reach the text.

The steps are separate functions so that CSS select/remove can slot in between parsing and
conversion: ``parse_html`` → prune or select the tree → ``tag_to_markdown``.
"""

from __future__ import annotations

import re
import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
from bs4.element import NavigableString, Tag
from markdownify import ATX, MarkdownConverter

# Elements a reader never sees: their text is code, styling or page metadata, not terms.
_INVISIBLE = ("script", "style", "noscript", "template", "svg", "head", "iframe")
# Blocks markdownify does not know (it knows div, p, section, article...): treated as divs they
# get paragraph breaks around them and lose the stray spaces of the indentation between them.
_UNKNOWN_BLOCKS = (
    "html", "body", "main", "nav", "header", "footer", "aside", "address", "figure", "form",
    "fieldset", "details", "summary", "hgroup", "center", "dialog", "search",
)  # fmt: skip

_CONVERTER = MarkdownConverter(
    heading_style=ATX,
    bullets="-",
    strip=["a", "img"],  # links keep their words, images go: no URL ever reaches the text
    escape_asterisks=False,  # legal text is read, not rendered: "\*" would only be noise
    escape_underscores=False,
    wrap=True,  # a newline in HTML source is only a space: re-wrapped source, same text
    wrap_width=None,  # ... and never re-wrap paragraphs ourselves
)

_SPACE_RUN = re.compile(r"(?<=\S)[ \t]{2,}")  # inside a line; leading indentation nests lists
_BLANK_LINES = re.compile(r"\n{3,}")
_NBSP = "\u00a0"


class ExtractError(ValueError):
    """The page cannot give a text to analyse."""


def parse_html(html: str | bytes) -> BeautifulSoup:
    """Parse a page with lxml; bytes are decoded the way a browser would (BOM, <meta charset>)."""
    with warnings.catch_warnings():
        # We know we hold a page: short text that looks like a URL, or XHTML, is still a page.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(html, "lxml")


def tag_to_markdown(tag: Tag) -> str:
    """Stable Markdown for ``tag`` and everything in it.

    The tag is pruned in place (invisible elements dropped, no-break spaces made plain), so pass
    a tree you own, as ``parse_html`` gives.
    """
    _prune(tag)
    try:
        markdown = _CONVERTER.convert_soup(tag)
    except RecursionError as error:
        raise ExtractError("the HTML is nested too deeply to convert to text") from error
    text = _normalise(markdown)
    if not any(char.isalnum() for char in text):
        raise ExtractError("the HTML contains no text (only markup, scripts or images)")
    return text


def html_to_markdown(html: str | bytes) -> str:
    """Stable Markdown for a whole page; raises ExtractError when the page has no text."""
    return tag_to_markdown(parse_html(html))


def _prune(tag: Tag) -> None:
    for element in tag.find_all(_INVISIBLE):
        element.decompose()
    for block in [tag, *tag.find_all(_UNKNOWN_BLOCKS)]:
        if block.name in _UNKNOWN_BLOCKS:
            block.name = "div"
    for string in tag.find_all(string=lambda s: _NBSP in s):
        _replace_text(string, string.replace(_NBSP, " "))
    for line_break in tag.find_all("br"):
        # The source's indentation after <br> would start the next line with a space.
        following = line_break.next_sibling
        if isinstance(following, NavigableString) and not line_break.find_parent("pre"):
            _replace_text(following, following.lstrip())


def _replace_text(string: NavigableString, text: str) -> None:
    # Only plain text: a Comment turned into a NavigableString would become visible text.
    if type(string) is NavigableString:
        string.replace_with(NavigableString(text))


def _normalise(markdown: str) -> str:
    lines = (
        _SPACE_RUN.sub(" ", line).rstrip() for line in markdown.replace(_NBSP, " ").split("\n")
    )
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n") + "\n"
