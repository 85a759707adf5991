"""The vector store: chromadb on disk by default, a shared Chroma server when CHROMA_HOST is set.

Each embedding model gets its own collection (the model id is part of the name and stored in
its metadata), so vectors of two models are never mixed. `sync` makes the collection equal to
a list of documents while embedding only what is new.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError
from tqdm import tqdm

from . import sync_marker
from .embeddings import ChromaEmbeddingFunction, Embedder
from .indexing import Document
from .settings import Settings
from .store_error import StoreError

EMBED_BATCH = 32
CACHE_SECONDS = 60.0  # how long document metadata read from chromadb is trusted
DETAILS_CACHE_SIZE = 20_000  # documents whose text, metadata and vector are kept (~2.5 KB each: ~50 MB)
OVERFETCH, OVERFETCH_MIN, OVERFETCH_MAX = 8, 48, 2000  # a filtered query's look among the nearest of all
logging.getLogger("chromadb.telemetry").setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class Hit:
    id: str
    text: str
    score: float  # cosine similarity, 1.0 = same direction
    metadata: dict
    vector: Sequence[float] | None = None  # unit length; a float32 array when read from the store


@dataclass(frozen=True)
class SyncReport:
    added: int
    deleted: int
    relabelled: int  # metadata changed, text (and vector) unchanged
    unchanged: int
    seconds: float
    kept: int = 0  # documents of files that could not be read this time, left as they were

    @property
    def embedded(self) -> int:
        return self.added


def make_client(settings: Settings) -> chromadb.api.ClientAPI:
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        import httpx

        try:
            # chromadb's client waits for ever on its first requests: a hung server is found here first
            httpx.get(
                f"http://{settings.chroma_host}:{settings.chroma_port}/api/v2/heartbeat",
                timeout=settings.store_timeout_s,
            )
            client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
        except Exception as error:  # chromadb raises plain exceptions for connection failures
            raise _server_error(settings, error) from error
        _limit_wait(client, settings.store_timeout_s)
        return client
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


def _limit_wait(client, seconds: float) -> None:
    """chromadb's HTTP client waits for ever by default: a server that accepts the connection and
    never answers would hang every draft. Its httpx session gets our timeout instead."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if session is not None:
        session.timeout = httpx.Timeout(seconds)


def _server_failed(error: Exception) -> bool:
    import httpx

    return isinstance(error, (httpx.HTTPError, ChromaError, ConnectionError))


def _server_error(settings: Settings, error: Exception) -> StoreError:
    where = f"{settings.chroma_host}:{settings.chroma_port}"
    if "timed out" in str(error).lower() or type(error).__name__.endswith("Timeout"):
        return StoreError(
            f"the Chroma server at {where} did not answer within {settings.store_timeout_s:g}s; check that it is not "
            "stuck (restart it), or raise ASSISTANT_STORE_TIMEOUT"
        )
    return StoreError(
        f"cannot reach the Chroma server at {where} ({error}); "
        "start it (chroma run --host 127.0.0.1) or unset CHROMA_HOST to use the local store"
    )


def collection_name(prefix: str, model_id: str) -> str:
    """A chromadb-safe collection name that includes the embedding model."""
    name = re.sub(r"[^a-zA-Z0-9._-]+", "-", f"{prefix}--{model_id}").strip("-._")
    return name[:512]


class Store:
    """One collection of one embedding model, in an embedded or remote chromadb."""

    def __init__(self, settings: Settings, embedder: Embedder, client=None) -> None:
        self.embedder = embedder
        self.settings = settings
        self.client = client or make_client(settings)
        self.name = collection_name(settings.collection_prefix, embedder.model_id)
        try:
            self.collection = self._open_collection()
        except Exception as error:
            if settings.chroma_host and _server_failed(error):
                raise _server_error(settings, error) from error
            raise
        self._cache: OrderedDict[str, tuple[str, dict, np.ndarray | None]] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._cache_loaded = time.monotonic()
        self._reopen_lock = threading.Lock()
        self._local = not settings.chroma_host
        self._seen = sync_marker.signature(settings.chroma_dir) if self._local else None

    def _open_collection(self):
        collection = self.client.get_or_create_collection(
            self.name,
            embedding_function=ChromaEmbeddingFunction.from_settings(self.settings),
            metadata={"embedding_model": self.embedder.model_id},
            configuration={"hnsw": {"space": "cosine"}},
        )
        stored_model = (collection.metadata or {}).get("embedding_model")
        if stored_model != self.embedder.model_id:
            raise StoreError(
                f"collection {self.name} holds vectors of {stored_model!r}, not {self.embedder.model_id!r}; "
                "delete it or choose another ASSISTANT_COLLECTION_PREFIX"
            )
        return collection

    def _reopened(self, operation: Callable, *args, **kwargs):
        """Run a chromadb call; when another process (a CLI ingest beside the app) has rewritten the
        on-disk index, the embedded engine's in-memory view no longer matches it and chromadb
        raises InternalError: the engine is dropped, the collection read afresh from disk and the
        call made once more."""
        self._follow_other_syncs()
        try:
            return operation(*args, **kwargs)
        except StoreError:
            raise
        except Exception as error:
            if not self._local and _server_failed(error):
                raise _server_error(self.settings, error) from error
            if not self._local or not isinstance(error, ChromaError):
                raise
            stale = self.collection
            with self._reopen_lock:
                if self.collection is stale:
                    self._reopen(error)
            try:
                return operation(*args, **kwargs)
            except ChromaError as again:
                raise StoreError(f"the index cannot be read ({again}); run `assistant ingest` and try again") from again

    def _follow_other_syncs(self) -> None:
        """Another process's sync changes the marker file: read the index afresh. A stat per call
        costs microseconds against a query's milliseconds."""
        if not self._local:
            return
        now = sync_marker.signature(self.settings.chroma_dir)
        if now == self._seen:
            return
        with self._reopen_lock:
            if now != self._seen:
                self._seen = now
                if not sync_marker.read(self.settings.chroma_dir).ours:  # this process shares one engine
                    self._reopen(None)

    def sync_warning(self) -> str | None:
        """Why the index may be partial right now (an ingest running or cut short), or None."""
        if self._local:
            return sync_marker.read(self.settings.chroma_dir).warning()
        meta = self._reopened(lambda: self.client.get_collection(self.name).metadata) or {}
        if meta.get("sync_state") == "running":
            return "an ingest is running or was interrupted: the index may be incomplete; run `assistant ingest`"
        return None

    def _reopen(self, error: Exception | None) -> None:
        if not self._local:  # a server keeps one view of its data: nothing local to drop
            raise StoreError(f"the Chroma server failed ({error}); check its log, then try again") from error
        if _serves(self.client, self.collection):  # nobody in this process has refreshed the engine yet
            _drop_engine(self.client)
        self.client = make_client(self.settings)
        self.collection = self._open_collection()
        self._cache.clear()

    def count(self) -> int:
        return self._reopened(lambda: self.collection.count())

    def status(self) -> dict:
        meta = self.collection.metadata or {}
        return {
            "collection": self.name,
            "embedding_model": meta.get("embedding_model"),
            "documents": self.count(),
            "last_sync": meta.get("last_sync"),
            "cached_documents": self.cached_documents,  # bounded by DETAILS_CACHE_SIZE
        }

    def sync(
        self,
        documents: Sequence[Document],
        progress: bool | None = None,
        on_progress=None,
        keep_sources: frozenset[str] = frozenset(),
    ) -> SyncReport:
        """Make the collection hold exactly `documents`, embedding only the new ones; documents from
        `keep_sources` (files that could not be read this time) stay as they are. A sync is
        idempotent, so one interrupted by another process's ingest simply runs again."""
        return self._reopened(self._sync, documents, progress, on_progress, keep_sources)

    def _sync(self, documents, progress, on_progress, keep_sources) -> SyncReport:
        started = time.perf_counter()
        manifest = _manifest(documents)
        if not keep_sources and self._holds(manifest, len(documents)):
            return SyncReport(0, 0, 0, len(documents), time.perf_counter() - started)
        self._mark("running")
        wanted = {doc.id: doc for doc in documents}
        existing = self._existing_metadata()
        kept = {i for i, meta in existing.items() if i not in wanted and meta.get("source") in keep_sources}
        stale = [doc_id for doc_id in existing if doc_id not in wanted and doc_id not in kept]
        new = [doc for doc_id, doc in wanted.items() if doc_id not in existing]
        relabelled = [doc for doc_id, doc in wanted.items() if doc_id in existing and existing[doc_id] != doc.metadata]

        if stale:
            for batch in _batches(stale, 500):
                self.collection.delete(ids=list(batch))
        if relabelled:
            for batch in _batches(relabelled, 500):
                self.collection.update(ids=[d.id for d in batch], metadatas=[d.metadata for d in batch])
        self._add(new, progress, on_progress)
        self._mark_synced(manifest if not kept else None)
        self._cache.clear()
        return SyncReport(
            added=len(new),
            deleted=len(stale),
            relabelled=len(relabelled),
            unchanged=len(wanted) - len(new) - len(relabelled),
            seconds=time.perf_counter() - started,
            kept=len(kept),
        )

    def add(self, documents: Sequence[Document], progress: bool | None = None) -> None:
        """Add documents known to be new (benchmarks fill a store this way)."""
        self._add(list(documents), progress)
        self._cache.clear()

    def _add(self, documents: list[Document], progress: bool | None, on_progress=None) -> None:
        """`on_progress(done, total)` is told after every batch (the app's progress bar)."""
        if not documents:
            return
        show = sys.stderr.isatty() if progress is None else progress
        with tqdm(total=len(documents), desc="Embedding", unit="doc", disable=not show, file=sys.stderr) as bar:
            for batch in _batches(documents, EMBED_BATCH):
                vectors = self.embedder.embed_documents([d.embed_text for d in batch])
                self.collection.add(
                    ids=[d.id for d in batch],
                    embeddings=vectors,
                    documents=[d.text for d in batch],
                    metadatas=[d.metadata for d in batch],
                )
                bar.update(len(batch))
                if on_progress:
                    on_progress(bar.n, len(documents))

    def query(self, text: str, k: int = 5, where: dict | None = None) -> list[Hit]:
        if self.count() == 0:
            return []
        vector = self.embedder.embed_query(text)
        return self.query_vector(vector, k, where)

    def query_vector(
        self, vector: Sequence[float], k: int = 5, where: dict | None = None, with_vectors: bool = False
    ) -> list[Hit]:
        """The nearest documents. chromadb is asked for ids and distances only, which is several
        times faster than asking for the texts too; texts, metadata and vectors come from a cache
        keyed by document id (ids are content hashes, so a text never goes stale)."""
        if where and (hits := self._filtered_after(vector, k, where, with_vectors)) is not None:
            return hits
        return self._nearest(vector, max(1, k), where, with_vectors)

    def _nearest(self, vector, n: int, where: dict | None, with_vectors: bool) -> list[Hit]:
        """The `n` nearest documents, chromadb's filter applied when `where` is given."""
        result = self._reopened(
            lambda: self.collection.query(
                query_embeddings=[np.asarray(vector, dtype=float).tolist()],
                n_results=n,
                where=where or None,
                include=["distances"],
            )
        )
        ids, distances = result["ids"][0], result["distances"][0]
        details = self._details(ids)
        return [
            Hit(doc_id, text, 1.0 - distance, meta, stored if with_vectors else None)
            for doc_id, distance in zip(ids, distances, strict=True)
            if doc_id in details
            for text, meta, stored in (details[doc_id],)
        ]

    def _filtered_after(self, vector, k: int, where: dict, with_vectors: bool) -> list[Hit] | None:
        """The nearest `k` documents that pass `where`, found among the nearest of all: chromadb's own
        filter costs time in proportion to the collection (0.36 s at 100k documents for one channel
        and language), a query without one does not. The first look takes `OVERFETCH` x k; when too
        few pass, the next look is sized by the share that passed. None when that would take more
        than `OVERFETCH_MAX`: the caller asks chromadb with the filter. As good as the index's own
        nearest-neighbour search, which chromadb's filter does not use (it compares the query with
        every document that passes): on 11k real e5 vectors 98.5-99.5 % of the exact top 8 were found."""
        wanted = max(OVERFETCH_MIN, k * OVERFETCH)
        for _ in range(3):
            hits, seen = self._nearest_passing(vector, k, wanted, where, with_vectors)
            if hits is None:
                return None  # a condition this does not read: chromadb's filter decides
            if len(hits) == k or seen < wanted:  # enough passed, or the whole collection was seen
                return hits
            share = max(len(hits), 1) / seen
            wanted = max(2 * wanted, math.ceil(1.5 * k / share))
            if wanted > OVERFETCH_MAX:
                return None
        return None

    def _nearest_passing(self, vector, k: int, wanted: int, where: dict, with_vectors: bool):
        """The first `k` of the `wanted` nearest that pass `where` (None for a condition this does not
        read), and how many were looked at."""
        nearest = self._nearest(vector, wanted, None, with_vectors)
        hits = []
        for hit in nearest:
            passes = metadata_matches(hit.metadata, where)
            if passes is None:
                return None, len(nearest)
            if passes:
                hits.append(hit)
                if len(hits) == k:
                    break
        return hits, len(nearest)

    def _details(self, ids: list[str]) -> dict[str, tuple[str, dict, np.ndarray | None]]:
        """Text, metadata and vector of each id, from a bounded cache; only the ids it lacks are read,
        in one call (a few milliseconds for a query's hundred), so no request waits for a bulk read.
        Metadata can change under an unchanged id (a relabel): the cache is dropped after a sync
        here, when another process's ingest changes the marker file, and at the latest every
        `CACHE_SECONDS` (a server gives no sign of another machine's ingest)."""
        with self._cache_lock:
            now = time.monotonic()
            if now - self._cache_loaded > CACHE_SECONDS:
                self._cache.clear()
                self._cache_loaded = now
            found = {}
            for doc_id in ids:
                if doc_id in self._cache:
                    self._cache.move_to_end(doc_id)
                    found[doc_id] = self._cache[doc_id]
        missing = [doc_id for doc_id in ids if doc_id not in found]
        if missing:
            got = self._reopened(
                lambda: self.collection.get(ids=missing, include=["documents", "metadatas", "embeddings"])
            )
            fresh = {
                doc_id: (text or "", dict(meta or {}), None if vector is None else np.asarray(vector, dtype=np.float32))
                for doc_id, text, meta, vector in zip(
                    got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True
                )
            }
            found.update(fresh)
            with self._cache_lock:
                self._cache.update(fresh)
                while len(self._cache) > DETAILS_CACHE_SIZE:
                    self._cache.popitem(last=False)
        return {doc_id: found[doc_id] for doc_id in ids if doc_id in found}

    @property
    def cached_documents(self) -> int:
        return len(self._cache)

    def _existing_metadata(self) -> dict[str, dict]:
        existing: dict[str, dict] = {}
        offset, page = 0, 1000
        while True:
            got = self.collection.get(include=["metadatas"], limit=page, offset=offset)
            for doc_id, meta in zip(got["ids"], got["metadatas"], strict=True):
                existing[doc_id] = dict(meta or {})
            if len(got["ids"]) < page:
                return existing
            offset += page

    def _holds(self, manifest: str, count: int) -> bool:
        """Whether the collection holds exactly the documents of `manifest` without reading them: the
        last sync finished with this manifest and nothing was added or deleted since (the count). A
        re-ingest with nothing changed read every document's metadata: 17 s at 100k documents."""
        if self._local and sync_marker.read(self.settings.chroma_dir).state != "done":
            return False  # an ingest is running here or was cut short: it may have changed anything
        meta = self._reopened(lambda: self.client.get_collection(self.name).metadata) or {}
        return meta.get("sync_state") == "done" and meta.get("manifest") == manifest and self.count() == count

    def _mark_synced(self, manifest: str | None = None) -> None:
        """`manifest`: a digest of what the collection now holds (None: not known, e.g. documents of
        unreadable files were kept), which lets the next sync of the same documents skip the reading."""
        self._mark("done", last_sync=datetime.now(UTC).isoformat(timespec="seconds"), manifest=manifest or "")

    def _mark(self, state: str, **extra) -> None:
        """Say in the collection (for a server) and in the marker file (for other processes on this
        disk) whether a sync is under way, so a reader can tell a partial index from a whole one."""
        meta = dict(self.collection.metadata or {})
        meta.update(sync_state=state, **extra)
        meta.pop("hnsw:space", None)
        self.collection.modify(metadata=meta)
        if self._local:
            sync_marker.write(self.settings.chroma_dir, state)
            self._seen = sync_marker.signature(self.settings.chroma_dir)


def metadata_matches(meta: dict, where: dict) -> bool | None:
    """Whether metadata passes a chromadb `where` filter; None for an operator this does not read."""
    results = []
    for key, condition in where.items():
        if key in ("$and", "$or"):
            parts = [metadata_matches(meta, part) for part in condition]
            if None in parts:
                return None
            results.append(all(parts) if key == "$and" else any(parts))
        elif isinstance(condition, dict):
            if len(condition) != 1:
                return None
            ((operator, value),) = condition.items()
            have = meta.get(key)
            if operator == "$eq":
                results.append(key in meta and have == value)
            elif operator == "$ne":
                results.append(have != value)
            elif operator == "$in":
                results.append(key in meta and have in value)
            elif operator == "$nin":
                results.append(have not in value)
            else:
                return None
        else:
            results.append(key in meta and meta[key] == condition)
    return all(results)


def _manifest(documents: Sequence[Document]) -> str:
    """A digest of the documents' ids, texts and metadata, in any order of documents. Metadata keys in
    another order make another digest: that only costs one full sync (indexing writes them in one
    order)."""
    rows = sorted(f"{doc.id}\x1f{doc.text}\x1f{doc.metadata!r}" for doc in documents)
    return hashlib.sha256("\x1e".join(rows).encode("utf-8")).hexdigest()


def _serves(client, collection) -> bool:
    """Whether `collection` still talks to the engine chromadb has registered for the client's path."""
    from chromadb.api import ServerAPI
    from chromadb.api.shared_system_client import SharedSystemClient

    system = SharedSystemClient._identifier_to_system.get(getattr(client, "_identifier", None))
    return system is None or getattr(collection, "_client", None) is system.instance(ServerAPI)


def _drop_engine(client) -> None:
    """chromadb keeps one engine per path for the whole process; a new client would get the same
    stale one back, so it is taken out of chromadb's registry. It is not stopped: other threads may
    be inside a call on it, and it is freed when their collections are."""
    from chromadb.api.shared_system_client import SharedSystemClient

    identifier = getattr(client, "_identifier", None)
    if identifier:
        SharedSystemClient._identifier_to_system.pop(identifier, None)
        SharedSystemClient._identifier_to_refcount.pop(identifier, None)


def _batches(items: Sequence, size: int) -> Callable:
    return (items[i : i + size] for i in range(0, len(items), size))
