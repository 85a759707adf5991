"""Deadlines and an output cap that hold whatever the model server does: it streams forever, it
trickles words past the deadline, or it hangs before the first byte. The writer gets drafts (the
offline composer's) and a warning that says what happened, in bounded time."""

from __future__ import annotations

import dataclasses
import time

import pytest

from assistant.drafting import draft_replies
from assistant.llm import LLMError, complete

COMMENT = "Курьер опоздал на 5 часов и нагрубил мне"
ANSWER = "Анна, простите нас! Менеджер перезвонит вам в течение 24 часов. Напишите нам в Direct номер заказа."


def _settings(base, stub, **changes):
    return dataclasses.replace(
        base,
        openai_base_url=stub.base_url,
        openai_api_key="test-key",
        llm_model="stub-model",
        llm_triage=False,
        **changes,
    )


def _wait_for(condition, seconds: float = 5.0) -> bool:
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_a_model_that_writes_forever_is_stopped_at_the_output_cap(indexed_demo, openai_stub):
    openai_stub.replies.append({"content": ANSWER, "forever": True})
    settings = _settings(indexed_demo, openai_stub, llm_max_output_tokens=100)
    started = time.monotonic()
    with pytest.raises(LLMError, match="past 100 tokens"):
        complete(settings, "system", "user")
    assert time.monotonic() - started < 10
    body = openai_stub.requests[-1]["body"]
    assert body.get("max_completion_tokens", body.get("max_tokens")) == 100  # asked of the server too
    assert _wait_for(lambda: openai_stub.hooks.get("closed", 0) >= 1)  # and the connection was closed


def test_a_model_that_trickles_past_the_deadline_gives_offline_drafts_in_time(indexed_demo, openai_stub):
    openai_stub.responder = lambda body: {"content": ANSWER, "forever": True, "pause": 0.2}
    settings = _settings(indexed_demo, openai_stub, llm_deadline_s=1.5)
    started = time.monotonic()
    result = draft_replies(COMMENT, settings, channel="instagram", n=2)
    elapsed = time.monotonic() - started
    assert elapsed < 15, elapsed
    assert result.drafter.startswith("offline composer")
    assert result.drafts and all(d.passed for d in result.drafts)
    assert any("did not finish within 1.5s" in w for w in result.warnings)


def test_a_hung_server_costs_the_deadline_not_the_timeout_times_the_retries(indexed_demo, openai_stub):
    openai_stub.responder = lambda body: {"content": ANSWER, "delay": 20}
    settings = _settings(indexed_demo, openai_stub, llm_timeout_s=10, llm_max_retries=2, llm_deadline_s=1.0)
    started = time.monotonic()
    with pytest.raises(LLMError, match="did not finish within 1s"):
        complete(settings, "system", "user")
    assert time.monotonic() - started < 3


def test_one_deadline_for_the_whole_draft(indexed_demo, openai_stub):
    """Each call alone is within its own deadline; the draft's deadline bounds them all."""
    openai_stub.responder = lambda body: {"content": ANSWER, "forever": True, "pause": 0.2}
    settings = _settings(indexed_demo, openai_stub, llm_deadline_s=30, draft_deadline_s=1.0)
    started = time.monotonic()
    result = draft_replies(COMMENT, settings, channel="instagram", n=3)
    assert time.monotonic() - started < 15
    assert result.drafter.startswith("offline composer")
    assert any("draft's deadline" in w for w in result.warnings)
