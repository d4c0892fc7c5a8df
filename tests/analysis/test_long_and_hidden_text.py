"""Texts a fetcher accepts but a naive reading breaks on: pages longer than spaCy takes at once,
and words split by characters no reader sees. Offsets must stay those of the text as given."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tosanalyzer.analysis.analyzer import PART_CHARS, Analyzer, _parts
from tosanalyzer.analysis.nlp.normalize import normalise
from tosanalyzer.analysis.nlp.pipeline import build_pipeline
from tosanalyzer.analysis.nlp.segment import segment
from tosanalyzer.base.bundled import corpora_dir
from tosanalyzer.models import Finding
from tosanalyzer.workspace import Workspace

SAMPLE = (corpora_dir() / "samples" / "northwind-terms.md").read_text(encoding="utf-8")
WORKSPACE = Workspace()
INVISIBLE = ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e"]


def _placed(findings: list[Finding]) -> list[tuple[str, int, int, str | None]]:
    """What a finding says about the document, leaving out which of several rules that fire
    on the same words is named (the matcher anchors on the rarest word of the whole text)."""
    return [(f.clause_type, f.start, f.end, f.fairness) for f in findings]


def test_a_five_megabyte_text_is_analysed_whole() -> None:
    """Over spaCy's max_length (E088 before): every copy of the sample is read, each finding
    quoting its own copy."""
    one = WORKSPACE.analyzer.analyze_text(SAMPLE + "\n\n")
    copies = 5_000_000 // (len(SAMPLE) + 2) + 1
    text = (SAMPLE + "\n\n") * copies
    assert len(text) > 5_000_000 > build_pipeline().max_length
    result = WORKSPACE.analyzer.analyze_text(text)
    assert result.document.analysed
    assert len(result.findings) == copies * len(one.findings)
    width = len(SAMPLE) + 2
    last = result.findings[-len(one.findings) :]
    assert [(f.clause_type, f.start - (copies - 1) * width) for f in last] == [
        (f.clause_type, f.start) for f in one.findings
    ]
    for finding in result.findings[:: len(one.findings)]:
        assert text[finding.start : finding.end] == finding.quote


def test_reading_in_parts_finds_what_reading_at_once_finds() -> None:
    text = (SAMPLE + "\n\n") * 4
    whole = WORKSPACE.analyzer.analyze_text(text)
    in_parts = Analyzer(WORKSPACE.library, part_chars=2_500).analyze_text(text)
    assert len(list(_parts(text, segment(text), 2_500))) > 4
    assert whole.findings
    assert _placed(in_parts.findings) == _placed(whole.findings)


@pytest.mark.parametrize(
    "text",
    [
        (SAMPLE + "\n\n") * 3,
        ("We may terminate your account at any time without notice. " * 5_000),
        "x" * 12_000,
        "word " * 3_000 + "y" * 9_000,
    ],
    ids=["paragraphs", "one paragraph", "no white space", "a long word"],
)
def test_parts_cover_the_text_within_the_limit(text: str) -> None:
    limit = 4_000
    parts = list(_parts(text, segment(text), limit))
    assert parts[0][0] == 0 and parts[-1][1] == len(text)
    for (_, end), (start, _) in itertools.pairwise(parts):
        assert end == start
    assert all(0 < end - start <= limit for start, end in parts)


def test_a_part_is_cut_before_a_paragraph_when_one_begins_in_reach() -> None:
    text = (SAMPLE + "\n\n") * 3
    clauses = segment(text)
    firsts = {
        c.start for i, c in enumerate(clauses) if i and c.paragraph != clauses[i - 1].paragraph
    }
    cuts = [start for start, _ in _parts(text, clauses, 3_000)][1:]
    assert cuts and all(cut in firsts for cut in cuts)


def test_the_default_part_is_well_under_spacys_limit() -> None:
    assert build_pipeline().max_length >= PART_CHARS * 2


KEYWORDS = [
    ("Any dispute will be resolved by binding arbi{}tration.", "arbitration"),
    ("We may ter{}minate your ac{}count at any time.", "unilateral_termination"),
    (
        "You waive any right to a jury trial or to take part in a class ac{}tion.",
        "class_action_waiver",
    ),
]


@pytest.mark.parametrize(("template", "clause_type"), KEYWORDS)
@pytest.mark.parametrize("hidden", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_invisible_characters_inside_words_do_not_hide_a_clause(
    template: str, clause_type: str, hidden: str
) -> None:
    plain = template.replace("{}", "")
    assert clause_type in {f.clause_type for f in WORKSPACE.analyze_text(plain).findings}
    text = template.replace("{}", hidden)
    findings = WORKSPACE.analyze_text(text).findings
    assert clause_type in {f.clause_type for f in findings}
    for finding in findings:
        assert text[finding.start : finding.end] == finding.quote
        assert finding.matched_text in finding.quote


def test_compatibility_forms_read_as_plain_letters() -> None:
    """Full-width letters and ligatures read as the letters they stand for."""
    text = "Any dispute will be resolved by binding ａｒｂｉｔｒａｔｉｏｎ and ﬁnal."
    finding = next(f for f in WORKSPACE.analyze_text(text).findings)
    assert finding.clause_type == "arbitration"
    assert "ａｒｂｉｔｒａｔｉｏｎ" in finding.matched_text


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(SAMPLE)), st.sampled_from(INVISIBLE)), max_size=40))
def test_hidden_characters_anywhere_keep_quotes_verbatim(
    inserted: list[tuple[int, str]],
) -> None:
    text = SAMPLE
    for position, char in sorted(inserted, reverse=True):
        text = text[:position] + char + text[position:]
    for finding in WORKSPACE.analyze_text(text).findings:
        assert text[finding.start : finding.end] == finding.quote
        stripped = "".join(c for c in finding.matched_text if c not in INVISIBLE)
        assert stripped.strip() and finding.matched_text in finding.quote


@given(
    st.text(alphabet=st.sampled_from(["a", " ", "ﬁ", "\u00ad", "ａ", "\u200b", "é"]), max_size=60)
)
def test_normalised_offsets_lead_back_to_the_same_characters(text: str) -> None:
    normalised = normalise(text)
    assert all(c not in normalised.text for c in INVISIBLE)
    for start in range(len(normalised.text) + 1):
        for end in range(start, len(normalised.text) + 1):
            first = normalised.start_in_original(start)
            last = normalised.end_in_original(end) if end > start else first
            assert 0 <= first <= last <= len(text)
            assert normalised.text[start:end] in normalise(text[first:last]).text
    for position in range(len(text) + 1):
        back = normalised.start_in_original(normalised.in_normalised(position))
        skipped = text[position:back]
        assert back >= position and all(c in INVISIBLE for c in skipped)
