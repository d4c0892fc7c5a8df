"""Declarations: OTA files import as they are, and everything we cannot use is named, not dropped.

The OTA corpus (../shared/corpora/ota-declarations) is read in place; those tests skip cleanly when
it is absent. Every other test writes its own small files in tmp_path.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tosanalyzer.base.bundled import corpora_dir
from tosanalyzer.models import RangeSelector, ServiceDeclaration
from tosanalyzer.tracking.declarations import (
    DeclarationError,
    OtaImport,
    ServiceLookupError,
    find_service,
    load_declaration,
    scan_ota_folder,
    unsupported_features,
    unsupported_filters,
)

OTA = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "ota-declarations"
needs_ota = pytest.mark.skipif(not OTA.is_dir(), reason="../shared/corpora is not present")
SERVICES = corpora_dir() / "services"

CLIENT_SCRIPTS = ["executeClientScripts"]


def write(tmp_path: Path, content: Any, name: str = "Foo.json") -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def service(**documents: Any) -> dict[str, Any]:
    return {"name": "Foo", "terms": documents}


def page(**fields: Any) -> dict[str, Any]:
    return {"fetch": "https://example.test/terms", **fields}


# --- the real OTA declarations --------------------------------------------------------------

# file → (companion files, JavaScript filters per document, documents needing client scripts)
OTA_OUTCOMES: dict[str, tuple[list[str], dict[str, list[str]], list[str]]] = {
    "Amazon Web Services.json": (["Amazon Web Services.history.json"], {}, []),
    "ChatGPT.json": (
        ["ChatGPT.history.json"],
        {},
        [
            "Terms of Service",
            "Privacy Policy",
            "Developer Terms",
            "Acceptable Use Policy",
            "In-App Purchases Policy",
            "Data Processor Agreement",
            "Commercial Terms",
            "Vulnerability Disclosure Policy",
            "Business Privacy Policy",
            "Trackers Policy",
        ],
    ),
    "Claude.ai.json": ([], {}, ["Data Processor Agreement"]),
    "Discord.json": (["Discord.history.json"], {}, []),
    "Facebook.json": (
        ["Facebook.filters.js", "Facebook.history.json"],
        {
            "Privacy Policy": ["removeEmptyAnchorsLinks"],
            "Terms of Service": ["removeEmptyAnchorsLinks"],
            "Developer Terms": ["removeHelpButtons", "cleanUrls"],
            "Trackers Policy": [
                "removeImgFromCookiesPolicy",
                "removeReturnToTopButtons",
                "cleanUrls",
            ],
            "Commercial Terms": ["cleanUrls"],
            "Law Enforcement Guidelines": ["cleanUrls"],
        },
        [
            "Privacy Policy",
            "Terms of Service",
            "Commercial Terms",
            "Data Processor Agreement",
            "Live Policy",
        ],
    ),
    "GitHub.json": (["GitHub.history.json"], {}, []),
    "Google.json": (["Google.filters.js"], {"Terms of Service": ["removeCountryVersion"]}, []),
    "Hugging Face.json": ([], {}, []),
    "Instagram.json": (
        ["Instagram.filters.history.js", "Instagram.filters.js", "Instagram.history.json"],
        {"Developer Terms": ["replaceInfoImageWithEmoji"]},
        [
            "Terms of Service",
            "Privacy Policy",
            "Community Guidelines",
            "Law Enforcement Guidelines",
        ],
    ),
    "LinkedIn.json": (["LinkedIn.history.json"], {}, []),
    "Microsoft.json": (
        ["Microsoft.filters.js", "Microsoft.history.json"],
        {
            "Terms of Service": [
                "removeIrrelevantModulesFromTos",
                "removeNavigationHeaders",
                "removeModuleIDs",
                "removeInvisibleText",
            ],
            "Privacy Policy": [
                "removeIrrelevantModulesFromPrivacyPolicy",
                "removeNavigationHeaders",
                "removeModuleIDs",
                "removeInvisibleText",
            ],
        },
        [],
    ),
    "OpenAI.json": (
        [],
        {},
        [
            "Terms of Service",
            "Privacy Policy",
            "Developer Terms",
            "Acceptable Use Policy",
            "Data Processor Agreement",
            "Platform to Business Notice",
        ],
    ),
    "Reddit.json": (["Reddit.history.json"], {}, []),
    "Spotify.json": (["Spotify.history.json"], {}, []),
    "TikTok.json": (["TikTok.history.json"], {}, []),
    "Twitter.json": (
        ["Twitter.filters.js", "Twitter.history.json"],
        {"Privacy Policy": ["removeEmptyLinks"], "Copyright Claims Policy": ["removeScripts"]},
        [],
    ),
    "Zoom.json": (
        ["Zoom.filters.js", "Zoom.history.json"],
        {"Terms of Service": ["removeAmpDeviceId"]},
        ["Terms of Service"],
    ),
}


@pytest.fixture(scope="module")
def ota_scan() -> OtaImport:
    return scan_ota_folder(OTA)


@pytest.fixture(scope="module")
def ota(ota_scan: OtaImport) -> dict[str, ServiceDeclaration]:
    return {f.file: f.declaration for f in ota_scan.files if f.declaration is not None}


@needs_ota
def test_the_ota_folder_is_fully_accounted_for(ota_scan: OtaImport) -> None:
    assert [f.file for f in ota_scan.files] == sorted(OTA_OUTCOMES)
    assert {f.file: f.error for f in ota_scan.failures} == {}
    assert ota_scan.orphans == []
    assert ota_scan.ignored == []


@needs_ota
@pytest.mark.parametrize("file", sorted(OTA_OUTCOMES))
def test_every_ota_declaration_imports_with_its_limits_named(
    ota_scan: OtaImport, file: str
) -> None:
    companions, js_filters, client_scripts = OTA_OUTCOMES[file]
    entry = next(f for f in ota_scan.files if f.file == file)
    assert entry.error is None and entry.declaration is not None
    assert entry.declaration == load_declaration(OTA / file)
    assert unsupported_filters(entry.declaration) == js_filters
    assert unsupported_features(entry.declaration) == {n: CLIENT_SCRIPTS for n in client_scripts}
    assert entry.companions == companions


@needs_ota
def test_ota_shapes_are_kept(ota: dict[str, ServiceDeclaration]) -> None:
    # OpenAI.json uses the older "documents" key; its documents land in `terms` all the same.
    assert list(ota["OpenAI.json"].terms) == OTA_OUTCOMES["OpenAI.json"][2]
    assert ota["Spotify.json"].importedFrom is not None
    assert ota["Hugging Face.json"].slug == "hugging-face"
    facebook = ota["Facebook.json"].terms
    remove = facebook["Terms of Service"].remove
    assert isinstance(remove, list) and isinstance(remove[0], RangeSelector)
    assert remove[0].endAfter == "body"
    google = ota["Google.json"].terms["Terms of Service"].filter
    assert google == [
        {"removeQueryParams": ["utm_source", "utm_medium", "utm_campaign"]},
        "removeCountryVersion",
    ]
    claude = ota["Claude.ai.json"].terms["Data Processor Agreement"].pages()
    assert [p.executeClientScripts for p in claude] == [None, True]
    twitter = ota["Twitter.json"].terms["Community Guidelines"].pages()
    assert len(twitter) == 18
    assert all(
        isinstance(p.select, list) and isinstance(p.select[0], RangeSelector) for p in twitter
    )


# --- our own shipped declarations -------------------------------------------------------------


def test_shipped_services_all_load_and_need_nothing_unsupported() -> None:
    files = sorted(SERVICES.glob("*.json"))
    assert len(files) >= 5
    declarations = [load_declaration(path) for path in files]
    assert find_service(declarations, "hugging-face").name == "Hugging Face"
    for declaration in declarations:
        assert unsupported_filters(declaration) == {}, declaration.name
        assert unsupported_features(declaration) == {}, declaration.name
        for document in declaration.terms.values():
            assert all(p.fetch.startswith("https://") for p in document.pages())
    scan = scan_ota_folder(SERVICES)
    assert scan.failures == []
    assert scan.ignored == ["README.md"]


# --- what is accepted -------------------------------------------------------------------------


def test_full_shape_is_accepted(tmp_path: Path) -> None:
    data = {
        "name": "Foo Cloud",
        "importedFrom": "https://example.test/rules/foo.xml",
        "documents": {
            "Terms of Service": page(
                select="main",
                remove=[".banner", {"startAfter": "h2#end", "endAfter": "footer"}],
                filter=[{"removeQueryParams": ["utm_source"]}, "cleanUrls"],
            ),
            "Privacy Policy": {
                "select": [{"startBefore": "h1", "endBefore": "#footer"}],
                "executeClientScripts": True,
                "combine": [page(), page(fetch="https://example.test/b", select="article")],
            },
        },
    }
    declaration = load_declaration(write(tmp_path, data))
    assert declaration.slug == "foo-cloud"
    assert declaration.importedFrom == "https://example.test/rules/foo.xml"
    pages = declaration.terms["Privacy Policy"].pages()
    assert isinstance(pages[0].select, list) and isinstance(pages[0].select[0], RangeSelector)
    assert pages[1].select == "article"


def test_unsupported_parts_are_reported_per_document(tmp_path: Path) -> None:
    data = service(
        Plain=page(filter=[{"removeQueryParams": ["h"]}]),
        Combined={
            "filter": ["cleanUrls"],
            "combine": [
                page(),
                page(fetch="https://example.test/b", filter=["own", "own"]),
                page(fetch="https://example.test/c", executeClientScripts=True),
            ],
        },
    )
    declaration = load_declaration(write(tmp_path, data))
    assert unsupported_filters(declaration) == {"Combined": ["cleanUrls", "own"]}
    assert unsupported_features(declaration) == {"Combined": CLIENT_SCRIPTS}


# --- what is refused, and how it is said ------------------------------------------------------

RANGE_NO_END = {"startBefore": "h1"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            service(**{"Privacy Policy": page(selct="main")}),
            "terms.Privacy Policy.selct: unknown field (did you mean 'select'?)",
        ),
        (
            {"name": "Foo", "documents": {"T": page(select="main", colour="red")}},
            "documents.T.colour: unknown field",
        ),
        (
            {"name": "Foo", "terms": {"T": page()}, "documents": {"T": page()}},
            "give 'terms' or the older 'documents', not both",
        ),
        (
            service(T=page(select=RANGE_NO_END)),
            "terms.T.select: a range selector needs exactly one of endBefore / endAfter",
        ),
        (
            service(T=page(select=["main", RANGE_NO_END])),
            "terms.T.select.1: a range selector needs exactly one of endBefore / endAfter",
        ),
        (
            service(T=page(remove={"startAfter": "h1", "endBefor": "p"})),
            "terms.T.remove.endBefor: unknown field (did you mean 'endBefore'?)",
        ),
        (
            service(T={"combine": [page(selct="main")]}),
            "terms.T.combine.0.selct: unknown field (did you mean 'select'?)",
        ),
        ({"name": "Foo"}, "terms: missing (or the older 'documents')"),
        (service(T={"select": "main"}), "terms.T: a document needs exactly one of 'fetch' or"),
        (service(T={"combine": [{"select": "main"}]}), "terms.T.combine.0.fetch: missing"),
        ({"name": 5, "terms": {}}, "name: expected a string, got 5"),
        (
            service(T=page(select=5)),
            "terms.T.select: expected a string, an object or a list, got 5",
        ),
        (
            service(T=page(executeClientScripts="yes")),
            'terms.T.executeClientScripts: expected true or false, got "yes"',
        ),
        (service(T=page(filter="cleanUrls")), 'terms.T.filter: expected a list, got "cleanUrls"'),
        (
            service(T=page(filter=[3])),
            "terms.T.filter.0: expected a string or an object, got 3",
        ),
        (
            service(T=page(filter=[{"removeScripts": True}])),
            "terms.T.filter.0.removeScripts: unknown built-in filter"
            " (built-ins: removeQueryParams)",
        ),
        (
            service(T=page(filter=[{"removeQueryParams": "utm_source"}])),
            'terms.T.filter.0.removeQueryParams: expected a list of strings, got "utm_source"',
        ),
        (
            service(T=page(filter=[{"removeQueryParams": ["a"], "cleanUrls": []}])),
            "terms.T.filter.0: a built-in filter is an object with one key, got 2 keys",
        ),
        (service(T=page(fetch="ftp://example.test/t")), "terms.T.fetch: not an http(s) URL"),
        (service(T=page(fetch="/terms")), "terms.T.fetch: not an http(s) URL: '/terms'"),
        (
            service(T=page(select=["main", "div[["])),
            "terms.T.select.1: invalid CSS selector 'div[[' (Malformed attribute selector",
        ),
        (
            service(T=page(select={"startBefore": "h1", "endAfter": "p::"})),
            "terms.T.select.endAfter: invalid CSS selector 'p::'",
        ),
        (service(T=page(select=[])), "terms.T.select: an empty list selects nothing"),
        (service(), "terms: declares no documents"),
        ({"name": "!!!", "terms": {"T": page()}}, "name: '!!!' has no letters or digits"),
        (
            service(**{"Terms": page(), "terms": page()}),
            "terms.terms: same command-line name 'terms' as 'Terms'",
        ),
        (
            '{"name": "Foo",\n "terms": {\n  "T": {"fetch": "https://x.test" "select": "main"}}}',
            "line 3, column 35: invalid JSON: Expecting ',' delimiter",
        ),
        (
            '{"name": "Foo", "terms": {"T": {"fetch": "https://a.test"}, "T": {}}}',
            "the key 'T' appears twice in one object (JSON keeps only the last one)",
        ),
        ("[]", "expected a JSON object at the top, got a list"),
    ],
)
def test_bad_declarations_name_the_file_and_field(
    tmp_path: Path, content: Any, message: str
) -> None:
    path = write(tmp_path, content)
    with pytest.raises(DeclarationError) as caught:
        load_declaration(path)
    assert str(caught.value).startswith(f"{path}: {message}")


def test_every_problem_is_listed_once_in_file_order(tmp_path: Path) -> None:
    data = service(A=page(selct="x"), B=page(select=5), C={"select": "main"})
    with pytest.raises(DeclarationError) as caught:
        load_declaration(write(tmp_path, data))
    assert caught.value.problems == [
        ("terms.A.selct", "unknown field (did you mean 'select'?)"),
        ("terms.B.select", "expected a string, an object or a list, got 5"),
        ("terms.C", "a document needs exactly one of 'fetch' or 'combine'"),
    ]


def test_files_that_are_not_declarations(tmp_path: Path) -> None:
    history = write(tmp_path, {"T": [page(validUntil="2022-01-01")]}, "Foo.history.json")
    with pytest.raises(DeclarationError, match=r"history file \(past versions for 'Foo.json'\)"):
        load_declaration(history)
    binary = tmp_path / "bin.json"
    binary.write_bytes(b'{"name": "\xff"}')
    with pytest.raises(DeclarationError, match=r"not UTF-8 text \(byte 0xff at offset 10\)"):
        load_declaration(binary)
    with pytest.raises(DeclarationError, match=r"absent.json: cannot read the file"):
        load_declaration(tmp_path / "absent.json")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                ["fetch", "select", "remove", "filter", "combine", "startBefore", "endAfter", "x"]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(name=st.one_of(st.just("Foo"), JSON_VALUES), document=JSON_VALUES)
def test_any_json_gives_a_declaration_or_a_declaration_error(
    tmp_path_factory: pytest.TempPathFactory, name: Any, document: Any
) -> None:
    path = write(tmp_path_factory.mktemp("fuzz"), {"name": name, "terms": {"T": document}})
    try:
        load_declaration(path)
    except DeclarationError as error:
        assert error.problems and all(problem for _, problem in error.problems)


# --- an OTA folder ----------------------------------------------------------------------------


def test_scan_notes_companions_orphans_and_reasons(tmp_path: Path) -> None:
    write(tmp_path, service(T=page(filter=["cleanUrls"])), "Foo.json")
    write(tmp_path, {"T": [page(validUntil="2022-01-01")]}, "Foo.history.json")
    write(tmp_path, "export function cleanUrls(document) {}", "Foo.filters.js")
    write(tmp_path, "export const cleanUrls = [];", "Foo.filters.history.js")
    write(tmp_path, {"name": "Bar", "terms": {"T": page(selct="main")}}, "Bar.json")
    write(tmp_path, {"name": "FOO", "terms": {"T": page()}}, "foo-copy.json")
    write(tmp_path, {"T": []}, "Gone.history.json")
    write(tmp_path, "notes", "README.md")
    (tmp_path / "sub.json").mkdir()

    result = scan_ota_folder(tmp_path)

    by_file = {f.file: f for f in result.files}
    assert list(by_file) == ["Bar.json", "Foo.json", "foo-copy.json"]
    assert by_file["Bar.json"].error == (
        f"{tmp_path / 'Bar.json'}: terms.T.selct: unknown field (did you mean 'select'?)"
    )
    foo = by_file["Foo.json"]
    assert foo.declaration is not None and foo.error is None
    assert foo.companions == ["Foo.filters.history.js", "Foo.filters.js", "Foo.history.json"]
    assert by_file["foo-copy.json"].declaration is None
    assert by_file["foo-copy.json"].error == (
        f"{tmp_path / 'foo-copy.json'}: name: same service as Foo.json (slug 'foo')"
    )
    assert result.orphans == ["Gone.history.json"]
    assert result.ignored == ["README.md"]
    assert [d.name for d in result.declarations] == ["Foo"]
    assert [f.file for f in result.failures] == ["Bar.json", "foo-copy.json"]


def test_scan_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(DeclarationError, match="nowhere: not a folder"):
        scan_ota_folder(tmp_path / "nowhere")


# --- naming a service -------------------------------------------------------------------------

NAMES = ["Hugging Face", "GitHub", "Claude.ai", "Amazon Web Services"]
DECLARATIONS = [
    ServiceDeclaration.model_validate({"name": n, "terms": {"T": {"fetch": "https://a.test"}}})
    for n in NAMES
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Hugging Face", "Hugging Face"),
        ("hugging-face", "Hugging Face"),
        ("HUGGING FACE", "Hugging Face"),
        ("  Hugging-Face ", "Hugging Face"),
        ("github", "GitHub"),
        ("claude.ai", "Claude.ai"),
        ("claude-ai", "Claude.ai"),
    ],
)
def test_find_service_by_name_or_slug(query: str, expected: str) -> None:
    assert find_service(DECLARATIONS, query).name == expected


@pytest.mark.parametrize(
    ("query", "declarations", "message"),
    [
        (
            "huging face",
            DECLARATIONS,
            "no service named 'huging face'; did you mean 'Hugging Face' (hugging-face)?",
        ),
        ("zoom", DECLARATIONS, "no service named 'zoom' among 4 declared services"),
        ("zoom", [], "no service named 'zoom' (no services are declared)"),
        (
            "github",
            [*DECLARATIONS, DECLARATIONS[1].model_copy(update={"name": "Github"})],
            "'github' names 2 services: GitHub, Github",
        ),
    ],
)
def test_find_service_says_what_it_knows(
    query: str, declarations: list[ServiceDeclaration], message: str
) -> None:
    with pytest.raises(ServiceLookupError) as caught:
        find_service(declarations, query)
    assert str(caught.value) == message
