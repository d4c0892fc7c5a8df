"""Read service declarations in Open Terms Archive's shape, and say exactly what is wrong.

A declaration is written by hand (ours in ``corpora/services/``) or imported from OTA, whose files
must load as they are. A typo in a field would otherwise silently watch the wrong thing for years,
and a JavaScript filter or a client-rendered page that we cannot honour would silently give a
different text than OTA records. So everything we cannot use is either an error naming the file
and the field, or reported per document by `unsupported_filters` / `unsupported_features` for the
caller to show: nothing in a declaration is ever dropped quietly.

pydantic's errors are reworded here because its locations name union branches
("select.function-after[...]") and it reports every branch a value failed; people need the one
field they wrote and the one thing wrong with it.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import soupsieve
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from tosanalyzer.models import (
    GUARD_OPENER,
    OPEN_THE_GUARD,
    DocumentDeclaration,
    FilterSpec,
    RangeSelector,
    Selectors,
    ServiceDeclaration,
    SourcePage,
    slugify,
    strip_controls,
)

BUILTIN_FILTERS: dict[str, TypeAdapter[Any]] = {
    "removeQueryParams": TypeAdapter(list[str]),
}
"""OTA's built-in filters (given as ``{name: argument}`` objects) and the argument each takes."""

CLIENT_SCRIPTS = "executeClientScripts"
"""The feature a document needs when its page only shows its text after running JavaScript."""

HISTORY_SUFFIXES = (".history.json", ".filters.history.js")
FILTERS_SUFFIX = ".filters.js"

_TYPE_ERRORS = {
    "string_type": "a string",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "an object",
    "model_type": "an object",
}
_DECLARATION_MODELS = (ServiceDeclaration, DocumentDeclaration, SourcePage, RangeSelector)
_KNOWN_FIELDS = sorted({"documents"}.union(*(m.model_fields for m in _DECLARATION_MODELS)))

Problem = tuple[str, str]
"""(field path such as "terms.Privacy Policy.select.0", what is wrong with it)."""


class DeclarationError(ValueError):
    """A declaration file that cannot be used; the message names the file and every bad field."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        details = "; ".join(
            f"{field}: {problem}" if field else problem for field, problem in problems
        )
        super().__init__(f"{file}: {details}")


class ServiceLookupError(LookupError):
    """No declared service (or more than one) answers to the name given on the command line."""


class OtaFile(BaseModel):
    """One declaration file of an OTA folder: what it declares, or why it cannot be imported."""

    file: str = Field(description="The file name inside the folder.")
    declaration: ServiceDeclaration | None = None
    error: str | None = Field(default=None, description="Why the file was not imported.")
    companions: list[str] = Field(
        default_factory=list,
        description="Its *.history.json, *.filters.js and *.filters.history.js files: noted, not"
        " read (past declarations and JavaScript filters are not used here).",
    )


class OtaImport(BaseModel):
    """Everything found in an OTA declarations folder, so nothing in it goes unmentioned."""

    folder: str
    files: list[OtaFile]
    orphans: list[str] = Field(
        default_factory=list,
        description="History or filter files whose declaration file is not in the folder.",
    )
    ignored: list[str] = Field(
        default_factory=list, description="Other files, which are not OTA declaration files."
    )

    @property
    def declarations(self) -> list[ServiceDeclaration]:
        return [f.declaration for f in self.files if f.declaration is not None]

    @property
    def failures(self) -> list[OtaFile]:
        return [f for f in self.files if f.error is not None]


# --- loading ----------------------------------------------------------------------------------


def load_declaration(path: Path | str) -> ServiceDeclaration:
    """Read and fully check one declaration file; raise `DeclarationError` naming what is wrong."""
    path = Path(path)
    file = str(path)
    if path.name.endswith(HISTORY_SUFFIXES):
        stem = _companion_stem(path.name)
        problem = f"an OTA history file (past versions for '{stem}.json'), not a declaration"
        raise DeclarationError(file, [("", problem)])
    data = _read_json(path)
    if not isinstance(data, dict):
        raise DeclarationError(
            file, [("", f"expected a JSON object at the top, got {_kind(data)}")]
        )
    try:
        declaration = ServiceDeclaration.model_validate(data, strict=True)
    except ValidationError as error:
        raise DeclarationError(file, _explain(error, data)) from None
    container = "documents" if "documents" in data else "terms"
    problems = list(_semantic_problems(declaration, container))
    if problems:
        raise DeclarationError(file, problems)
    return declaration


def _read_json(path: Path) -> Any:
    file = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise DeclarationError(file, [("", f"cannot read the file ({error.strerror})")]) from None
    except UnicodeDecodeError as error:
        byte = error.object[error.start]
        problem = f"not UTF-8 text (byte {byte:#04x} at offset {error.start})"
        raise DeclarationError(file, [("", problem)]) from None
    try:
        return json.loads(text, object_pairs_hook=_checked_object)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise DeclarationError(file, [(where, f"invalid JSON: {error.msg}")]) from None
    except _DuplicateKey as duplicate:
        raise DeclarationError(
            file,
            [
                (
                    "",
                    f"the key '{duplicate.key}' appears twice in one object (JSON keeps only"
                    " the last one)",
                )
            ],
        ) from None


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _checked_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """The object, its keys and strings without control characters (names, URLs and selectors
    are printed, and JSON's \\u escapes let a file carry ESC)."""
    result: dict[str, Any] = {}
    for raw_key, value in pairs:
        key = strip_controls(raw_key)
        if key in result:
            raise _DuplicateKey(key)
        result[key] = _without_controls(value)
    return result


def _without_controls(value: Any) -> Any:
    """Strings cleaned, in lists too; objects were cleaned by the hook when they were read."""
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, list):
        return [_without_controls(item) for item in value]
    return value


# --- pydantic errors, reworded ----------------------------------------------------------------


def _explain(error: ValidationError, data: dict[str, Any]) -> list[Problem]:
    """One problem per field the user wrote, in file order, without pydantic's union noise."""
    located = [(_data_path(e["loc"], data, e["type"]), e) for e in error.errors()]
    expected: dict[tuple[str | int, ...], list[str]] = {}
    for path, err in located:
        if err["type"] in _TYPE_ERRORS and not _superseded(path, located):
            expected.setdefault(path, []).append(_TYPE_ERRORS[err["type"]])
    problems: list[Problem] = []
    for path, err in located:
        if err["type"] not in _TYPE_ERRORS:
            problems.append((_dotted(path), _reword(err)))
        elif path in expected:
            wanted = _or_list(list(dict.fromkeys(expected[path])))
            problems.append((_dotted(path), f"expected {wanted}, got {_kind(_lookup(data, path))}"))
    return list(dict.fromkeys(problems))


def _data_path(loc: tuple[str | int, ...], data: Any, kind: str) -> tuple[str | int, ...]:
    """The error's location in the user's data: union-branch tags dropped, a missing key kept."""
    path: list[str | int] = []
    node = data
    for part in loc:
        in_dict = isinstance(node, dict) and isinstance(part, str) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]
            path.append(part)
    if kind == "missing":
        path.append("terms" if loc == ("documents",) else loc[-1])
    return tuple(path)


def _superseded(path: tuple[str | int, ...], located: list[tuple[Any, Any]]) -> bool:
    """A wrong-type error for one union branch says nothing when another branch got further."""
    for other, err in located:
        deeper = len(other) > len(path) and other[: len(path)] == path
        if deeper or (other == path and err["type"] not in _TYPE_ERRORS):
            return True
    return False


def _reword(err: Any) -> str:
    if err["type"] == "extra_forbidden":
        field = str(err["loc"][-1])
        if field == GUARD_OPENER:
            return (
                "not allowed: a declaration cannot open the private-address guard; the person"
                f" running tosanalyzer does, with {OPEN_THE_GUARD}"
            )
        close = difflib.get_close_matches(field, _KNOWN_FIELDS, n=1, cutoff=0.7)
        return "unknown field" + (f" (did you mean '{close[0]}'?)" if close else "")
    if err["type"] == "missing":
        return "missing" + (" (or the older 'documents')" if err["loc"] == ("documents",) else "")
    return str(err["msg"]).removeprefix("Value error, ")


def _lookup(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _dotted(path: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in path)


def _or_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return json.dumps(value)


# --- checks pydantic's models leave to us -----------------------------------------------------


def _semantic_problems(declaration: ServiceDeclaration, container: str) -> Iterator[Problem]:
    if not declaration.slug:
        yield "name", f"'{declaration.name}' has no letters or digits to name it by"
    if not declaration.terms:
        yield container, "declares no documents"
    by_slug: dict[str, str] = {}
    for name, document in declaration.terms.items():
        prefix = f"{container}.{name}"
        slug = slugify(name)
        if not slug:
            yield prefix, "a document name needs letters or digits"
        elif slug in by_slug:
            yield prefix, f"same command-line name '{slug}' as '{by_slug[slug]}'"
        by_slug.setdefault(slug, name)
        yield from _page_problems(prefix, document)
        for index, page in enumerate(document.combine or []):
            yield from _page_problems(f"{prefix}.combine.{index}", page)


def _page_problems(prefix: str, page: DocumentDeclaration | SourcePage) -> Iterator[Problem]:
    if page.fetch is not None:
        url = urlsplit(page.fetch)
        if url.scheme not in ("http", "https") or not url.hostname:
            yield f"{prefix}.fetch", f"not an http(s) URL: '{page.fetch}'"
    for field in ("select", "remove"):
        yield from _selector_problems(f"{prefix}.{field}", getattr(page, field))
    for index, spec in enumerate(page.filter or []):
        yield from _filter_problems(f"{prefix}.filter.{index}", spec)


def _selector_problems(prefix: str, selectors: Selectors | None) -> Iterator[Problem]:
    if selectors is None:
        return
    if isinstance(selectors, list):
        if not selectors and prefix.endswith(".select"):
            yield prefix, "an empty list selects nothing"
        for index, selector in enumerate(selectors):
            yield from _selector_problems(f"{prefix}.{index}", selector)
    elif isinstance(selectors, RangeSelector):
        for bound, css in selectors.model_dump(exclude_none=True).items():
            yield from _selector_problems(f"{prefix}.{bound}", css)
    else:
        try:
            soupsieve.compile(selectors)
        except soupsieve.SelectorSyntaxError as error:
            reason = str(error).splitlines()[0]
            yield prefix, f"invalid CSS selector '{selectors}' ({reason})"


def _filter_problems(prefix: str, spec: FilterSpec) -> Iterator[Problem]:
    if isinstance(spec, str):
        if not spec.strip():
            yield prefix, "an empty filter name"
        return
    if len(spec) != 1:
        yield prefix, f"a built-in filter is an object with one key, got {len(spec)} keys"
        return
    ((name, argument),) = spec.items()
    adapter = BUILTIN_FILTERS.get(name)
    if adapter is None:
        known = ", ".join(sorted(BUILTIN_FILTERS))
        yield f"{prefix}.{name}", f"unknown built-in filter (built-ins: {known})"
        return
    try:
        adapter.validate_python(argument, strict=True)
    except ValidationError:
        yield f"{prefix}.{name}", f"expected a list of strings, got {_kind(argument)}"


# --- what a declaration asks for that cannot be done here ---------------------------------------


def unsupported_filters(declaration: ServiceDeclaration) -> dict[str, list[str]]:
    """Document name → the JavaScript filters (from ``*.filters.js``) it names, which cannot run
    here: its text may differ from OTA's by what those functions would have removed."""
    found: dict[str, list[str]] = {}
    for name, document in declaration.terms.items():
        specs = [spec for page in document.pages() for spec in page.filter or []]
        names = [spec for spec in specs if isinstance(spec, str)]
        if names:
            found[name] = list(dict.fromkeys(names))
    return found


def unsupported_features(declaration: ServiceDeclaration) -> dict[str, list[str]]:
    """Document name → features it needs that this tool lacks: ``executeClientScripts`` (a page
    rendered by a browser running its JavaScript; fetching such a document fails clearly)."""
    return {
        name: [CLIENT_SCRIPTS]
        for name, document in declaration.terms.items()
        if any(page.executeClientScripts for page in document.pages())
    }


# --- an OTA declarations folder ---------------------------------------------------------------


def scan_ota_folder(folder: Path | str) -> OtaImport:
    """Every declaration in an OTA folder imported or given a precise reason; companions noted."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DeclarationError(str(folder), [("", "not a folder")])
    names = sorted(p.name for p in folder.iterdir() if p.is_file())
    companions = [n for n in names if n.endswith((*HISTORY_SUFFIXES, FILTERS_SUFFIX))]
    declaration_names = [n for n in names if n.endswith(".json") and n not in companions]
    files = [_import_one(folder / n) for n in declaration_names]
    _reject_duplicate_services(folder, files)
    owners = {entry.file.removesuffix(".json"): entry for entry in files}
    orphans = []
    for name in companions:
        owner = owners.get(_companion_stem(name))
        if owner is None:
            orphans.append(name)
        else:
            owner.companions.append(name)
    ignored = [n for n in names if n not in declaration_names and n not in companions]
    return OtaImport(folder=str(folder), files=files, orphans=orphans, ignored=ignored)


def _import_one(path: Path) -> OtaFile:
    try:
        return OtaFile(file=path.name, declaration=load_declaration(path))
    except DeclarationError as error:
        return OtaFile(file=path.name, error=str(error))


def _reject_duplicate_services(folder: Path, files: list[OtaFile]) -> None:
    """Two files for one service would merge their histories in the store: keep the first."""
    first: dict[str, str] = {}
    for entry in files:
        if entry.declaration is None:
            continue
        slug = entry.declaration.slug
        if slug in first:
            problem = f"same service as {first[slug]} (slug '{slug}')"
            entry.error = str(DeclarationError(str(folder / entry.file), [("name", problem)]))
            entry.declaration = None
        else:
            first[slug] = entry.file


def _companion_stem(name: str) -> str:
    for suffix in (*HISTORY_SUFFIXES, FILTERS_SUFFIX):
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


# --- naming a service on the command line -----------------------------------------------------


def find_service(
    declarations: Iterable[ServiceDeclaration], name_or_slug: str
) -> ServiceDeclaration:
    """The service called ``name_or_slug`` by name or slug, ignoring case ("Hugging Face" ==
    "hugging-face"); `ServiceLookupError` lists close matches when there is none."""
    candidates = list(declarations)
    wanted = slugify(name_or_slug)
    matches = [d for d in candidates if d.slug == wanted]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ServiceLookupError(
            f"'{name_or_slug}' names {len(matches)} services: " + ", ".join(d.name for d in matches)
        )
    raise ServiceLookupError(_not_found(name_or_slug, candidates))


def _not_found(name_or_slug: str, candidates: list[ServiceDeclaration]) -> str:
    message = f"no service named '{name_or_slug}'"
    if not candidates:
        return message + " (no services are declared)"
    by_slug = {d.slug: d for d in candidates}
    close = difflib.get_close_matches(slugify(name_or_slug), list(by_slug), n=3, cutoff=0.6)
    if close:
        return message + "; did you mean " + _or_list([_label(by_slug[s]) for s in close]) + "?"
    return message + f" among {len(candidates)} declared services"


def _label(declaration: ServiceDeclaration) -> str:
    return f"'{declaration.name}' ({declaration.slug})"
