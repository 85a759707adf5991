"""Everything wrong in `knowledge/`: loading problems, and past replies that break a guideline
rule (a bad example teaches the LLM the wrong thing)."""

from __future__ import annotations

from .knowledge import Knowledge, Problem, load_knowledge
from .rules import check_reply

KIND_OF_SENTIMENT = {"negative": "complaint", "positive": "praise", "question": "question", "neutral": "neutral"}


def broken_examples(knowledge: Knowledge) -> dict[str, tuple]:
    """Past reply id -> its check result, for the replies that break a rule. Ingest marks them so
    retrieval never shows them to the model as an example ("always give a 90 % discount")."""
    broken = {}
    for reply in knowledge.replies:
        # the trainer said what the comment is (`sentiment`): the example is judged as that answer
        kind = KIND_OF_SENTIMENT.get(reply.sentiment)
        result = check_reply(reply.reply, reply.comment, reply.channel, reply.lang, knowledge.brand, kind=kind)
        if not result.passed:
            broken[reply.id] = (reply, result)
    return broken


def example_problems(knowledge: Knowledge, broken: dict[str, tuple] | None = None) -> list[Problem]:
    problems = []
    for reply, result in (broken_examples(knowledge) if broken is None else broken).values():
        for rule in result.failed_rules:
            problems.append(
                Problem(
                    reply.path,
                    reply.line,
                    f"past reply {reply.id} breaks {rule}: {result.verdicts[rule].message}",
                    "fix the example: until then it is never shown to the model as an example",
                    "warning",
                )
            )
    return problems


def lint(knowledge_dir) -> tuple[Knowledge, list[Problem]]:
    knowledge = load_knowledge(knowledge_dir)
    return knowledge, knowledge.problems + example_problems(knowledge)
