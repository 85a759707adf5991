"""language_match, channel_length and not_generic: the form of the reply against this comment."""

from __future__ import annotations

from ..languages import name_of
from .case import Case
from .patterns import find_any
from .registry import rule
from .verdicts import FAIL, NA, PASS, Evidence, Verdict, quote


@rule("it is written in the customer's language.", applies="with a comment", decided_by=("rule",), rank=60)
def language_match(case: Case) -> Verdict:
    if not case.expected_lang:
        return Verdict("language_match", NA, "no comment or language to compare with")
    if case.reply.lang == case.expected_lang or not case.reply.tokens:
        return Verdict("language_match", PASS, f"written in {name_of(case.expected_lang)}")
    first = case.reply.tokens[0]
    return Verdict(
        "language_match",
        FAIL,
        f"written in {name_of(case.reply.lang)}, the customer wrote in {name_of(case.expected_lang)}",
        (
            Evidence(
                first.start, min(len(case.reply.raw), first.start + 60), case.reply.raw[first.start : first.start + 60]
            ),
        ),
    )


@rule("it fits the channel's length limit.", applies="with a channel", decided_by=("rule",), rank=70)
def channel_length(case: Case) -> Verdict:
    if case.channel is None:
        if case.channel_name:
            return Verdict("channel_length", NA, f"unknown channel {case.channel_name!r}: no length limit to check")
        return Verdict("channel_length", NA, "no channel given")
    length, limit = len(case.reply.raw), case.channel.max_chars
    if length <= limit:
        return Verdict("channel_length", PASS, f"{length} of {limit} characters ({case.channel.title})")
    return Verdict(
        "channel_length",
        FAIL,
        f"{length} characters; {case.channel.title} allows {limit}",
        (Evidence(limit, length, case.reply.raw[limit:]),),
    )


def _content(tokens, generic: frozenset[str]):
    return [t for t in tokens if len(t.text) > 2 and not t.text[:1].isdigit() and t.lemmas.isdisjoint(generic)]


@rule(
    "it refers to what the customer actually wrote, not boilerplate that could answer any comment.",
    applies="with a comment",
    decided_by=("lexicon",),
    rank=90,
)
def not_generic(case: Case) -> Verdict:
    if case.comment is None:
        return Verdict("not_generic", NA, "no comment to compare with")
    generic = case.lexicon.generic_words
    comment_words = _content(case.comment.tokens, generic)
    if not comment_words:
        return Verdict("not_generic", PASS, "the comment names nothing specific to refer to")
    shared = []
    for token in _content(case.reply.tokens, generic):
        if any(not token.lemmas.isdisjoint(c.lemmas) for c in comment_words):
            shared.append(token)
    if not shared:  # the same subject in other words, or in the other language
        groups = case.lexicon.synonym_groups
        subjects = {g for c in case.comment.tokens for lemma in c.lemmas for g in groups.get(lemma, ())}
        pairs = zip(case.comment.tokens, case.comment.tokens[1:], strict=False)
        subjects |= {g for a, b in pairs for x in a.lemmas for y in b.lemmas for g in groups.get(f"{x} {y}", ())}
        shared = [
            t for t in case.reply.tokens if any(g in subjects for lemma in t.lemmas for g in groups.get(lemma, ()))
        ]
    if shared:
        words = ", ".join(dict.fromkeys(t.text for t in shared[:4]))
        return Verdict(
            "not_generic",
            PASS,
            f"refers to what the customer wrote ({words})",
            tuple(Evidence(t.start, t.end, case.reply.raw[t.start : t.end]) for t in shared),
        )
    boiler = find_any(case.lexicon.boilerplate, case.reply)
    detail = f": {quote(boiler[0].quote(case.reply))}" if boiler else ""
    return Verdict(
        "not_generic",
        FAIL,
        f"boilerplate that does not mention what the customer wrote{detail}",
        tuple(Evidence(m.start, m.end, m.quote(case.reply)) for m in boiler),
    )
