"""Pull the concrete facts out of one clause: amounts, periods, notice, law, venue, countries.

A finding says *that* a clause caps liability or picks a court; a reader comparing vendors or
versions needs *how much*, *how long* and *where*. Those facts are stated in a small number of
stock legal phrasings ("thirty (30) days' prior written notice", "the greater of (a) ... and
(b) $100", "the courts located in Santa Clara County, California"), so plain regular expressions
read them more predictably than a statistical model would, need no spaCy pipeline, and can be
tested one phrasing at a time. The extractors only run on clauses that already have a finding, so
each one favours a clear rule over squeezing out speed; the patterns are still compiled once.

Every public function accepts raw clause text: Markdown emphasis, curly quotes and odd spacing
are normalised first, and text that states nothing gives an empty answer, never an exception.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from functools import cache
from typing import Literal

import numpy
import pycountry
from spacy.attrs import LOWER
from spacy.strings import get_string_id
from spacy.tokens import Doc

from tosanalyzer.models import AttributeName, Attributes, Money, Period

MoneyRule = Literal["greater_of", "lesser_of"]
Unit = Literal["day", "week", "month", "year"]

# --- text normalisation -----------------------------------------------------------------------

_EMPHASIS = re.compile(r"[*_`]+")
_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
_PLAIN_CHARACTERS = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)


def _clean(text: str) -> str:
    """Drop Markdown emphasis, straighten quotes and collapse spaces (line breaks are kept)."""
    return _HORIZONTAL_SPACE.sub(" ", _EMPHASIS.sub("", text.translate(_PLAIN_CHARACTERS)))


def _shouting(text: str) -> bool:
    """ALL-CAPS text, where case says nothing about names ("US" may be the pronoun)."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) > 5 and sum(c.isupper() for c in letters) > 0.6 * len(letters)


# --- numbers written as digits or words -------------------------------------------------------

_SMALL_NUMBERS = {
    word: value
    for value, word in enumerate(
        (
            "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
            "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
            "eighteen", "nineteen",
        )
    )
}  # fmt: skip
_TENS = {
    word: 10 * value
    for value, word in enumerate(
        ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"), 2
    )
}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_NUMBER_WORD = r"(?:{})\b".format("|".join([*_SMALL_NUMBERS, *_TENS, *_SCALES]))
# Bounded repetitions: a long run of number words or digits must not make matching quadratic.
_NUMBER_WORDS = rf"\b{_NUMBER_WORD}(?:[\s-]+(?:and[\s-]+)?{_NUMBER_WORD}){{0,7}}\b"
_DIGITS = r"\d{1,3}(?:,\d{3}){1,5}(?:\.\d{1,4})?|\d{1,15}(?:\.\d{1,4})?"
_WORD_SPLIT = re.compile(r"[\s-]+")


def _words_to_number(words: str) -> int:
    """'one hundred and twenty-five' -> 125 (only number words, as matched by _NUMBER_WORDS)."""
    total = current = 0
    for word in _WORD_SPLIT.split(words.lower()):
        if word in _SMALL_NUMBERS:
            current += _SMALL_NUMBERS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in _SCALES:
            total += max(current, 1) * _SCALES[word]
            current = 0
    return total + current


def _digits_to_number(digits: str) -> float:
    return float(digits.replace(",", ""))


# --- money ------------------------------------------------------------------------------------

_SYMBOLS = {
    "$": "USD", "US$": "USD", "USD$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR",
    "₩": "KRW", "C$": "CAD", "CA$": "CAD", "A$": "AUD", "AU$": "AUD", "NZ$": "NZD",
    "HK$": "HKD", "S$": "SGD", "R$": "BRL",
}  # fmt: skip
_CODES = frozenset({
    "USD", "EUR", "GBP", "JPY", "CAD", "AUD", "NZD", "CHF", "CNY", "HKD", "SGD", "INR", "KRW",
    "BRL", "MXN", "SEK", "NOK", "DKK", "PLN", "ZAR",
})  # fmt: skip
_CURRENCY_NAMES = {"dollar": "USD", "euro": "EUR", "pound": "GBP", "yen": "JPY", "franc": "CHF"}
_DOLLAR_QUALIFIERS = {
    "canadian": "CAD", "australian": "AUD", "new zealand": "NZD", "hong kong": "HKD",
    "singapore": "SGD", "singaporean": "SGD",
}  # fmt: skip
_SCALE = r"(?:\s+(?P<scale>thousand|million|billion))?"
# "US$", "U.S. $" and "us $" are all US dollars; the other symbols are matched as written.
_SYMBOL = r"(?i:u\.?s\.?)\s?\$|" + "|".join(
    re.escape(symbol) for symbol in sorted(_SYMBOLS, key=len, reverse=True)
)
_NOT_IN_SYMBOL = re.compile(r"[\s.]")
_CODE = "|".join(sorted(_CODES))

_MONEY_SYMBOL = re.compile(rf"(?P<cur>{_SYMBOL})\s?(?P<num>{_DIGITS}){_SCALE}\b")
_MONEY_CODE_FIRST = re.compile(rf"\b(?P<cur>{_CODE})\s?(?P<num>{_DIGITS}){_SCALE}\b")
_MONEY_CODE_LAST = re.compile(rf"(?<![\d.,])(?P<num>{_DIGITS}){_SCALE}\s?(?P<cur>{_CODE})\b")
_MONEY_WORDS = re.compile(
    rf"(?:(?P<num>{_DIGITS}){_SCALE}"
    rf"|(?P<words>{_NUMBER_WORDS})(?:\s*\(\s*(?:US)?\$?\s*(?P<paren>{_DIGITS})\s*\))?)"
    r"\s+(?P<qualifier>U\.?S\.?|United States|American|Canadian|Australian|New Zealand"
    r"|Hong Kong|Singaporean|Singapore|Japanese|British|Swiss)?\s*"
    r"(?P<cur>dollar|euro|pound|yen|franc)s?(?:\s+sterling)?\b",
    re.IGNORECASE,
)
_GREATER_OF = re.compile(
    r"\b(?:(?:greater|higher|larger)\s+of|whichever\s+is\s+(?:greater|higher|larger|more))\b",
    re.IGNORECASE,
)
_LESSER_OF = re.compile(
    r"\b(?:(?:lesser|lower|smaller)\s+of|whichever\s+is\s+(?:less|lesser|lower|smaller))\b",
    re.IGNORECASE,
)
_OPEN_PAREN = re.compile(r"\s*\(\s*")
_CLOSE_PAREN = re.compile(r"\s*\)")

_Found = tuple[int, int, Money]


def _amount(match: re.Match[str]) -> float:
    """The figure of a money match: digits win over the words they restate."""
    digits = match.groupdict().get("paren") or match.group("num")
    if digits is None:
        return float(_words_to_number(match.group("words")))
    scale = match.groupdict().get("scale")
    return _digits_to_number(digits) * (_SCALES[scale.lower()] if scale else 1)


def _currency(match: re.Match[str]) -> str:
    """ISO 4217 code for a symbol ('$' alone is USD), a code, or a currency word."""
    found = match.group("cur")
    symbol = _NOT_IN_SYMBOL.sub("", found).upper()
    if symbol in _SYMBOLS:
        return _SYMBOLS[symbol]
    if found in _CODES:
        return found
    currency = _CURRENCY_NAMES[found.lower()]
    qualifier = (match.groupdict().get("qualifier") or "").lower()
    return _DOLLAR_QUALIFIERS.get(qualifier, currency) if currency == "USD" else currency


def _money_candidates(text: str) -> list[_Found]:
    found: list[_Found] = []
    for pattern in (_MONEY_SYMBOL, _MONEY_CODE_FIRST, _MONEY_CODE_LAST, _MONEY_WORDS):
        for match in pattern.finditer(text):
            money = Money(amount=_amount(match), currency=_currency(match), text=match.group())
            found.append((match.start(), match.end(), money))
    return found


def _without_overlaps(found: list[_Found]) -> list[_Found]:
    """Keep the earliest, then longest, of overlapping matches ("US$100" over its "$100")."""
    kept: list[_Found] = []
    for start, end, money in sorted(found, key=lambda item: (item[0], -item[1])):
        if not kept or start >= kept[-1][1]:
            kept.append((start, end, money))
    return kept


def _restated(text: str, first: _Found, second: _Found) -> int | None:
    """End of "<first> (<second>)" when the bracket only repeats the same amount, else None."""
    opening = _OPEN_PAREN.fullmatch(text, first[1], second[0])
    closing = _CLOSE_PAREN.match(text, second[1])
    same = (first[2].amount, first[2].currency) == (second[2].amount, second[2].currency)
    return closing.end() if opening and closing and same else None


def _merge_restatements(text: str, found: list[_Found]) -> list[Money]:
    """'one hundred dollars ($100)' states one amount, not two."""
    merged: list[_Found] = []
    for item in found:
        end = _restated(text, merged[-1], item) if merged else None
        if end is None:
            merged.append(item)
        else:
            start, _, money = merged[-1]
            merged[-1] = (start, end, money.model_copy(update={"text": text[start:end]}))
    return [money for _, _, money in merged]


def _money_rule(text: str) -> MoneyRule | None:
    greater = _GREATER_OF.search(text)
    lesser = _LESSER_OF.search(text)
    if greater and (not lesser or greater.start() < lesser.start()):
        return "greater_of"
    return "lesser_of" if lesser else None


def extract_money(text: str) -> tuple[list[Money], MoneyRule | None]:
    """Amounts in the order stated, and whether the clause takes the greater or lesser of them.

    The rule is reported whenever the clause says "the greater of" / "the lesser of" (or
    "whichever is greater/less"), even if one side is an unnamed amount such as "the fees you
    paid". "¥" is read as JPY; "dollars" with no qualifier as USD.
    """
    clean = _clean(text)
    found = _without_overlaps(_money_candidates(clean))
    return _merge_restatements(clean, found), _money_rule(clean)


# --- periods and notice -----------------------------------------------------------------------

_COUNT = (
    rf"(?:(?P<words>{_NUMBER_WORDS})(?:\s*\(\s*(?P<paren>\d{{1,4}})\s*\))?"
    r"|\b(?P<digits>\d{1,4}))"
)
_DURATION = rf"{_COUNT}[\s-]*(?:(?:calendar|business|working)\s+)?(?P<unit>day|week|month|year)s?\b"
_PERIOD_COUNTED = re.compile(_DURATION, re.IGNORECASE)
_PERIOD_RELATIVE = re.compile(
    r"\b(?:previous|preceding|prior|last|past|current|following|next)\s+"
    r"(?:(?:calendar|fiscal)\s+)?(?P<unit>day|week|month|year)\b",
    re.IGNORECASE,
)
_NOTICE_WORD = r"\b(?:notic(?:e|es|ed|ing)|notif(?:y|ies|ied|ying|ication))\b"
_NOTICE_AFTER_DURATION = re.compile(
    rf"{_DURATION}(?:'s|')?"
    r"(?:\s+(?:advance|prior|written|express|reasonable|formal|electronic|e-?mail|of)){0,3}"
    r"\s+notice\b",
    re.IGNORECASE,
)
_NOTICE_BEFORE_DURATION = re.compile(
    r"\bnotic(?:e|es|ed)\b(?:\s+(?:period|of|at|least|not|no|less|fewer|than|a|minimum|for"
    rf"|in|advance|writing|by|email|e-mail)){{0,6}}\s+{_DURATION}",
    re.IGNORECASE,
)
_NOTICE_THEN_DEADLINE = re.compile(
    rf"{_NOTICE_WORD}[^.;\n]{{0,100}}?{_DURATION}\s+(?:before|prior|in\s+advance|ahead)\b",
    re.IGNORECASE,
)
_DEADLINE_THEN_NOTICE = re.compile(
    rf"{_DURATION}\s+(?:before|prior\s+to|in\s+advance\s+of)\b[^.;\n]{{0,100}}?{_NOTICE_WORD}",
    re.IGNORECASE,
)
_DAYS_IN = {"day": 1, "week": 7, "month": 30, "year": 365}


def _count(match: re.Match[str]) -> int:
    """The number in front of a unit: '12', 'twelve' or 'twelve (12)' (the digits win)."""
    digits = match.group("paren") or match.group("digits")
    return int(digits) if digits else _words_to_number(match.group("words"))


def _unit(match: re.Match[str]) -> Unit:
    unit = match.group("unit").lower()
    assert unit in _DAYS_IN  # the pattern only admits these four
    return unit  # type: ignore[return-value]


def _first(patterns: Iterable[re.Pattern[str]], text: str) -> re.Match[str] | None:
    """The earliest match of any of the patterns."""
    matches = [m for m in (p.search(text) for p in patterns) if m]
    return min(matches, key=lambda m: m.start(), default=None)


def extract_period(text: str) -> Period | None:
    """The first period the clause states: "twelve (12) months", "30 days", "the previous year".

    A relative period ("the previous calendar year") counts as one of its unit.
    """
    clean = _clean(text)
    match = _first((_PERIOD_COUNTED, _PERIOD_RELATIVE), clean)
    if match is None:
        return None
    value = _count(match) if match.re is _PERIOD_COUNTED else 1
    return Period(value=value, unit=_unit(match), text=match.group().strip())


def extract_notice_days(text: str) -> int | None:
    """Length of the notice period in days (a week is 7, a month 30, a year 365 days).

    Tight phrasings ("30 days' notice", "notice of at least 30 days") are preferred over a
    period that merely follows or precedes a notice word in the same sentence ("notify you at
    least 15 days before"). "Without notice" states no period, so it gives None.
    """
    clean = _clean(text)
    match = _first((_NOTICE_AFTER_DURATION, _NOTICE_BEFORE_DURATION), clean) or _first(
        (_NOTICE_THEN_DEADLINE, _DEADLINE_THEN_NOTICE), clean
    )
    return None if match is None else _count(match) * _DAYS_IN[_unit(match)]


# --- place names (governing law, venue) -------------------------------------------------------

_PLACE_TOKEN = re.compile(r"[ ]*(?P<comma>,?)[ ]*(?P<word>[^\W\d_][\w'.-]*)")
_CONNECTORS = frozenset({"of", "and", "the", "upon", "de", "del", "du", "la"})
# Words that may start a place name even in lower case: "the state of California".
_PLACE_NOUNS = frozenset({"state", "commonwealth", "province", "republic", "kingdom", "county"})
# Capitalised words that end a place name: needed for ALL-CAPS clauses, where case tells nothing.
_STOP_WORDS = frozenset({
    "without", "excluding", "except", "exclusive", "exclusively", "shall", "will", "would", "must",
    "may", "can", "apply", "applies", "applied", "applicable", "govern", "governs", "governed",
    "governing", "as", "in", "to", "regardless", "notwithstanding", "you", "we", "us", "your",
    "our", "any", "all", "its", "their", "this", "that", "these", "those", "which", "who",
    "including", "for", "with", "by", "or", "on", "at", "from", "is", "are", "be", "provided",
    "provisions", "principles", "rules", "conflict", "conflicts", "choice", "law", "laws",
    "agreement", "terms", "court", "courts", "jurisdiction", "venue", "if", "unless", "where",
    "when", "each", "both", "hereby", "irrevocably", "consent", "submit", "agree", "also", "not",
    "no", "such", "then", "there", "so", "but",
})  # fmt: skip
_KEEP_UPPER = frozenset({"USA", "UK", "US", "U.S.", "U.S.A.", "U.K.", "D.C.", "EU"})
_ABBREVIATED = frozenset({"st.", "mt.", "ft.", "ste."})


def _place_word(word: str) -> bool:
    return word in _KEEP_UPPER or (word[0].isupper() and word.lower() not in _STOP_WORDS)


def _ends_sentence(word: str) -> bool:
    """'California.' ends a sentence; 'U.S.' and 'St.' do not."""
    return word.endswith(".") and "." not in word[:-1] and word.lower() not in _ABBREVIATED


def _accept(word: str, words: list[str], previous: str) -> str | None:
    """The word as it joins the place name, or None when the name ends before it."""
    lower = word.lower()
    if lower in _CONNECTORS:
        return word if words and not (previous == "and" and lower == "the") else None
    if _place_word(word):
        return word
    return lower.capitalize() if not words and lower in _PLACE_NOUNS else None


def _tidy_case(name: str, text: str) -> str:
    """'SANTA CLARA COUNTY, CALIFORNIA' -> 'Santa Clara County, California' in ALL-CAPS text."""
    if not (name.isupper() and _shouting(text)):
        return name

    def word_case(word: str) -> str:
        if word in _KEEP_UPPER or word.rstrip(",") in _KEEP_UPPER:
            return word
        if word.lower() in _CONNECTORS:
            return word.lower()
        return "-".join(part.capitalize() for part in word.split("-"))

    return " ".join(word_case(word) for word in name.split(" "))


def _place_at(text: str, position: int, *, commas: int = 0) -> str | None:
    """The capitalised place name that starts at `position` ("State of California").

    With `commas`, up to that many comma-joined parts are kept ("Santa Clara County, California").
    """
    words: list[str] = []
    previous = ""
    while match := _PLACE_TOKEN.match(text, position):
        word, has_comma = match.group("word"), bool(match.group("comma"))
        last = _ends_sentence(word)
        word = word.removesuffix(".") if last else word
        accepted = _accept(word, words, previous)
        if accepted is None or (has_comma and (not commas or accepted.lower() in _CONNECTORS)):
            break
        commas -= has_comma
        words.append(f", {accepted}" if has_comma else f" {accepted}")
        previous, position = accepted.lower(), match.end()
        if last:
            break
    while words and words[-1].strip(", ").lower() in _CONNECTORS:
        words.pop()
    return _tidy_case("".join(words).strip(), text) or None


def _first_place(
    patterns: Iterable[tuple[re.Pattern[str], Callable[[re.Match[str]], str | None]]], text: str
) -> str | None:
    """Across patterns, the place read from the earliest match that names one."""
    found: list[tuple[int, str]] = []
    for pattern, read in patterns:
        for match in pattern.finditer(text):
            place = read(match)
            if place:
                found.append((match.start(), place))
                break
    return min(found)[1] if found else None


# --- governing law ----------------------------------------------------------------------------

_US_STATES = """Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|
Georgia|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|
Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|
New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|
Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|
West Virginia|Wisconsin|Wyoming""".replace("\n", "").split("|")
_LAW_ADJECTIVES = {
    "american": "United States", "english": "England and Wales", "scottish": "Scotland",
    "british": "United Kingdom", "irish": "Ireland", "japanese": "Japan", "german": "Germany",
    "french": "France", "dutch": "Netherlands", "swiss": "Switzerland", "swedish": "Sweden",
    "spanish": "Spain", "italian": "Italy", "canadian": "Canada", "australian": "Australia",
    "singapore": "Singapore", "singaporean": "Singapore", "luxembourg": "Luxembourg",
    "korean": "South Korea", "chinese": "China", "indian": "India", "brazilian": "Brazil",
    "belgian": "Belgium", "austrian": "Austria", "danish": "Denmark", "finnish": "Finland",
    "norwegian": "Norway", "polish": "Poland", "portuguese": "Portugal", "israeli": "Israel",
    "mexican": "Mexico",
    **{state.lower(): f"State of {state}" for state in _US_STATES},
}  # fmt: skip
_LAWS_OF = re.compile(r"\blaws?\s+(?:in\s+force\s+in|of)\s+(?:the\s+)?", re.IGNORECASE)
_ADJECTIVE_LAW = re.compile(
    r"\b(?P<adjective>{})\s+laws?\b".format(
        "|".join(sorted(map(re.escape, _LAW_ADJECTIVES), key=len, reverse=True))
    ),
    re.IGNORECASE,
)
_CONFLICT_OF = re.compile(r"conflicts?\s+of\s+$", re.IGNORECASE)


def _law_of_place(match: re.Match[str]) -> str | None:
    text = match.string
    if _CONFLICT_OF.search(text, max(0, match.start() - 15), match.start()):
        return None
    return _place_at(text, match.end())


def _law_of_adjective(match: re.Match[str]) -> str | None:
    return _LAW_ADJECTIVES[match.group("adjective").lower()]


def extract_governing_law(text: str) -> str | None:
    """The legal system the clause chooses: "State of California", "England and Wales", "Japan".

    Read from "the laws of <place>" (not the "conflict of laws" aside) or "<adjective> law"
    ("Japanese law" -> "Japan", "English law" -> "England and Wales", "Delaware law" ->
    "State of Delaware"), whichever comes first.
    """
    patterns = ((_LAWS_OF, _law_of_place), (_ADJECTIVE_LAW, _law_of_adjective))
    return _first_place(patterns, _clean(text))


# --- venue ------------------------------------------------------------------------------------

_COURTS_IN = re.compile(
    r"\bcourts?\b(?:\s+(?:located|situated|sitting|seated|based))?"
    r"\s+(?:in\s+and\s+for|in|of|at|within)\s+(?:the\s+)?(?-i:(?:city|town|borough)\s+of\s+)?",
    re.IGNORECASE,
)
_VENUE_IN = re.compile(r"\bvenue\b[^.;\n]{0,40}?\b(?:in|of)\s+(?:the\s+)?", re.IGNORECASE)
_NAMED_COURT = re.compile(
    r"(?<!\w)(?:[A-Z][\w'.-]*[ ]){1,6}(?:Court|COURT)\b"
    r"(?:[ ](?:for|of|FOR|OF)[ ](?:the|THE)(?:[ ][A-Z][\w'.-]*|[ ](?:of|OF))+)?"
)


def _court_name(match: re.Match[str]) -> str | None:
    """'The Tokyo District Court' -> 'Tokyo District Court' (leading non-name words dropped)."""
    words = match.group().split(" ")
    if _ends_sentence(words[-1]):
        words[-1] = words[-1].removesuffix(".")
    while words and (words[0].lower() in _STOP_WORDS or words[0].lower() in _CONNECTORS):
        words.pop(0)
    while words and words[-1].lower() == "of":
        words.pop()
    return _tidy_case(" ".join(words), match.string) if len(words) > 1 else None


def _courts_place(match: re.Match[str]) -> str | None:
    return _place_at(match.string, match.end(), commas=2)


def extract_venue(text: str) -> str | None:
    """Where disputes must be brought: "Santa Clara County, California", "Dublin, Ireland".

    Read from "courts (located) in/of <place>" or "venue ... in <place>", keeping up to two
    comma-joined parts, or from a named court, returned whole ("Tokyo District Court"). The
    earliest of these in the clause wins.
    """
    patterns = (
        (_COURTS_IN, _courts_place),
        (_VENUE_IN, _courts_place),
        (_NAMED_COURT, _court_name),
    )
    return _first_place(patterns, _clean(text))


# --- countries --------------------------------------------------------------------------------

# Canonical names where pycountry's is inverted ("Congo, The Democratic Republic of the").
_CANONICAL_OVERRIDES = {
    "CD": "Democratic Republic of the Congo", "FK": "Falkland Islands", "FM": "Micronesia",
    "PS": "Palestine", "RU": "Russia", "SH": "Saint Helena", "VA": "Vatican City",
    "VG": "British Virgin Islands", "VI": "U.S. Virgin Islands", "MF": "Saint Martin",
    "SX": "Sint Maarten", "BQ": "Caribbean Netherlands", "CC": "Cocos (Keeling) Islands",
}  # fmt: skip
# Everyday names pycountry lacks; the UK's constituent countries count as the United Kingdom.
_EXTRA_ALIASES = {
    "United States of America": "US", "America": "US", "Great Britain": "GB", "Britain": "GB",
    "England": "GB", "Scotland": "GB", "Wales": "GB", "Northern Ireland": "GB",
    "Turkey": "TR", "Czech Republic": "CZ", "Holland": "NL",
    "Korea": "KR", "Republic of Korea": "KR", "Ivory Coast": "CI", "Macedonia": "MK",
    "Swaziland": "SZ", "Burma": "MM", "Cape Verde": "CV", "Vatican": "VA", "Macau": "MO",
    "Brunei": "BN", "Russian Federation": "RU", "Hong Kong SAR": "HK",
}  # fmt: skip
# Matched case-sensitively, since "us" is a pronoun.
_ABBREVIATIONS = {"US": "US", "U.S.": "US", "U.S.A.": "US", "USA": "US", "UK": "GB", "U.K.": "GB"}
# Names that contain a country name but are not countries; matched only to be skipped. The
# European Union is a supranational body, not a country. "Georgia" alone is read as the US state.
_NOT_COUNTRIES = (
    "European Union", "European Economic Area", "New Mexico", "New Jersey", "New South Wales",
    "Georgia", "Americas", "Latin America", "North America", "South America", "Central America",
)  # fmt: skip


def _canonical(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    assert country is not None, code
    return _CANONICAL_OVERRIDES.get(code) or getattr(country, "common_name", None) or country.name


def _country_aliases() -> dict[str, str]:
    """Lower-cased name -> canonical country name ('' for names that are not countries)."""
    aliases: dict[str, str] = {}
    for country in pycountry.countries:
        canonical = _canonical(country.alpha_2)
        for field in ("name", "common_name", "official_name"):
            name = getattr(country, field, None)
            if isinstance(name, str) and not re.search(r"[,()]", name):
                aliases[name.removeprefix("the ").lower()] = canonical
    for name in _CANONICAL_OVERRIDES.values():
        aliases[name.lower()] = name
    for alias, code in (_EXTRA_ALIASES | _ABBREVIATIONS).items():
        aliases[alias.lower()] = _canonical(code)
    aliases.update(dict.fromkeys((name.lower() for name in _NOT_COUNTRIES), ""))
    return aliases


_COUNTRY_ALIASES = _country_aliases()
# Names start a word with a capital, so lower-case word starts are skipped before the (long)
# alternation is tried; case is checked again on the match, since the pattern ignores it.
_COUNTRY_NAME = re.compile(
    r"(?<![\w.])(?-i:(?![a-z]))(?:{})(?![\w])".format(
        "|".join(map(re.escape, sorted(_COUNTRY_ALIASES, key=len, reverse=True)))
    ),
    re.IGNORECASE,
)
_ABBREVIATION_KEYS = frozenset(alias.lower() for alias in _ABBREVIATIONS)


def _country_of(name: str, shouting: bool) -> str:
    """Canonical name of a matched name, or '' when the match does not name a country here."""
    if name.lower() in _ABBREVIATION_KEYS:
        if name not in _ABBREVIATIONS or (name == "US" and shouting):
            return ""
    elif not name[0].isupper():
        return ""
    return _COUNTRY_ALIASES[name.lower()]


def extract_countries(text: str) -> list[str]:
    """Countries the clause names, as canonical English names (pycountry's), sorted and unique.

    "U.S.", "USA" and "United States of America" all give "United States"; England, Scotland,
    Wales and Northern Ireland give "United Kingdom". The European Union and the EEA are not
    countries and give nothing. Names must be capitalised ("turkey" is a bird).
    """
    clean = _clean(text)
    shouting = _shouting(clean)
    found = {_country_of(match.group(), shouting) for match in _COUNTRY_NAME.finditer(clean)}
    return sorted(found - {""})


_COUNTRY_FIRST_WORDS = frozenset(re.split(r"[\s-]", name)[0] for name in _COUNTRY_ALIASES)
_LONGEST_COUNTRY = 8  # tokens: "South Georgia and the South Sandwich Islands"


def country_tokens(doc: Doc) -> frozenset[int]:
    """The tokens of ``doc`` that are part of a country's name: the names
    ``extract_countries`` reads, for rules that ask whether a word names one (``IS_COUNTRY``).
    Looked up a few tokens at a time from capitalised words that can begin a name, longest
    first, so "New Jersey" is read (and skipped) whole and "Papua New Guinea" is one name. "US"
    among words in capitals is the pronoun."""
    found: set[int] = set()
    after = 0  # tokens before this one are part of a name already read
    for i in numpy.flatnonzero(numpy.isin(doc.to_array(LOWER), _first_word_ids())).tolist():
        if i < after or not doc[i].text[:1].isupper():
            continue
        for j in range(min(len(doc), i + _LONGEST_COUNTRY), i, -1):
            name = doc[i:j].text
            if name.lower() in _COUNTRY_ALIASES:
                if _country_of(name, _shouting(doc[max(0, i - 6) : j + 6].text)):
                    found.update(range(i, j))
                after = j
                break
    return frozenset(found)


@cache
def _first_word_ids() -> numpy.ndarray:
    return numpy.array(sorted(get_string_id(word) for word in _COUNTRY_FIRST_WORDS), dtype="uint64")


# --- effective date ---------------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_DATE_FORMATS = (
    rf"(?P<mdy_month>{_MONTH})\s+(?P<mdy_day>\d{{1,2}}){_ORDINAL},?\s+(?P<mdy_year>\d{{4}})",
    rf"(?P<dmy_day>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?(?P<dmy_month>{_MONTH}),?\s+(?P<dmy_year>\d{{4}})",
    r"(?P<iso_year>\d{4})[-/.](?P<iso_month>\d{1,2})[-/.](?P<iso_day>\d{1,2})\b",
    r"(?P<us_month>\d{1,2})/(?P<us_day>\d{1,2})/(?P<us_year>\d{4}|\d{2})\b",
    r"(?P<eu_day>\d{1,2})\.(?P<eu_month>\d{1,2})\.(?P<eu_year>\d{4})\b",
)
_DATE_INTRO = (
    r"\b(?:last\s+(?:updated|modified|revised|amended|changed|update|revision|modification)"
    r"|updated|modified|revised|amended|effective|(?:version|revision)\s+date"
    r"|date\s+of\s+last\s+(?:update|revision|modification))\b"
)
_DATE_FILLER = r"(?:[^\w]|\b(?:on|as|of|from|since|date|is|the)\b){0,30}?"
_EFFECTIVE_DATE = re.compile(
    rf"{_DATE_INTRO}{_DATE_FILLER}(?:{'|'.join(_DATE_FORMATS)})", re.IGNORECASE
)
_MONTH_NUMBERS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


def _month(value: str) -> int:
    """'Oct.' -> 10, 'September' -> 9, '05' -> 5."""
    return int(value) if value.isdigit() else _MONTH_NUMBERS[value.lower()[:3]]


def _date_of(match: re.Match[str]) -> dt.date | None:
    """The date the match states, or None when its numbers are no real date (13/45/2023)."""
    for style in ("mdy", "dmy", "iso", "us", "eu"):
        year = match.group(f"{style}_year")
        if year is not None:
            month, day = match.group(f"{style}_month"), match.group(f"{style}_day")
            full_year = int(year) + (2000 if len(year) == 2 else 0)
            try:
                return dt.date(full_year, _month(month), int(day))
            except ValueError:
                return None
    return None


def extract_effective_date(text: str) -> str | None:
    """ISO date of the first "Last updated / Effective (as of) / Revised ..." statement.

    Meant for a whole document. Only a date right after such a phrase counts, so dates elsewhere
    in the terms are ignored. Slashed dates are read US style (month/day/year), dotted ones as
    day.month.year; a month without a day ("March 2026") is not a date here.
    """
    for match in _EFFECTIVE_DATE.finditer(_clean(text)):
        date = _date_of(match)
        if date is not None:
            return date.isoformat()
    return None


# --- all together -----------------------------------------------------------------------------


def extract(text: str, names: Iterable[AttributeName]) -> Attributes:
    """Run the named extractors on one clause; attributes not asked for stay empty."""
    wanted = frozenset(names)
    money, money_rule = extract_money(text) if "money" in wanted else ([], None)
    return Attributes(
        money=money,
        money_rule=money_rule,
        period=extract_period(text) if "period" in wanted else None,
        notice_days=extract_notice_days(text) if "notice_days" in wanted else None,
        governing_law=extract_governing_law(text) if "governing_law" in wanted else None,
        venue=extract_venue(text) if "venue" in wanted else None,
        countries=extract_countries(text) if "countries" in wanted else [],
    )
