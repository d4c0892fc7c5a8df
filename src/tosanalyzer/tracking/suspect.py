"""Tell a broken capture from a real version of a document, from its text alone.

A fetch can succeed and still bring back the wrong page: an error page served with status 200, a
bot wall, a cookie wall, a page whose content did not render, a capture cut short. Open Terms
Archive recorded such texts as versions (Microsoft's privacy policy ends as "Service Unavailable
- DNS failure"); kept in the history, each would show as the terms being rewritten and every
finding lost, then regained. The detector reads text only, so the same rule judges a fresh fetch
and a loaded history, and it says why, so that a person can check the call.

Error and wall phrases are looked for where such pages put them: anywhere in a short text, only
in the first lines of a long one. A privacy policy that mentions CAPTCHAs, "access denied" or
cookie consent is a document, not a wall. A bare status code ("Error 404", "HTTP 500") is an
error page only when a headline says nothing else: "Error 404 Studios" and "Http500 Inc." are
vendors whose terms name them in their first lines.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from itertools import islice
from typing import Literal

from tosanalyzer.models import strip_controls

SuspectKind = Literal["error_page", "bot_wall", "cookie_wall", "near_empty", "shrunk"]

SHORT_TEXT = 3000
"""Characters of visible text up to which a text may be a whole error page or wall (~500 words)."""
LEAD_LINES = 3
"""Lines (with letters) where a page puts its headline: the only ones read in a longer text."""
NEAR_EMPTY_LETTERS = 200
"""Fewer letters and digits than this is no document (~35 English words; CJK counts too)."""
SHRINK_RATIO = 1 / 3
"""A text shorter than this share of the previous good version was cut short, not rewritten.

Size is counted in words (see ``_text_size``), so a page that switches language is not a shrink.
Real rewrites in the OTA corpus shrink to 42 % at the least; broken captures to 31 % and less.
"""
CJK_CHARACTER_WORDS = 0.5
"""Words a Han or kana character counts for: Chinese and Japanese put no spaces between words,
and take one to two and a half characters for what an English word says (1.3 in the terse legal
Japanese of our tests, 2.4 in a plainer translation). Counted as characters, the same terms in
Japanese measured under a third of their English size; counted each as a word, the English
would measure under half the Japanese. At one half, a faithful translation stays within a
factor of two either way, far from ``SHRINK_RATIO``."""


def _phrases(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b", re.IGNORECASE)


_ERROR_SENTENCES = (
    r"[45]\d\d\W{0,3}(?:error|not found|forbidden|unauthori[sz]ed|bad request|bad gateway"
    r"|service unavailable|gateway time-?out|internal server error|too many requests)",
    r"page\s+(?:was\s+)?not\s+found",
    r"(?:this|the)\s+page\s+(?:isn['’]t|is\s+not|is\s+no\s+longer)\s+available",
    r"(?:can['’]t|cannot|could\s*n['’]t|could\s+not)\s+find\s+(?:that|the|this)\s+page",
    r"service\s+(?:is\s+)?(?:temporarily\s+)?unavailable",
    r"access\s+(?:denied|forbidden)",
    r"internal\s+server\s+error",
    r"bad\s+gateway",
    r"gateway\s+time-?out",
    r"dns\s+(?:failure|error|resolution\s+failed)",
    r"something\s+went\s+wrong",
    r"try\s+reloading\s+(?:this|the)\s+page",
    r"(?:down\s+for|under)\s+maintenance",
)
_ERROR_SENTENCE = _phrases(*_ERROR_SENTENCES)
"""Says the page failed in any sentence: searched anywhere in a short text."""
_ERROR_HEADLINE = _phrases(
    *_ERROR_SENTENCES, r"(?:(?:error|http|status)\s*(?:code\s*)?:?\s*)?[45]\d\d"
)
"""What a headline of an error page is made of: the statements, and status codes ("Error 404").
A reason alone is not one: "Forbidden" can head a list of forbidden uses."""
_HEADLINE_FILLER = frozenset(
    ("oops", "whoops", "sorry", "uh", "oh", "error", "http", "status", "code", "page", "right",
     "now", "the", "this", "that", "a", "we", "re", "currently", "temporarily")
)  # fmt: skip
"""Words an error headline may add to its statement ("Oops! Error 404", "… Right Now")."""
_TITLE_SEPARATOR = re.compile(r"\s+[-|–—·•]\s+|\s*\|\s*")
"""Between the parts of a title ("Page not found | Acme Cloud")."""
_WORD = re.compile(r"\w+")
_CJK_CHARACTER = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
"""Kana, Han (with extension A and the compatibility ideographs), half-width katakana."""
_BOT_WALL = _phrases(
    r"verify\s+(?:that\s+)?you\s+are\s+(?:a\s+)?human",
    r"are\s+you\s+a\s+(?:robot|human)",
    r"i['’]?m\s+not\s+a\s+robot",
    r"just\s+a\s+moment",
    r"checking\s+(?:your\s+browser|if\s+the\s+site\s+connection\s+is\s+secure)",
    r"enable\s+javascript\s+and\s+cookies\s+to\s+continue",
    r"attention\s+required",
    r"\w*captcha",
    r"unusual\s+traffic",
    r"press\s+(?:&|and)\s+hold",
    r"(?:complete\s+the\s+)?security\s+check\s+to\s+access",
    r"you\s+have\s+been\s+blocked",
    r"ddos\s+protection",
)
_COOKIE = _phrases(r"cookies?")
_CONSENT = _phrases(
    r"(?:accept|reject|allow|refuse|decline)\s+(?:all|cookies|optional\s+cookies)",
    r"(?:cookie|privacy)\s+(?:settings|preferences)",
    r"manage\s+(?:your\s+)?(?:cookies|preferences|consent|choices)",
    r"before\s+you\s+continue",
    r"we\s+value\s+your\s+privacy",
)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_BARE_URL = re.compile(r"https?://\S+")
_NOT_ALNUM = re.compile(r"[\W_]+")
_LABELS: dict[SuspectKind, str] = {
    "error_page": "error page",
    "bot_wall": "bot wall",
    "cookie_wall": "cookie wall",
    "near_empty": "near-empty",
    "shrunk": "drastic shrink",
}


@dataclass(frozen=True)
class Suspect:
    """Why a text looks like a broken capture rather than the document."""

    kind: SuspectKind
    detail: str

    def __post_init__(self) -> None:
        # The detail quotes the text; it is printed, and stored as a failed fetch's reason.
        object.__setattr__(self, "detail", strip_controls(self.detail))

    @property
    def reason(self) -> str:
        return f"{_LABELS[self.kind]}: {self.detail}"


def suspect_reason(text: str, previous_text: str | None = None) -> str | None:
    """Why ``text`` is not a real version of the document, or None when it looks like one.

    ``previous_text`` is the last version that was not suspect, to catch a capture cut short.
    """
    suspect = find_suspect(text, previous_text)
    return suspect.reason if suspect else None


def find_suspect(text: str, previous_text: str | None = None) -> Suspect | None:
    """``suspect_reason`` with the kind apart, for counting and filtering."""
    visible = _visible(text)
    short = len(visible) <= SHORT_TEXT
    lead = _lead(visible)
    searched = visible if short else lead
    said = _error_headline(lead)
    if said is None and short and (sentence := _ERROR_SENTENCE.search(visible)):
        said = _line_of(visible, sentence)
    if said is not None:
        return Suspect("error_page", f"says “{_quote(said)}”")
    wall = _BOT_WALL.search(searched)
    if wall:
        return Suspect("bot_wall", f"says “{_quote(_line_of(searched, wall))}”")
    if short and _COOKIE.search(visible) and (consent := _CONSENT.search(visible)):
        return Suspect("cookie_wall", f"a short text about cookies that says “{consent[0]}”")
    letters = _letters_if_near_empty(visible)
    if letters is not None:
        return Suspect("near_empty", f"{letters} letters or digits of text")
    if previous_text:
        previous_size = _text_size(previous_text)  # first: the new text is kept, not this
        size = _text_size(text)
        if size < previous_size * SHRINK_RATIO:
            return Suspect(
                "shrunk",
                f"{size:,.0f} words, {size / previous_size:.0%} of the previous version's "
                f"{previous_size:,.0f}",
            )
    return None


@functools.lru_cache(maxsize=2)
def _text_size(text: str) -> float:
    """How much a text says, in words, whatever its script: what stands between spaces counts
    for one, and each Han or kana character for ``CJK_CHARACTER_WORDS`` more (those scripts put
    no spaces between words). UTF-8 bytes, the other measure fair to CJK, would weigh a Cyrillic
    or Greek text twice an English one. A link's target sticks to its last word, so Markdown
    needs no stripping.
    Kept for the last two texts: a history is checked version after version, each new text
    against the one before, and counting a long text costs milliseconds."""
    cjk = 0 if text.isascii() else len(_CJK_CHARACTER.findall(text))
    return len(text.split()) + CJK_CHARACTER_WORDS * cjk


def _error_headline(lead: str) -> str | None:
    """The first line that is an error statement and nothing else (or one part of a title is),
    which a name ("Error 404 Studios") or a sentence about errors never is."""
    for line in lead.splitlines():
        for part in _TITLE_SEPARATOR.split(line):
            rest, found = _ERROR_HEADLINE.subn(" ", part)
            if found and all(w.lower() in _HEADLINE_FILLER for w in _WORD.findall(rest)):
                return line
    return None


def _visible(text: str) -> str:
    """The text a reader sees: images dropped, links reduced to their words, no URLs."""
    return _BARE_URL.sub("", _LINK.sub(r"\1", _IMAGE.sub("", text)))


def _letters_if_near_empty(text: str) -> int | None:
    # Counting a long text's letters costs seconds over a corpus: its start usually settles it.
    if len(_NOT_ALNUM.sub("", text[: NEAR_EMPTY_LETTERS * 10])) >= NEAR_EMPTY_LETTERS:
        return None
    letters = len(_NOT_ALNUM.sub("", text))
    return letters if letters < NEAR_EMPTY_LETTERS else None


def _lead(text: str) -> str:
    lines = (line for line in text.splitlines() if any(char.isalpha() for char in line))
    return "\n".join(islice(lines, LEAD_LINES))


def _line_of(text: str, found: re.Match[str]) -> str:
    start = text.rfind("\n", 0, found.start()) + 1
    end = text.find("\n", found.end())
    return text[start : end if end >= 0 else None]


def _quote(line: str) -> str:
    line = " ".join(line.split())
    return line if len(line) <= 100 else line[:99] + "…"
