"""The chat model, built from settings: OpenAI, or any OpenAI-compatible server via its base URL."""

from __future__ import annotations

import functools
import queue
import threading
import time
from dataclasses import dataclass

from . import llm_cache
from .settings import Settings, public_url

# US dollars per million tokens (input, output); a model not listed costs 0 (a local server).
PRICES = {"gpt-4o-mini": (0.15, 0.60), "gpt-4o": (2.50, 10.00), "gpt-4.1-mini": (0.40, 1.60), "gpt-4.1": (2.00, 8.00)}


class LLMError(RuntimeError):
    """The model could not answer; the message says what happened and what to do."""


class LLMNotConfigured(LLMError):
    pass


@dataclass(frozen=True)
class Completion:
    text: str
    input_tokens: int = 0
    output_tokens: int = 0
    model: str = ""
    cached: bool = False  # read from the on-disk cache: no tokens were spent

    @property
    def cost_usd(self) -> float:
        price_in, price_out = PRICES.get(self.model, (0.0, 0.0))
        return (self.input_tokens * price_in + self.output_tokens * price_out) / 1_000_000


def make_chat_model(settings: Settings, temperature: float = 0.0):
    """One client per configuration: building it costs more than the pipeline's own work."""
    if not settings.llm_configured:
        raise LLMNotConfigured(
            "no LLM is configured: set OPENAI_API_KEY, or OPENAI_BASE_URL for an OpenAI-compatible server "
            "(e.g. http://127.0.0.1:11434/v1 for Ollama)"
        )
    return _chat_model(
        settings.llm_model,
        settings.openai_api_key,
        settings.openai_base_url,
        min(settings.llm_timeout_s, settings.llm_deadline_s),
        settings.llm_max_retries,
        temperature,
        settings.llm_max_output_tokens,
    )


@functools.lru_cache(maxsize=16)
def _chat_model(
    model: str,
    api_key: str | None,
    base_url: str | None,
    timeout: float,
    max_retries: int,
    temperature: float,
    max_tokens: int,
):
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=model,
        api_key=api_key or "not-needed",  # local servers accept any key
        base_url=base_url,
        timeout=timeout,
        max_retries=max_retries,
        temperature=temperature,
        max_tokens=max_tokens,
    )


def complete(
    settings: Settings, system: str, user: str, model=None, on_token=None, deadline: float | None = None
) -> Completion:
    """One answer from the model (streamed to `on_token` when given), or LLMError with a message
    a writer can act on. The client retries rate limits and server errors with backoff
    (ASSISTANT_LLM_MAX_RETRIES).

    The answer is always streamed from the server, in a worker thread, so that two limits hold
    whatever the server does: the call ends by its deadline (ASSISTANT_LLM_DEADLINE, or the
    draft's `deadline` on the monotonic clock if sooner), and a model that keeps writing is
    stopped at ASSISTANT_LLM_MAX_OUTPUT_TOKENS even when the server ignores max_tokens. Either way
    the connection is closed and the caller gets LLMError at once."""
    key = None
    if settings.llm_cache and model is None:
        key = llm_cache.cache_key(settings.llm_model, settings.openai_base_url, 0.0, system, user)
        cached = llm_cache.read(settings.llm_cache_dir, key)
        if cached is not None:
            if on_token is not None:
                on_token(cached["text"])
            return Completion(cached["text"], model=settings.llm_model, cached=True)
    ends = time.monotonic() + settings.llm_deadline_s
    if deadline is not None:
        ends = min(ends, deadline)
    if ends - time.monotonic() <= 0:
        raise LLMError("no time was left for the model within the draft's deadline (ASSISTANT_DRAFT_DEADLINE)")
    chat = model or make_chat_model(settings)
    text, usage = _streamed(chat, [("system", system), ("human", user)], settings, ends, on_token)
    answer = Completion(
        text=text.strip(),
        input_tokens=int(usage.get("input_tokens", 0)),
        output_tokens=int(usage.get("output_tokens", 0)),
        model=settings.llm_model,
    )
    if key is not None:
        llm_cache.write(settings.llm_cache_dir, key, {"text": answer.text, "model": answer.model})
    return answer


def _streamed(chat, messages, settings: Settings, ends: float, on_token) -> tuple[str, dict]:
    pieces: queue.Queue = queue.Queue()
    stop = threading.Event()
    # about 4 characters a token in English, fewer in Russian: 6 leaves room for both
    max_chars = settings.llm_max_output_tokens * 6

    def read() -> None:
        stream = None
        try:
            stream = chat.stream(messages, stream_usage=True)
            for chunk in stream:
                pieces.put(("chunk", str(chunk.content or ""), getattr(chunk, "usage_metadata", None)))
                if stop.is_set():
                    break
            pieces.put(("end", "", None))
        except Exception as error:  # noqa: BLE001 - handed to the caller's thread as it is
            pieces.put(("error", "", error))
        finally:
            if stream is not None:
                stream.close()  # closes the HTTP connection: the server stops writing for nobody

    threading.Thread(target=read, name="llm-stream", daemon=True).start()
    text, usage, size = [], {}, 0
    while True:
        try:
            kind, piece, extra = pieces.get(timeout=max(0.0, ends - time.monotonic()))
        except queue.Empty:
            stop.set()
            raise LLMError(
                f"the model did not finish within {settings.llm_deadline_s:g}s (or the draft's deadline) and was "
                "stopped; try again, or raise ASSISTANT_LLM_DEADLINE / ASSISTANT_DRAFT_DEADLINE"
            ) from None
        if kind == "error":
            raise _llm_error(extra, settings) from extra
        if kind == "end":
            return "".join(text), usage
        usage = extra or usage
        if piece:
            text.append(piece)
            size += len(piece)
            if on_token is not None:
                on_token(piece)
            if size > max_chars:
                stop.set()
                raise LLMError(
                    f"the model kept writing past {settings.llm_max_output_tokens} tokens and was stopped "
                    "(ASSISTANT_LLM_MAX_OUTPUT_TOKENS); try again"
                )


def _llm_error(error: Exception, settings: Settings) -> LLMError:
    import openai

    if isinstance(error, openai.APITimeoutError):
        return LLMError(
            f"the model did not answer within {settings.llm_timeout_s:g}s; try again or raise ASSISTANT_LLM_TIMEOUT"
        )
    if isinstance(error, openai.APIConnectionError):
        where = public_url(settings.openai_base_url) or "the OpenAI API"
        return LLMError(f"cannot reach the model server at {where}: {error}")
    if isinstance(error, openai.APIStatusError):
        return LLMError(
            f"the model server answered {error.status_code} (after {settings.llm_max_retries} retries): {error.message}"
        )
    if isinstance(error, (ValueError, KeyError, TypeError)):  # an answer the client could not read
        return LLMError(f"the model server sent an answer that could not be read: {error}")
    if isinstance(error, LLMError):
        return error
    return LLMError(f"the model call failed: {error}")
