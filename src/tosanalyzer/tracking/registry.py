"""The tracked services as people name them: declare, list, fetch, look up a recorded version.

People name a service by its name or its slug and a version by its id or the day it was
recorded; every lookup here turns a name the store does not know into one ``StoreError`` that
says what it does know, so each face reports a typo the same way. Each function opens the store
only for as long as it reads or writes it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tosanalyzer.base import Settings, corpora_dir, load_settings
from tosanalyzer.models import DocumentHistory, TrackedDocument, TrackedService, VersionInfo
from tosanalyzer.store import Store, StoredService, StoreError
from tosanalyzer.tracking.declarations import (
    OtaImport,
    load_declaration,
    scan_ota_folder,
    unsupported_features,
    unsupported_filters,
)
from tosanalyzer.tracking.fetch import FetchSettings
from tosanalyzer.tracking.tracker import (
    DocumentFetch,
    LoadedHistory,
    fetch_documents,
    load_histories,
)

StoredText = tuple[VersionInfo, str]
"""A recorded version with its text, as the comparisons read it."""


def service_named(store: Store, name_or_slug: str) -> StoredService:
    found = store.find_service(name_or_slug)
    if found is None:
        known = ", ".join(s.name for s in store.list_services()) or "none yet"
        raise StoreError(f"no tracked service '{name_or_slug}' (tracked: {known})")
    return found


def tracked_service(store: Store, service: str) -> TrackedService:
    """A service as the faces list it, with what of its declaration is not run here."""
    found = service_named(store, service)
    filters = unsupported_filters(found.declaration) if found.declaration else {}
    features = unsupported_features(found.declaration) if found.declaration else {}
    documents = [
        TrackedDocument(
            name=document.name,
            slug=document.slug,
            pages=len(document.declaration.pages()) if document.declaration else 0,
            versions=len(store.versions(found.name, document.name)),
            notes=[
                *(f"JavaScript filter not run here: {f}" for f in filters.get(document.name, [])),
                *(f"not supported here: {f}" for f in features.get(document.name, [])),
            ],
        )
        for document in store.list_documents(found.name)
    ]
    return TrackedService(name=found.name, slug=found.slug, documents=documents)


def track_declarations(db: Path | None, paths: list[Path]) -> list[TrackedService]:
    """Declare services from declaration files (all are checked before any is stored)."""
    declarations = [load_declaration(path) for path in paths]
    with Store.open(db, create=True) as store:
        for declaration in declarations:
            store.upsert_service(declaration)
        return [tracked_service(store, d.name) for d in declarations]


def import_ota_folder(db: Path | None, folder: Path) -> tuple[OtaImport, list[TrackedService]]:
    """Declare every service of an Open Terms Archive declarations folder that imports."""
    scan = scan_ota_folder(folder)
    with Store.open(db, create=True) as store:
        for declaration in scan.declarations:
            store.upsert_service(declaration)
        return scan, [tracked_service(store, d.name) for d in scan.declarations]


def tracked_services(db: Path | None) -> list[TrackedService]:
    with Store.open(db, create=False) as store:
        return [tracked_service(store, service.name) for service in store.list_services()]


def fetch_tracked(
    db: Path | None,
    services: list[str],
    given: FetchSettings | None,
    allow_private: bool,
    on_done: Callable[[DocumentFetch], None] | None = None,
) -> list[DocumentFetch]:
    """Fetch the documents of ``services`` (all tracked ones when empty) and record them."""
    with Store.open(db, create=True) as store:
        documents = [
            document
            for service in (services or [s.name for s in store.list_services()])
            for document in store.list_documents(service_named(store, service).name)
        ]
        settings = fetch_settings(given, allow_private)
        return fetch_documents(store, documents, settings, on_done=on_done)


def fetch_settings(
    given: FetchSettings | None, allow_private: bool, settings: Settings | None = None
) -> FetchSettings:
    """The fetcher's settings: the ``given`` ones, the settings file for the fields they left
    unset (networks to allow, time limits), and ``--allow-private``. Only the person running
    the tool opens the address guard, so no declaration takes part."""
    settings = settings or load_settings()
    given = given or FetchSettings()
    from_file = {
        "allowed_networks": tuple(settings.allow_networks),
        "document_deadline": settings.fetch_document_deadline,
        "run_budget": settings.fetch_run_budget,
    }
    update: dict[str, object] = {
        key: value
        for key, value in from_file.items()
        if value is not None and key not in given.model_fields_set
    }
    if allow_private:
        update["allow_private"] = True
    return given.model_copy(update=update)


def document_histories(
    db: Path | None, service: str, document: str | None = None
) -> list[DocumentHistory]:
    with Store.open(db, create=False) as store:
        name = service_named(store, service).name
        documents = [d.name for d in store.list_documents(name)]
        if document is not None:
            found = store.find_document(name, document)
            if found is None:
                raise StoreError(
                    f"{name} has no document '{document}' (it has: {', '.join(documents)})"
                )
            documents = [found.name]
        return [
            DocumentHistory(
                service=name,
                document=doc,
                versions=store.versions(name, doc),
                recent_failures=store.recent_failures(name, doc),
            )
            for doc in documents
        ]


def load_versions(db: Path | None, folder: Path) -> list[LoadedHistory]:
    """Replay version histories recorded by Open Terms Archive into the store."""
    with Store.open(db, create=True) as store:
        return load_histories(store, folder)


def load_demo(db: Path | None) -> str:
    """Load the bundled fictional vendor into the store; return its name.

    Loading again is harmless: documents that already have versions are left as they are.
    """
    return load_versions(db, corpora_dir() / "demo")[0].service


def stored_version(store: Store, service: str, document: str, version_id: int) -> VersionInfo:
    found = next((v for v in store.versions(service, document) if v.id == version_id), None)
    if found is None:
        raise StoreError(f"no version {version_id} of {service} / {document}")
    return found


def version_pair(
    db: Path | None, service: str, document: str, old: str | None, new: str | None
) -> tuple[str, str, StoredText, StoredText]:
    """Service and document names, and two versions with their texts: ``old`` and ``new`` by
    id or date prefix, by default the last two."""
    with Store.open(db, create=False) as store:
        name = service_named(store, service).name
        found = store.find_document(name, document)
        if found is None:
            raise StoreError(f"{name} has no document '{document}'")
        versions = store.versions(name, found.name)
        if len(versions) < 2 and (old is None or new is None):
            raise StoreError(f"{name} / {found.name} has fewer than two versions to compare")
        before = _pick_version(versions, old) if old else versions[-2]
        after = _pick_version(versions, new) if new else versions[-1]
        texts = (store.version_text(before.id), store.version_text(after.id))
    return name, found.name, (before, texts[0]), (after, texts[1])


def _pick_version(versions: list[VersionInfo], wanted: str) -> VersionInfo:
    """A version by id ("42") or by the date it was recorded ("2024-05", the latest that day)."""
    if wanted.isdigit():
        for version in versions:
            if version.id == int(wanted):
                return version
        raise StoreError(f"no version {wanted} of this document")
    dated = [v for v in versions if v.recorded_at.startswith(wanted)]
    if not dated:
        raise StoreError(f"no version of this document recorded on '{wanted}'")
    return dated[-1]
