"""The reviewer's settings file, so choices such as the home jurisdiction are made once.

A reviewer in Tokyo judges a California venue differently from one in San Francisco; typing
``--home JP`` on every report would be noise, so the choice lives in a small TOML file
(``config.toml`` in the user config folder, or ``$TOSANALYZER_CONFIG``). Command-line options
still win over it. A missing file means defaults; a broken one is an error naming the file.
"""

from __future__ import annotations

import os
import tomllib
from functools import cache
from pathlib import Path

import platformdirs
import pycountry
from pydantic import ValidationError, field_validator

from tosanalyzer.models import Strict

CONFIG_ENV = "TOSANALYZER_CONFIG"


class SettingsError(ValueError):
    """The settings file cannot be used; the message names the file and the field."""


class Settings(Strict):
    home: str | None = None
    """Home jurisdiction: an ISO 3166 country ("JP") or subdivision ("US-CA")."""

    @field_validator("home")
    @classmethod
    def _known_jurisdiction(cls, value: str | None) -> str | None:
        return None if value is None else home_jurisdiction(value)


def home_jurisdiction(code: str) -> str:
    """Check and normalise a jurisdiction code: "us-ca" → "US-CA"; unknown codes are refused."""
    normalised = code.strip().upper()
    known = (
        normalised in _subdivision_codes()
        if "-" in normalised
        else pycountry.countries.get(alpha_2=normalised) is not None
    )
    if not known:
        raise ValueError(
            f"'{code}' is not an ISO 3166 country (JP, DE) or subdivision (US-CA, GB-SCT) code"
        )
    return normalised


@cache
def _subdivision_codes() -> frozenset[str]:
    return frozenset(subdivision.code for subdivision in pycountry.subdivisions)


def config_path() -> Path:
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return Path(platformdirs.user_config_dir("tosanalyzer")) / "config.toml"


def load_settings(path: Path | None = None) -> Settings:
    """The settings in ``path`` (default: ``config_path()``); defaults when the file is absent."""
    path = path or config_path()
    if not path.exists():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return Settings.model_validate(data)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path}: cannot be read: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(file)"
        raise SettingsError(f"{path}: {field}: {first['msg']}") from exc
