"""The chat model, built from settings: OpenAI, or any OpenAI-compatible server via its base URL."""

from __future__ import annotations

from dataclasses import dataclass

from .settings import Settings


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


def make_chat_model(settings: Settings, temperature: float = 0.0):
    if not settings.llm_configured:
        raise LLMNotConfigured(
            "no LLM is configured: set OPENAI_API_KEY, or OPENAI_BASE_URL for an OpenAI-compatible server "
            "(e.g. http://127.0.0.1:11434/v1 for Ollama)"
        )
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=settings.llm_model,
        api_key=settings.openai_api_key or "not-needed",  # local servers accept any key
        base_url=settings.openai_base_url,
        timeout=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
        temperature=temperature,
    )


def complete(settings: Settings, system: str, user: str, model=None) -> Completion:
    """One answer from the model, or LLMError with a message a writer can act on."""
    import openai

    chat = model or make_chat_model(settings)
    try:
        message = chat.invoke([("system", system), ("human", user)])
    except openai.APITimeoutError as error:
        raise LLMError(
            f"the model did not answer within {settings.llm_timeout_s:g}s; try again or raise ASSISTANT_LLM_TIMEOUT"
        ) from error
    except openai.APIConnectionError as error:
        raise LLMError(
            f"cannot reach the model server at {settings.openai_base_url or 'api.openai.com'}: {error}"
        ) from error
    except openai.APIStatusError as error:
        raise LLMError(f"the model server answered {error.status_code}: {error.message}") from error
    usage = getattr(message, "usage_metadata", None) or {}
    return Completion(
        text=str(message.content),
        input_tokens=int(usage.get("input_tokens", 0)),
        output_tokens=int(usage.get("output_tokens", 0)),
        model=settings.llm_model,
    )
