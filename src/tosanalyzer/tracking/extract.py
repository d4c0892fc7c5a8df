"""Turn an HTML page into the stable Markdown the rest of the pipeline reads.

Markdown, because headings and list items must survive (clause segmentation and section paths
are built from them) while markup noise must not. Stable, because a new version of a document is
recorded only when the hash of its extracted text changes: the same HTML must always give the
same bytes, and what varies between fetches of an unchanged page (link URLs with tracking
parameters, image sources, whitespace) must never reach the text.

A declaration (Open Terms Archive's shape) cuts the document out of its page in OTA's order —
filters, then ``remove``, then ``select`` — so that OTA declarations cut the same content here.
Each step is a function over the parsed tree: ``parse_html`` → filter, prune, select →
``tag_to_markdown``.

Extraction is where a broken fetch is caught, so every way of getting the wrong text is an
``ExtractError`` with a reason a person can act on: an error page served with status 200, a
selector that no longer matches (a redesign), a page left almost empty, a page that only
renders with JavaScript. Recorded quietly, any of these would look like the terms being
rewritten. What cannot be done here is said, not skipped: JavaScript filters are returned as
unsupported for the caller to report.
"""

from __future__ import annotations

import codecs
import copy
import json
import re
import warnings
from collections.abc import Iterator, Sequence
from email.message import Message
from itertools import chain
from urllib.parse import unquote_plus

import charset_normalizer
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
from bs4.dammit import EncodingDetector
from bs4.element import NavigableString, PageElement, Tag
from markdownify import ATX, MarkdownConverter
from pydantic import BaseModel, ConfigDict, Field
from soupsieve import SelectorSyntaxError

from tosanalyzer.models import (
    FilterSpec,
    RangeSelector,
    Selector,
    Selectors,
    Snapshot,
    SourcePage,
    strip_controls,
)

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
_NOT_ALNUM = re.compile(r"[\W_]+")

MIN_LETTERS = 200
"""Below this many letters and digits (about 35 English words) a page is "mostly empty". Counted
in characters, not words, so that Japanese or Chinese text, written without spaces, counts too."""

# Query parameters that only track who clicked: stripped from every URL, whatever the declaration.
_TRACKING_PREFIXES = ("utm_",)
_TRACKING_PARAMS = frozenset((
    "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid",
    "_ga", "_gl",
))  # fmt: skip
_URL_ATTRIBUTES = ("href", "src")

# The <title> or first <h1> of an HTTP error page: a status code with its reason, or the phrases
# sites put on the page they serve (often with status 200) when the document is not there.
_ERROR_HEADLINE = re.compile(
    r"\b(?:error|http)\s*[45]\d\d\b(?!\s*[^\W\d_])"  # not a name: "Error 404 Studios"
    r"|\b[45]\d\d\b\W{0,3}(?:error|not found|forbidden|unauthori[sz]ed|bad request|bad gateway"
    r"|service unavailable|gateway time-?out|internal server error|too many requests)"
    r"|\bpage\s+(?:was\s+)?not\s+found\b"
    r"|\bpage\s+(?:isn['’]t|is\s+not|not)\s+(?:available|found)\b"
    r"|^\W*(?:not found|forbidden|access denied|service unavailable|internal server error"
    r"|bad gateway|gateway time-?out|too many requests)\b",
    re.IGNORECASE,
)
# Labels browsers read as windows-1252 (WHATWG Encoding): pages declaring "iso-8859-1" are
# written in windows-1252 (curly quotes in 0x80–0x9F), and strict Latin-1 would turn them into
# control characters.
_WINDOWS_1252_LABELS = frozenset((
    "ascii", "us-ascii", "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1",
    "cp819",
))  # fmt: skip
# Text has none of these; more than one character in a hundred means binary data (PDF, image).
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class ExtractError(ValueError):
    """The page cannot give a text to analyse."""

    def __init__(self, reason: str) -> None:
        # A reason may quote the page (its title, its media type) and is printed to people.
        super().__init__(strip_controls(reason))


class NeedsJavaScript(ExtractError):
    """The page has no content without running its scripts (``executeClientScripts``)."""


class _NoContent(ExtractError):
    """Nothing, or too little, was extracted: on a script-rendered page, a sign it needs JS."""


class ExtractedPage(BaseModel):
    """One page cut out and converted, with what could not be applied."""

    model_config = ConfigDict(frozen=True)

    markdown: str
    encoding: str | None = Field(description="Charset the bytes were decoded with (None: text).")
    unsupported_filters: list[str] = Field(
        description="Filters not run: JavaScript functions (and unknown built-ins), by name."
    )


# --- the whole page → Markdown -----------------------------------------------------------------


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
        raise _NoContent("the HTML contains no text (only markup, scripts or images)")
    return text


def html_to_markdown(html: str | bytes) -> str:
    """Stable Markdown for a whole page; raises ExtractError when the page has no text."""
    return tag_to_markdown(parse_html(html))


# --- a declared page → its document ------------------------------------------------------------


def extract_snapshot(snapshot: Snapshot, page: SourcePage) -> ExtractedPage:
    """``extract_page`` on a fetched page, decoded with the charset its Content-Type declares."""
    message = Message()
    message["content-type"] = snapshot.content_type
    media_type = message.get_content_type() if snapshot.content_type else "text/html"
    if not media_type.startswith("text/") and not media_type.endswith(("/xhtml+xml", "/xml")):
        raise ExtractError(f"the page is not HTML but {media_type}, which is not supported")
    return extract_page(snapshot.content, page, charset=message.get_content_charset())


def extract_page(
    html: str | bytes, page: SourcePage, *, charset: str | None = None
) -> ExtractedPage:
    """The document ``page`` declares, as stable Markdown; ExtractError says why when it fails.

    ``charset`` is the one declared by the Content-Type header, for bytes.
    """
    text, encoding = (html, None) if isinstance(html, str) else decode_html(html, charset)
    soup = parse_html(text)
    _refuse_error_page(soup)
    stripped_params, unsupported = _read_filters(page.filter or [])
    _strip_query_params(soup, stripped_params)
    try:
        markdown = _document_markdown(soup, page)
    except _NoContent as error:
        if page.executeClientScripts:
            raise NeedsJavaScript(
                f"{error}; the page needs JavaScript rendering (executeClientScripts), "
                "which is out of scope"
            ) from error
        raise
    return ExtractedPage(markdown=markdown, encoding=encoding, unsupported_filters=unsupported)


def combine(markdowns: Sequence[str]) -> str:
    """One document from several pages' Markdown, in declaration order, a blank line apart."""
    if not markdowns:
        raise ExtractError("there is no page to combine")
    return "\n\n".join(markdown.strip("\n") for markdown in markdowns) + "\n"


def _document_markdown(soup: BeautifulSoup, page: SourcePage) -> str:
    _remove(soup, _as_list(page.remove))
    content = soup if page.select is None else _select(soup, _as_list(page.select))
    markdown = tag_to_markdown(content)
    letters = len(_NOT_ALNUM.sub("", markdown))
    if letters < MIN_LETTERS:
        raise _NoContent(
            f"the page is mostly empty after extraction: {letters} letters or digits "
            f"(a document has at least {MIN_LETTERS})"
        )
    return markdown


def _refuse_error_page(soup: BeautifulSoup) -> None:
    for name in ("title", "h1"):
        element = soup.find(name)
        headline = " ".join(element.get_text(" ").split()) if element else ""
        if _ERROR_HEADLINE.search(headline):
            raise ExtractError(f"the page is an error page: its <{name}> says “{headline[:100]}”")


# --- decoding ----------------------------------------------------------------------------------


def decode_html(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """The page's text and the charset that decoded it.

    Tried in a browser's order: byte-order mark, the ``declared`` charset (Content-Type), the
    page's own <meta charset>, then UTF-8 and detection. A charset is kept only if the bytes are
    valid in it, so a wrong declaration falls through to the next instead of giving mojibake.
    """
    body, byte_order_mark = EncodingDetector.strip_byte_order_mark(data)
    meta = EncodingDetector.find_declared_encoding(body, is_html=True)
    if meta and meta.lower().startswith("utf-16"):
        meta = "utf-8"  # WHATWG: bytes readable as ASCII markup cannot be UTF-16
    tried: list[str] = []
    for label in chain((byte_order_mark, declared, meta, "utf-8"), _detected(body)):
        encoding = _encoding_name(label)
        if encoding is None or encoding in tried:
            continue
        tried.append(encoding)
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError:
            continue
        if len(_CONTROL_CHARS.findall(text)) * 100 > len(text):
            raise ExtractError(f"the page is binary data, not text (read as {encoding})")
        return text, encoding
    raise ExtractError(f"cannot decode the page: its bytes are not valid in {', '.join(tried)}")


def _encoding_name(label: str | None) -> str | None:
    """Python's name for a charset label; None for a label Python does not know."""
    if not label:
        return None
    label = label.strip().lower()
    if label in _WINDOWS_1252_LABELS:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _detected(body: bytes) -> Iterator[str]:
    """Charsets for a page that declares none and is not UTF-8, the likeliest first (lazily:
    detection is slow, and most pages never need it).

    Statistics cannot tell Latin code pages apart from a few accented letters (detection reads
    French windows-1252 as mac_latin2), so a Latin reading gives way to windows-1252, what
    browsers assume for such pages. A non-Latin reading (Cyrillic, Japanese…) is distinctive.
    """
    guess = charset_normalizer.from_bytes(body).best()
    if guess is None:
        yield "cp1252"
        return
    letters = [char for char in str(guess) if ord(char) > 0x7F and char.isalpha()]
    non_latin = sum(ord(char) >= 0x370 for char in letters)
    yield from (
        [guess.encoding, "cp1252"] if non_latin * 2 > len(letters) else ["cp1252", guess.encoding]
    )


# --- filters -----------------------------------------------------------------------------------


def _read_filters(specs: list[FilterSpec]) -> tuple[set[str], list[str]]:
    """Query parameters the built-in filters strip, and the filters that cannot run here."""
    params: set[str] = set()
    unsupported: list[str] = []
    for spec in specs:
        if isinstance(spec, str):
            unsupported.append(spec)  # a JavaScript function from the service's *.filters.js
            continue
        for name, argument in spec.items():
            if name != "removeQueryParams":
                unsupported.append(name)
            elif isinstance(argument, str):
                params.add(argument)
            elif isinstance(argument, list) and all(isinstance(item, str) for item in argument):
                params.update(argument)
            else:
                given = json.dumps(argument, default=str)
                raise ExtractError(f"removeQueryParams takes parameter names, not {given}")
    return params, unsupported


def _strip_query_params(soup: BeautifulSoup, names: set[str]) -> None:
    """OTA's ``removeQueryParams`` on every link and image URL, plus the tracking parameters."""
    for element in soup.select(", ".join(f"[{attribute}]" for attribute in _URL_ATTRIBUTES)):
        for attribute in _URL_ATTRIBUTES:
            value = element.get(attribute)
            if isinstance(value, str) and "?" in value:
                element[attribute] = _without_params(value, names)


def _without_params(url: str, names: set[str]) -> str:
    before_fragment, hash_sign, fragment = url.partition("#")
    path, _, query = before_fragment.partition("?")
    kept = [
        pair
        for pair in query.split("&")
        if pair and not _is_stripped(unquote_plus(pair.partition("=")[0]), names)
    ]
    return path + ("?" + "&".join(kept) if kept else "") + hash_sign + fragment


def _is_stripped(name: str, names: set[str]) -> bool:
    return name in names or name in _TRACKING_PARAMS or name.startswith(_TRACKING_PREFIXES)


# --- remove and select -------------------------------------------------------------------------


def _as_list(selectors: Selectors | None) -> list[Selector]:
    if selectors is None:
        return []
    return list(selectors) if isinstance(selectors, list) else [selectors]


def _remove(soup: BeautifulSoup, selectors: list[Selector]) -> None:
    """Drop what the selectors match; a selector matching nothing is fine (nothing to remove)."""
    # Every match is found before anything moves, so one selector never hides another's match.
    doomed = [node for selector in selectors for node in _matches(soup, selector, required=False)]
    for node in doomed:
        node.extract()


def _select(soup: BeautifulSoup, selectors: list[Selector]) -> Tag:
    """A new container holding what each selector matches, in selector order, each part once."""
    # Everything is found before anything moves, so each selector sees the whole page; a range
    # is copied at once, inside copies of its ancestors.
    found: list[list[PageElement]] = []
    for selector in selectors:
        nodes = _matches(soup, selector, required=True)
        found.append([_clone_range(soup, nodes)] if isinstance(selector, RangeSelector) else nodes)
    container = soup.new_tag("div")
    chosen: set[int] = set()
    for node in (node for nodes in found for node in nodes):
        # A match inside an earlier match is already there: never repeat text.
        if not any(id(element) in chosen for element in (node, *node.parents)):
            chosen.add(id(node))
            container.append(node)  # moved, not copied: the page is not used after this
    return container


def _matches(soup: BeautifulSoup, selector: Selector, *, required: bool) -> list[PageElement]:
    if isinstance(selector, RangeSelector):
        nodes = _range_nodes(soup, selector)
    else:
        nodes = list(_css(soup, selector))
    if required and not nodes:
        raise _NoContent(f"the selector {_describe(selector)} matches nothing on the page")
    return nodes


def _css(soup: BeautifulSoup, css: str) -> list[Tag]:
    try:
        return list(soup.select(css))
    except (SelectorSyntaxError, NotImplementedError) as error:
        reason = str(error).splitlines()[0]
        raise ExtractError(f"the selector {_describe(css)} is not valid CSS: {reason}") from error


def _describe(selector: Selector) -> str:
    if isinstance(selector, RangeSelector):
        return json.dumps(selector.model_dump(exclude_none=True), ensure_ascii=False)
    return json.dumps(selector, ensure_ascii=False)


# --- range selectors (DOM Range semantics, as OTA runs them) -----------------------------------


def _range_nodes(soup: BeautifulSoup, selector: RangeSelector) -> list[PageElement]:
    """The outermost nodes wholly inside the range, in document order.

    As in the DOM: ``startBefore`` X starts the range with X, ``startAfter`` X just after X's
    end; ``endBefore`` Y ends it just before Y, ``endAfter`` Y with Y. Positions count every
    node in document order; a node is inside when its whole subtree is.
    """
    order = list(soup.descendants)
    position = {id(node): index for index, node in enumerate(order)}
    start = _boundary(soup, position, selector.startBefore, selector.startAfter, selector)
    end = _boundary(soup, position, selector.endBefore, selector.endAfter, selector)
    if start >= end:
        raise _NoContent(
            f"the range selector {_describe(selector)} is empty: it ends before it starts"
        )
    # Nodes holding a boundary are only partly inside: descend into them.
    partial = {
        id(parent)
        for index in (start, end)
        if index < len(order)
        for parent in order[index].parents
    }
    return list(_wholly_inside(soup, start, end, position, partial))


def _boundary(
    soup: BeautifulSoup,
    position: dict[int, int],
    before: str | None,
    after: str | None,
    selector: RangeSelector,
) -> int:
    css = before if before is not None else after
    if css is None:  # the model requires one of the two
        raise ExtractError(f"the range selector {_describe(selector)} lacks a bound")
    matches = _css(soup, css)
    if not matches:
        raise _NoContent(
            f"the range selector {_describe(selector)} has no match for {json.dumps(css)}"
        )
    node = matches[0]
    if before is not None:
        return position[id(node)]
    return position[id(node)] + 1 + sum(1 for _ in node.descendants)


def _wholly_inside(
    parent: Tag, start: int, end: int, position: dict[int, int], partial: set[int]
) -> Iterator[PageElement]:
    for child in parent.children:
        if id(child) in partial and isinstance(child, Tag):
            yield from _wholly_inside(child, start, end, position, partial)
        elif start <= position[id(child)] < end:
            yield child


def _clone_range(soup: BeautifulSoup, nodes: list[PageElement]) -> Tag:
    """Copies of ``nodes`` inside empty copies of their ancestors (the DOM's cloneContents), so a
    range over list items keeps its list."""
    fragment = soup.new_tag("div")
    shells: dict[int, Tag] = {}

    def shell_for(element: Tag | None) -> Tag:
        if element is None or element is soup:
            return fragment
        if id(element) not in shells:
            shell = soup.new_tag(element.name)
            shell.attrs = dict(element.attrs)
            shell_for(element.parent).append(shell)
            shells[id(element)] = shell
        return shells[id(element)]

    for node in nodes:
        shell_for(node.parent).append(copy.copy(node))
    return fragment


# --- conversion details ------------------------------------------------------------------------


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
    plain = strip_controls(markdown).replace(_NBSP, " ")
    lines = (_SPACE_RUN.sub(" ", line).rstrip() for line in plain.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n") + "\n"
