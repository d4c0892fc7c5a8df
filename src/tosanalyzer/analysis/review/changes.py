"""What changed between stored versions of a document, judged with today's pattern library.

Both texts of a pair are analysed now, so a rule change never reads as a change of the terms,
and each is graded on its own, so a moved grade makes a change material.
"""

from __future__ import annotations

from itertools import pairwise

from pydantic import BaseModel

from tosanalyzer.analysis.review.reviewer import Reviewer
from tosanalyzer.change import DEFAULT_CONTEXT, ClauseDiff, TextDiff, diff_text
from tosanalyzer.judgement import MaterialChange
from tosanalyzer.models import ChangeClass, VersionInfo
from tosanalyzer.store import Store
from tosanalyzer.tracking import StoredText, service_named, version_pair


class DocumentDiff(BaseModel):
    """Two versions of one document compared: the text for reading, the clauses for judging."""

    service: str
    document: str
    old: VersionInfo
    new: VersionInfo
    text: TextDiff
    clauses: ClauseDiff


def diff_versions(
    reviewer: Reviewer,
    service: str,
    document: str,
    old: str | None = None,
    new: str | None = None,
    context: int = DEFAULT_CONTEXT,
) -> DocumentDiff:
    """Text and clause diff of two versions (ids or date prefixes; default: the last two)."""
    name, found, before, after = version_pair(reviewer.db, service, document, old, new)
    return DocumentDiff(
        service=name,
        document=found,
        old=before[0],
        new=after[0],
        text=diff_text(before[1], after[1], context=context),
        clauses=reviewer.clause_diff(before, after),
    )


def version_change_class(
    reviewer: Reviewer, service: str, document: str, old: str, new: str
) -> ChangeClass:
    """The class of a pair alone (a timeline's badge): no text diff to compute."""
    _, _, before, after = version_pair(reviewer.db, service, document, old, new)
    return reviewer.clause_diff(before, after).change_class


def latest_material_change(
    reviewer: Reviewer, service: str, look_back: int = 10
) -> MaterialChange | None:
    """The newest material change among the last ``look_back`` version pairs of any document
    of ``service`` (suspect versions skipped)."""
    with Store.open(reviewer.db, create=False) as store:
        name = service_named(store, service).name
        histories = {
            document.name: _good_versions(store, name, document.name, look_back + 1)
            for document in store.list_documents(name)
        }
    latest: MaterialChange | None = None
    for document, history in histories.items():
        for before, after in reversed(list(pairwise(history))):
            if latest is not None and after[0].recorded_at <= latest.date:
                break
            clauses = reviewer.clause_diff(before, after)
            if clauses.change_class == "material":
                latest = MaterialChange(
                    date=after[0].recorded_at, document=document, lines=clauses.reasons
                )
                break
    return latest


def _good_versions(store: Store, service: str, document: str, last: int) -> list[StoredText]:
    """The versions among the ``last`` recorded that are not suspect, with their texts."""
    return [
        (version, store.version_text(version.id))
        for version in store.versions(service, document)[-last:]
        if version.suspect is None
    ]
