"""The pipeline is called from several threads at once (the app's writers, eval runs with
--concurrency, the LLM variants): what it shares must be safe to share."""

import threading
from concurrent.futures import ThreadPoolExecutor

from assistant.rules.text import lemmas

WORDS = [
    f"{stem}{ending}"
    for stem in ("deliver", "refund", "replac", "apologis", "generat", "connect", "hopeful", "national", "argu")
    for ending in ("", "s", "ed", "ing", "ation", "ness", "ful", "ively", "ement", "ization", "ibility")
]


def test_english_stems_are_the_same_from_many_threads():
    expected = {word: lemmas.__wrapped__(word) for word in WORDS}
    barrier = threading.Barrier(8)

    def stem_all(offset: int) -> dict:
        barrier.wait()
        words = WORDS[offset:] + WORDS[:offset]
        return {word: lemmas.__wrapped__(word) for word in words * 20}

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(stem_all, range(8)))
    assert all(result == expected for result in results)


RUSSIAN = [
    f"{stem}{ending}"
    for stem in ("достав", "верн", "извин", "опозда", "сломал", "курьер", "посылк", "заказ")
    for ending in ("", "а", "ой", "ами", "ил", "ила", "ются", "ение", "ённый", "ли")
]


def test_russian_lemmas_are_the_same_from_many_threads():
    expected = {word: lemmas.__wrapped__(word) for word in RUSSIAN}
    barrier = threading.Barrier(8)

    def lemmatise_all(offset: int) -> dict:
        barrier.wait()
        return {word: lemmas.__wrapped__(word) for word in (RUSSIAN[offset:] + RUSSIAN[:offset]) * 10}

    with ThreadPoolExecutor(8) as pool:
        assert all(result == expected for result in pool.map(lemmatise_all, range(8)))
