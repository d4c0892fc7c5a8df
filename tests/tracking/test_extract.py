"""HTML → stable Markdown: structure kept, noise and URLs gone, same bytes every time."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tosanalyzer.tracking.extract import ExtractError, html_to_markdown, parse_html, tag_to_markdown

PAGE = """<!DOCTYPE html>
<html>
<head><title>Page title in the tab</title><meta charset="utf-8">
<style>body { color: red; }</style></head>
<body>
<nav><a href="/home?utm_source=newsletter&amp;fbclid=abc123">Home</a></nav>
<main>
<h1>Terms&nbsp;of   Service</h1>
<p>&nbsp;Please read <a href="https://example.test/terms?utm_campaign=spring">these terms</a>
   carefully. <img src="https://cdn.example.test/logo.png?ref=tracker" alt="Logo"></p>
<h2>1. Your account</h2>
<ul><li>Keep your password safe.</li><li>Tell us about misuse.<ul><li>By e-mail.</li></ul></li></ul>
<ol><li>First step.</li><li>Second step.</li></ol>
<table><tr><th>Plan</th><th>Fee</th></tr><tr><td>Basic</td><td>$5</td></tr></table>
<p>&nbsp;</p><p></p>


<p>Contact us at support_team@example.test for *help*.</p>
</main>
<noscript>Please enable JavaScript.</noscript>
<template><p>Hidden template text</p></template>
<svg><text>Vector label</text></svg>
<iframe src="https://ads.example.test/">Frame fallback</iframe>
<script>window.track("page_view");</script>
<!-- a comment&nbsp;that must stay hidden -->
</body></html>
"""

EXPECTED = """Home

# Terms of Service

Please read these terms carefully.

## 1. Your account

- Keep your password safe.
- Tell us about misuse.
  - By e-mail.

1. First step.
2. Second step.

| Plan | Fee |
| --- | --- |
| Basic | $5 |

Contact us at support_team@example.test for *help*.
"""


def test_page_becomes_expected_markdown() -> None:
    assert html_to_markdown(PAGE) == EXPECTED


def test_no_url_or_tracking_parameter_leaks() -> None:
    markdown = html_to_markdown(PAGE)
    for fragment in ("http", "utm_", "fbclid", "logo.png", "](", "!["):
        assert fragment not in markdown


def test_invisible_elements_are_dropped() -> None:
    markdown = html_to_markdown(PAGE)
    for hidden in (
        "Page title",
        "color: red",
        "JavaScript",
        "Hidden template",
        "Vector label",
        "Frame fallback",
        "page_view",
        "comment",
    ):
        assert hidden not in markdown


def test_whitespace_is_normalised() -> None:
    markdown = html_to_markdown(PAGE)
    assert "\u00a0" not in markdown
    assert "\n\n\n" not in markdown
    assert markdown.endswith(".\n") and not markdown.endswith("\n\n")
    assert all(line == line.rstrip() for line in markdown.split("\n"))
    assert all("  " not in line.lstrip(" ") for line in markdown.split("\n"))


def test_bytes_are_decoded_using_the_declared_charset() -> None:
    html = '<meta charset="windows-1252"><p>Caf\u00e9 \u201cterms\u201d</p>'.encode("cp1252")
    assert html_to_markdown(html) == "Caf\u00e9 \u201cterms\u201d\n"


def test_line_breaks_keep_lines_without_trailing_spaces() -> None:
    assert html_to_markdown("<p>First line<br>second line</p>") == "First line\nsecond line\n"


def test_a_selected_subtree_converts_on_its_own() -> None:
    soup = parse_html(PAGE)
    main = soup.find("main")
    assert main is not None
    assert tag_to_markdown(main) == EXPECTED.removeprefix("Home\n\n")


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n\t ",
        "<html><head><title>Only a title</title></head><body></body></html>",
        "<script>alert('hi')</script><style>p {}</style>",
        '<img src="a.png" alt="a picture"><hr><p>&nbsp;</p>',
        "<table><tr><td></td></tr></table>",
    ],
)
def test_page_without_text_is_an_error(html: str) -> None:
    with pytest.raises(ExtractError, match="no text"):
        html_to_markdown(html)


def test_absurdly_deep_nesting_is_an_extract_error() -> None:
    with pytest.raises(ExtractError, match="nested too deeply"):
        html_to_markdown("<div>" * 5000 + "deep" + "</div>" * 5000)


HTML_PIECES = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<h2>",
        "</h2>",
        "<ul><li>",
        "</li>",
        "<ol>",
        "<table><tr><td>",
        "<br>",
        "<a href='http://t.test/?utm_x=1'>",
        "</a>",
        "<script>",
        "&nbsp;",
        "&amp;",
        "<!--",
        "-->",
        "\u00a0",
        "  ",
        "\n",
        "*",
        "_",
        "#",
        "|",
        "-",
        "1.",
    ]
)
HTML_LIKE = st.lists(st.one_of(st.text(max_size=20), HTML_PIECES), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(HTML_LIKE)
def test_arbitrary_text_gives_stable_markdown_or_extract_error(html: str) -> None:
    try:
        first = html_to_markdown(html)
    except ExtractError:
        with pytest.raises(ExtractError):
            html_to_markdown(html)
        return
    assert html_to_markdown(html) == first
    assert first.endswith("\n") and not first.endswith("\n\n")
    assert "\n\n\n" not in first
    assert "\u00a0" not in first


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    with contextlib.suppress(ExtractError):
        assert html_to_markdown(data) == html_to_markdown(data)
