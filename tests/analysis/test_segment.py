"""Clause boundaries on the hard cases of legal text, and section paths."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tosanalyzer.analysis.nlp.segment import segment


def texts(text: str) -> list[str]:
    return [c.text for c in segment(text) if c.kind != "heading"]


def test_abbreviations_do_not_end_sentences() -> None:
    text = (
        "Northwind Labs, Inc. operates the Service in the U.S. and abroad. "
        "Some data, e.g. your e-mail, i.e. the address you gave us, is kept. "
        "See Cal. Civ. Code Sec. 1789.3 and Reg. No. 12 for details. Then we stop."
    )
    assert texts(text) == [
        "Northwind Labs, Inc. operates the Service in the U.S. and abroad.",
        "Some data, e.g. your e-mail, i.e. the address you gave us, is kept.",
        "See Cal. Civ. Code Sec. 1789.3 and Reg. No. 12 for details.",
        "Then we stop.",
    ]


def test_section_numbers_and_enumerations_do_not_split() -> None:
    text = (
        "12.2 The caps in Sec. 12.1 and Section 4. Apply to all claims. "
        "You must (a) pay fees, (b) follow the rules and (i) keep copies. Done here."
    )
    result = texts(text)
    assert result[0] == "12.2 The caps in Sec. 12.1 and Section 4. Apply to all claims."
    assert "You must (a) pay fees, (b) follow the rules and (i) keep copies." in result
    assert result[-1] == "Done here."


def test_headings_list_items_and_paths() -> None:
    text = (
        "# Terms\n\n"
        "## 12. Limitation of Liability\n\n"
        "12.2 Our total liability is **$50**. It applies to all claims.\n\n"
        "- You may cancel at any time.\n"
        "- We may suspend accounts.\n\n"
        "### Exclusions\n\n"
        "Nothing limits liability for fraud.\n"
    )
    clauses = segment(text)
    by_text = {c.text: c for c in clauses}
    cap = by_text["12.2 Our total liability is **$50**."]
    assert cap.section_path == ["Terms", "12. Limitation of Liability", "12.2"]
    assert text[cap.start : cap.end] == cap.text
    assert by_text["It applies to all claims."].section_path[-1] == "12.2"
    item = by_text["We may suspend accounts."]
    assert item.kind == "list_item"
    assert item.section_path == ["Terms", "12. Limitation of Liability"]
    fraud = by_text["Nothing limits liability for fraud."]
    assert fraud.section_path == ["Terms", "12. Limitation of Liability", "Exclusions"]
    headings = [c.text for c in clauses if c.kind == "heading"]
    assert headings == ["Terms", "12. Limitation of Liability", "Exclusions"]


def test_plain_text_headings_and_setext() -> None:
    text = (
        "TERMS OF USE\n"
        "These terms apply to you.\n\n"
        "Governing Law\n"
        "The laws of Ireland apply.\n\n"
        "Privacy Notice\n"
        "==============\n\n"
        "We collect data.\n"
    )
    clauses = segment(text)
    law = next(c for c in clauses if c.text == "The laws of Ireland apply.")
    assert law.section_path == ["TERMS OF USE", "Governing Law"]
    data = next(c for c in clauses if c.text == "We collect data.")
    assert data.section_path == ["Privacy Notice"]


def test_sentence_ending_lines_are_not_headings() -> None:
    text = "We may change these terms.\nYou agree to them.\n"
    assert all(c.kind == "sentence" for c in segment(text))


def test_sentence_ends_after_amounts_and_quotes() -> None:
    text = 'Fees are $100. "Service" means the app. We may end it! Will we? Yes.'
    assert texts(text) == [
        "Fees are $100.",
        '"Service" means the app.',
        "We may end it!",
        "Will we?",
        "Yes.",
    ]


@given(st.text(max_size=400))
def test_offsets_always_point_into_the_text(text: str) -> None:
    previous_end = 0
    for clause in segment(text):
        assert text[clause.start : clause.end] == clause.text
        assert clause.text.strip() == clause.text and clause.text
        assert clause.start >= previous_end
        previous_end = clause.end


def test_lettered_items_are_list_items_in_either_case() -> None:
    text = "WE ARE NOT LIABLE FOR:\n\n(A) LOST PROFITS; OR\n\n(b) lost data.\n\nB) Other items.\n"
    kinds = [(c.kind, c.text) for c in segment(text)]
    assert kinds == [
        ("sentence", "WE ARE NOT LIABLE FOR:"),
        ("list_item", "LOST PROFITS; OR"),
        ("list_item", "lost data."),
        ("list_item", "Other items."),
    ]
