"""What a process derives at start-up (the USE encoder's tokenizer and weights, the lexicons' word
forms) is kept on disk between runs; a stale, corrupt or unwritable cache only costs a rebuild, and
what is read back is exactly what would have been built."""

from __future__ import annotations

import numpy as np
import pytest

from assistant import derived_cache
from assistant.encoder import USEEncoder
from assistant.rules import text


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(derived_cache.CACHE_ENV, str(folder))
    return folder


def counting(value):
    calls = []

    def build():
        calls.append(1)
        return value

    return build, calls


def test_an_entry_is_built_once_and_read_back(cache):
    build, calls = counting({"a": 1})
    assert derived_cache.load_or_build("thing", "v1", build) == {"a": 1}
    assert derived_cache.load_or_build("thing", "v1", build) == {"a": 1}
    assert len(calls) == 1
    assert (cache / "thing.pickle").is_file()


def test_another_key_a_corrupt_file_or_a_rejected_copy_rebuilds(cache):
    build, calls = counting([1, 2, 3])
    derived_cache.load_or_build("thing", "v1", build)
    derived_cache.load_or_build("thing", "v2", build)  # the package it came from changed
    assert len(calls) == 2
    (cache / "thing.pickle").write_bytes(b"\x80\x05 not a pickle")
    assert derived_cache.load_or_build("thing", "v2", build) == [1, 2, 3]
    assert len(calls) == 3
    assert derived_cache.load_or_build("thing", "v2", build, valid=lambda value: False) == [1, 2, 3]
    assert len(calls) == 4


def test_a_cache_that_cannot_be_written_costs_only_the_rebuild(tmp_path, monkeypatch):
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    monkeypatch.setenv(derived_cache.CACHE_ENV, str(blocked / "cache"))
    build, calls = counting("value")
    assert derived_cache.load_or_build("thing", "v1", build) == "value"
    assert derived_cache.load_or_build("thing", "v1", build) == "value"
    assert len(calls) == 2


def test_the_use_encoder_read_from_the_cache_embeds_exactly_as_one_built_fresh(cache):
    texts = ["Курьер опоздал на три часа", "The parcel never arrived, what now?", "ok"]
    built = USEEncoder()  # empty cache: built, then stored
    assert (cache / "use-encoder.pickle").is_file()
    read_back = USEEncoder()
    assert np.array_equal(built._embed(texts), read_back._embed(texts))


def test_the_use_encoder_rebuilds_a_cached_copy_that_embeds_differently(cache):
    USEEncoder()
    path = cache / "use-encoder.pickle"
    stamp, (tokenizer, state, probe) = derived_cache.pickle.loads(path.read_bytes())
    state = {**state, "d0": state["d0"] * 1.5}  # weights that no longer match what they were built from
    path.write_bytes(derived_cache.pickle.dumps((stamp, (tokenizer, state, probe))))
    fresh = USEEncoder()
    assert np.array_equal(fresh._embed(["Курьер опоздал"])[0], USEEncoder()._embed(["Курьер опоздал"])[0])
    _, (_, stored, _) = derived_cache.pickle.loads(path.read_bytes())
    assert np.array_equal(stored["d0"], fresh._model._backend.d0)  # the bad copy was replaced


def test_remembered_word_forms_are_the_ones_the_analyser_gives():
    text._load_lexicon_forms()
    assert len(text._KNOWN_FORMS) > 1000
    wrong = {word: forms for word, forms in text._KNOWN_FORMS.items() if forms != text._forms(word)}
    assert not wrong
    assert text.lemmas("сообщения") >= {"сообщение", "сообщения"}
