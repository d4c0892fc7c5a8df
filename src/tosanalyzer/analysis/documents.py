"""Read a document from a local file, or say in one line why it cannot be read.

People point the analyser at whatever they saved: a Markdown export, a text file pasted from a
browser, a page saved as HTML. Every way that goes wrong (a typo in the path, a PDF, a file in
a legacy encoding) must end in a message they can act on, never in a traceback or — worse — in
an analysis of garbage. The text comes back exactly as written, apart from newlines (CRLF and CR
become LF) and control characters (dropped, see ``controlchars``), because clause offsets point
into it. HTML comes back raw: turning it into Markdown is `extract`'s job, and the composer
chains the two (stages never import each other).
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from tosanalyzer.models import DocumentFormat, SourceText, strip_controls

_FORMATS: dict[str, DocumentFormat] = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
}
_SNIFF_BYTES = 8192
# <meta charset="x"> and <meta http-equiv="Content-Type" content="text/html; charset=x">
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class SourceError(Exception):
    """A document that cannot be read; the message is one line, fit to show as it is."""


def read_source(path: Path) -> SourceText:
    """Read a .txt, .md/.markdown or .html/.htm file (HTML is returned raw, not extracted)."""
    document_format = _format_of(path)
    data = _read_bytes(path)
    text = _decode(path, data, document_format)
    text = strip_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise SourceError(f"{path}: the document is empty")
    return SourceText(source=str(path), format=document_format, text=text)


def _format_of(path: Path) -> DocumentFormat:
    suffix = path.suffix.lower()
    if suffix not in _FORMATS:
        supported = ", ".join(sorted(_FORMATS))
        found = f"'{path.suffix}'" if path.suffix else "no extension"
        raise SourceError(f"{path}: unsupported file type ({found}); supported: {supported}")
    return _FORMATS[suffix]


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise SourceError(f"{path}: no such file")
    if path.is_dir():
        raise SourceError(f"{path}: is a directory, not a document")
    try:
        return path.read_bytes()
    except OSError as error:
        raise SourceError(f"{path}: cannot be read ({error.strerror or error})") from error


def _decode(path: Path, data: bytes, document_format: DocumentFormat) -> str:
    if data.startswith(_UTF16_BOMS):  # what Windows editors call "Unicode"
        return _decode_as(path, data, "utf-16")
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise SourceError(f"{path}: looks like a binary file, not {document_format} text")
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as error:
        declared = _declared_charset(data) if document_format == "html" else None
        if declared is None:
            offset = bom + error.start
            raise SourceError(
                f"{path}: not valid UTF-8 (byte 0x{data[offset]:02x} at offset {offset}); "
                "save it as UTF-8"
            ) from error
        return _decode_as(path, data, declared)


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data, 0, _SNIFF_BYTES)
    return match.group(1).decode("ascii") if match else None


def _decode_as(path: Path, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except LookupError as error:
        raise SourceError(f"{path}: declares an unknown character set '{encoding}'") from error
    except UnicodeDecodeError as error:
        raise SourceError(
            f"{path}: not valid {encoding} (byte 0x{data[error.start]:02x} at offset {error.start})"
        ) from error
