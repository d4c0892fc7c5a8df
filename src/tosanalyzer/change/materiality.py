"""The materiality policy: what makes a change between two versions matter to a reviewer.

A change is **material** when a clause type (with its fairness) appears in or disappears from
the document, a tracked attribute changes (liability cap, governing law, notice…), or the
caller's grades of the two versions differ. Which attributes are tracked is declared in the
clause pattern files (``tracked:``), so a new clause type is one YAML file here too. Findings are
compared by clause type and fairness, never by offsets, so a paragraph inserted above a clause
does not make its findings "new".

A re-extraction (``technical_upgrade``) or a suspect capture on either side is never material:
the service did not change its terms, our view of the page did.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from tosanalyzer.models import (
    AttributeName,
    Attributes,
    ChangeClass,
    Finding,
    Money,
    PatternLibrary,
    TrackedAttribute,
    VersionKind,
)

Fairness = Literal["unfair", "fair"] | None
FindingKey = tuple[str, Fairness]

_CLASS_RANK: dict[ChangeClass, int] = {"cosmetic": 0, "substantive": 1, "material": 2}


class VersionFacts(BaseModel):
    """What the caller knows about a version beyond its analysis."""

    kind: VersionKind = "change"
    suspect: str | None = Field(
        default=None, description="Why the text looks like an error page (the store's flag)."
    )
    grade: str | None = Field(
        default=None, description="The version's grade, if assessed: a new grade is material."
    )


class FindingDelta(BaseModel):
    """A clause type (with its fairness) that the document gained or lost."""

    clause_type: str
    fairness: Fairness
    label: str
    change: Literal["gained", "lost"]
    section_paths: list[str] = Field(
        description="Where the findings are (new version if gained, old one if lost)."
    )
    quotes: list[str] = Field(
        default_factory=list,
        description="The findings' clauses, verbatim, in document order (the evidence a reader"
        " of an alert needs without opening the store).",
    )


class AttributeDelta(BaseModel):
    attribute: str
    label: str
    clause_types: list[str] = Field(
        default_factory=list,
        description="The clause types whose findings carry this attribute (how much it matters"
        " is theirs: an alert takes its severity from them).",
    )
    old: str = Field(description="'none' when the old version states nothing.")
    new: str
    summary: str = Field(description="'liability cap: $100 → $50'")


# Findings gained and lost.


def finding_key(finding: Finding) -> FindingKey:
    return finding.clause_type, finding.fairness


def finding_label(key: FindingKey) -> str:
    clause_type, fairness = key
    return f"{clause_type} (fair form)" if fairness == "fair" else clause_type


def sorted_keys(keys: Iterable[FindingKey]) -> list[FindingKey]:
    return sorted(keys, key=lambda k: (k[0], k[1] or ""))


def finding_reasons(gained: Iterable[FindingKey], lost: Iterable[FindingKey]) -> list[str]:
    """The words for findings that moved, the same for a clause and for the whole diff."""
    return [
        *(f"finding gained: {finding_label(k)}" for k in gained),
        *(f"finding lost: {finding_label(k)}" for k in lost),
    ]


_NO_HEADING = "(before any heading)"


def finding_deltas(
    old: list[Finding], new: list[Finding]
) -> tuple[list[FindingDelta], list[FindingDelta]]:
    """Clause types (with fairness) present in one version only: compared by type, not offset."""
    old_keys, new_keys = set(map(finding_key, old)), set(map(finding_key, new))

    def delta(
        key: FindingKey, change: Literal["gained", "lost"], where: list[Finding]
    ) -> FindingDelta:
        found = [f for f in where if finding_key(f) == key]
        paths = sorted({" > ".join(f.section_path) or _NO_HEADING for f in found})
        return FindingDelta(
            clause_type=key[0],
            fairness=key[1],
            label=finding_label(key),
            change=change,
            section_paths=paths,
            quotes=list(dict.fromkeys(f.quote for f in sorted(found, key=lambda f: f.start))),
        )

    order = sorted_keys(old_keys ^ new_keys)
    gained = [delta(k, "gained", new) for k in order if k in new_keys]
    lost = [delta(k, "lost", old) for k in order if k in old_keys]
    return gained, lost


# Tracked attributes.

_CURRENCY_SIGNS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def _money(money: Money) -> str:
    amount = f"{money.amount:,.0f}" if money.amount.is_integer() else f"{money.amount:,.2f}"
    sign = _CURRENCY_SIGNS.get(money.currency)
    return f"{sign}{amount}" if sign else f"{amount} {money.currency}"


def _cap(attributes: Attributes) -> list[str]:
    if not attributes.money:
        return []
    amounts = " / ".join(_money(m) for m in attributes.money)
    rule = attributes.money_rule.replace("_", " ") if attributes.money_rule else None
    return [f"{rule} {amounts}" if rule and len(attributes.money) > 1 else amounts]


def _days(attributes: Attributes) -> list[str]:
    days = attributes.notice_days
    return [] if days is None else [f"{days} day{'s' if days != 1 else ''}"]


def _period(attributes: Attributes) -> list[str]:
    period = attributes.period
    if period is None:
        return []
    return [f"{period.value} {period.unit}{'s' if period.value != 1 else ''}"]


_READERS: dict[AttributeName, Callable[[Attributes], list[str]]] = {
    "money": _cap,
    "period": _period,
    "notice_days": _days,
    "governing_law": lambda a: [a.governing_law] if a.governing_law else [],
    "venue": lambda a: [a.venue] if a.venue else [],
    "countries": lambda a: list(a.countries),
}
"""Each attribute in the words a reviewer reads it in. Keyed by attribute, not by clause type:
a pattern file chooses what to track, the code only knows how each kind of fact reads."""


@dataclass(frozen=True)
class Tracked:
    """A tracked attribute of the library: which findings carry it and how it reads."""

    key: str
    label: str
    clause_types: frozenset[str]
    read: Callable[[Attributes], list[str]]


def tracked_attributes(library: PatternLibrary) -> tuple[Tracked, ...]:
    """The attributes the pattern files track, in the order their changes are listed.

    Clause types that declare one id share it (the loader has checked that they declare it
    alike), so the first declaration speaks for all of them.
    """
    declared: dict[str, TrackedAttribute] = {}
    clause_types: dict[str, set[str]] = defaultdict(set)
    for pattern in library.patterns:
        for tracked in pattern.tracked:
            declared.setdefault(tracked.id, tracked)
            clause_types[tracked.id].add(pattern.id)
    return tuple(
        Tracked(d.id, d.label, frozenset(clause_types[d.id]), _READERS[d.attribute])
        for d in sorted(declared.values(), key=lambda d: (d.order, d.id))
    )


def attribute_values(
    findings: Iterable[Finding], tracked: Sequence[Tracked]
) -> dict[str, frozenset[str]]:
    values: dict[str, set[str]] = defaultdict(set)
    for finding in findings:
        for attribute in tracked:
            if finding.clause_type in attribute.clause_types:
                values[attribute.key].update(attribute.read(finding.attributes))
    return {key: frozenset(found) for key, found in values.items() if found}


def _shown(values: frozenset[str] | None) -> str:
    return ", ".join(sorted(values)) if values else "none"


def attribute_deltas(
    old: list[Finding], new: list[Finding], tracked: Sequence[Tracked]
) -> list[AttributeDelta]:
    before, after = attribute_values(old, tracked), attribute_values(new, tracked)
    deltas = []
    for attribute in tracked:
        was, now = before.get(attribute.key), after.get(attribute.key)
        if was != now:
            deltas.append(
                AttributeDelta(
                    attribute=attribute.key,
                    label=attribute.label,
                    clause_types=sorted(attribute.clause_types),
                    old=_shown(was),
                    new=_shown(now),
                    summary=f"{attribute.label}: {_shown(was)} → {_shown(now)}",
                )
            )
    return deltas


# The whole diff.


def document_reasons(
    gained: list[FindingDelta],
    lost: list[FindingDelta],
    attributes: list[AttributeDelta],
    old: VersionFacts,
    new: VersionFacts,
) -> list[str]:
    """What makes the whole diff material, in words; none when nothing does."""
    reasons = finding_reasons(
        [(d.clause_type, d.fairness) for d in gained], [(d.clause_type, d.fairness) for d in lost]
    )
    reasons += [d.summary for d in attributes]
    if old.grade and new.grade and old.grade != new.grade:
        reasons.append(f"grade: {old.grade} → {new.grade}")
    return reasons


def cap_reason(old: VersionFacts, new: VersionFacts) -> str | None:
    """Why this diff may not be material whatever it contains, if it may not."""
    if new.kind == "technical_upgrade":
        return "technical_upgrade: a re-extraction of the same page, not a change by the service"
    for side, facts in (("old", old), ("new", new)):
        if facts.suspect:
            return f"the {side} version is suspect ({facts.suspect})"
    return None


def overall(reasons: list[str], classes: Iterable[ChangeClass], cap: str | None) -> ChangeClass:
    """The diff's class: material for a reason, else its worst clause change, capped."""
    worst: ChangeClass = (
        "material" if reasons else max(classes, key=_CLASS_RANK.__getitem__, default="cosmetic")
    )
    return "substantive" if cap and worst == "material" else worst
