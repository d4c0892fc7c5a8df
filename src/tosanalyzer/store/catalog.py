"""The services and documents every other table of the store hangs off.

Both are known by slug, so "Hugging Face" and hugging-face name one service on the command line
and in a declaration alike; a declaration updates its rows in place and nothing is deleted, so a
document no longer declared keeps its history.
"""

from __future__ import annotations

import json

from pydantic import BaseModel, Field

from tosanalyzer.models import (
    GUARD_OPENER,
    OPEN_THE_GUARD,
    DocumentDeclaration,
    ServiceDeclaration,
    slugify,
)
from tosanalyzer.store.connection import Connected, StoreError


class StoredService(BaseModel):
    id: int
    name: str
    slug: str
    declaration: ServiceDeclaration | None = None
    declaration_error: str | None = Field(
        default=None, description="Why its documents must not be fetched as stored."
    )


class StoredDocument(BaseModel):
    id: int
    service: str
    service_slug: str
    name: str
    slug: str
    declaration: DocumentDeclaration | None = None


class Catalog(Connected):
    """The services and documents of a store, and the lookups the other tables start from."""

    def upsert_service(self, declaration: ServiceDeclaration) -> StoredService:
        """Add a service and its documents, or update their declarations (matched by slug).

        Documents no longer declared stay, with their history: nothing is deleted.
        """
        with self._transaction():
            service_id = self._put_service(declaration.name, declaration.model_dump_json())
            for name, document in declaration.terms.items():
                self._put_document(service_id, name, document.model_dump_json())
        found = self.find_service(declaration.name)
        assert found is not None
        return found

    def ensure_document(self, service: str, document: str) -> StoredDocument:
        """The document, created (with its service) without a declaration if it is not known.

        For histories imported from elsewhere, whose services are named but not declared. Known
        services and documents are found as ``find_document`` finds them, and left as they are.
        """
        with self._transaction():
            service_id = self._put_service(service, None)
            self._put_document(service_id, document, None)
        found = self.find_document(service, document)
        assert found is not None
        return found

    def list_services(self) -> list[StoredService]:
        rows = self._db.execute("SELECT id, name, slug, declaration FROM services ORDER BY slug")
        return [_service(row) for row in rows]

    def list_documents(self, service: str | None = None) -> list[StoredDocument]:
        """Every document, or those of one service (named by name or slug)."""
        if service is None:
            rows = self._db.execute(f"{_DOCUMENTS} ORDER BY s.slug, d.slug")
        else:
            service_id = self._service_id(service)
            rows = self._db.execute(f"{_DOCUMENTS} WHERE s.id = ? ORDER BY d.slug", (service_id,))
        return [_document(row) for row in rows]

    def find_service(self, query: str) -> StoredService | None:
        """The service named ``query`` (name or slug, any case: "Hugging Face" = hugging-face)."""
        row = self._db.execute(
            "SELECT id, name, slug, declaration FROM services WHERE slug = ?", (slugify(query),)
        ).fetchone()
        return None if row is None else _service(row)

    def find_document(self, service: str, document: str) -> StoredDocument | None:
        """The document named (by name or slug, ignoring case) in the service named likewise."""
        row = self._db.execute(
            f"{_DOCUMENTS} WHERE s.slug = ? AND d.slug = ?", (slugify(service), slugify(document))
        ).fetchone()
        return None if row is None else _document(row)

    def _put_service(self, name: str, declaration: str | None) -> int:
        row = self._db.execute(
            "SELECT id, name FROM services WHERE slug = ?", (slugify(name),)
        ).fetchone()
        if row is None:
            return self._insert("services", name=name, slug=_slug(name), declaration=declaration)
        service_id, stored_name = row
        if declaration is not None:
            _same_name("service", stored_name, name)
            self._db.execute(
                "UPDATE services SET name = ?, declaration = ? WHERE id = ?",
                (name, declaration, service_id),
            )
        return int(service_id)

    def _put_document(self, service_id: int, name: str, declaration: str | None) -> None:
        row = self._db.execute(
            "SELECT id, name FROM documents WHERE service_id = ? AND slug = ?",
            (service_id, slugify(name)),
        ).fetchone()
        if row is None:
            self._insert(
                "documents",
                service_id=service_id,
                name=name,
                slug=_slug(name),
                declaration=declaration,
            )
            return
        document_id, stored_name = row
        if declaration is not None:
            _same_name("document", stored_name, name)
            self._db.execute(
                "UPDATE documents SET name = ?, declaration = ? WHERE id = ?",
                (name, declaration, document_id),
            )

    def _service_id(self, service: str) -> int:
        """The service's id, or an error naming the services there are."""
        found = self.find_service(service)
        if found is None:
            known = ", ".join(s.name for s in self.list_services()) or "none yet"
            raise StoreError(f"no service '{service}' in the store (known: {known})")
        return found.id

    def _document_id(self, service: str, document: str) -> int:
        """The document's id, or an error naming the service's documents (or its services)."""
        self._service_id(service)
        found = self.find_document(service, document)
        if found is None:
            known = ", ".join(d.name for d in self.list_documents(service)) or "none"
            raise StoreError(f"service '{service}' has no document '{document}' (it has: {known})")
        return found.id


_DOCUMENTS = (
    "SELECT d.id, s.name, s.slug, d.name, d.slug, d.declaration"
    " FROM documents d JOIN services s ON s.id = d.service_id"
)


def _slug(name: str) -> str:
    slug = slugify(name)
    if not slug:
        raise StoreError(f"'{name}' has no letters or digits to name it by")
    return slug


def _same_name(what: str, stored: str, given: str) -> None:
    """Before a declaration replaces another: names that differ only in case are one thing
    renamed, other names merely share a slug and must not overwrite each other."""
    if stored.casefold() != given.casefold():
        raise StoreError(
            f"{what} '{given}' has the same slug '{slugify(given)}' as the stored {what}"
            f" '{stored}': rename one of them"
        )


def _service(row: tuple[int, str, str, str | None]) -> StoredService:
    service_id, name, slug, declaration = row
    if declaration is None:
        return StoredService(id=service_id, name=name, slug=slug)
    data = json.loads(declaration)
    error = None
    # Older versions stored the field in every declaration, mostly false (which meant nothing);
    # a true one must neither open the guard nor be dropped without a word.
    if data.pop(GUARD_OPENER, False):
        error = (
            f"its stored declaration sets '{GUARD_OPENER}', which no longer opens the"
            f" private-address guard: add the declaration again without it (tosanalyzer track"
            f" add FILE) and allow the address with {OPEN_THE_GUARD}"
        )
    parsed = ServiceDeclaration.model_validate(data)
    return StoredService(
        id=service_id, name=name, slug=slug, declaration=parsed, declaration_error=error
    )


def _document(row: tuple[int, str, str, str, str, str | None]) -> StoredDocument:
    document_id, service, service_slug, name, slug, declaration = row
    parsed = None if declaration is None else DocumentDeclaration.model_validate_json(declaration)
    return StoredDocument(
        id=document_id,
        service=service,
        service_slug=service_slug,
        name=name,
        slug=slug,
        declaration=parsed,
    )
