"""Reviewer decisions: what a reviewer accepted or dismissed, kept as an append-only log.

The key (clause type and the hash of the clause's normalised text, see migration 2 in
``migrations``) lets the judgement stage carry a decision into later versions; the store only
keeps it and checks its form.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from tosanalyzer.models import DecisionKind, StoredDecision
from tosanalyzer.store.catalog import Catalog
from tosanalyzer.store.connection import StoreError, Timestamp, utc_now


class DecisionLog(Catalog):
    """Recording reviewer decisions on a document's findings and reading them back."""

    def record_decision(
        self,
        service: str,
        document: str,
        *,
        version_id: int,
        clause_type: str,
        clause_text_key: str,
        section_path: Sequence[str],
        decision: DecisionKind,
        note: str = "",
        at: Timestamp | None = None,
    ) -> StoredDecision:
        """Record a reviewer's decision on a finding of ``version_id``, in one transaction.

        ``clause_text_key`` is the SHA-256 (hex) of the finding's clause text normalised as the
        diff normalises it (``decisions.clause_key`` computes it); the store only keeps it.
        Nothing is overwritten: a later decision on the same key supersedes the earlier one.
        """
        _check_decision(clause_type, clause_text_key, decision)
        decided_at = utc_now(at)
        with self._transaction():
            document_id = self._document_id(service, document)
            row = self._db.execute(
                "SELECT document_id FROM versions WHERE id = ?", (version_id,)
            ).fetchone()
            if row is None or row[0] != document_id:
                raise StoreError(f"version {version_id} is not a version of {service} {document}")
            decision_id = self._insert(
                "decisions",
                document_id=document_id,
                version_id=version_id,
                clause_type=clause_type,
                clause_text_key=clause_text_key,
                section_path=json.dumps(list(section_path), ensure_ascii=False),
                decision=decision,
                note=note,
                decided_at=decided_at,
            )
        row = self._db.execute(f"{_DECISIONS} WHERE r.id = ?", (decision_id,)).fetchone()
        return _decision(row)

    def decisions(self, service: str, document: str) -> list[StoredDecision]:
        """Every decision recorded on the document's versions, oldest first (as recorded)."""
        document_id = self._document_id(service, document)
        rows = self._db.execute(
            f"{_DECISIONS} WHERE r.document_id = ? ORDER BY r.id", (document_id,)
        )
        return [_decision(row) for row in rows]


_DECISIONS = (
    "SELECT r.id, s.name, d.name, r.version_id, r.clause_type, r.clause_text_key,"
    " r.section_path, r.decision, r.note, r.decided_at"
    " FROM decisions r JOIN documents d ON d.id = r.document_id"
    " JOIN services s ON s.id = d.service_id"
)
_DECISION_FIELDS = (
    "id", "service", "document", "version_id", "clause_type", "clause_text_key",
    "section_path", "decision", "note", "decided_at",
)  # fmt: skip
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


def _check_decision(clause_type: str, clause_text_key: str, decision: str) -> None:
    """Refuse what the table would keep but no reader could use; the messages name the field."""
    if decision not in ("accept", "dismiss"):
        raise StoreError(f"a decision is 'accept' or 'dismiss', not '{decision}'")
    if not _SHA256_HEX.match(clause_text_key):
        raise StoreError("clause_text_key must be a SHA-256 in lower-case hex")
    if not clause_type:
        raise StoreError("a decision needs the finding's clause type")


def _decision(row: tuple[object, ...]) -> StoredDecision:
    fields = dict(zip(_DECISION_FIELDS, row, strict=True))
    fields["section_path"] = json.loads(str(fields["section_path"]))
    return StoredDecision.model_validate(fields)
