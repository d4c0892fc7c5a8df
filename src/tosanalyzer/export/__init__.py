"""The export: tracked vendors' judgement and history as data other tools can read.

Teams want the verdicts in their own tools: a spreadsheet for the review meeting, a warehouse
table, a ticket per material change. So the export is a published contract rather than a dump of
internal objects: one pydantic model (:class:`Export`) whose JSON Schema is versioned
(``schema_version`` and ``$schema`` in every export, ``schema/export-v1.schema.json`` in the
repository, printed by ``tosanalyzer schema``), with field names that change only with a new
schema version. Three writers share it: one JSON document, JSON Lines (one document per line, for
streaming into other tools) and CSV (one finding per row, safe to open in a spreadsheet).

It composes over the diff stage: ``gather`` reads the history from the store and asks a judge
(the review of stored versions, handed in by the library) for the judgement and the clause
diffs; ``contract`` copies what it publishes into models of its own, so its field names stay
ours even if the diff's internal models change. Import from here; the modules behind this face
may move.
"""

from __future__ import annotations

from tosanalyzer.export.contract import (
    CSV_COLUMNS,
    DEFAULT_HISTORY_PAIRS,
    JSON_SCHEMA_DIALECT,
    SCHEMA_FILE,
    SCHEMA_ID,
    SCHEMA_VERSION,
    AttributeChange,
    ClauseCounts,
    DocumentExport,
    Export,
    ExportFinding,
    ExportFormat,
    FindingChange,
    JudgedVersion,
    SchemaId,
    SchemaVersion,
    VendorExport,
    VersionChange,
    build_export,
    document_export,
    export_schema,
    schema_json,
    version_change,
    write,
    write_csv,
    write_json,
    write_jsonl,
)
from tosanalyzer.export.gather import Judge, gather_export

__all__ = [
    "CSV_COLUMNS",
    "DEFAULT_HISTORY_PAIRS",
    "JSON_SCHEMA_DIALECT",
    "SCHEMA_FILE",
    "SCHEMA_ID",
    "SCHEMA_VERSION",
    "AttributeChange",
    "ClauseCounts",
    "DocumentExport",
    "Export",
    "ExportFinding",
    "ExportFormat",
    "FindingChange",
    "Judge",
    "JudgedVersion",
    "SchemaId",
    "SchemaVersion",
    "VendorExport",
    "VersionChange",
    "build_export",
    "document_export",
    "export_schema",
    "gather_export",
    "schema_json",
    "version_change",
    "write",
    "write_csv",
    "write_json",
    "write_jsonl",
]
