"""Guess the language of a document, cheaply, to decide whether the English rules apply.

The clause patterns are written for English. Running them over a French or Japanese page gives
silence that looks like a clean bill of health, so the composer checks the language first and
marks other documents "not analysed". That needs a confident answer for the languages terms of
service are commonly published in, not a general identifier: the script of the letters settles
most cases, and counting frequent function words separates the Latin-script languages. No model,
no dependency, and only the start of the document is read.
"""

from __future__ import annotations

import re
import unicodedata

_MAX_WORDS = 2000
_MAX_CHARS = 20_000  # bounds the work for scripts written without spaces (ja, zh, th)
_KANA_SHARE_FOR_JAPANESE = 0.05  # Japanese prose is ~30-40% kana; Chinese has (almost) none

_KANA_RANGES = "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_HAN_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_KANA = re.compile(f"[{_KANA_RANGES}]")
_HAN = re.compile(f"[{_HAN_RANGES}]")
# Letters of each script, keyed by the language code that script stands for here.
_SCRIPTS: dict[str, re.Pattern[str]] = {
    "latin": re.compile("[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]"),
    "cjk": re.compile(f"[{_KANA_RANGES}{_HAN_RANGES}]"),
    "ko": re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]"),
    "ru": re.compile("[\u0400-\u04ff]"),
    "ar": re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc]"),
    "el": re.compile("[\u0370-\u03ff\u1f00-\u1fff]"),
    "he": re.compile("[\u0590-\u05ff]"),
    "th": re.compile("[\u0e00-\u0e7f]"),
}
# A Han character, kana or Hangul syllable carries about as much as three Latin letters: without
# this weight, a few English product names outvote a short Japanese paragraph.
_SCRIPT_WEIGHTS = {"cjk": 3, "ko": 3}
_WORD = re.compile(r"[^\W\d_]+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Frequent function words. Words shared by several languages count for each of them; the
# distinctive ones decide. English comes first so that it wins ties.
_STOP_WORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "the of and to a an in is are be been that this these for it its as with on by or not "
        "you your we our us any all will may shall from at have has which such if their they "
        "other without under"
    ),
    "fr": _words(
        "le la les de des du un une et est en que qui dans pour pas par sur au aux avec ce cette "
        "ces il elle nous vous votre vos ne ou sont être son sa ses à leur tout toute plus"
    ),
    "de": _words(
        "der die das und ist nicht mit von zu den dem des ein eine einen einer im auf für sich sie "
        "es wir ihr ihre sind oder auch werden wird bei nach aus wenn durch dass diese dieser kann "
        "zum zur über unter als"
    ),
    "es": _words(
        "el la los las de del y en con un una su sus es por para que lo al se no como más pero "
        "este esta usted cualquier sin sobre entre también ser hay desde o"
    ),
    "it": _words(
        "il di che e la per un una in non sono è del della dei delle al alla con si da dal nel "
        "nella gli le lo questo questa ai anche come più o ed qualsiasi essere tra sul sulla "
        "può"
    ),
    "pt": _words(
        "o a os as de do da dos das e em no na nos nas um uma que não para com por pelo pela se "
        "ao à às ou mais você seu sua seus suas também são está este esta qualquer como"
    ),
    "nl": _words(
        "de het een en van is dat die niet op te met voor zijn aan er maar om ook als bij of uw "
        "u wij we ons onze deze dit naar worden wordt kunnen door geen hebben heeft zal tot uit "
        "over"
    ),
}


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the language ``text`` is written in ("und" when it has no letters).

    Latin-script text in none of en/fr/de/es/it/pt/nl, and very short text, comes out as "en".
    """
    sample = _sample(text)
    script = _dominant_script(sample)
    if script is None:
        return "und"
    if script == "latin":
        return _by_stop_words(sample)
    if script == "cjk":
        kana = len(_KANA.findall(sample))
        han = len(_HAN.findall(sample))
        return "ja" if kana >= _KANA_SHARE_FOR_JAPANESE * (kana + han) else "zh"
    return script


def _sample(text: str) -> str:
    words = text[:_MAX_CHARS].split()[:_MAX_WORDS]
    return unicodedata.normalize("NFC", " ".join(words))


def _dominant_script(sample: str) -> str | None:
    """The script most letters are written in; None for no letters or an unsupported script."""
    counts = {script: len(pattern.findall(sample)) for script, pattern in _SCRIPTS.items()}
    others = sum(char.isalpha() for char in sample) - sum(counts.values())
    weighted = {script: count * _SCRIPT_WEIGHTS.get(script, 1) for script, count in counts.items()}
    script, count = max(weighted.items(), key=lambda item: item[1])
    if count == 0 or others > count:
        return None
    return script


def _by_stop_words(sample: str) -> str:
    words = [word.lower() for word in _WORD.findall(sample)]
    hits = {
        language: sum(word in stop_words for word in words)
        for language, stop_words in _STOP_WORDS.items()
    }
    return max(hits, key=lambda language: hits[language])  # first (English) on ties
