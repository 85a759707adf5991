"""The learned heads: shipped with their card and figures, read with numpy alone, the same features
in training and in the product, and verdicts that say what decided them."""

import json
import subprocess
import sys

import numpy as np
import pytest

from assistant.heads import REPLY_HEADS, shipped_heads, split_sentences, weights_dir
from assistant.heads.ngrams import NgramSpace, char_ngrams
from assistant.rules import check_reply


def test_the_heads_ship_with_a_model_card_and_their_figures():
    heads = shipped_heads()
    assert heads is not None
    assert set(heads.reply) == set(REPLY_HEADS)
    assert heads.comment_kind.classes == ("complaint", "praise", "question", "neutral")
    metrics = json.loads((weights_dir() / "metrics.json").read_text(encoding="utf-8"))
    for split in ("train", "dev", "test"):
        assert split in metrics["comment_kind"] and split in metrics["reply"]["no_blame"]
    card = (weights_dir() / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "test" in card and "dev" in card and metrics["corpus"]["sha256"][:16] in card


def test_the_ngram_features_are_exactly_what_training_saw():
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = ["Приносим извинения за задержку!", "Вы сами виноваты((", "DM us  please", "ok"]
    vectoriser = TfidfVectorizer(analyzer=char_ngrams, sublinear_tf=True).fit(texts)
    grams = [str(g) for g in vectoriser.get_feature_names_out()]
    space = NgramSpace({g: i for i, g in enumerate(grams)}, vectoriser.idf_)
    weights = np.random.default_rng(0).normal(size=(2, len(grams))).astype(np.float32)
    bias = np.array([0.1, -0.2], dtype=np.float32)
    expected = vectoriser.transform(texts) @ weights.T + bias
    assert np.allclose(space.logits(texts, weights, bias), expected, atol=1e-5)


def test_the_product_reads_the_heads_without_scikit_learn():
    script = (
        "import sys; sys.modules['sklearn'] = None\n"
        "from assistant.rules import check_reply\n"
        "r = check_reply('Вы сами виноваты, надо было читать описание.', 'Пришло не то')\n"
        "print(r.verdicts['no_blame'].status)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "fail"


def test_sentences_keep_their_place_in_the_reply():
    reply = "Здравствуйте, Анна! Приносим извинения.Напишите нам в Direct.\n\nС уважением, «Сорока»."
    sentences = split_sentences(reply)
    assert [s.text for s in sentences] == [
        "Здравствуйте, Анна!",
        "Приносим извинения.",
        "Напишите нам в Direct.",
        "С уважением, «Сорока».",
    ]
    assert all(reply[s.start : s.end] == s.text for s in sentences)


def test_a_head_verdict_names_the_sentence_that_decided_it():
    reply = "Здравствуйте! У остальных покупателей всё подошло, размер соответствует таблице."
    verdict = check_reply(reply, "Маломерит").verdicts["no_blame"]
    assert verdict.status == "fail"
    assert "head" in verdict.decided_by
    head_spans = [e for e in verdict.evidence if e.by == "head"]
    assert head_spans and all(reply[e.start : e.end] == e.text for e in head_spans)


def test_without_heads_the_lexicons_decide_and_say_so():
    result = check_reply("Приносим извинения за задержку!", "Где заказ?", use_heads=False)
    assert result.verdicts["empathy"].status == "pass"
    assert result.verdicts["empathy"].decided_by == "lexicon"


@pytest.mark.parametrize("rule", REPLY_HEADS)
def test_every_reply_head_chose_its_settings_on_dev(rule):
    head = shipped_heads().reply[rule]
    assert head.meta["combine"] in ("or", "head", "lexicon", "and")
    assert 0.0 <= head.mix <= 1.0 and 0.0 < head.threshold() < 1.0


@pytest.mark.parametrize("rule", REPLY_HEADS)
def test_a_head_never_scores_a_reply_above_its_ceiling(rule):
    """The checker skips the encoder when a head's ceiling is under its threshold: that is only exact
    if no encoder output could lift the reply's score above the ceiling."""
    from pathlib import Path

    from assistant.corpus import load_corpus
    from assistant.heads import sentence_vectors

    head = shipped_heads().reply[rule]
    replies = load_corpus(Path(__file__).resolve().parent.parent / "evals" / "real").replies_in("dev")[:40]
    below = 0
    for item in replies:
        sentences = split_sentences(item.reply)
        texts = [s.text for s in sentences]
        actual = head.reply_score(
            [float(p) for p in head.probabilities(sentence_vectors(sentences), texts)[:, 0]], item.reply
        )
        ceiling = head.ceiling(texts, item.reply)
        assert actual <= ceiling + 1e-6, item.id
        below += ceiling < head.threshold()
    if head.needs_vectors:
        assert below > 0  # the shortcut is taken for some real replies, or it buys nothing


def _dev_replies(count: int):
    from pathlib import Path

    from assistant.corpus import load_corpus

    return load_corpus(Path(__file__).resolve().parent.parent / "evals" / "real").replies_in("dev")[:count]


def test_the_checker_reads_only_the_sentences_that_can_change_a_verdict(monkeypatch):
    """The encoder reads a subset of the sentences; every head's verdict and its evidence sentences are
    what reading all of them gives, on real replies."""
    import assistant.heads as heads_module
    from assistant.heads import sentence_vectors
    from assistant.rules.case import _scored

    heads = shipped_heads().reply
    read = []
    monkeypatch.setattr(heads_module, "sentence_vectors", lambda s: read.append(len(s)) or sentence_vectors(s))
    total = 0
    for item in _dev_replies(60):
        sentences = split_sentences(item.reply)
        texts = [s.text for s in sentences]
        total += len(sentences)
        partial = _scored(sentences, item.reply, heads)
        full = sentence_vectors(sentences)
        for rule, head in heads.items():
            exact = [float(p) for p in head.probabilities(full, texts)[:, 0]]
            got = [p for _, p in partial[rule]]
            threshold = head.threshold()
            found = head.reply_score(exact, item.reply) >= threshold
            assert (head.reply_score(got, item.reply) >= threshold) == found, (item.id, rule)
            if found:
                assert [p >= threshold for p in got] == [p >= threshold for p in exact], (item.id, rule)
                assert max(range(len(got)), key=got.__getitem__) == max(range(len(exact)), key=exact.__getitem__)
    assert sum(read) < total  # the shortcut is taken, or it buys nothing


def test_the_checker_reads_a_comment_without_the_encoder_only_when_the_kind_is_settled():
    from pathlib import Path

    from assistant.corpus import load_corpus
    from assistant.reading import read_comment
    from assistant.rules.lexicon import load_lexicon

    lexicon = load_lexicon(None)
    # every fourth: both languages (English has too high a threshold for the n-grams alone to settle it)
    comments = load_corpus(Path(__file__).resolve().parent.parent / "evals" / "real").comments_in("dev")[::4]
    settled = 0
    for item in comments:
        quick = read_comment(item.text, lexicon, kind_only=True)
        assert quick.kind == read_comment(item.text, lexicon).kind, item.id
        settled += not quick.kind_scores
    assert 0 < settled < len(comments)


def test_the_heads_read_both_encoders_and_reuse_the_retrieval_vector():
    from assistant.encoder import bundled_e5, bundled_use
    from assistant.heads import comment_features, comment_vector

    text = "Курьер опоздал на пять часов и нагрубил"
    e5 = comment_vector(text)  # what retrieval searches with
    both = comment_features(text, e5)
    assert both.shape == (bundled_e5().dimensions + bundled_use().dimensions,)
    assert np.array_equal(both[: len(e5)], e5)
    assert np.isclose(np.linalg.norm(both[len(e5) :]), 1.0, atol=1e-4)
    assert np.allclose(comment_features(text), both, atol=1e-6)
    assert shipped_heads().comment_kind.encoder.weights.shape[1] == len(both)  # trained on this layout


def test_a_vector_does_not_depend_on_the_batch_it_was_computed_in():
    """Training embeds one text at a time and the product embeds a reply's sentences together: the
    shipped figures are only reproducible if both give exactly the same vector."""
    from assistant.encoder import E5Embedder, USEEncoder

    texts = ["Нам очень жаль.", "Вы сами виноваты, надо было читать описание товара внимательнее.", "DM us"]
    for encoder in (E5Embedder, USEEncoder):
        together = encoder().query_vectors(texts)
        for i, text in enumerate(texts):
            assert np.array_equal(encoder().query_vectors([text])[0], together[i])
