"""The normal form of a text: what is left when every cosmetic edit is undone.

A vendor that renumbers its sections, reflows a paragraph, retitles a link or serves its links
with fresh tracking tokens has not changed its terms. The clause diff compares normal forms, so
such edits align as unchanged clauses and classify as cosmetic; the decisions a reviewer made
follow a clause by its normal form for the same reason.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

_LINK = re.compile(r"!?\[([^\]]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_REFERENCE_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_URL = re.compile(r"<?\b(?:https?://|www\.)[^\s<>()\[\]]+>?")
_TOKEN_IN_PATH = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"  # a UUID
    r"|(?=[a-z_-]*\d)[a-z0-9_-]{20,}"  # a long run of letters mixed with digits
)
_ENUMERATOR = (
    r"(?:\(?(?:\d{1,3}(?:\\?\.\d{1,3})*|[a-z]|[ivx]{1,6})\\?[.):]\)?"  # 1.  1.2.  a)  (iv)  ii.
    r"|\((?:\d{1,3}|[a-z]|[ivx]{1,6})\)"
    r"|\d{1,3}(?:\\?\.\d{1,3})+)"  # 12.2 (no closing dot)
)
_LEAD = re.compile(
    r"^[\s>#*_+•·-]*(?:(?:section|article|clause|§)\s*)?"
    rf"(?:{_ENUMERATOR}[*_]*(?=\s|$)[\s*_]*)+",
    re.MULTILINE,
)
_CROSS_REFERENCE = re.compile(
    r"\b(sections?|articles?|clauses?|paragraphs?|§+)\s*\d{1,3}(?:\.\d{1,3})*(?:\([a-z0-9]{1,4}\))*"
)
_INLINE_ENUMERATOR = re.compile(r"(?<!\w)\((?:[ivx]{1,6}|[a-z]|\d{1,2})\)")
WORD = re.compile(r"[^\W_]+")
"""A word, for every comparison of the two diffs: letters and digits, never underscores."""


def normalise(text: str) -> str:
    """The words of a text, without what a cosmetic edit may change.

    Two texts with the same normal form differ only in whitespace, punctuation, letter case,
    list and section numbering (also in cross-references: "see Section 12"), Markdown heading and
    emphasis markers, link targets (``[text](url)`` keeps the text) and, in URLs written out, query
    strings, fragments and per-request tokens (UUIDs, long mixed letter-digit runs).
    Each rewrite runs only when its cue is in the text: thousands of clauses per diff.
    """
    text = unicodedata.normalize("NFKC", text).lower()
    if "](" in text:
        text = _LINK.sub(r"\1", text)
    if "][" in text:
        text = _REFERENCE_LINK.sub(r"\1", text)
    if "http" in text or "www." in text:
        text = _URL.sub(lambda match: _bare_url(match.group()), text)
    text = _LEAD.sub(" ", text)
    if "(" in text:
        text = _INLINE_ENUMERATOR.sub(" ", text)
    text = _CROSS_REFERENCE.sub(r"\1", text)
    return " ".join(WORD.findall(text))


def _bare_url(url: str) -> str:
    """A written-out URL as host and path, without query, fragment or token-like segments."""
    url = url.strip("<>")
    parts = urlsplit(url if "://" in url else f"http://{url}")
    path = "/".join(s for s in parts.path.split("/") if not _TOKEN_IN_PATH.search(s))
    return f" {parts.hostname or ''} {path} "
