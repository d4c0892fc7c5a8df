"""The shipped pattern library proves itself, and bad pattern files fail loudly."""

from __future__ import annotations

from pathlib import Path

import pytest

from tosanalyzer.analysis.nlp.library import PatternFileError, load_library, pattern_files
from tosanalyzer.base.bundled import patterns_dir
from tosanalyzer.models import CLAUDETTE_CATEGORIES
from tosanalyzer.workspace import Workspace

REQUIRED = set(CLAUDETTE_CATEGORIES) | {
    "perpetual_license",
    "broad_content_license",
    "liability_cap_amount",
    "class_action_waiver",
    "jury_trial_waiver",
    "user_indemnification",
    "warranty_disclaimer",
    "subprocessors",
    "third_party_sharing",
    "sale_of_personal_data",
    "ai_training_on_user_content",
    "retention_after_deletion",
    "cross_border_transfer",
    "government_access",
    "auto_renewal",
    "no_refunds_or_cancellation_fee",
    "changes_without_notice",
    "suspension_without_notice",
    "moral_rights_waiver",
    "advertising_tracking",
    "opt_out_available",
    "data_deletion_right",
    "data_portability",
    "security_certification",
    "breach_notification",
}
GOOD = {
    "opt_out_available",
    "data_deletion_right",
    "data_portability",
    "security_certification",
    "breach_notification",
}

LIBRARY = load_library(patterns_dir())
WORKSPACE = Workspace()


def test_library_holds_every_required_clause_type() -> None:
    assert {p.id for p in LIBRARY.patterns} >= REQUIRED


def test_good_clause_types_are_marked_good() -> None:
    assert {p.id for p in LIBRARY.patterns if p.polarity == "good"} >= GOOD


@pytest.mark.parametrize("pattern", LIBRARY.patterns, ids=lambda p: p.id)
def test_every_pattern_has_enough_examples(pattern: object) -> None:
    from tosanalyzer.models import ClausePattern

    assert isinstance(pattern, ClausePattern)
    assert len(pattern.examples.match) >= 3
    assert len(pattern.examples.no_match) >= 3


def test_every_example_of_every_pattern_file_passes() -> None:
    run, failures = WORKSPACE.test_patterns()
    assert run >= 6 * len(LIBRARY.patterns)
    assert failures == [], "\n".join(
        f"{f.clause_type} {f.expected}: {f.text} (fired {f.fired})" for f in failures
    )


def test_library_version_changes_with_the_files(tmp_path: Path) -> None:
    for path in pattern_files(patterns_dir()):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    assert load_library(tmp_path).version == LIBRARY.version
    first = pattern_files(tmp_path)[0]
    first.write_text(first.read_text(encoding="utf-8") + "\n# reviewed\n", encoding="utf-8")
    assert load_library(tmp_path).version != LIBRARY.version


VALID = """\
id: "demo_type"
title: {en: "Demo", ja: "デモ"}
description: "A clause type for tests."
severity: "low"
polarity: "bad"
patterns:
  - id: "demo"
    phrases: ["demo clause"]
examples:
  match: ["This is a demo clause."]
  no_match: ["Nothing here."]
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return tmp_path


def test_an_edited_pattern_file_is_seen_by_a_running_workspace(tmp_path: Path) -> None:
    """A reviewer edits a rule while the TUI runs: the next analysis uses it, a broken edit
    is an error that names the file, and fixing it recovers."""
    folder = write(tmp_path, "demo_type.yaml", VALID)
    workspace = Workspace(patterns=folder)
    text = "This is a demo clause. A sample clause follows."
    first = workspace.analyze_text(text)
    assert [f.quote for f in first.findings] == ["This is a demo clause."]
    widened = VALID.replace('phrases: ["demo clause"]', 'phrases: ["demo clause", "sample clause"]')
    write(tmp_path, "demo_type.yaml", widened)
    second = workspace.analyze_text(text)
    assert [f.quote for f in second.findings] == [
        "This is a demo clause.",
        "A sample clause follows.",
    ]
    assert second.provenance.pattern_library_version != first.provenance.pattern_library_version
    write(tmp_path, "demo_type.yaml", widened.replace("severity:", "severity"))
    with pytest.raises(PatternFileError, match=r"demo_type\.yaml"):
        workspace.analyze_text(text)
    write(tmp_path, "demo_type.yaml", widened)
    assert len(workspace.analyze_text(text).findings) == 2


def test_is_country_reads_any_country_name(tmp_path: Path) -> None:
    """`IS_COUNTRY` is true for the words of a country's name, whichever country it is."""
    rule = VALID.replace(
        'phrases: ["demo clause"]',
        'tokens: [{LOWER: "in"}, {LOWER: "the", OP: "?"}, {IS_COUNTRY: true}]',
    ).replace('match: ["This is a demo clause."]', 'match: ["Kept in Norway."]')
    workspace = Workspace(patterns=write(tmp_path, "demo_type.yaml", rule))
    for text in ["Kept in Norway.", "Kept in the Netherlands.", "Kept in the U.S. for now."]:
        assert workspace.analyze_text(text).findings, text
    for text in ["Kept in Norwich.", "Kept in the office.", "Kept in Indiana."]:
        assert not workspace.analyze_text(text).findings, text


def test_a_valid_minimal_file_loads(tmp_path: Path) -> None:
    library = load_library(write(tmp_path, "demo_type.yaml", VALID))
    assert [p.id for p in library.patterns] == ["demo_type"]
    assert library.files == {"demo_type": "demo_type.yaml"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (VALID.replace('severity: "low"', 'severity: "urgent"'), "field 'severity'"),
        (VALID.replace(', ja: "デモ"', ""), "field 'title.ja'"),
        (VALID + "colour: \"red\"\n", "field 'colour'"),
        (VALID.replace("phrases:", "wordz:"), "field 'patterns.0"),
        (VALID.replace('id: "demo_type"', 'id: "other_type"'), "must equal the file name"),
        ("- just\n- a list\n", "mapping"),
        (
            VALID.replace('["demo clause"]', '["demo clause"]\n    scope: "section"'),
            "scope 'section' applies to cues and exceptions only",
        ),
        (
            VALID.replace(
                "examples:", 'exceptions:\n  - {id: "x", phrases: ["x"], fair: true}\nexamples:'
            ),
            "'fair' applies to patterns only",
        ),
        (
            VALID.replace('polarity: "bad"', 'polarity: "neutral"').replace(
                "examples:", 'fair_when:\n  - {id: "x", phrases: ["opt out"]}\nexamples:'
            ),
            "only clause types of polarity 'bad' have a fair form",
        ),
        (VALID + '  fair: ["An optional demo clause."]\n', "examples.fair needs"),
        ("id: [unclosed\n", "YAML"),
    ],
)
def test_bad_files_name_file_field_and_reason(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(PatternFileError) as caught:
        load_library(write(tmp_path, "demo_type.yaml", text))
    assert "demo_type.yaml" in str(caught.value)
    assert expected in str(caught.value)


def test_an_invalid_token_pattern_names_the_rule(tmp_path: Path) -> None:
    bad = VALID.replace(
        'phrases: ["demo clause"]', 'tokens: [{LOWER: "demo", OP: "sometimes"}]'
    )
    workspace = Workspace(write(tmp_path, "demo_type.yaml", bad))
    with pytest.raises(PatternFileError, match=r"demo_type\.yaml: rule 'demo'"):
        workspace.analyze_text("demo")


def test_a_value_the_tokenizer_always_splits_names_the_rule(tmp_path: Path) -> None:
    bad = VALID.replace(
        'phrases: ["demo clause"]', 'tokens: [{LOWER: {IN: ["demo", "third-party"]}}]'
    )
    workspace = Workspace(write(tmp_path, "demo_type.yaml", bad))
    with pytest.raises(PatternFileError) as caught:
        workspace.analyze_text("demo")
    assert "demo_type.yaml: rule 'demo': LOWER value 'third-party' is never one token" in str(
        caught.value
    )
    assert "third | - | party" in str(caught.value)


def test_subfolders_are_not_clause_types(tmp_path: Path) -> None:
    write(tmp_path, "demo_type.yaml", VALID)
    (tmp_path / "checklists").mkdir()
    (tmp_path / "checklists" / "items.yaml").write_text("items: []\n", encoding="utf-8")
    assert [p.id for p in load_library(tmp_path).patterns] == ["demo_type"]


def test_the_documented_example_file_loads_and_passes(tmp_path: Path) -> None:
    docs = (Path(__file__).parents[2] / "docs" / "patterns.md").read_text(encoding="utf-8")
    example = docs.split("```yaml\n", 1)[1].split("```", 1)[0]
    workspace = Workspace(write(tmp_path, "perpetual_license.yaml", example))
    run, failures = workspace.test_patterns()
    assert (run, failures) == (3, [])


TRACKING = VALID.replace(
    'polarity: "bad"\n',
    'polarity: "bad"\nattributes: ["notice_days"]\n'
    'tracked: [{id: "demo_notice", attribute: "notice_days", label: "demo notice", order: 5}]\n',
)


def test_a_tracked_attribute_the_type_does_not_read_is_refused(tmp_path: Path) -> None:
    bad = TRACKING.replace('attributes: ["notice_days"]', 'attributes: ["venue"]')
    with pytest.raises(PatternFileError, match=r"demo_type\.yaml.*tracked 'demo_notice'"):
        load_library(write(tmp_path, "demo_type.yaml", bad))


def test_types_that_track_one_id_must_declare_it_alike(tmp_path: Path) -> None:
    write(tmp_path, "demo_type.yaml", TRACKING)
    other = TRACKING.replace('id: "demo_type"', 'id: "other_type"')
    write(tmp_path, "other_type.yaml", other)
    assert load_library(tmp_path).get("other_type").tracked
    write(tmp_path, "other_type.yaml", other.replace('"demo notice"', '"notice"'))
    differs = r"other_type\.yaml: tracked 'demo_notice' differs .* in demo_type\.yaml"
    with pytest.raises(PatternFileError, match=differs):
        load_library(tmp_path)
