"""The chat model, built from settings: OpenAI, or any OpenAI-compatible server via its base URL."""

from __future__ import annotations

import functools
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
        settings.llm_timeout_s,
        settings.llm_max_retries,
        temperature,
    )


@functools.lru_cache(maxsize=16)
def _chat_model(
    model: str, api_key: str | None, base_url: str | None, timeout: float, max_retries: int, temperature: float
):
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=model,
        api_key=api_key or "not-needed",  # local servers accept any key
        base_url=base_url,
        timeout=timeout,
        max_retries=max_retries,
        temperature=temperature,
    )


def complete(settings: Settings, system: str, user: str, model=None, on_token=None) -> Completion:
    """One answer from the model (streamed to `on_token` when given), or LLMError with a message
    a writer can act on. The client retries rate limits and server errors with backoff
    (ASSISTANT_LLM_MAX_RETRIES)."""
    import openai

    key = None
    if settings.llm_cache and model is None:
        key = llm_cache.cache_key(settings.llm_model, settings.openai_base_url, 0.0, system, user)
        cached = llm_cache.read(settings.llm_cache_dir, key)
        if cached is not None:
            if on_token is not None:
                on_token(cached["text"])
            return Completion(cached["text"], model=settings.llm_model, cached=True)
    chat = model or make_chat_model(settings)
    messages = [("system", system), ("human", user)]
    try:
        if on_token is None:
            message = chat.invoke(messages)
            text, usage = str(message.content), getattr(message, "usage_metadata", None) or {}
        else:
            pieces, usage = [], {}
            for chunk in chat.stream(messages, stream_usage=True):
                if chunk.content:
                    pieces.append(str(chunk.content))
                    on_token(str(chunk.content))
                usage = getattr(chunk, "usage_metadata", None) or usage
            text = "".join(pieces)
    except openai.APITimeoutError as error:
        raise LLMError(
            f"the model did not answer within {settings.llm_timeout_s:g}s; try again or raise ASSISTANT_LLM_TIMEOUT"
        ) from error
    except openai.APIConnectionError as error:
        where = public_url(settings.openai_base_url) or "the OpenAI API"
        raise LLMError(f"cannot reach the model server at {where}: {error}") from error
    except openai.APIStatusError as error:
        raise LLMError(
            f"the model server answered {error.status_code} (after {settings.llm_max_retries} retries): {error.message}"
        ) from error
    except (ValueError, KeyError, TypeError) as error:  # an answer the client could not read
        raise LLMError(f"the model server sent an answer that could not be read: {error}") from error
    answer = Completion(
        text=text.strip(),
        input_tokens=int(usage.get("input_tokens", 0)),
        output_tokens=int(usage.get("output_tokens", 0)),
        model=settings.llm_model,
    )
    if key is not None:
        llm_cache.write(settings.llm_cache_dir, key, {"text": answer.text, "model": answer.model})
    return answer
