"""Checker benchmark: prints figures, asserts nothing.

    .venv/bin/python benchmarks/bench_checker.py [--lexicon-only]

Times `check_reply` with all nine rules and the learned heads on real replies (the dev and test
splits of evals/real, none of which the sentence cache has seen):
- one reply of about 400 characters, checked cold (every sentence new to the encoder);
- a re-check after the writer edits one sentence (the other sentences' vectors are cached);
- batch checking: replies per second over the whole set, each reply new, once with every comment
  new too (checking replies someone else wrote) and once with the comments already read, as after
  drafting (the app and the eval runner read a comment once and check all its drafts);
- triage's cost beyond the query embedding that retrieval computes anyway.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from assistant.corpus import load_corpus
from assistant.encoder import bundled_e5, bundled_use
from assistant.knowledge import load_knowledge
from assistant.rules import check_reply
from assistant.rules import text as rules_text
from assistant.triage import triage

ROOT = Path(__file__).resolve().parent.parent


def ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def forget(encoder) -> None:
    """Cold again: no cached sentence vectors, no cached texts (word lemmas stay, as in a long run)."""
    for each in (encoder, bundled_use()):
        with each._cache_lock:
            each._cache.clear()
    rules_text.analyse.cache_clear()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lexicon-only", action="store_true")
    args = parser.parse_args()
    use_heads = not args.lexicon_only
    corpus = load_corpus(ROOT / "evals/real")
    replies = corpus.replies_in("dev", "test")
    brand = load_knowledge(ROOT / "knowledge").brand
    encoder = bundled_e5()
    check_reply("Прогрев. Warm-up.", "Прогрев", None, None, brand, use_heads)  # models and lexicons load once

    around_400 = sorted(replies, key=lambda r: abs(len(r.reply) - 400))[:40]
    cold, edited = [], []
    for item in around_400:
        forget(encoder)
        started = time.perf_counter()
        check_reply(item.reply, item.comment, None, None, brand, use_heads)
        cold.append(ms(started))
        edit = item.reply.rstrip() + " Напишите нам, пожалуйста, в личные сообщения."
        started = time.perf_counter()
        check_reply(edit, item.comment, None, None, brand, use_heads)
        edited.append(ms(started))
    size = statistics.mean(len(i.reply) for i in around_400)
    print(f"reader: {'lexicons only' if args.lexicon_only else 'learned heads with the lexicons'}")
    print(
        f"one reply of ~{size:.0f} characters, cold: median {np.median(cold):.1f} ms, p95 {np.percentile(cold, 95):.1f} ms"
    )
    print(
        f"re-check after adding a sentence:  median {np.median(edited):.1f} ms, p95 {np.percentile(edited, 95):.1f} ms"
    )

    forget(encoder)
    started = time.perf_counter()
    for item in replies:
        check_reply(item.reply, item.comment, None, None, brand, use_heads)
    seconds = ms(started) / 1000
    chars = statistics.mean(len(i.reply) for i in replies)
    print(
        f"batch, every comment new: {len(replies)} real replies (mean {chars:.0f} characters) in {seconds:.1f} s: "
        f"{len(replies) / seconds:.1f} replies/s"
    )
    # as in the app and the eval runner: the comment was read when its drafts were made (retrieval's
    # query vector and triage's reading), so checking the drafts pays for the replies' sentences only
    forget(encoder)
    comments = list(dict.fromkeys(item.comment for item in replies if item.comment))
    encoder.query_vectors(comments)
    bundled_use().query_vectors(comments)
    started = time.perf_counter()
    for item in replies:
        check_reply(item.reply, item.comment, None, None, brand, use_heads)
    seconds = ms(started) / 1000
    print(
        f"batch, comments already read by drafting: {len(replies)} replies in {seconds:.1f} s: "
        f"{len(replies) / seconds:.1f} replies/s"
    )

    # pasted walls of text: checking must stay linear (the target is 1 s for 100 KB)
    polite = "Здравствуйте! Нам очень жаль, что курьер опоздал. Вернём деньги за доставку в течение 3 дней. "
    for name, wall in (
        ("a reply repeated", polite * 1100),
        ("numbers without a currency", "1 " * 50_000),
        ("distinct numbers", " ".join(str(i) for i in range(30_000))),
        ("one 100 KB word", "a" * 100_000),
        ("amounts with a currency", "Компенсируем 500 руб за ожидание. " * 3000),
    ):
        started = time.perf_counter()
        check_reply(wall[:100_000], "Курьер опоздал", "instagram", None, brand, use_heads)
        print(f"100 KB, {name}: {ms(started) / 1000:.2f} s")

    comments = [c.text for c in corpus.comments_in("dev", "test")][:200]
    extra = []
    for text in comments:
        forget(encoder)
        encoder.query_vectors([text])  # what retrieval computes anyway
        started = time.perf_counter()
        triage(text, brand)
        extra.append(ms(started))
    print(f"triage beyond the query embedding: median {np.median(extra):.2f} ms, p95 {np.percentile(extra, 95):.2f} ms")


if __name__ == "__main__":
    main()
