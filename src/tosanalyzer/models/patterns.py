"""Clause patterns: the data in ``clause_patterns/*.yaml``, validated as it is read.

A typo in a rule file should fail loading with the file and field named, never silently match
nothing, so every shape and cross-field rule of the format lives in these models.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tosanalyzer.models.strict import Strict

Severity = Literal["info", "low", "medium", "high", "blocker"]
Polarity = Literal["bad", "good", "neutral"]
ClaudetteCategory = Literal[
    "arbitration",
    "unilateral_change",
    "content_removal",
    "jurisdiction",
    "choice_of_law",
    "limitation_of_liability",
    "unilateral_termination",
    "contract_by_using",
]
CLAUDETTE_CATEGORIES: tuple[str, ...] = ClaudetteCategory.__args__  # type: ignore[attr-defined]
AttributeName = Literal["money", "period", "notice_days", "governing_law", "venue", "countries"]

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class LocalizedText(Strict):
    en: str = Field(min_length=1)
    ja: str = Field(min_length=1)


class Rule(Strict):
    """One named matcher rule: a spaCy token pattern, or a list of phrases.

    Token patterns may use ``LEMMA``; it means the lower-cased lookup lemma, so capitalised and
    ALL-CAPS words ("LICENSES") match like their lower-case forms.
    """

    id: str
    tokens: list[dict[str, Any]] | None = None
    phrases: list[str] | None = None
    sections: list[str] | None = Field(
        default=None,
        description="Fire only in clauses under a heading containing one of these words.",
    )
    not_sections: list[str] = Field(
        default_factory=list,
        description="Never fire in clauses under a heading containing one of these words.",
    )
    fair: bool = Field(
        default=False,
        description="This rule finds the fair form of the clause: reported, not a red flag.",
    )
    scope: Literal["match", "clause", "paragraph", "section"] = Field(
        default="clause",
        description=(
            "The stretch of text the rule works in: its clause, its paragraph (a finding rule may"
            " then match across the paragraph's sentences), its section (cues and exceptions),"
            " or only the finding matches it overlaps (exceptions only)."
        ),
    )

    def allowed_in(self, section_path: list[str]) -> bool:
        """Whether the clause's headings let this rule fire (case-insensitive substrings)."""
        headings = " > ".join(section_path).lower()
        if any(word.lower() in headings for word in self.not_sections):
            return False
        return self.sections is None or any(w.lower() in headings for w in self.sections)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not _RULE_ID.match(value):
            raise ValueError("rule ids are lower-case letters, digits, '-' and '_'")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> Rule:
        if (self.tokens is None) == (self.phrases is None):
            raise ValueError(f"rule '{self.id}' needs exactly one of 'tokens' or 'phrases'")
        if self.tokens is not None and not self.tokens:
            raise ValueError(f"rule '{self.id}' has an empty token pattern")
        if self.phrases is not None and not all(p.strip() for p in self.phrases):
            raise ValueError(f"rule '{self.id}' has an empty phrase")
        return self


class TrackedAttribute(Strict):
    """An attribute of a clause type whose change between two versions makes the change material.

    Declared in the clause type's file, so a new type's cap, law or notice period counts without
    editing code. Types that declare the same ``id`` pool their findings' values into one fact: a
    notice of changes stated under either of two types is the same notice, and a clause that moves
    from one type to the other has not changed it.
    """

    id: str = Field(description="Names the fact in a diff, an alert and the export.")
    attribute: AttributeName = Field(description="Which of the type's attributes holds it.")
    label: str = Field(min_length=1, description="How a reviewer reads it: 'liability cap'.")
    order: int = Field(
        ge=0, description="Where its change is listed among a diff's reasons (lower first)."
    )

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("tracked attribute ids are snake_case")
        return value


class PatternExamples(Strict):
    match: list[str] = Field(
        min_length=1, description="Texts that give a finding (its unfair form, if it has one)."
    )
    no_match: list[str] = Field(min_length=1, description="Texts that give no finding.")
    fair: list[str] = Field(
        default_factory=list, description="Texts that give a finding of the fair form."
    )


class ClausePattern(Strict):
    """A clause type: what it means, how bad it is, and the rules that find it."""

    id: str
    title: LocalizedText
    description: str = Field(min_length=1)
    severity: Severity
    polarity: Polarity
    claudette: ClaudetteCategory | None = None
    implies: list[str] = Field(
        default_factory=list,
        description="More general clause types a finding of this type also counts as.",
    )
    attributes: list[AttributeName] = Field(default_factory=list)
    tracked: list[TrackedAttribute] = Field(
        default_factory=list,
        description="Attributes whose change between two versions is material.",
    )
    patterns: list[Rule] = Field(min_length=1)
    exceptions: list[Rule] = Field(
        default_factory=list,
        description="Rules that, when they match in the same clause, cancel the finding.",
    )
    exceptions_from: list[str] = Field(
        default_factory=list,
        description="Clause types whose exceptions cancel this type's findings too: what is "
        "not a unilateral change is not a change without notice either.",
    )
    fair_when: list[Rule] = Field(
        default_factory=list,
        description="Cues (an opt-out, the consumer's home courts) that make a finding fair.",
    )
    examples: PatternExamples

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("clause type ids are snake_case")
        return value

    @model_validator(mode="after")
    def _rules_fit_their_role(self) -> ClausePattern:
        ids = [rule.id for rule in (*self.patterns, *self.exceptions, *self.fair_when)]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"rule ids must be unique within a file: {', '.join(repeated)}")
        for rule in self.patterns:
            if rule.scope == "section":
                raise ValueError(
                    f"rule '{rule.id}': scope 'section' applies to cues and exceptions only"
                )
        for rule in (*self.patterns, *self.fair_when):
            if rule.scope == "match":
                raise ValueError(f"rule '{rule.id}': scope 'match' applies to exceptions only")
        for rule in (*self.exceptions, *self.fair_when):
            if rule.fair:
                raise ValueError(f"rule '{rule.id}': 'fair' applies to patterns only")
        fair_forms = self.fair_when or any(rule.fair for rule in self.patterns)
        if fair_forms and self.polarity != "bad":
            raise ValueError("only clause types of polarity 'bad' have a fair form")
        if self.examples.fair and not fair_forms:
            raise ValueError("examples.fair needs a fair rule or fair_when cues")
        return self

    @model_validator(mode="after")
    def _tracked_attributes_are_read(self) -> ClausePattern:
        """A tracked attribute the type does not read would never change: a silent no-op."""
        for tracked in self.tracked:
            if tracked.attribute not in self.attributes:
                raise ValueError(
                    f"tracked '{tracked.id}': attribute '{tracked.attribute}' is not in"
                    " 'attributes', so findings of this type never carry it"
                )
        return self


class PatternLibrary(BaseModel):
    """All clause patterns, with the hash that identifies this exact set of rules."""

    model_config = ConfigDict(frozen=True)

    version: str = Field(description="Hash of the pattern files: results carry it as provenance.")
    patterns: list[ClausePattern]
    files: dict[str, str] = Field(description="Clause type id → the file it was read from.")

    def get(self, clause_type: str) -> ClausePattern:
        for pattern in self.patterns:
            if pattern.id == clause_type:
                return pattern
        raise KeyError(clause_type)

    def without(self, rules: set[str]) -> PatternLibrary:
        """This library less the rules named ``<clause type>/<rule id>`` (of any role): what
        the library would be had those rules never been written (eval's leave-one-out)."""

        def kept(pattern: ClausePattern, role: list[Rule]) -> list[Rule]:
            return [rule for rule in role if f"{pattern.id}/{rule.id}" not in rules]

        patterns = [
            p.model_copy(
                update={
                    "patterns": kept(p, p.patterns),
                    "exceptions": kept(p, p.exceptions),
                    "fair_when": kept(p, p.fair_when),
                }
            )
            for p in self.patterns
        ]
        version = f"{self.version}-without-{len(rules)}"
        return self.model_copy(update={"patterns": patterns, "version": version})


class ExampleFailure(BaseModel):
    clause_type: str
    expected: Literal["match", "no_match", "fair"]
    text: str
    fired: list[str] = Field(description="Pattern ids that fired for this clause type.")
