"""What every package may lean on: where the shipped data lies, the reviewer's settings file,
and the reading of YAML files people write (errors name the file and the field).

Import from here; the modules behind this face may move.
"""

from __future__ import annotations

from tosanalyzer.base.bundled import corpora_dir, patterns_dir
from tosanalyzer.base.settings import (
    Settings,
    SettingsError,
    config_path,
    home_or_settings,
    load_settings,
)
from tosanalyzer.base.yamlfiles import read_yaml_model

__all__ = [
    "Settings",
    "SettingsError",
    "config_path",
    "corpora_dir",
    "home_or_settings",
    "load_settings",
    "patterns_dir",
    "read_yaml_model",
]
