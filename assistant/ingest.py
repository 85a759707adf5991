"""Bring the vector store in line with `knowledge/`: load, validate, cut into documents, sync."""

from __future__ import annotations

from dataclasses import dataclass

from .embeddings import make_embedder
from .indexing import knowledge_documents
from .knowledge import Knowledge, load_knowledge
from .settings import Settings
from .store import Store, SyncReport


@dataclass(frozen=True)
class IngestResult:
    knowledge: Knowledge
    documents: int
    sync: SyncReport
    store_status: dict


def open_store(settings: Settings) -> Store:
    return Store(settings, make_embedder(settings))


def ingest(
    settings: Settings, progress: bool | None = None, store: Store | None = None, on_progress=None
) -> IngestResult:
    """Files with errors are skipped (and reported in the result); everything else is indexed."""
    knowledge = load_knowledge(settings.knowledge_dir)
    documents = knowledge_documents(knowledge, settings.chunk_tokens, settings.chunk_overlap_tokens)
    store = store or open_store(settings)
    report = store.sync(documents, progress=progress, on_progress=on_progress)
    return IngestResult(knowledge, len(documents), report, store.status())
