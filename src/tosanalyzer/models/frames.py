"""Who may do what in a clause: the frame a legal reviewer reads before deciding a clause matters.

A rule that finds "terminate … account" cannot tell "we may terminate" from "you may not
terminate", "we do not terminate" or "we may terminate with 30 days' notice"; the frame can.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Actor = Literal["provider", "user", "third_party", "both", "none"]
Modality = Literal["may", "must", "will", "none"]
Affirmation = Literal["affirmed", "denied"]
ClauseForm = Literal["clause", "definition", "example", "cross_reference"]
Notice = Literal["given", "without", "unstated"]
Cause = Literal["for_cause", "any_reason", "unstated"]


class Frame(BaseModel):
    """Read from a dependency parse of the finding's clause, around the words its rule matched."""

    actor: Actor = Field(description="Who acts: the subject of the matched verb, or its agent.")
    modality: Modality = Field(description="may (can, might), must (shall), will, or none.")
    polarity: Affirmation = Field(description="Whether the act is affirmed or denied (not, never).")
    form: ClauseForm = Field(
        description="A definition, an example or a cross-reference grants or imposes nothing."
    )
    notice: Notice
    notice_days: int | None = None
    cause: Cause
    sole_discretion: bool
    opt_out: bool = Field(description="The clause offers the user a way out (opt out, turn off).")
    predicate: str = Field(description="The verb the frame was read from, as written.")

    def says(self) -> str:
        """The frame in a reviewer's words: "provider may terminate (with 30 days' notice)"."""
        verb = {"none": "", "may": "may", "must": "must", "will": "will"}[self.modality]
        if self.polarity == "denied":
            verb = f"{verb} not" if verb else "does not"
        words = [self.actor.replace("_", " "), verb, self.predicate]
        conditions = []
        if self.notice == "given":
            days = f"{self.notice_days} days' " if self.notice_days else ""
            conditions.append(f"with {days}notice")
        elif self.notice == "without":
            conditions.append("without notice")
        conditions += {"for_cause": ["for cause"], "any_reason": ["for any reason"]}.get(
            self.cause, []
        )
        conditions += ["at sole discretion"] if self.sole_discretion else []
        conditions += ["opt-out offered"] if self.opt_out else []
        if self.form != "clause":
            conditions.append(f"a {self.form.replace('_', '-')}")
        said = " ".join(word for word in words if word)
        return f"{said} ({', '.join(conditions)})" if conditions else said
