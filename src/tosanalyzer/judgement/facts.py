"""The concrete facts the findings carry (caps, law, venue, notice, countries), for the report.

A reviewer reads these beside the checklist; two clause types may read the same attribute from
one clause, so each fact is listed once per clause.
"""

from __future__ import annotations

from typing import Any

from tosanalyzer.judgement.checklist import Checklist
from tosanalyzer.judgement.evidence import Context, VendorDocument
from tosanalyzer.judgement.places import country_name, locate, place_name
from tosanalyzer.judgement.wording import cap_text
from tosanalyzer.models import CapFact, Facts, Finding, NoticeFact, PlaceFact


def gather_facts(ctx: Context, checklist: Checklist) -> Facts:
    """Every attribute the findings carry, once per clause (two types may read the same one)."""
    cap_types = {
        t for item in checklist.items if item.kind == "attribute" for t in item.clause_types
    }
    facts = Facts()
    seen: set[tuple[int, int, str, str]] = set()
    countries: set[str] = set()

    def first(number: int, finding: Finding, kind: str, value: object) -> bool:
        key = (number, finding.start, kind, repr(value))
        new = key not in seen
        seen.add(key)
        return new

    for number, doc in enumerate(ctx.read):
        for finding in doc.result.findings:
            attrs, where = finding.attributes, _located(doc, finding)
            is_cap = finding.clause_type in cap_types and (attrs.money or attrs.period)
            if is_cap and first(number, finding, "cap", (attrs.money, attrs.period)):
                facts.liability_caps.append(
                    CapFact(
                        **where,
                        money=attrs.money,
                        money_rule=attrs.money_rule,
                        period=attrs.period,
                        text=cap_text(attrs),
                    )
                )
            for kind, place, into in (
                ("law", attrs.governing_law, facts.governing_law),
                ("venue", attrs.venue, facts.venue),
            ):
                if place and first(number, finding, kind, place):
                    code = locate(place)
                    name = place_name(code) if code else None
                    into.append(PlaceFact(**where, place=place, code=code, name=name))
            if attrs.notice_days is not None and first(
                number, finding, "notice", attrs.notice_days
            ):
                facts.notice_days.append(
                    NoticeFact(**where, clause_type=finding.clause_type, days=attrs.notice_days)
                )
            countries.update(attrs.countries)
    facts.countries = [country_name(name) for name in sorted(countries)]
    return facts


def _located(doc: VendorDocument, finding: Finding) -> dict[str, Any]:
    return {"document": doc.name, "version": doc.version, "section_path": finding.section_path}
