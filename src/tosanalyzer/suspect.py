"""Tell a broken capture from a real version of a document, from its text alone.

A fetch can succeed and still bring back the wrong page: an error page served with status 200, a
bot wall, a cookie wall, a page whose content did not render, a capture cut short. Open Terms
Archive recorded such texts as versions (Microsoft's privacy policy ends as "Service Unavailable
- DNS failure"); kept in the history, each would show as the terms being rewritten and every
finding lost, then regained. The detector reads text only, so the same rule judges a fresh fetch
and a loaded history, and it says why, so that a person can check the call.

Error and wall phrases are looked for where such pages put them: anywhere in a short text, only
in the first lines of a long one. A privacy policy that mentions CAPTCHAs, "access denied" or
cookie consent is a document, not a wall.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice
from typing import Literal

SuspectKind = Literal["error_page", "bot_wall", "cookie_wall", "near_empty", "shrunk"]

SHORT_TEXT = 3000
"""Characters of visible text up to which a text may be a whole error page or wall (~500 words)."""
LEAD_LINES = 3
"""Lines (with letters) a longer text is checked in: where an error page puts its headline."""
NEAR_EMPTY_LETTERS = 200
"""Fewer letters and digits than this is no document (~35 English words; CJK counts too)."""
SHRINK_RATIO = 1 / 3
"""A text shorter than this share of the previous good version was cut short, not rewritten.

Real rewrites in the OTA corpus shrink to 41 % at the least; broken captures to 31 % and less.
"""


def _phrases(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b", re.IGNORECASE)


_ERROR_PAGE = _phrases(
    r"(?:error|http)\s*[45]\d\d",
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
_PHRASE_CHECKS: tuple[tuple[SuspectKind, re.Pattern[str]], ...] = (
    ("error_page", _ERROR_PAGE),
    ("bot_wall", _BOT_WALL),
)
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
    searched = visible if short else _lead(visible)
    for kind, pattern in _PHRASE_CHECKS:
        found = pattern.search(searched)
        if found:
            return Suspect(kind, f"says “{_line_of(searched, found)}”")
    if short and _COOKIE.search(visible) and (consent := _CONSENT.search(visible)):
        return Suspect("cookie_wall", f"a short text about cookies that says “{consent[0]}”")
    letters = _letters_if_near_empty(visible)
    if letters is not None:
        return Suspect("near_empty", f"{letters} letters or digits of text")
    if previous_text and len(text) < len(previous_text) * SHRINK_RATIO:
        share = len(text) / len(previous_text)
        return Suspect(
            "shrunk",
            f"{len(text):,} characters, {share:.0%} of the previous version's "
            f"{len(previous_text):,}",
        )
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
    line = " ".join(text[start : end if end >= 0 else None].split())
    return line if len(line) <= 100 else line[:99] + "…"
