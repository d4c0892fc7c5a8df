"""Text and clause diffs: what changed between two versions, and whether it matters."""

from __future__ import annotations

import difflib
import json
import random
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tosanalyzer.change import (
    ClauseDiff,
    DiffError,
    TextDiff,
    VersionFacts,
    diff_clauses,
    diff_text,
    inline_segments,
    normalise,
    unified_lines,
)
from tosanalyzer.models import AnalysisResult
from tosanalyzer.workspace import Workspace

WORKSPACE = Workspace()
OTA = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "ota"

BASE = """# Acme Terms of Service

## 1. Your Account

You must be 18 years old to use the Service. You are responsible for keeping your password safe.

We offer:

1. a free plan;
2. a paid plan.

## 2. Changes to These Terms

We may modify these Terms from time to time and will notify you 30 days in advance.

## 3. Limitation of Liability

Our total liability to you for any claim will not exceed $100.

## 4. Governing Law

These Terms are governed by the laws of the State of California.

## 5. Contact

Write to us through [our help page](https://help.example.com/contact?session=ab12cd34ef56ab78cd90).
We answer most messages within two business days.
"""

ARBITRATION = """## 5. Disputes

Any dispute arising from these Terms will be resolved by binding arbitration.

## 6. Contact"""


def analyse(text: str) -> AnalysisResult:
    return WORKSPACE.analyze_text(text)


def edit(*replacements: tuple[str, str]) -> str:
    text = BASE
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def base() -> AnalysisResult:
    return analyse(BASE)


def clause_diff(base: AnalysisResult, text: str, **facts: VersionFacts) -> ClauseDiff:
    return diff_clauses(base, analyse(text), WORKSPACE.library, **facts)


# --- text diff ---------------------------------------------------------------------------------


def test_unified_view_is_the_one_difflib_prints() -> None:
    old = "".join(f"line {n}\n" for n in range(1, 21))
    new = old.replace("line 3\n", "line three\n").replace("line 17\n", "line 17\nline 17b\n")
    ours = unified_lines(diff_text(old, new, context=2), "old", "new")
    theirs = difflib.unified_diff(
        old.splitlines(), new.splitlines(), "old", "new", n=2, lineterm=""
    )
    assert ours == list(theirs)


def test_an_edited_line_marks_only_the_changed_words() -> None:
    old = "Intro.\nOur liability will not exceed $100 in total.\nEnd.\n"
    new = "Intro.\nOur liability will not exceed $50 in total.\nEnd.\n"
    (hunk,) = diff_text(old, new).hunks
    ops = {line.op: line for line in hunk.lines if line.op != "equal"}
    assert [(s.op, s.text) for s in ops["delete"].segments if s.op != "equal"] == [
        ("delete", "100")
    ]
    assert [(s.op, s.text) for s in ops["insert"].segments if s.op != "equal"] == [("insert", "50")]
    assert all(not line.segments for line in hunk.lines if line.op == "equal")


def test_inline_segments_mark_whole_words_before_characters() -> None:
    segments = inline_segments("We may change these Terms.", "We may not change these Terms.")
    assert [(s.op, s.text) for s in segments] == [
        ("equal", "We may "),
        ("insert", "not "),
        ("equal", "change these Terms."),
    ]


def test_a_misspelt_word_is_refined_to_its_characters() -> None:
    segments = inline_segments("the licence fee", "the license fee")
    assert [(s.op, s.text) for s in segments] == [
        ("equal", "the licen"),
        ("delete", "c"),
        ("insert", "s"),
        ("equal", "e fee"),
    ]


def test_a_rewritten_line_is_shown_whole_not_as_confetti() -> None:
    old = "Keep.\nThe quick brown fox jumps over the lazy dog.\n"
    new = "Keep.\nPayment is due on the first day of every month.\n"
    (hunk,) = diff_text(old, new).hunks
    changed = [line for line in hunk.lines if line.op != "equal"]
    assert [[s.op for s in line.segments] for line in changed] == [["delete"], ["insert"]]


def _rebuilt(diff: TextDiff, skip: str) -> str:
    return "".join(
        line.text + "\n" for hunk in diff.hunks for line in hunk.lines if line.op != skip
    )


LINES = st.lists(st.sampled_from(["a", "b", "c", "d e", "", "f g h"]), max_size=30)


@settings(max_examples=60, deadline=None)
@given(LINES, LINES)
def test_a_diff_with_unlimited_context_rebuilds_both_texts(old: list[str], new: list[str]) -> None:
    old_text, new_text = "".join(f"{x}\n" for x in old), "".join(f"{x}\n" for x in new)
    diff = diff_text(old_text, new_text, context=10**6)
    assert len(diff.hunks) == (0 if old == new else 1)
    if diff.hunks:
        assert _rebuilt(diff, "insert") == old_text
        assert _rebuilt(diff, "delete") == new_text
    for hunk in diff.hunks:
        for line in hunk.lines:
            assert not line.segments or "".join(s.text for s in line.segments) == line.text


@settings(max_examples=60, deadline=None)
@given(LINES, LINES, st.integers(min_value=0, max_value=3))
def test_hunk_headers_count_their_lines(old: list[str], new: list[str], context: int) -> None:
    diff = diff_text(
        "".join(f"{x}\n" for x in old), "".join(f"{x}\n" for x in new), context=context
    )
    assert diff.lines_removed == sum(
        1 for hunk in diff.hunks for line in hunk.lines if line.op == "delete"
    )
    for hunk in diff.hunks:
        olds = [line.old_number for line in hunk.lines if line.old_number is not None]
        news = [line.new_number for line in hunk.lines if line.new_number is not None]
        assert hunk.old_count == len(olds) and hunk.new_count == len(news)
        assert olds == list(range(hunk.old_start, hunk.old_start + len(olds)))
        assert news == list(range(hunk.new_start, hunk.new_start + len(news)))


def test_the_timeout_bounds_a_pathological_diff_and_keeps_it_correct() -> None:
    rng = random.Random(5)
    old = "".join(f"{rng.choice('abcdefghij')}\n" for _ in range(4000))
    new = "".join(f"{rng.choice('abcdefghij')}\n" for _ in range(4000))
    start = time.perf_counter()
    diff = diff_text(old, new, context=10**6, timeout=0.05)
    elapsed = time.perf_counter() - start
    assert diff.timed_out
    assert elapsed < 2.0, f"took {elapsed:.2f} s with a 0.05 s timeout"
    assert _rebuilt(diff, "insert") == old and _rebuilt(diff, "delete") == new
    assert not diff_text("a\nb\n", "a\nc\n").timed_out


def test_the_structured_form_is_json() -> None:
    diff = diff_text("a\nb\n", "a\nc\n")
    data = json.loads(diff.model_dump_json())
    assert data["hunks"][0]["lines"][1] == {
        "op": "delete",
        "old_number": 2,
        "new_number": None,
        "text": "b",
        "segments": [{"op": "delete", "text": "b"}],
    }


# --- normalisation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("We may  end\tyour account.", "We may end your account ."),
        ("## 12. Limitation of Liability", "### 13) Limitation of liability"),
        ("1. a free plan;", "- a free plan"),
        ("(a) you agree", "(iv) you agree"),
        ("**1.1.**", "**1.2.**"),
        ("See [our policy](https://a.example/p?x=1).", "See [our policy](https://b.example/q)."),
        (
            "Go to https://x.example/r/3f2a1b4c-9d8e-4f7a-8b6c-5d4e3f2a1b0c/settings?t=9 now",
            "Go to https://x.example/r/0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d/settings now",
        ),
        ("as set out in Section 12.3(a).", "as set out in section 14.1(b)."),
        ("**Important**: read this", "Important: read this"),
    ],
)
def test_cosmetic_edits_normalise_alike(old: str, new: str) -> None:
    assert normalise(old) == normalise(new)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("will not exceed $100.", "will not exceed $50."),
        ("within 30 days", "within 60 days"),
        ("We may change these Terms.", "We may not change these Terms."),
        ("See [our policy](https://a.example/p).", "See [our rules](https://a.example/p)."),
        ("Visit https://a.example/privacy", "Visit https://a.example/terms"),
    ],
)
def test_word_edits_do_not_normalise_alike(old: str, new: str) -> None:
    assert normalise(old) != normalise(new)


# --- clause diff -------------------------------------------------------------------------------


def test_an_added_arbitration_clause_is_material(base: AnalysisResult) -> None:
    diff = clause_diff(base, edit(("## 5. Contact", ARBITRATION)))
    assert diff.change_class == "material"
    assert "finding gained: arbitration" in diff.reasons
    (added,) = [c for c in diff.changes if c.kind == "added" and c.change_class == "material"]
    assert added.findings_gained == ["arbitration"]
    assert added.new_section_path == ["Acme Terms of Service", "5. Disputes"]
    renumbered = [c for c in diff.changes if c.new_text == "6. Contact"]
    assert [c.change_class for c in renumbered] == ["cosmetic"]


def test_a_lower_cap_is_material_with_the_amounts(base: AnalysisResult) -> None:
    diff = clause_diff(base, edit(("$100", "$50")))
    assert diff.change_class == "material"
    assert [d.summary for d in diff.attribute_deltas] == ["liability cap: $100 → $50"]
    (change,) = diff.changes
    assert change.kind == "modified" and change.reasons == ["liability cap: $100 → $50"]
    assert not diff.findings_gained and not diff.findings_lost


def test_a_new_governing_law_is_material(base: AnalysisResult) -> None:
    diff = clause_diff(base, edit(("the State of California", "Ireland")))
    assert diff.change_class == "material"
    assert [d.summary for d in diff.attribute_deltas] == [
        "governing law: State of California → Ireland"
    ]


def test_a_dropped_notice_period_reads_as_none(base: AnalysisResult) -> None:
    diff = clause_diff(base, edit((" and will notify you 30 days in advance", "")))
    assert diff.change_class == "material"
    assert "notice of changes: 30 days → none" in [d.summary for d in diff.attribute_deltas]


def test_a_new_clause_types_tracked_attribute_is_material(tmp_path: Path) -> None:
    """Tracking is declared in the pattern file: a new clause type needs no code to count."""
    (tmp_path / "demo_type.yaml").write_text(
        """\
id: "demo_type"
title: {en: "Demo", ja: "デモ"}
description: "A clause type for tests."
severity: "low"
polarity: "bad"
attributes: ["notice_days"]
tracked: [{id: "demo_notice", attribute: "notice_days", label: "demo notice", order: 5}]
patterns:
  - id: "demo"
    phrases: ["demo service"]
examples:
  match: ["We may end the demo service."]
  no_match: ["Nothing here."]
""",
        encoding="utf-8",
    )
    workspace = Workspace(patterns=tmp_path)
    old, new = (
        workspace.analyze_text(f"We may end the demo service with {days} days notice.")
        for days in (30, 10)
    )
    diff = diff_clauses(old, new, workspace.library)
    assert diff.change_class == "material"
    assert diff.reasons == ["demo notice: 30 days → 10 days"]


def test_a_moved_section_is_matched_as_moved(base: AnalysisResult) -> None:
    contact = BASE[BASE.index("## 5. Contact") :]
    moved = BASE.replace(contact, "").replace(
        "## 1. Your Account", contact + "\n## 1. Your Account"
    )
    diff = clause_diff(base, moved)
    assert {c.kind for c in diff.changes} == {"moved"}
    assert len(diff.changes) == 3  # the heading and its two sentences
    assert diff.change_class == "substantive"
    assert {c.reasons[0] for c in diff.changes} == {"moved"}


def test_a_clause_moved_far_away_is_still_matched_as_moved() -> None:
    filler = [f"Rule {n}: the {n}th kind of widget must be painted blue." for n in range(120)]
    cap = "Our total liability to you for any claim will not exceed $100."
    old = analyse("\n\n".join([cap, *filler]))
    diff = diff_clauses(old, analyse("\n\n".join([*filler, cap])), WORKSPACE.library)
    (change,) = diff.changes
    assert change.kind == "moved" and change.reasons == ["moved"]
    assert (change.old_index, change.new_index) == (0, 120)
    assert diff.change_class == "substantive"


def test_a_sentence_boundary_moved_by_punctuation_is_cosmetic(base: AnalysisResult) -> None:
    text = edit(("within two business days.", "within two business days, thank you for writing."))
    split = edit(("within two business days.", "within two business days. Thank you for writing."))
    diff = diff_clauses(analyse(split), analyse(text), WORKSPACE.library)
    assert {c.kind for c in diff.changes} == {"modified", "removed"}
    assert diff.change_class == "cosmetic"


def test_a_lightly_edited_clause_is_one_modified_clause(base: AnalysisResult) -> None:
    diff = clause_diff(base, edit(("your password safe", "your password and devices safe")))
    (change,) = diff.changes
    assert change.kind == "modified" and change.change_class == "substantive"
    assert change.old_text == "You are responsible for keeping your password safe."
    assert change.similarity is not None and 0.6 <= change.similarity < 1
    assert diff.change_class == "substantive"


def test_layout_only_edits_are_cosmetic(base: AnalysisResult) -> None:
    text = edit(
        ("## 3. Limitation", "### 3. Limitation"),
        ("## 4. Governing", "## 4) Governing"),
        ("1. a free plan;\n2. a paid plan.", "- a free plan;\n- a paid plan"),
        ("session=ab12cd34ef56ab78cd90", "session=ff00ee11dd22cc33bb44"),
        ("to use the Service.", "to use the   Service ."),
        ("\n\n## 2.", "\n\n\n## 2."),
    )
    diff = clause_diff(base, text)
    assert diff.changes
    assert {c.change_class for c in diff.changes} == {"cosmetic"}
    assert diff.change_class == "cosmetic"


def test_a_wording_change_without_a_finding_moving_is_substantive(base: AnalysisResult) -> None:
    diff = clause_diff(base, edit(("two business days", "three business days")))
    assert diff.change_class == "substantive"
    assert [c.reasons for c in diff.changes] == [["words changed"]]
    assert not diff.reasons


def test_a_technical_upgrade_is_never_material(base: AnalysisResult) -> None:
    upgraded = VersionFacts(kind="technical_upgrade")
    diff = clause_diff(base, edit(("## 5. Contact", ARBITRATION)), new_version=upgraded)
    assert diff.change_class == "substantive"
    assert diff.capped_because is not None and "technical_upgrade" in diff.capped_because
    assert "finding gained: arbitration" in diff.reasons  # still reported, just not material
    assert "material" not in {c.change_class for c in diff.changes}


def test_a_suspect_version_on_either_side_is_never_material(base: AnalysisResult) -> None:
    suspect = VersionFacts(suspect="error page: 503 Service Unavailable")
    diff = clause_diff(base, edit(("$100", "$50")), old_version=suspect)
    assert diff.change_class == "substantive"
    assert diff.capped_because is not None and "suspect" in diff.capped_because


def test_a_grade_that_moved_is_material(base: AnalysisResult) -> None:
    diff = clause_diff(
        base,
        edit(("two business days", "three business days")),
        old_version=VersionFacts(grade="B"),
        new_version=VersionFacts(grade="C"),
    )
    assert diff.change_class == "material"
    assert diff.reasons == ["grade: B → C"]


def test_analyses_from_different_pattern_libraries_are_refused(base: AnalysisResult) -> None:
    other = base.model_copy(
        update={"provenance": base.provenance.model_copy(update={"pattern_library_version": "x"})}
    )
    with pytest.raises(DiffError, match=r"different pattern libraries.*re-analyse"):
        diff_clauses(other, base, WORKSPACE.library)


def test_identical_analyses_have_no_changes(base: AnalysisResult) -> None:
    diff = diff_clauses(base, base, WORKSPACE.library)
    assert diff.changes == [] and diff.reasons == [] and diff.change_class == "cosmetic"


# --- the real noise of Open Terms Archive histories ---------------------------------------------

needs_ota = pytest.mark.skipif(not OTA.is_dir(), reason="../shared/corpora/ota is not here")


def _real(document: str, old: str, new: str) -> ClauseDiff:
    folder = OTA / document
    texts = [(folder / f"{name}.md").read_text(encoding="utf-8") for name in (old, new)]
    return diff_clauses(analyse(texts[0]), analyse(texts[1]), WORKSPACE.library)


@needs_ota
def test_claude_per_request_link_tokens_are_cosmetic() -> None:
    diff = _real("anthropic-claude/privacy-policy", "2025-09-10T00-32-07Z", "2025-09-19T00-32-09Z")
    assert diff.changes and diff.change_class == "cosmetic"


@needs_ota
def test_zoom_tracking_tokens_are_cosmetic_and_its_site_menus_not_material() -> None:
    tokens = _real("zoom/terms-of-service", "2024-11-09T06-17-17Z", "2024-11-16T06-17-32Z")
    assert tokens.changes and tokens.change_class == "cosmetic"
    menus = _real("zoom/terms-of-service", "2025-08-05T18-22-29Z", "2026-08-06T13-09-15Z")
    assert menus.count("added") >= 10 and menus.change_class == "substantive"


@needs_ota
def test_instagram_faq_headings_are_not_material() -> None:
    diff = _real("instagram/terms-of-service", "2026-06-13T12-41-39Z", "2026-07-03T00-41-34Z")
    assert {c.kind for c in diff.changes} == {"added", "removed"}
    assert diff.change_class == "substantive"
