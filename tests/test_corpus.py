"""The real-text corpus: enough real comments and replies, every item traceable to its source,
fixed splits by hash, and bad lines reported with file and line while the rest still loads."""

import json
from collections import Counter
from pathlib import Path

import pytest

from assistant.corpus import HEAD_RULES, load_corpus, split_of, template_key

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(ROOT / "evals" / "real")


def test_the_corpus_loads_without_problems(corpus):
    assert corpus.problems == []


def test_team_written_text_is_a_small_labelled_part_of_train(corpus):
    written = [c for c in corpus.comments if c.origin != "real"]
    assert written and {c.split for c in written} == {"train"}
    assert len(written) < 0.1 * len(corpus.comments)


def test_the_corpus_is_big_enough(corpus):
    real_comments = [c for c in corpus.comments if c.origin == "real"]
    assert len(real_comments) >= 800
    assert sum(1 for c in real_comments if c.lang == "ru") >= 500
    assert len(corpus.replies) >= 600


@pytest.mark.parametrize("rule", HEAD_RULES)
def test_every_rule_has_hundreds_of_failing_real_replies(corpus, rule):
    fails = sum(1 for r in corpus.replies if r.labels[rule] == "fail")
    assert fails >= 200, f"{rule}: only {fails} real replies fail it"


def test_every_item_names_its_public_source(corpus):
    for item in [*corpus.comments, *corpus.replies]:
        if item.origin != "real":
            assert item.split == "train", item.id
            continue
        assert item.source.startswith(("https://", "http://")), item.id


def test_every_kind_and_both_languages_are_present(corpus):
    kinds = Counter((c.lang, c.kind) for c in corpus.comments)
    for lang in ("ru", "en"):
        for kind in ("complaint", "praise", "question", "neutral"):
            assert kinds[(lang, kind)] >= 10, (lang, kind)
    flags = Counter(f for c in corpus.comments for f in c.flags)
    assert all(flags[f] >= 20 for f in ("abuse", "mixed", "sarcasm", "threat")), flags


def test_splits_are_fixed_by_hash_and_roughly_70_15_15(corpus):
    assert split_of("Курьер опоздал") == split_of("  курьер   ОПОЗДАЛ ")  # normalised text, same split
    shares = Counter(c.split for c in corpus.comments)
    total = sum(shares.values())
    assert 0.6 < shares["train"] / total < 0.8
    assert 0.1 < shares["test"] / total < 0.2


def test_a_template_sent_to_many_lands_in_one_split():
    one = "Уважаемая Анна! К сожалению, мы не нашли Ваших данных в базе наших гостей."
    two = "Уважаемый Олег! К сожалению, мы не нашли Ваших данных в базе наших гостей."
    assert template_key(one) == template_key(two)


def test_a_reply_lands_in_the_split_of_the_comment_it_answers(corpus):
    by_text = {c.text: c.split for c in corpus.comments}
    answered = [r for r in corpus.replies if r.comment in by_text]
    assert len(answered) > 500
    same = sum(1 for r in answered if by_text[r.comment] == r.split)
    assert same / len(answered) > 0.97  # a comment answered by two different templates may differ once


def test_bad_lines_are_reported_with_file_and_line_and_the_rest_loads(tmp_path):
    good = {
        "text": "Пришло с царапиной",
        "lang": "ru",
        "kind": "complaint",
        "topic": "defect_quality",
        "source": "https://x",
    }
    lines = [json.dumps(good, ensure_ascii=False), "{not json", json.dumps({**good, "text": "ok", "kind": "angry"})]
    (tmp_path / "a.comments.jsonl").write_text("\n".join(lines), encoding="utf-8")
    reply = {
        "reply": "Вы сами виноваты.",
        "comment": None,
        "labels": {"no_blame": "fail", "empathy": "n/a", "concrete_solution": "n/a", "invite_dm": "n/a"},
        "evidence": {"no_blame": ["не из этого ответа"]},
        "source": "https://x",
    }
    (tmp_path / "a.replies.jsonl").write_text(json.dumps(reply, ensure_ascii=False), encoding="utf-8")
    loaded = load_corpus(tmp_path)
    assert [c.text for c in loaded.comments] == ["Пришло с царапиной"]
    assert len(loaded.replies) == 1
    problems = "\n".join(loaded.problems)
    assert "a.comments.jsonl:2: not JSON" in problems
    assert "a.comments.jsonl:3: kind 'angry'" in problems
    assert "a.replies.jsonl:1: evidence for no_blame is not a part of the reply" in problems


def test_text_we_wrote_ourselves_only_ever_trains(tmp_path):
    rows = [
        {"text": f"Написали сами {i}", "kind": "praise", "topic": "other", "origin": "written", "source": "https://x"}
        for i in range(40)
    ]
    (tmp_path / "w.comments.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    assert {c.split for c in load_corpus(tmp_path).comments} == {"train"}
