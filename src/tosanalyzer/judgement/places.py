"""Places in terms as ISO 3166 codes: the home jurisdiction, governing law and venue.

"The laws of the State of California" and "courts in San Francisco" are foreign to a reviewer in
Tokyo and at home for one in Oakland, so the checklist compares codes, not words: a place name is
looked up among pycountry's countries and subdivisions (with a few aliases), narrowed by the
country named beside it, and left to a human when it stays ambiguous. Names are given back in
English and Japanese (pycountry's translations).
"""

from __future__ import annotations

import gettext
import re
from functools import cache
from typing import Any

import pycountry

from tosanalyzer.models import LocalizedText, iso_jurisdiction


class HomeJurisdictionError(ValueError):
    """A home jurisdiction that is not an ISO 3166 country or subdivision code."""


# Names pycountry lacks, and legal seats that are cities rather than subdivisions.
_PLACE_ALIASES = {
    "england and wales": "GB", "wales": "GB-WLS", "scotland": "GB-SCT",
    "northern ireland": "GB-NIR", "great britain": "GB", "britain": "GB", "uk": "GB",
    "u.k.": "GB", "usa": "US", "u.s.": "US", "u.s.a.": "US", "us": "US", "america": "US",
    "united states of america": "US", "korea": "KR", "south korea": "KR", "russia": "RU",
    "holland": "NL", "the netherlands": "NL", "london": "GB-ENG", "munich": "DE-BY",
    "zurich": "CH-ZH", "zürich": "CH-ZH", "geneva": "CH-GE", "amsterdam": "NL-NH",
    "toronto": "CA-ON", "vancouver": "CA-BC", "sydney": "AU-NSW", "melbourne": "AU-VIC",
    "san francisco": "US-CA", "los angeles": "US-CA", "san jose": "US-CA", "santa clara": "US-CA",
    "seattle": "US-WA", "new york city": "US-NY", "osaka": "JP-27", "seoul": "KR-11",
}  # fmt: skip
# Capitalised words that name a region somewhere ("North" is a region of Cameroon) but, in a
# venue clause, are part of a court's name.
_GENERIC_PLACE_WORDS = frozenset({
    "north", "south", "east", "west", "central", "centre", "center", "capital", "federal",
    "northern", "southern", "eastern", "western", "upper", "lower", "district", "city", "state",
    "county", "coast", "island", "islands", "court", "courts",
})  # fmt: skip
_PLACE_TOKEN = re.compile(r"[^\W\d_][\w'’.-]*")
_LONGEST_NAME = 5
_US_STATE_CUE = (("state", "of"), ("commonwealth", "of"))


@cache
def _place_index() -> dict[str, frozenset[str]]:
    """Lower-cased name → the ISO 3166 codes it may name (countries and subdivisions)."""
    index: dict[str, set[str]] = {}
    for country in pycountry.countries:
        for field in ("name", "common_name", "official_name"):
            name = getattr(country, field, None)
            if isinstance(name, str):
                index.setdefault(name.lower(), set()).add(country.alpha_2)
    for subdivision in pycountry.subdivisions:
        index.setdefault(subdivision.name.lower(), set()).add(subdivision.code)
    frozen = {name: frozenset(codes) for name, codes in index.items()}
    frozen.update({alias: frozenset({code}) for alias, code in _PLACE_ALIASES.items()})
    return frozen


def _subdivision(code: str) -> Any:
    """pycountry's subdivision record for an ISO 3166-2 code, or None (its lookup is untyped)."""
    return pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]


def _ancestors(code: str) -> list[str]:
    """The subdivisions and country that contain ``code`` ("GB-YOR" → GB-ENG, GB)."""
    found: list[str] = []
    parent = getattr(_subdivision(code), "parent_code", None)
    while isinstance(parent, str):
        found.append(parent)
        parent = getattr(_subdivision(parent), "parent_code", None)
    return [*found, code[:2]] if "-" in code else found


def _covers(outer: str, inner: str) -> bool:
    return inner == outer or outer in _ancestors(inner)


def is_foreign(place: str, home: str) -> bool:
    """Whether a placed law or court lies outside home.

    Inside means one contains the other: Californian courts for a US home, US federal law for a
    Californian home. New York is foreign to California; Japan to Germany.
    """
    return not (_covers(home, place) or _covers(place, home))


def normalise_home(home: str) -> str:
    """'jp' → 'JP', 'us-ca' → 'US-CA'; anything that is not an ISO 3166 code is an error."""
    try:
        return iso_jurisdiction(home)
    except ValueError as error:
        raise HomeJurisdictionError(f"home jurisdiction {error}") from None


def _pick(codes: frozenset[str], context: set[str], us_state_cue: bool) -> str | None:
    """One code out of a name's candidates, or None when the name stays ambiguous."""
    if len(codes) == 1:
        return next(iter(codes))
    narrowed = [code for code in codes if code[:2] in context]
    us_states = [code for code in codes if code.startswith("US-")]
    countries = [code for code in codes if "-" not in code]
    for choice in (narrowed, us_states if us_state_cue else [], countries):
        if len(choice) == 1:
            return choice[0]
    return None


def _place_names(text: str) -> list[tuple[frozenset[str], bool]]:
    """Known names in the text, longest first from the left: (candidate codes, "State of" cue)."""
    tokens = _PLACE_TOKEN.findall(text)
    index = _place_index()
    found: list[tuple[frozenset[str], bool]] = []
    start = 0
    while start < len(tokens):
        step = 1
        if tokens[start][0].isupper():
            for end in range(min(len(tokens), start + _LONGEST_NAME), start, -1):
                name = " ".join(tokens[start:end]).lower()
                key = name if name in index else name.rstrip(".")
                if key in index and key not in _GENERIC_PLACE_WORDS:
                    cue = tuple(t.lower() for t in tokens[max(0, start - 2) : start])
                    found.append((index[key], cue in _US_STATE_CUE))
                    step = end - start
                    break
        start += step
    return found


def locate(place: str) -> str | None:
    """ISO 3166 code of a governing law or venue as read from a clause, or None.

    "State of New York" → US-NY, "Wilmington, Delaware" → US-DE, "Tokyo District Court" → JP-13,
    "England and Wales" → GB. Names of several countries, or none known, give None: the item is
    then left to a human rather than guessed.
    """
    names = _place_names(place)
    context = {next(iter(codes))[:2] for codes, _ in names if len(codes) == 1}
    chosen = {code for codes, cue in names if (code := _pick(codes, context, cue))}
    countries = {code[:2] for code in chosen}
    if len(countries) != 1:
        return None
    subdivisions = {code for code in chosen if "-" in code}
    deepest = {code for code in subdivisions if not any(code in _ancestors(o) for o in chosen)}
    return deepest.pop() if len(deepest) == 1 else countries.pop()


@cache
def _ja(domain: str) -> gettext.NullTranslations:
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=["ja"], fallback=True)


def place_name(code: str) -> LocalizedText:
    """'US-CA' → California, United States / 米国・カリフォルニア (pycountry's translations)."""
    country = pycountry.countries.get(alpha_2=code[:2])
    assert country is not None, code
    country_en = getattr(country, "common_name", None) or country.name
    country_ja = _ja("iso3166-1").gettext(country.name)
    subdivision = _subdivision(code) if "-" in code else None
    if subdivision is None:
        return LocalizedText(en=country_en, ja=country_ja)
    sub_ja = _ja("iso3166-2").gettext(subdivision.name)
    return LocalizedText(en=f"{subdivision.name}, {country_en}", ja=f"{country_ja}・{sub_ja}")


def country_name(name: str) -> LocalizedText:
    """A country as the analyzer names it ("United States"), with its Japanese name if known."""
    codes = [code for code in _place_index().get(name.lower(), frozenset()) if "-" not in code]
    return place_name(codes[0]) if len(codes) == 1 else LocalizedText(en=name, ja=name)
