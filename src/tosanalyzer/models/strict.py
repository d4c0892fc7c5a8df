"""What people write is checked strictly where it enters: pattern and checklist files,
declarations and the settings file refuse unknown fields (a typo, not data), and a home
jurisdiction from ``--home`` or the settings is an ISO 3166 code, so every place compares alike.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


def iso_jurisdiction(code: str) -> str:
    """ "jp" → "JP", "us-ca" → "US-CA"; a ValueError for anything that is not an ISO 3166 country
    or subdivision code. One rule for the home jurisdiction, from ``--home`` or the settings."""
    import pycountry  # only the commands that judge jurisdictions pay for its tables

    normalised = code.strip().upper()
    if "-" in normalised:
        known = pycountry.subdivisions.get(code=normalised)  # type: ignore[no-untyped-call]
    else:
        known = pycountry.countries.get(alpha_2=normalised)
    if known is None:
        raise ValueError(
            f"'{code.strip()}' is not an ISO 3166 country (JP, DE) or subdivision (US-CA, GB-SCT)"
            " code"
        )
    return normalised


class Strict(BaseModel):
    """Base for models read from files people write: an unknown field is a typo, not data."""

    model_config = ConfigDict(extra="forbid", frozen=True)
