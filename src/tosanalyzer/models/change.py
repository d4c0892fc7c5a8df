"""The vocabulary of a change between two versions, shared beyond the package that computes it.

The faces colour and filter by a change's class, and the alerts and the export publish it; none
of them should need the diff machinery (``tosanalyzer.change``) to name these things.
"""

from __future__ import annotations

from typing import Literal

ChangeClass = Literal["material", "substantive", "cosmetic"]
"""How much a change matters: a finding or a tracked attribute moved, words changed, or only
layout (what ``tosanalyzer.change.normalise`` removes)."""
ChangeKind = Literal["added", "removed", "modified", "moved"]
"""What happened to one clause between the two versions."""
