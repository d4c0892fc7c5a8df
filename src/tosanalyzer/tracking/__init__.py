"""Tracking: declarations of what to track, the safe fetcher, HTML to Markdown, the check that a
text is the document and not an error page, the runs that record each document whole, and the
tracked services and versions looked up by the names people give them (``registry``).

Import from here; the modules behind this face may move. ``fetch_page`` is the fetcher's
``fetch``, named so that it does not hide the ``fetch`` module.
"""

from __future__ import annotations

from tosanalyzer.tracking.declarations import (
    DeclarationError,
    OtaImport,
    ServiceLookupError,
    load_declaration,
    scan_ota_folder,
    unsupported_features,
    unsupported_filters,
)
from tosanalyzer.tracking.extract import ExtractError, extract_snapshot, html_to_markdown
from tosanalyzer.tracking.fetch import FetchSettings, RetryPolicy
from tosanalyzer.tracking.fetch import fetch as fetch_page
from tosanalyzer.tracking.registry import (
    StoredText,
    document_histories,
    fetch_settings,
    fetch_tracked,
    import_ota_folder,
    load_demo,
    load_versions,
    service_named,
    stored_version,
    track_declarations,
    tracked_services,
    version_pair,
)
from tosanalyzer.tracking.suspect import suspect_reason
from tosanalyzer.tracking.tracker import (
    DocumentFetch,
    LoadedHistory,
    fetch_documents,
    load_histories,
)

__all__ = [
    "DeclarationError",
    "DocumentFetch",
    "ExtractError",
    "FetchSettings",
    "LoadedHistory",
    "OtaImport",
    "RetryPolicy",
    "ServiceLookupError",
    "StoredText",
    "document_histories",
    "extract_snapshot",
    "fetch_documents",
    "fetch_page",
    "fetch_settings",
    "fetch_tracked",
    "html_to_markdown",
    "import_ota_folder",
    "load_declaration",
    "load_demo",
    "load_histories",
    "load_versions",
    "scan_ota_folder",
    "service_named",
    "stored_version",
    "suspect_reason",
    "track_declarations",
    "tracked_services",
    "unsupported_features",
    "unsupported_filters",
    "version_pair",
]
