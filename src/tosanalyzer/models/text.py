"""Control characters: removed from every text that comes from outside, and from what is printed.

A vendor's page, a saved file or a declaration can carry terminal control sequences (ESC and
the C1 controls such as CSI U+009B start them): printed as they are, they clear the reader's
screen, retitle the window or plant a hyperlink that points elsewhere than it says. Rich's markup
escaping does not touch them. Terms are never written with them, so they are dropped where text
enters the tool (extraction, local files, declarations, fetch and suspect reasons), and dropped
again wherever text is printed, because a store recorded before may still hold them.

Newline and tab are text. CR is not kept: a file's CRLF and CR line ends are turned into newlines
before this runs (``sources``, and lxml for HTML), so a CR left over only moves the cursor.
Invisible format characters (soft hyphen, zero-width space and joiners, BOM) are not controls in
this sense and stay: they are part of the recorded text.
"""

from __future__ import annotations

import re

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""C0 but newline and tab, DEL, and C1 (U+0080–U+009F)."""


def strip_controls(text: str) -> str:
    """``text`` without its control characters (newlines and tabs kept)."""
    return _CONTROLS.sub("", text)
