"""CLAUDETTE dev scores when its sentences are rewritten in other surface forms.

Run by hand:  python bench/surface_forms.py [CLAUDETTE_JSONL]
Unseen terms differ from the dev documents in how they write the same clause: contractions and
curly apostrophes in newer terms, whole sections in capitals, British spelling, the provider's
name instead of "we", emphasis and spacing left by HTML converted to Markdown. Each rewrite
keeps the labels, so a tagger that reads the clause and not its spelling scores the same on
every row; the gap to "as written" is what the rewrite costs.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from breame.data.spelling_constants import AMERICAN_ENGLISH_SPELLINGS

from tosanalyzer.workspace import Workspace

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "claudette" / "dev.jsonl"

_CONTRACTIONS = {
    "will not": "won't",
    "shall not": "won't",
    "do not": "don't",
    "does not": "doesn't",
    "cannot": "can't",
    "can not": "can't",
    "are not": "aren't",
    "is not": "isn't",
    "would not": "wouldn't",
    "have not": "haven't",
    "we will": "we'll",
    "you will": "you'll",
    "we are": "we're",
    "you are": "you're",
}
_SELF = {"we": "Acme", "us": "Acme", "our": "Acme's"}


def _replace_words(text: str, table: dict[str, str]) -> str:
    """Replace whole words or phrases of ``table``, keeping a capital first letter."""
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, table)) + r")\b", re.IGNORECASE)

    def swap(match: re.Match[str]) -> str:
        found = match.group(0)
        new = table[found.lower()]
        return new[0].upper() + new[1:] if found[0].isupper() else new

    return pattern.sub(swap, text)


def _british(text: str) -> str:
    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        return AMERICAN_ENGLISH_SPELLINGS.get(word, word) if word.islower() else word

    return re.sub(r"[A-Za-z]+", swap, text)


def _bold_every_fourth_word(text: str) -> str:
    words = text.split(" ")
    return " ".join(f"**{w}**" if i % 4 == 1 and w.isalpha() else w for i, w in enumerate(words))


def _curly(text: str) -> str:
    return text.replace("'", "’").replace('"', "”")


REWRITES: dict[str, Callable[[str], str]] = {
    "as written": lambda text: text,
    "contractions, curly apostrophes": lambda text: _curly(_replace_words(text, _CONTRACTIONS)),
    "capitals": str.upper,
    "British spelling": _british,
    "curly quotes": _curly,
    "Markdown bold on every fourth word": _bold_every_fourth_word,
    "two spaces between words": lambda text: text.replace(" ", "  "),
    "provider named, not 'we'": lambda text: _replace_words(text, _SELF),
    "may -> can": lambda text: _replace_words(text, {"may": "can"}),
    "shall -> will": lambda text: _replace_words(text, {"shall": "will"}),
    "will -> shall": lambda text: _replace_words(text, {"will": "shall"}),
}


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    rows = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line]
    workspace = Workspace()
    print(f"{'rewrite':34} {'macro-F1':>8}  lowest category")
    with tempfile.TemporaryDirectory() as folder:
        for name, rewrite in REWRITES.items():
            path = Path(folder) / "rewritten.jsonl"
            lines = [json.dumps({**row, "text": rewrite(row["text"])}) for row in rows]
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            report = workspace.evaluate(path)
            low, score = min(report.per_category.items(), key=lambda item: item[1].f1)
            print(f"{name:34} {report.macro.f1:8.4f}  {low} {score.f1:.3f}")


if __name__ == "__main__":
    main()
