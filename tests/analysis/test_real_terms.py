"""Real vendor terms from ../shared/corpora (read in place, never copied): the clauses a vendor
review quotes must be found, with their attributes. Skips cleanly when the corpus is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from tosanalyzer.workspace import Workspace

HUGGING_FACE = (
    Path(__file__).resolve().parents[3] / "shared" / "corpora" / "ota" / "hugging-face"
    / "terms-of-service"
)
VERSIONS = sorted(HUGGING_FACE.glob("*.md")) if HUGGING_FACE.is_dir() else []

pytestmark = pytest.mark.skipif(not VERSIONS, reason="../shared/corpora is not present")


def test_hugging_face_perpetual_licence_and_liability_cap() -> None:
    result = Workspace().analyze_path(VERSIONS[-1])
    assert result.document.language == "en"
    licences = [f for f in result.findings if f.clause_type == "perpetual_license"]
    assert any("public" in f.quote.lower() and "repositor" in f.quote.lower() for f in licences)
    caps = [f for f in result.findings if f.clause_type == "liability_cap_amount"]
    assert caps, "the liability cap was not found"
    cap = caps[0]
    assert [(m.amount, m.currency) for m in cap.attributes.money] == [(50.0, "USD")]
    assert cap.attributes.period is not None
    assert (cap.attributes.period.value, cap.attributes.period.unit) == (12, "month")
    assert any("liabilit" in part.lower() for part in cap.section_path)
