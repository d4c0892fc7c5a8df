"""Read the YAML files people write (clause patterns, checklists) into validated models.

Both kinds of file fail the same way for a reviewer: one line naming the file, the field and
what is wrong, never a traceback. The one loader keeps those messages alike.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)
FieldNamer = Callable[[tuple[int | str, ...], Any], str]
"""(pydantic error location, the file's data) → the field as the file's author would name it."""


def dotted(loc: tuple[int | str, ...], _data: Any) -> str:
    return ".".join(str(part) for part in loc) or "(top)"


def read_yaml_model(
    path: Path,
    model: type[M],
    error: type[Exception],
    field_name: FieldNamer = dotted,
) -> M:
    """``path`` parsed as YAML and validated as ``model``; ``error`` names file and fields.

    The file's ``id`` field, when the model has one, must equal the file name.
    """
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise error(f"{path.name}: cannot be read as YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise error(f"{path.name}: expected a mapping of fields at the top level")
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"field '{field_name(err['loc'], data)}': {err['msg']}" for err in exc.errors()
        )
        raise error(f"{path.name}: {problems}") from exc
    identifier = getattr(parsed, "id", None)
    if identifier is not None and identifier != path.stem:
        raise error(
            f"{path.name}: field 'id': '{identifier}' must equal the file name '{path.stem}'"
        )
    return parsed
