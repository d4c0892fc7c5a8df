"""The reviewer's settings file, so choices such as the home jurisdiction are made once.

A reviewer in Tokyo judges a California venue differently from one in San Francisco; typing
``--home JP`` on every report would be noise, so the choice lives in a small TOML file
(``config.toml`` in the user config folder, or ``$TOSANALYZER_CONFIG``). Command-line options
still win over it. A missing file means defaults; a broken one is an error naming the file.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated

import platformdirs
from pydantic import AfterValidator, BeforeValidator, Field, ValidationError, field_validator

from tosanalyzer.models import Severity, Strict, iso_jurisdiction

CONFIG_ENV = "TOSANALYZER_CONFIG"
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$")


class SettingsError(ValueError):
    """The settings file cannot be used; the message names the file and the field."""


def _apprise_url(url: str) -> str:
    """Shape only (scheme://…): whether Apprise knows the service is checked when alerting, so
    reading a reviewer's home jurisdiction never imports Apprise."""
    if not _URL.match(url):
        # Never echo the value: a mistyped URL still holds its secret.
        raise ValueError("not an Apprise URL such as slack://… or mailto://…")
    return url


def _network(value: object) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """A network written as text only: pydantic would also read a bare number as an address.
    The error does not repeat the value, as no error about this file does."""
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return ipaddress.ip_network(value.strip())
    raise ValueError(
        'not a network such as "127.0.0.1/32" or "10.0.0.0/8" (a string; the bits after the'
        " prefix length must be zero)"
    )


Network = Annotated[ipaddress.IPv4Network | ipaddress.IPv6Network, BeforeValidator(_network)]


class Settings(Strict):
    home: str | None = None
    """Home jurisdiction: an ISO 3166 country ("JP") or subdivision ("US-CA")."""
    notify: list[Annotated[str, AfterValidator(_apprise_url)]] = Field(default_factory=list)
    """Apprise URLs that `check` and `watch` send alerts to. They hold secrets (tokens,
    passwords), which is why they live in this file rather than on command lines."""
    failing_after: int = Field(default=3, ge=1)
    """Failed fetches in a row after which a document is announced as no longer tracked."""
    alert_log: str | None = None
    """The JSON Lines alert log: default beside the store (``<store>.alerts.jsonl``); an empty
    string turns it off."""
    min_severity: Severity = "info"
    """Changes whose most severe finding or attribute is below this are not announced."""
    notify_attempts: int = Field(default=3, ge=1, le=10)
    """Tries per channel and check, with a pause (2 s, then doubling) between them."""
    notify_timeout: float = Field(default=30.0, gt=0, le=600)
    """Seconds one try may take (a slow mail relay may need more)."""
    allow_networks: list[Network] = Field(default_factory=list)
    """Private, loopback or reserved networks fetched anyway ("127.0.0.1/32" for a local
    mirror). Here or with ``--allow-private``, never in a declaration: declarations are often
    written by others, and only the person running the tool may point it inside the network."""
    fetch_document_deadline: float | None = Field(default=None, gt=0)
    """Seconds one page may take, all its tries and the waits between them (default: the
    fetcher's, 300)."""
    fetch_run_budget: float | None = Field(default=None, gt=0)
    """Seconds one ``fetch`` or ``check`` may spend fetching (default: the fetcher's, 1800);
    documents it does not reach in time are failed, with that reason."""

    @field_validator("home")
    @classmethod
    def _known_jurisdiction(cls, value: str | None) -> str | None:
        return None if value is None else iso_jurisdiction(value)


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


def home_or_settings(home: str | None) -> str | None:
    """The home jurisdiction a command was given, else the settings file's (read only then, so
    a command given ``--home`` never trips over a broken settings file)."""
    return home if home is not None else load_settings().home
