"""Text embeddings behind one interface: the bundled multilingual E5 (default) or OpenAI.

E5 is trained with different prefixes for the two sides of a search, so documents go through
`embed_documents` ("passage: ...") and searches through `embed_query` ("query: ..."). Mixing
them up costs retrieval quality silently; keep the two entry points distinct.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from typing import Any, Protocol

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from .encoder import E5Embedder, bundled_e5
from .settings import Settings, load_settings

__all__ = ["E5Embedder", "Embedder", "OpenAIEmbedder", "bundled_e5", "make_embedder"]


class Embedder(Protocol):
    model_id: str

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


class OpenAIEmbedder:
    """OpenAI embeddings, or any server that speaks the OpenAI embeddings API."""

    def __init__(self, settings: Settings) -> None:
        from langchain_openai import OpenAIEmbeddings

        self._client = OpenAIEmbeddings(
            model=settings.openai_embedding_model,
            api_key=settings.openai_api_key or "not-needed",
            base_url=settings.openai_base_url,
            timeout=settings.embedding_timeout_s,
            max_retries=settings.llm_max_retries,
            # OpenAI-compatible servers (Ollama, vLLM) expect text, not token ids
            check_embedding_ctx_length=False,
        )
        self.model_id = f"openai-{settings.openai_embedding_model}"

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return self._client.embed_documents(list(texts)) if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._client.embed_query(text)


_shared: dict[tuple, Embedder] = {}
_shared_lock = threading.Lock()


def make_embedder(settings: Settings) -> Embedder:
    """One embedder per configuration per process: loading the model takes a while."""
    if settings.embedding_backend == "e5":
        return bundled_e5()
    key = (settings.embedding_backend, settings.openai_embedding_model, settings.openai_base_url)
    with _shared_lock:
        if key not in _shared:
            _shared[key] = OpenAIEmbedder(settings)
        return _shared[key]


@register_embedding_function
class ChromaEmbeddingFunction(EmbeddingFunction[Documents]):
    """Our embedder as chromadb sees it, registered so a fresh process can reopen a collection.

    The stored config names the backend and model only; keys come from the environment.
    """

    def __init__(self, backend: str = "e5", model: str | None = None) -> None:
        self.backend = backend
        self.model = model

    def _embedder(self) -> Embedder:
        settings = load_settings()
        overrides: dict[str, Any] = {"embedding_backend": self.backend}
        if self.model:
            overrides["openai_embedding_model"] = self.model
        return make_embedder(dataclasses.replace(settings, **overrides))

    @classmethod
    def from_settings(cls, settings: Settings) -> ChromaEmbeddingFunction:
        model = settings.openai_embedding_model if settings.embedding_backend == "openai" else None
        return cls(settings.embedding_backend, model)

    def __call__(self, input: Documents) -> Embeddings:
        return self._embedder().embed_documents(list(input))

    def embed_query(self, input: Documents) -> Embeddings:
        embedder = self._embedder()
        return [embedder.embed_query(text) for text in input]

    @staticmethod
    def name() -> str:
        return "reply_assistant"

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]

    def get_config(self) -> dict[str, Any]:
        return {"backend": self.backend, "model": self.model}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbeddingFunction:
        return ChromaEmbeddingFunction(config.get("backend", "e5"), config.get("model"))
