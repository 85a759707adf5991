"""Bring the vector store in line with `knowledge/`: load, validate, cut into documents, sync."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .embeddings import make_embedder
from .indexing import knowledge_documents
from .knowledge import Knowledge, load_knowledge
from .lint import broken_examples, example_problems
from .settings import Settings
from .store import Store, SyncReport


@dataclass(frozen=True)
class IngestResult:
    knowledge: Knowledge
    documents: int
    sync: SyncReport
    store_status: dict
    left_out: tuple[str, ...] = ()  # problems of past replies that break a rule: indexed, never retrieved


def open_store(settings: Settings) -> Store:
    return Store(settings, make_embedder(settings))


class IngestError(RuntimeError):
    """The sync would destroy what it should keep; nothing was changed, and the message says what to do."""


def ingest(
    settings: Settings,
    progress: bool | None = None,
    store: Store | None = None,
    on_progress=None,
    allow_empty: bool = False,
) -> IngestResult:
    """Files with errors are skipped (and reported in the result); everything else is indexed. What
    the index already holds of a file that now has errors stays until the file is fixed (a typo must
    not silently take a policy out of every draft), and a knowledge folder that is missing or yields
    nothing never empties a filled index unless `allow_empty` says so (run from the wrong folder)."""
    knowledge = load_knowledge(settings.knowledge_dir)
    breaking = broken_examples(knowledge)
    documents = knowledge_documents(
        knowledge,
        settings.chunk_tokens,
        settings.chunk_overlap_tokens,
        {reply_id: result.failed_rules for reply_id, (_, result) in breaking.items()},
    )
    store = store or open_store(settings)
    if not documents and not allow_empty and (held := store.count()):
        raise IngestError(
            f"{settings.knowledge_dir} gives no policies or past replies (missing, empty or every file broken), "
            f"so the index's {held} documents were left as they are: run from the project folder or set "
            "ASSISTANT_KNOWLEDGE_DIR (`assistant lint` lists broken files); to empty the index on purpose, "
            "pass --allow-empty"
        )
    broken = frozenset(_relative(p.path, knowledge.root) for p in knowledge.errors)
    report = store.sync(documents, progress=progress, on_progress=on_progress, keep_sources=broken)
    left_out = tuple(str(p) for p in example_problems(knowledge, breaking))
    return IngestResult(knowledge, len(documents), report, store.status(), left_out)


def _relative(path: Path, root: Path) -> str:
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return Path(path).as_posix()
