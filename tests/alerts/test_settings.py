"""The settings file: defaults when absent, normalised codes, clear errors naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tosanalyzer.base.settings import SettingsError, config_path, load_settings
from tosanalyzer.models import iso_jurisdiction


def test_a_missing_file_means_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "absent.toml").home is None


@pytest.mark.parametrize(("given", "expected"), [("jp", "JP"), ("us-ca", "US-CA"), (" DE ", "DE")])
def test_home_is_normalised(tmp_path: Path, given: str, expected: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'home = "{given}"\n', encoding="utf-8")
    assert load_settings(path).home == expected
    assert iso_jurisdiction(given) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('home = "XX"\n', "home: Value error, 'XX' is not an ISO 3166"),
        ('home = "US-ZZ"\n', "'US-ZZ' is not an ISO 3166"),
        ('hmoe = "JP"\n', "hmoe: Extra inputs are not permitted"),
        ('allow_networks = ["10.0.0.1/8"]\n', "allow_networks.0: Value error, not a network"),
        ("allow_networks = [2130706433]\n", "allow_networks.0: Value error, not a network"),
        ("fetch_run_budget = 0\n", "fetch_run_budget: Input should be greater than 0"),
        ("home = [\n", "cannot be read"),
    ],
)
def test_a_broken_file_names_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_networks_to_allow_are_read_as_networks(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'allow_networks = ["127.0.0.1/32", "10.1.0.0/16", "fd00::/8"]\n', encoding="utf-8"
    )
    assert [str(n) for n in load_settings(path).allow_networks] == [
        "127.0.0.1/32",
        "10.1.0.0/16",
        "fd00::/8",
    ]


def test_the_environment_chooses_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('home = "FR"\n', encoding="utf-8")
    monkeypatch.setenv("TOSANALYZER_CONFIG", str(path))
    assert config_path() == path
    assert load_settings().home == "FR"
