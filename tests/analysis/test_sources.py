"""Reading local documents: text exactly as written, or one clear line saying why not."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from tosanalyzer.analysis.documents import SourceError, read_source
from tosanalyzer.models import SourceText

TERMS = "# Terms\n\nYou agree to these terms.\n\n- Be kind.\n- Café rules apply\u00a0here.\n"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "expected_format"),
    [
        ("terms.txt", "txt"),
        ("terms.md", "md"),
        ("terms.markdown", "md"),
        ("TERMS.MD", "md"),
        ("terms.html", "html"),
        ("terms.htm", "html"),
    ],
)
def test_supported_files_are_read_exactly(tmp_path: Path, name: str, expected_format: str) -> None:
    path = write(tmp_path, name, TERMS.encode())
    assert read_source(path) == SourceText(source=str(path), format=expected_format, text=TERMS)


def test_html_is_returned_raw(tmp_path: Path) -> None:
    html = '<html><body><h1>Terms</h1><p><a href="/x?utm_source=y">Link</a></p></body></html>\n'
    source = read_source(write(tmp_path, "page.html", html.encode()))
    assert source.format == "html"
    assert source.text == html


def test_newlines_are_normalised_and_nothing_else(tmp_path: Path) -> None:
    path = write(tmp_path, "t.txt", b"  Line one  \r\nLine two\rLine three\n\n\tEnd \t")
    assert read_source(path).text == "  Line one  \nLine two\nLine three\n\n\tEnd \t"


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    path = write(tmp_path, "t.md", codecs.BOM_UTF8 + "# Titre\n\nÉté\n".encode())
    assert read_source(path).text == "# Titre\n\nÉté\n"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_read(tmp_path: Path, encoding: str) -> None:
    bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
    path = write(tmp_path, "t.txt", bom + "Terms\r\nof use 規約\r\n".encode(encoding))
    assert read_source(path).text == "Terms\nof use 規約\n"


def test_html_in_declared_legacy_charset_is_decoded(tmp_path: Path) -> None:
    html = '<html><head><meta charset="windows-1252"></head><p>Caf\u00e9 \u201cterms\u201d</p>'
    path = write(tmp_path, "legacy.html", html.encode("cp1252"))
    assert read_source(path).text == html


def test_html_with_http_equiv_charset_is_decoded(tmp_path: Path) -> None:
    html = '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS"><p>利用規約</p>'
    path = write(tmp_path, "ja.htm", html.encode("shift_jis"))
    assert read_source(path).text == html


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"nope\.md: no such file"):
        read_source(tmp_path / "nope.md")


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "docs.md"
    folder.mkdir()
    with pytest.raises(SourceError, match="is a directory"):
        read_source(folder)


@pytest.mark.parametrize(("name", "shown"), [("terms.pdf", "'.pdf'"), ("README", "no extension")])
def test_unknown_extension_names_the_supported_ones(tmp_path: Path, name: str, shown: str) -> None:
    path = write(tmp_path, name, b"text")
    with pytest.raises(SourceError) as error:
        read_source(path)
    message = str(error.value)
    assert shown in message
    for suffix in (".txt", ".md", ".markdown", ".html", ".htm"):
        assert suffix in message


def test_binary_file(tmp_path: Path) -> None:
    path = write(tmp_path, "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(SourceError, match="binary"):
        read_source(path)


def test_undecodable_text_names_the_byte_offset(tmp_path: Path) -> None:
    data = codecs.BOM_UTF8 + b"Caf" + "\u00e9 au lait".encode("latin-1")
    path = write(tmp_path, "menu.txt", data)
    with pytest.raises(SourceError, match=r"not valid UTF-8 \(byte 0xe9 at offset 6\)"):
        read_source(path)


def test_meta_charset_is_only_trusted_for_html(tmp_path: Path) -> None:
    text = '<meta charset="latin-1"> Caf\u00e9'
    path = write(tmp_path, "notes.md", text.encode("latin-1"))
    with pytest.raises(SourceError, match="byte 0xe9 at offset 28"):
        read_source(path)


def test_html_without_charset_and_bad_bytes(tmp_path: Path) -> None:
    path = write(tmp_path, "p.html", b"<p>ok</p>\xff\xfe")
    with pytest.raises(SourceError, match="offset 9"):
        read_source(path)


def test_html_with_unknown_declared_charset(tmp_path: Path) -> None:
    path = write(tmp_path, "p.html", b'<meta charset="klingon-8"><p>caf\xe9</p>')
    with pytest.raises(SourceError, match="unknown character set 'klingon-8'"):
        read_source(path)


@pytest.mark.parametrize("data", [b"", b"  \n\r\n\t ", codecs.BOM_UTF8 + b"\n"])
def test_empty_document(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(SourceError, match="empty"):
        read_source(write(tmp_path, "empty.txt", data))


def test_messages_are_one_line(tmp_path: Path) -> None:
    cases = [tmp_path / "missing.txt", write(tmp_path, "x.doc", b"x"), write(tmp_path, "e.md", b"")]
    for path in cases:
        with pytest.raises(SourceError) as error:
            read_source(path)
        assert "\n" not in str(error.value)
        assert str(path) in str(error.value)
