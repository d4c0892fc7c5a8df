"""A declared page → its document: decoding, remove/select/ranges, filters, clear failures."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tosanalyzer.models import RangeSelector, Snapshot, SourcePage
from tosanalyzer.tracking.extract import (
    MIN_LETTERS,
    ExtractError,
    NeedsJavaScript,
    combine,
    decode_html,
    extract_page,
    extract_snapshot,
)

CLAUSE = "You may end this agreement at any time by closing your account with us."
BODY = " ".join([CLAUSE] * 4)  # enough letters for a document on its own

PAGE = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Terms of Service</title></head>
<body>
<nav id="menu"><a href="/">Home</a> <a href="/blog">Blog</a></nav>
<div id="cookie-banner">We use cookies. <button>Accept all</button></div>
<main class="legal">
  <h1 id="title">Terms of Service</h1>
  <p id="intro">{BODY}</p>
  <h2 id="accounts">1. Accounts</h2>
  <ul id="rules">
    <li id="rule-a">Keep your password safe.</li>
    <li id="rule-b">Tell us about misuse.</li>
    <li id="rule-c">Use one account only.</li>
  </ul>
  <table id="fees"><tr><th>Plan</th><th>Fee</th></tr><tr><td>Basic</td><td>$5</td></tr></table>
  <div id="share">Share this page</div>
  <h2 id="law">2. Governing law</h2>
  <p>{BODY}</p>
</main>
<footer id="footer">Copyright 2024 Example Inc.</footer>
</body></html>
"""


def page(**fields: Any) -> SourcePage:
    return SourcePage(fetch="https://example.test/terms", **fields)


def markdown(html: str | bytes = PAGE, **fields: Any) -> str:
    return extract_page(html, page(**fields)).markdown


# --- select and remove --------------------------------------------------------------------------


def test_select_keeps_headings_lists_tables_and_link_text() -> None:
    text = markdown(select="main")
    assert text.startswith("# Terms of Service\n\nYou may end")
    assert "## 1. Accounts\n\n- Keep your password safe.\n- Tell us about misuse.\n" in text
    assert "| Plan | Fee |\n| --- | --- |\n| Basic | $5 |" in text
    assert "Home" not in text and "cookies" not in text and "Copyright" not in text


def test_without_select_the_whole_visible_page_is_the_document() -> None:
    text = markdown()
    assert text.startswith("Home Blog\n\nWe use cookies. Accept all\n\n# Terms of Service")
    assert text.endswith("Copyright 2024 Example Inc.\n")
    assert "<title>" not in text and text.count("Terms of Service") == 1


def test_remove_applies_before_select() -> None:
    text = markdown(select="main", remove=["#share", "#fees"])
    assert "Share this page" not in text and "Basic" not in text
    assert "2. Governing law" in text


def test_remove_drops_a_cookie_banner_from_the_whole_page() -> None:
    assert "cookies" not in markdown(remove="#cookie-banner")


def test_a_remove_selector_that_matches_nothing_is_fine() -> None:
    assert markdown(select="main", remove=".no-such-thing") == markdown(select="main")


def test_an_array_of_selectors_is_joined_in_selector_order() -> None:
    assert markdown(select=["#law", "#intro"]) == f"## 2. Governing law\n\n{BODY}\n"


def test_a_comma_selector_keeps_document_order() -> None:
    text = markdown(select="#law, #title, #intro")
    assert text.index("Terms of Service") < text.index("You may end") < text.index("Governing")


def test_each_part_of_the_page_is_selected_once() -> None:
    assert markdown(select=["main", "#intro"]) == markdown(select="main")
    intro_first = markdown(select=["#intro", "main"])
    assert intro_first.startswith(f"{BODY}\n\n# Terms of Service\n\n## 1. Accounts")
    assert intro_first.count(CLAUSE) == markdown(select="main").count(CLAUSE)


@pytest.mark.parametrize("select", ["#missing", ["main", "#missing"]])
def test_a_selector_that_matches_nothing_is_an_error_naming_it(select: Any) -> None:
    with pytest.raises(ExtractError, match='selector "#missing" matches nothing'):
        markdown(select=select)


def test_an_invalid_css_selector_is_an_error_naming_it() -> None:
    with pytest.raises(ExtractError, match='selector "main >" is not valid CSS'):
        markdown(select="main >")


# --- range selectors ----------------------------------------------------------------------------


def test_start_before_includes_the_start_and_end_before_excludes_the_end() -> None:
    text = markdown(select=[RangeSelector(startBefore="#intro", endBefore="#law")])
    assert text.startswith(f"{BODY}\n\n## 1. Accounts\n")
    assert text.endswith("Share this page\n")


def test_start_after_excludes_the_start_and_end_after_includes_the_end() -> None:
    text = markdown(select=[RangeSelector(startAfter="#title", endAfter="#accounts")])
    assert text == f"{BODY}\n\n## 1. Accounts\n"


def test_a_range_inside_a_list_keeps_its_list() -> None:
    text = markdown(select=[RangeSelector(startBefore="#intro", endBefore="#rule-c")])
    assert text.endswith("## 1. Accounts\n\n- Keep your password safe.\n- Tell us about misuse.\n")


def test_a_range_around_one_element_selects_that_element() -> None:
    ranged = markdown(select=[RangeSelector(startBefore="main", endAfter="main")])
    assert ranged == markdown(select="main")


def test_a_range_mixes_with_css_selectors() -> None:
    text = markdown(select=["#law", RangeSelector(startBefore="#title", endBefore="#accounts")])
    assert text.startswith("## 2. Governing law\n\n# Terms of Service\n\nYou may end")


def test_a_remove_range_cuts_everything_between_its_bounds() -> None:
    text = markdown(remove=[RangeSelector(startAfter="#rules", endAfter="body")])
    assert text.endswith("- Use one account only.\n")
    assert "Basic" not in text and "Governing" not in text and "Copyright" not in text


@pytest.mark.parametrize(
    ("selector", "message"),
    [
        (RangeSelector(startBefore="#nope", endBefore="#law"), 'no match for "#nope"'),
        (RangeSelector(startBefore="#title", endAfter="#nope"), 'no match for "#nope"'),
        (RangeSelector(startAfter="#law", endBefore="#title"), "ends before it starts"),
    ],
)
def test_a_range_that_cannot_be_cut_is_an_error(selector: RangeSelector, message: str) -> None:
    with pytest.raises(ExtractError, match=message):
        markdown(select=[selector])


# --- filters ------------------------------------------------------------------------------------

LINKS = f"""<main><p>{BODY}</p>
<a class="x" href="/terms?utm_source=mail&amp;lang=en&amp;fbclid=abc&amp;session=42#top">Terms</a>
<img class="x" src="/logo.png?gclid=1&amp;v=3" alt=""></main>"""


# The Markdown keeps no URL: a selector on the URLs shows what the filters left of them.


def test_tracking_parameters_are_always_stripped_from_urls() -> None:
    cleaned = 'main:has(a[href="/terms?lang=en&session=42#top"]):has(img[src="/logo.png?v=3"])'
    assert markdown(LINKS, select=cleaned) == f"{BODY}\n\nTerms\n"
    for tracking in ('[href*="utm_"]', '[href*="fbclid"]', '[src*="gclid"]'):
        with pytest.raises(ExtractError, match="matches nothing"):
            markdown(LINKS, select=tracking)


def test_remove_query_params_strips_the_listed_parameters() -> None:
    link = 'main:has(a[href="/terms?lang=en#top"])'
    both = [{"removeQueryParams": ["session", "v"]}]
    assert markdown(LINKS, select=f'{link}:has(img[src="/logo.png"])', filter=both) == (
        f"{BODY}\n\nTerms\n"
    )
    one = [{"removeQueryParams": "session"}]  # a single name may be given as a string
    assert markdown(LINKS, select=f'{link}:has(img[src="/logo.png?v=3"])', filter=one) == (
        f"{BODY}\n\nTerms\n"
    )


def test_javascript_filters_are_returned_as_unsupported_not_run() -> None:
    found = extract_page(
        PAGE,
        page(select="main", filter=["cleanUrls", {"removeQueryParams": ["a"]}, {"mystery": 1}]),
    )
    assert found.unsupported_filters == ["cleanUrls", "mystery"]
    assert found.markdown == markdown(select="main")


def test_remove_query_params_needs_parameter_names() -> None:
    with pytest.raises(ExtractError, match="removeQueryParams takes parameter names"):
        extract_page(PAGE, page(filter=[{"removeQueryParams": [1, 2]}]))


# --- stability ----------------------------------------------------------------------------------


def test_the_same_page_extracts_to_the_same_bytes() -> None:
    first = markdown(select="main", remove="#share").encode()
    assert markdown(select="main", remove="#share").encode() == first
    assert extract_page(PAGE.encode(), page(select="main", remove="#share")).markdown == (
        first.decode()
    )


def test_attribute_order_and_source_whitespace_do_not_change_the_text() -> None:
    variant = (
        PAGE.replace('<main class="legal">', "<main\n   class='legal'  data-build=\"7\" >")
        .replace('<li id="rule-a">', "<li\tid='rule-a' class=\"item\">\n      ")
        .replace("</li>", "\n</li>")
        .replace("<p>", "<p>\n\n   ")
        .replace("\n  <", "\n\n\t\t<")
        .replace('<a href="/">Home</a>', '<a data-x="1" href="/?utm_campaign=spring">Home\n</a>')
    )
    assert markdown(variant) == markdown(PAGE)
    assert markdown(variant, select="main") == markdown(PAGE, select="main")


# --- decoding -----------------------------------------------------------------------------------

ACCENTED = f"<html><body><main><p>Café « conditions » — {BODY} ‘quoted’ Übersicht</p></main>"


def test_bytes_use_the_charset_declared_by_the_content_type() -> None:
    found = extract_page(ACCENTED.encode("cp1252"), page(select="main"), charset="windows-1252")
    assert found.encoding == "cp1252"
    assert found.markdown.startswith("Café « conditions » —")


def test_iso_8859_1_is_read_as_windows_1252_like_browsers_do() -> None:
    found = extract_page(ACCENTED.encode("cp1252"), page(select="main"), charset="ISO-8859-1")
    assert "‘quoted’" in found.markdown


def test_a_meta_charset_is_used_when_the_header_declares_none() -> None:
    html = '<meta charset="shift_jis"><main><p>本規約は当社のサービスの利用条件を定めます。'
    text, encoding = decode_html((html * 12).encode("shift_jis"))
    assert encoding == "shift_jis" and "利用条件" in text


def test_a_wrong_declaration_falls_through_to_one_the_bytes_are_valid_in() -> None:
    html = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">' + ACCENTED
    text, encoding = decode_html(html.encode("cp1252"), "utf-8")
    assert encoding == "cp1252" and "Übersicht" in text


def test_an_unknown_declared_charset_is_ignored() -> None:
    assert decode_html(ACCENTED.encode(), "x-no-such-charset") == (ACCENTED, "utf-8")


def test_a_byte_order_mark_wins_over_the_header() -> None:
    text, encoding = decode_html(ACCENTED.encode("utf-16"), "iso-8859-1")
    assert text == ACCENTED and encoding.startswith("utf-16")


@pytest.mark.parametrize(
    ("html", "language_text"),
    [
        (ACCENTED.encode("cp1252"), "Übersicht"),
        (
            ("<p>Пользовательское соглашение: вы принимаете условия.</p>" * 8).encode("koi8-r"),
            "соглашение",
        ),
        (("<p>本規約は当社のサービスの利用条件を定めます。</p>" * 8).encode("euc-jp"), "利用条件"),
    ],
)
def test_undeclared_charsets_are_detected(html: bytes, language_text: str) -> None:
    assert language_text in decode_html(html)[0]


def test_binary_data_is_an_error() -> None:
    with pytest.raises(ExtractError, match="binary data"):
        extract_page(b"%PDF-1.7\n\x00\x01\x02 stream\x00" * 50, page())


def test_bytes_valid_in_no_charset_are_an_error_naming_what_was_tried() -> None:
    with pytest.raises(ExtractError, match=r"cannot decode the page: .*utf-8.*cp1252"):
        extract_page(bytes(range(128, 256)) * 8, page())


def test_a_snapshot_is_decoded_with_its_content_type_charset() -> None:
    found = extract_snapshot(
        snapshot(ACCENTED.encode("cp1252"), "text/html; charset=cp1252"), page(select="main")
    )
    assert found.encoding == "cp1252" and "Café" in found.markdown


def test_a_snapshot_that_is_not_html_is_an_error() -> None:
    with pytest.raises(ExtractError, match="not HTML but application/pdf"):
        extract_snapshot(snapshot(b"%PDF-1.7", "application/pdf"), page())


def snapshot(content: bytes, content_type: str) -> Snapshot:
    return Snapshot(
        url="https://example.test/terms",
        final_url="https://example.test/terms",
        status=200,
        headers={"content-type": content_type},
        content=content,
        fetched_at=datetime(2024, 3, 1, tzinfo=UTC).isoformat(),
    )


# --- pages that are not the document ------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "quoted"),
    [
        ("<title>404 Not Found</title><h1>Not Found</h1>", "404 Not Found"),
        (
            "<title>Example</title><main><h1>Page not found</h1><p>Go home.</p></main>",
            "Page not found",
        ),
        ("<title>Service Unavailable - DNS failure</title>", "Service Unavailable"),
        (
            "<title>Access Denied</title><h1>Access Denied</h1>You don't have permission.",
            "Access Denied",
        ),
        (f"<title>Error 503</title><p>{BODY}</p>", "Error 503"),
    ],
)
def test_an_http_error_page_is_an_error_quoting_it(html: str, quoted: str) -> None:
    with pytest.raises(
        ExtractError, match=f"error page: its <(title|h1)> says “{quoted}"
    ) as caught:
        extract_page(html, page(select="main", executeClientScripts=True))
    assert not isinstance(caught.value, NeedsJavaScript)


def test_a_document_whose_title_mentions_errors_is_not_an_error_page() -> None:
    html = f"<title>Errors and Omissions Policy 2024</title><h1>Error reports</h1><p>{BODY}</p>"
    assert markdown(html).startswith("# Error reports")


@pytest.mark.parametrize(
    "title", ["Error 404 Studios Terms of Service", "Http500 Inc. — Terms", "HTTP 503 Labs"]
)
def test_a_vendor_named_like_a_status_code_is_not_an_error_page(title: str) -> None:
    html = f"<title>{title}</title><h1>{title}</h1><p>{BODY}</p>"
    assert markdown(html).startswith(f"# {title}")


def test_a_page_mostly_empty_after_extraction_is_an_error() -> None:
    with pytest.raises(
        ExtractError, match=rf"mostly empty .*: 54 letters .*at least {MIN_LETTERS}"
    ):
        markdown(select="#rules")


def test_an_empty_script_rendered_page_says_it_needs_javascript() -> None:
    shell = '<html><body><div id="root"></div><script src="/app.js"></script></body></html>'
    for fields in ({"select": "main"}, {"select": "#root"}, {}):
        with pytest.raises(NeedsJavaScript, match=r"needs JavaScript rendering .*out of scope"):
            extract_page(shell, page(executeClientScripts=True, **fields))
    with pytest.raises(ExtractError) as caught:
        extract_page(shell, page(select="main"))
    assert not isinstance(caught.value, NeedsJavaScript)


def test_a_script_rendered_page_that_has_its_content_extracts() -> None:
    assert markdown(select="main", executeClientScripts=True) == markdown(select="main")


# --- combine ------------------------------------------------------------------------------------


def test_combine_joins_pages_in_order_with_a_blank_line() -> None:
    assert combine(["# One\n\nFirst.\n", "# Two\n", "Third.\n"]) == (
        "# One\n\nFirst.\n\n# Two\n\nThird.\n"
    )
    with pytest.raises(ExtractError, match="no page to combine"):
        combine([])


@settings(max_examples=60, deadline=None)
@given(
    st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)),
    st.sampled_from([None, "utf-8", "latin-1", "shift_jis", "bogus"]),
)
def test_arbitrary_bytes_give_the_same_result_or_an_extract_error(
    data: bytes, charset: str | None
) -> None:
    declared = page(select=["main", RangeSelector(startBefore="p", endAfter="p")])
    html = b"<main><p>" + data + BODY.encode() + b"</p>" + data + b"</main>"
    try:
        first = extract_page(html, declared, charset=charset)
    except ExtractError as error:
        with pytest.raises(ExtractError, match=re.escape(str(error))):
            extract_page(html, declared, charset=charset)
        return
    assert extract_page(html, declared, charset=charset) == first
