"""Split a Terms-of-Service text into clauses that know the section they sit in.

Legal text defeats a generic sentence splitter: "Inc.", "e.g.", "U.S.", "Sec. 12.2" and "(a)"
are not sentence ends, while headings, list items and numbered paragraphs are boundaries even
without a full stop. The splitter works on the raw text with regular expressions (fast, and the
offsets stay those of the text as given, Markdown emphasis included); spaCy later tokenizes the
whole document once and matches are mapped back onto these spans.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tosanalyzer.models import Clause, ClauseKind

# Words after which a full stop does not end a sentence (compared lower-cased, without the dot).
ABBREVIATIONS = frozenset(
    (
        "inc", "ltd", "llc", "llp", "plc", "co", "corp", "cos", "bros", "dept", "univ", "assn",
        "intl", "natl", "govt", "e.g", "i.e", "u.s", "u.k", "u.s.a", "e.u", "etc", "vs", "v", "cf",
        "viz", "approx", "est", "al", "no", "nos", "sec", "secs", "art", "arts", "para", "paras",
        "cl", "ch", "pt", "pp", "p", "fig", "vol", "ed", "rev", "civ", "proc", "stat", "reg",
        "regs", "cal", "calif", "bus", "prof", "ann", "mr", "mrs", "ms", "dr", "prof", "st", "jr",
        "sr", "gen", "hon", "rep", "sen", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
        "sept", "oct", "nov", "dec",
    )
)
# "etc." and "al." often do end sentences; they are only kept joined when a lower-case word follows.
_WEAK_ABBREVIATIONS = frozenset({"etc", "al"})

_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]*_]*(?=\s+)")
_NEXT_START = re.compile(r"\s+[\"'“‘(\[*_]*[A-Z0-9¿¡]")
_WORD_BEFORE = re.compile(r"([A-Za-z0-9][A-Za-z0-9.\-]*)$")
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_LIST_ITEM = re.compile(
    r"^[ \t]*(?:[-*+•·▪–][ \t]+|\d{1,3}[.)][ \t]+|\(?[a-zA-Z]{1,3}\)[ \t]+|\(\d{1,3}\)[ \t]+)",
    re.MULTILINE,
)
_TABLE_ROW = re.compile(r"^[ \t]*\|.*\|[ \t]*$")
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t:\-|]+\|[ \t:\-|]*$")
_NUMBERED_HEADING = re.compile(
    r"^(?:(?:section|article|clause|part|chapter)\s+)?(\d{1,3}(?:\.\d{1,3})*|[IVXLC]{1,6})\.?\s+\S",
    re.IGNORECASE,
)
_NUMBERED_PARAGRAPH = re.compile(r"^(\d{1,3}(?:\.\d{1,3})+)\.?\s+\S")
_MARKUP_EDGES = re.compile(r"^[\s*_#>\[\]()]+|[\s*_:]+$")
_LINK_PREFIX = re.compile(r"^\[[^\]]*\]\([^)]*\)")


@dataclass(frozen=True)
class _Heading:
    level: int
    title: str


@dataclass(frozen=True)
class _Block:
    kind: ClauseKind
    start: int
    end: int
    number: str | None = None


def segment(text: str) -> list[Clause]:
    """Cut ``text`` into heading, sentence and list-item clauses, each with its section path."""
    clauses: list[Clause] = []
    stack: list[_Heading] = []
    for paragraph, (block, heading) in enumerate(_blocks(text)):
        if heading is not None:
            while stack and stack[-1].level >= heading.level:
                stack.pop()
            path = [h.title for h in stack]
            stack.append(heading)
            clauses.append(
                _clause(len(clauses), "heading", text, (block.start, block.end), path, paragraph)
            )
            continue
        path = [h.title for h in stack]
        if block.number is not None:
            path = [*path, block.number]
        for span in split_sentences(text, block.start, block.end):
            clauses.append(_clause(len(clauses), block.kind, text, span, path, paragraph))
    return clauses


def _clause(
    index: int,
    kind: ClauseKind,
    text: str,
    span: tuple[int, int],
    path: list[str],
    paragraph: int,
) -> Clause:
    start, end = span
    return Clause(
        index=index,
        kind=kind,
        start=start,
        end=end,
        text=text[start:end],
        section_path=path,
        paragraph=paragraph,
    )


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every line, without its newline."""
    pos = 0
    for line in text.split("\n"):
        yield pos, pos + len(line)
        pos += len(line) + 1


def _blocks(text: str) -> Iterator[tuple[_Block, _Heading | None]]:
    """Group lines into paragraphs, list items, table rows and headings."""
    lines = list(_lines(text))
    para: list[tuple[int, int]] = []
    para_kind: ClauseKind = "sentence"
    i = 0

    def flush() -> Iterator[tuple[_Block, _Heading | None]]:
        if para:
            yield _content_block(text, para[0][0], para[-1][1], para_kind), None
            para.clear()

    while i < len(lines):
        start, end = lines[i]
        line = text[start:end]
        nxt = text[lines[i + 1][0] : lines[i + 1][1]] if i + 1 < len(lines) else ""
        if not line.strip():
            yield from flush()
            i += 1
            continue
        if _TABLE_RULE.match(line) and "-" in line:
            i += 1
            continue
        heading = _heading(line, nxt, first_in_block=not para)
        if heading is not None:
            yield from flush()
            trimmed = _trim(text, start, end)
            yield _Block("heading", *trimmed), heading
            i += 2 if heading.level <= 2 and _SETEXT_UNDERLINE.match(nxt) else 1
            continue
        if _LIST_ITEM.match(line) or _TABLE_ROW.match(line):
            yield from flush()
            para_kind = "list_item"
        elif not para:
            para_kind = "sentence"
        para.append((start, end))
        i += 1
    yield from flush()


def _content_block(text: str, start: int, end: int, kind: ClauseKind) -> _Block:
    """Strip list markers and surrounding blanks; note a paragraph number such as "12.2"."""
    marker = _LIST_ITEM.match(text, start, end) if kind == "list_item" else None
    if marker:
        start = marker.end()
    start, end = _trim(text, start, end)
    number = _NUMBERED_PARAGRAPH.match(text[start:end])
    return _Block(kind, start, end, number.group(1) if number else None)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t\r\n#>|":
        start += 1
    while end > start and text[end - 1] in " \t\r\n|":
        end -= 1
    return start, end


def _heading(line: str, next_line: str, *, first_in_block: bool) -> _Heading | None:
    """A heading, by Markdown syntax or by the look of a title line in plain text."""
    atx = _ATX_HEADING.match(line)
    if atx:
        title = _clean_title(atx.group(2))
        return _Heading(len(atx.group(1)), title) if title else None
    setext = _SETEXT_UNDERLINE.match(next_line)
    if setext and first_in_block and line.strip() and not _LIST_ITEM.match(line):
        return _Heading(1 if setext.group(1)[0] == "=" else 2, _clean_title(line))
    if not first_in_block:
        return None
    stripped = line.strip()
    if _is_bold_line(stripped) or _looks_like_title(stripped, next_line):
        title = _clean_title(stripped)
        if not title:
            return None
        numbered = _NUMBERED_HEADING.match(title)
        if numbered and numbered.group(1)[0].isdigit():
            return _Heading(10 + numbered.group(1).count("."), title)
        return _Heading(10 if title.isupper() else 11, title)
    return None


def _is_bold_line(line: str) -> bool:
    inner = line[2:-2]
    return (
        len(line) > 4
        and line.startswith("**")
        and line.endswith("**")
        and "**" not in inner
        and len(inner.split()) <= 12
        and not inner.rstrip().endswith((".", ";", ","))
    )


def _looks_like_title(line: str, next_line: str) -> bool:
    """Short, unpunctuated and capitalised like a title, with text following it."""
    words = line.split()
    if not words or len(words) > 12 or len(line) > 100 or not next_line.strip():
        return False
    if line[-1] in ".;,:!?\"”'" or _LIST_ITEM.match(line) or _TABLE_ROW.match(line):
        return False
    if not (line[0].isupper() or line[0].isdigit()):
        return False
    letters = [c for c in line if c.isalpha()]
    if not letters:
        return False
    if all(c.isupper() for c in letters):
        return True
    content = [w for w in words if len(w) > 3 and w[0].isalpha()]
    capitalised = sum(1 for w in content if w[0].isupper())
    return bool(content) and capitalised / len(content) >= 0.6


def _clean_title(raw: str) -> str:
    title = _LINK_PREFIX.sub("", raw.strip())
    title = title.replace("**", "").replace("__", "")
    return _MARKUP_EDGES.sub("", title).strip()


def split_sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Sentence spans inside ``text[start:end]``, trimmed of surrounding white space."""
    sentence_start = start
    for match in _SENTENCE_END.finditer(text, start, end):
        boundary = match.end()
        following = _NEXT_START.match(text, boundary, end)
        if following is None or not _ends_sentence(text, sentence_start, match.start(), boundary):
            continue
        yield from _non_empty(text, sentence_start, boundary)
        sentence_start = boundary
    yield from _non_empty(text, sentence_start, end)


def _ends_sentence(text: str, sentence_start: int, dot: int, boundary: int) -> bool:
    """Whether the full stop at ``dot`` really closes a sentence."""
    if text[dot] in "!?":
        return True
    before = _WORD_BEFORE.search(text, sentence_start, dot)
    if before is None:
        return True
    word = before.group(1).lower().rstrip(".")
    if word in _WEAK_ABBREVIATIONS:
        return True
    if word in ABBREVIATIONS:
        return False
    if len(word) == 1 and word.isalpha():
        return False  # initials and enumerations: "J. Smith", "a. first item"
    if re.fullmatch(r"[ivx]{1,4}", word) and dot - len(word) - 1 >= 0:
        return text[dot - len(word) - 1] not in " (\n"
    if word.replace(".", "").isdigit():
        # "12." or "12.2" opening a clause, or "Section 12." in a reference, is not an end.
        prefix = text[sentence_start : before.start()].strip().lower()
        return bool(prefix) and not prefix.endswith(("section", "sec.", "article", "§", "clause"))
    return True


def _non_empty(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end
