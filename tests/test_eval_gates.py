"""Gates that mean something: the deliberate regressions of the evals issue turn the suites red,
each for the right gate; first drafts are scored before repair; the grader's second opinion is
listed and gated (and said to be absent when it is); "no data" fails; known failures are reported,
not counted; reports of different suites or case sets are not compared as if they were alike."""

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import drafters
from assistant.evals.compare import BaselineError, compare
from assistant.evals.html_report import render_html
from assistant.evals.reports import summary_lines
from assistant.evals.runner import run_suite
from assistant.evals.suites import load_suite
from assistant.rules import check_reply

ROOT = Path(__file__).resolve().parent.parent
SUITES = ROOT / "evals" / "suites"

# blame the checker knows (its lexicon and brand.yaml), and blame it does not (sarcasm)
KNOWN_BLAME = {
    "ru": "Надо было внимательнее читать описание товара.",
    "en": "You should have read the product description more carefully.",
}
UNKNOWN_BLAME = {
    "ru": "Ну, видимо, инструкцию вы не читали.",
    "en": "Well, reading the size chart would have helped.",
}


def with_sentence(text: str, sentence: str) -> str:
    """The sentence after the draft's greeting, where a careless writer would put it."""
    cut = min((i + 2 for i in (text.find(". "), text.find("! ")) if i >= 0), default=len(text))
    return f"{text[:cut]}{sentence} {text[cut:]}".strip()


def blaming_drafter(monkeypatch, sentences: dict[str, str]) -> None:
    """The offline drafter, broken on purpose: every draft it writes carries the sentence."""
    compose = drafters.compose

    def broken(comment, found, *args, **kwargs):
        return [
            dataclasses.replace(d, text=with_sentence(d.text, sentences[found.lang]))
            for d in compose(comment, found, *args, **kwargs)
        ]

    monkeypatch.setattr(drafters, "compose", broken)


def broken_run(indexed_copy, monkeypatch, name: str, sentences: dict[str, str]) -> tuple[dict, list[str]]:
    """The suite run with the drafter broken on purpose: it must fail; (report, its failed gates)."""
    blaming_drafter(monkeypatch, sentences)
    report = run_suite(load_suite(SUITES / f"{name}.yaml"), indexed_copy, progress=False)
    assert not report["passed"]
    return report, failed_gates(report)


def failed_gates(report: dict) -> list[str]:
    return [g["name"] for g in report["gates"] if not g["passed"]]


def test_the_two_sentences_are_what_the_regressions_say():
    """In a draft as long as the drafter's, the known blame fails the checker and the sarcasm passes it
    (the whole-reply score dilutes one sentence among polite ones: the blind spot the grader is for)."""
    from assistant.knowledge import load_knowledge

    brand = load_knowledge(ROOT / "knowledge").brand
    drafts = {
        "ru": "Анна, здравствуйте! Нам очень жаль, что так вышло. {} Мы заменим товар или вернём деньги в течение "
        "10 дней. Напишите нам в личные сообщения номер заказа.",
        "en": "Hi Sophie, we're so sorry about this. {} We'll replace the item or refund you within 10 days. "
        "Please send us your order number in a DM.",
    }
    for lang, draft in drafts.items():
        known = check_reply(draft.format(KNOWN_BLAME[lang]), lang=lang, brand=brand, channel="instagram")
        assert known.verdicts["no_blame"].status == "fail"
        unknown = check_reply(draft.format(UNKNOWN_BLAME[lang]), lang=lang, brand=brand, channel="instagram")
        assert unknown.verdicts["no_blame"].status == "pass"


@pytest.mark.parametrize("name", ["smoke", "core"])
def test_the_shipped_suites_pass_with_the_drafter_as_it_is(indexed_copy, name):
    report = run_suite(load_suite(SUITES / f"{name}.yaml"), indexed_copy, progress=False)
    assert report["passed"], failed_gates(report)
    assert report["grader"]["by"] == ["heads"]


@pytest.mark.parametrize("name", ["smoke", "core"])
def test_a_drafter_that_blames_and_is_repaired_turns_the_suite_red(indexed_copy, monkeypatch, name):
    report, failed = broken_run(indexed_copy, monkeypatch, name, KNOWN_BLAME)
    assert "no_blame pass rate (first draft) ≥ 100%" in failed
    assert any(g.startswith("drafts that needed repair or revision") for g in failed)
    # what the writer would have received is clean: only the first-draft gates see the regression
    assert report["rules"]["no_blame"]["rate"] == 1.0
    assert report["first_rules"]["no_blame"]["rate"] < 0.5
    repaired = next(d for c in report["cases"] for d in c["drafts"] if d["changed"])
    assert KNOWN_BLAME["ru"] in repaired["stages"][0]["text"] or KNOWN_BLAME["en"] in repaired["stages"][0]["text"]


@pytest.mark.parametrize("name", ["smoke", "core"])
def test_blame_the_checker_does_not_know_is_caught_by_the_grader(indexed_copy, monkeypatch, name):
    report, failed = broken_run(indexed_copy, monkeypatch, name, UNKNOWN_BLAME)
    assert "the grader finds a problem the checker passed in ≤ 5% of drafts (no_blame)" in failed
    # the checker passes most of them (its learned head now catches some of this sarcasm, and a short
    # variant's whole-reply part may tip one over)
    assert report["first_rules"]["no_blame"]["rate"] >= 0.8
    assert report["grader"]["rules"]["no_blame"]["checker_passed"] > report["grader"]["rules"]["no_blame"]["graded"] / 2
    found = [d for c in report["cases"] for draft in c["drafts"] for d in draft["grader"]["disagreements"]]
    assert any("reads as blame" in d["why"] and d["by"] == "heads" for d in found)
    html = render_html(report)
    assert "Passing cases the grader disagrees on" in html and "инструкцию вы не читали" in html


SMALL = """\
suite: tiny
settings:
  variants: 1
  thresholds: {{empathy: 1.0, no_blame: 1.0}}
  {extra}
cases:
  - id: en-praise
    comment: "Love my new coat, thank you!"
    channel: instagram
    lang: en
    tags: [praise]
    expect: {{rules: [no_blame]}}
  - id: en-question
    comment: "Do you ship to Canada?"
    channel: instagram
    lang: en
    tags: [question]
    {known}
    expect: {{kind: complaint}}
"""


def small(tmp_path, extra: str = "", known: str = "") -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(SMALL.format(extra=extra, known=known), encoding="utf-8")
    return path


def test_a_threshold_on_a_rule_that_never_applied_is_no_data_and_fails(indexed_copy, tmp_path):
    report = run_suite(load_suite(small(tmp_path)), indexed_copy, progress=False)
    gate = next(g for g in report["gates"] if g["name"] == "empathy pass rate ≥ 100%")
    assert not gate["passed"] and gate["detail"].startswith("no data")
    expected = run_suite(load_suite(small(tmp_path, "no_data_expected: [empathy]")), indexed_copy, progress=False)
    gate = next(g for g in expected["gates"] if g["name"] == "empathy pass rate ≥ 100%")
    assert gate["passed"] and "expects none" in gate["detail"]


def test_a_known_failure_is_listed_and_not_counted(indexed_copy, tmp_path):
    plain = run_suite(load_suite(small(tmp_path, "no_data_expected: [empathy]")), indexed_copy, progress=False)
    question = plain["cases"][1]
    assert not question["passed"] and "read as question, but it is complaint" in question["problems"]
    assert not plain["passed"] and plain["expectations"]["kind"] == {"cases": 1, "met": 0, "rate": 0.0}

    path = small(tmp_path, "no_data_expected: [empathy]", 'known_failure: "the label is wrong on purpose"')
    report = run_suite(load_suite(path), indexed_copy, progress=False)
    assert report["passed"], failed_gates(report)
    assert report["totals"]["known_failures"] == 1 and report["totals"]["known_failures_now_passing"] == []
    text = "\n".join(summary_lines(report))
    assert "known failures (1, not counted by the gates)" in text and "en-question (still fails)" in text
    assert "1/1 = 100.0% (1 known failures not counted)" in text


def test_without_a_grader_the_report_says_it_was_absent(indexed_copy, tmp_path):
    report = run_suite(
        load_suite(small(tmp_path, "no_data_expected: [empathy]")), indexed_copy, progress=False, grader="none"
    )
    assert report["grader"]["by"] == [] and "no grader" in report["grader"]["absent"]
    assert report["grader"]["rules"] == {}  # no agreement is reported that was not measured
    gate = next(g for g in report["gates"] if g["name"].startswith("the grader"))
    assert not gate["passed"] and gate["detail"].startswith("no data")
    assert "grader: absent" in "\n".join(summary_lines(report))
    assert "The grader was absent" in render_html(report)
    llm = run_suite(
        load_suite(small(tmp_path, "no_data_expected: [empathy]")), indexed_copy, progress=False, grader="llm"
    )
    assert llm["grader"]["by"] == [] and "no LLM is configured" in llm["grader"]["absent"]


def test_the_llm_judge_grades_every_draft_when_asked(indexed_copy, openai_stub, tmp_path):
    """The stub plays a judge that calls any reply that thanks the customer blaming: its
    disagreements with the checker are listed under the model's name."""
    from assistant.rules import RULE_IDS

    def judge(body: dict) -> str:
        reply = body["messages"][-1]["content"].split("<reply>")[-1]
        verdicts = {rule: "n/a" for rule in RULE_IDS} | {"no_blame": "fail" if "thank" in reply.casefold() else "pass"}
        return json.dumps({"verdicts": verdicts, "reasons": {"no_blame": "it gloats"}})

    openai_stub.responder = judge
    llm = dataclasses.replace(
        indexed_copy, openai_base_url=openai_stub.base_url, openai_api_key="test-key", llm_model="judge-model"
    )
    path = small(tmp_path, "no_data_expected: [empathy]")
    report = run_suite(load_suite(path), llm, progress=False, grader="both")
    assert report["grader"]["by"] == ["heads", "llm"]
    praise = report["cases"][0]["drafts"][0]
    assert "llm:judge-model" in praise["grader"]["by"]
    assert {"rule": "no_blame", "checker": "pass", "grader": "fail", "by": "llm:judge-model", "why": "it gloats"} in (
        praise["grader"]["disagreements"]
    )
    assert report["grader"]["rules"]["no_blame"]["checker_passed"] >= 1
    assert any(r["path"].endswith("/chat/completions") for r in openai_stub.requests)


def test_reports_of_different_suites_or_case_sets_are_not_compared_blindly(indexed_copy, tmp_path):
    report = run_suite(load_suite(small(tmp_path, "no_data_expected: [empathy]")), indexed_copy, progress=False)
    other = dict(report, suite="core")
    with pytest.raises(BaselineError, match="compare two runs of the same suite"):
        compare(report, other)
    fewer = dict(report, cases=report["cases"][:1])
    comparison = compare(report, fewer)
    assert comparison["scope"] == {"common": 1, "only_now": ["en-question"], "only_baseline": []}
    with pytest.raises(BaselineError, match="share no case"):
        compare(report, dict(report, cases=[dict(report["cases"][0], id="elsewhere")]))


def test_the_real_suites_are_what_the_script_writes_from_the_corpus(tmp_path):
    """The real suites come from the corpus by a script; edited cases or a stale file fail here."""
    copy = tmp_path / "repo"
    (copy / "evals").mkdir(parents=True)
    (copy / "scripts").mkdir()
    (copy / "evals" / "real").symlink_to(ROOT / "evals" / "real")
    (copy / "evals" / "suites").mkdir()
    (copy / "scripts" / "make_real_suites.py").write_text(
        (ROOT / "scripts" / "make_real_suites.py").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (copy / "assistant").symlink_to(ROOT / "assistant")
    for name in ("real.yaml", "real-test.yaml"):  # the settings are kept from the files
        (copy / "evals" / "suites" / name).write_text((SUITES / name).read_text(encoding="utf-8"), encoding="utf-8")
    subprocess.run([sys.executable, str(copy / "scripts" / "make_real_suites.py")], check=True, capture_output=True)
    for name in ("real.yaml", "real-test.yaml"):
        assert (copy / "evals" / "suites" / name).read_text(encoding="utf-8") == (SUITES / name).read_text(
            encoding="utf-8"
        ), f"{name} is stale: run scripts/make_real_suites.py"


def test_the_real_suites_hold_every_kind_of_real_comment_and_split_by_the_corpus():
    from assistant.corpus import load_corpus

    split_of = {c.id: c.split for c in load_corpus(ROOT / "evals" / "real").comments}
    for name, splits in (("real", {"train", "dev"}), ("real-test", {"test"})):
        suite = load_suite(SUITES / f"{name}.yaml")
        assert not suite.problems and len(suite.cases) >= 150
        assert {split_of[c.id.split("-", 2)[2]] for c in suite.cases} == splits
        tags = {t for c in suite.cases for t in c.tags}
        assert {"ru", "en", "complaint", "praise", "question", "neutral"} <= tags
        assert {"abuse", "sarcasm", "threat", "mixed", "other"} <= tags
        assert all(c.source and c.source.startswith("http") for c in suite.cases)
        assert all(c.expect.kind for c in suite.cases)


def test_the_html_report_links_a_real_case_to_its_source_and_no_other_scheme():
    report = {
        "kind": "suite",
        "suite": "tiny",
        "passed": False,
        "gates": [],
        "rules": {},
        "cases": [
            {"id": "a", "passed": False, "comment": "x", "source": "https://example.org/review/1", "drafts": []},
            {"id": "b", "passed": False, "comment": "y", "source": "javascript:alert(1)", "drafts": []},
        ],
    }
    html = render_html(report)
    assert "<a href='https://example.org/review/1'>" in html
    assert "href='javascript" not in html and "Published at javascript:alert(1)" in html
