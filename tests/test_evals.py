"""Eval suites: the format and its errors, a run through the real pipeline with its reports,
the gates, the baseline comparison, and the LLM answer cache through the stub server."""

import dataclasses
import json
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from assistant.cli import main
from assistant.evals.compare import apply_baseline, compare
from assistant.evals.runner import run_suite
from assistant.evals.suites import load_suite

ROOT = Path(__file__).resolve().parent.parent
SUITES = ROOT / "evals" / "suites"

SMALL_SUITE = """\
suite: tiny
settings:
  drafter: offline
  variants: 2
  concurrency: 2
  thresholds: {invite_dm: 1.0, no_blame: 1.0}
  min_case_pass_rate: 1.0
cases:
  - id: ru-late
    comment: "Курьер опоздал на 5 часов и нагрубил мне"
    channel: instagram
    lang: ru
    tags: [courier_behaviour, meek]
    expect:
      rules: [no_blame, empathy, invite_dm, concrete_solution, policy_grounded]
      must_mention: [[курьер]]
  - id: en-zip
    comment: "The zipper on my coat broke on day one"
    channel: instagram
    lang: en
    tags: [defective_item]
    expect:
      rules: [no_blame, empathy, invite_dm, policy_grounded]
      must_not_mention: ["100%"]
"""


@pytest.mark.parametrize("name", ["smoke", "core", "safety"])
def test_the_shipped_suites_load_without_problems(name):
    suite = load_suite(SUITES / f"{name}.yaml")
    assert suite.problems == []
    assert len(suite.cases) >= {"smoke": 5, "core": 60, "safety": 30}[name]
    assert {c.lang for c in suite.cases} == {"ru", "en"} or name == "smoke"


def test_core_covers_every_policy_topic_and_complainer_type():
    suite = load_suite(SUITES / "core.yaml")
    tags = {t for c in suite.cases for t in c.tags}
    topics = {p.stem for p in (ROOT / "knowledge" / "policies").glob("*.md")} - {"general_conduct", "personal_data"}
    assert topics <= tags
    assert {"meek", "aggressive", "high_roller", "opportunist", "chronic", "troll", "praise", "question"} <= tags


def test_a_malformed_case_is_reported_with_its_line_and_the_rest_load(tmp_path):
    broken = SMALL_SUITE.replace("    channel: instagram\n    lang: en", "    channel: insta\n    lang: en")
    path = tmp_path / "tiny.yaml"
    path.write_text(broken, encoding="utf-8")
    suite = load_suite(path)
    assert [c.id for c in suite.cases] == ["ru-late"]
    assert suite.problems == [
        f'{path}:19: case "en-zip": channel "insta" is unknown (known: instagram, vk, telegram, marketplace, email)'
    ]


def test_unknown_rules_and_bad_thresholds_are_named(tmp_path):
    text = SMALL_SUITE.replace("{invite_dm: 1.0, no_blame: 1.0}", "{invite_dm: 1.5, be_nice: 1.0}")
    path = tmp_path / "tiny.yaml"
    path.write_text(text, encoding="utf-8")
    problems = load_suite(path).problems
    assert any(":6: the threshold of invite_dm must be a number from 0 to 1" in p for p in problems)
    assert any(':6: "be_nice" is not a rule' in p for p in problems)


def test_a_run_scores_every_draft_and_writes_json_html_and_junit(indexed_copy, tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(SMALL_SUITE, encoding="utf-8")
    report = run_suite(load_suite(path), indexed_copy, progress=False)
    assert report["passed"], report["gates"]
    assert [c["id"] for c in report["cases"]] == ["ru-late", "en-zip"]
    assert all(len(c["drafts"]) == 2 for c in report["cases"])
    assert report["rules"]["invite_dm"]["rate"] == 1.0 and report["rules"]["invite_dm"]["pass"] == 4
    assert report["ids"]["prompt_versions"]["composer"].startswith("composer-")
    assert len(report["ids"]["knowledge"]) == 12

    from assistant.evals.reports import write_reports

    paths = write_reports(report, tmp_path / "out")
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["suite"] == "tiny"
    html = paths["html"].read_text(encoding="utf-8")
    assert "<svg" in html and "invite_dm" in html and "PASSED" in html
    junit = ET.parse(paths["junit"]).getroot()
    assert junit.get("failures") == "0" and int(junit.get("tests")) == 2 + len(report["gates"])


def test_a_case_that_misses_its_expectations_fails_the_gate(indexed_copy, tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(SMALL_SUITE.replace("must_mention: [[курьер]]", "must_mention: [[самокат]]"), encoding="utf-8")
    report = run_suite(load_suite(path), indexed_copy, progress=False)
    late = report["cases"][0]
    assert not late["passed"] and 'draft 1: does not mention "самокат"' in late["problems"]
    assert not report["passed"]
    junit = ET.fromstring(__import__("assistant.evals.reports", fromlist=["junit_xml"]).junit_xml(report))
    failed = [case.get("name") for case in junit.iter("testcase") if case.find("failure") is not None]
    assert "ru-late" in failed


def test_removing_the_dm_invitation_is_caught_by_the_baseline(indexed_copy, tmp_path, capsys, monkeypatch):
    """The deliberate regression of the issue: the composer stops inviting to private messages."""
    suite = tmp_path / "tiny.yaml"
    suite.write_text(SMALL_SUITE, encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(indexed_copy.data_dir))
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_DIR", str(indexed_copy.knowledge_dir))
    assert main(["eval", "run", str(suite), "--out", str(tmp_path / "before"), "--quiet"]) == 0

    prompts = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", prompts)
    for lang in ("ru", "en"):
        phrases = prompts / "composer" / f"{lang}.yaml"
        text = phrases.read_text(encoding="utf-8")
        start = text.index("dm_invitation:")
        end = text.index("\n\n", start)
        phrases.write_text(text[:start] + 'dm_invitation:\n  default: ""\n  email: ""' + text[end:], encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_PROMPTS_DIR", str(prompts))
    capsys.readouterr()
    code = main(
        [
            "eval",
            "run",
            str(suite),
            "--out",
            str(tmp_path / "after"),
            "--quiet",
            "--baseline",
            str(tmp_path / "before" / "tiny.json"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "▼ invite_dm: 100.0% → " in out
    assert "✘ ru-late passed before and now fails" in out and "✘ en-zip passed before and now fails" in out


def test_an_unchanged_rerun_is_no_regression(indexed_copy, tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(SMALL_SUITE, encoding="utf-8")
    first = run_suite(load_suite(path), indexed_copy, progress=False)
    second = run_suite(load_suite(path), indexed_copy, progress=False)
    apply_baseline(second, compare(second, first))
    assert second["passed"] and second["baseline"]["regressed"] is False


def test_llm_answers_are_cached_so_a_rerun_costs_nothing(indexed_copy, openai_stub, tmp_path):
    from tests.test_drafting import GOOD_ANSWER, TRIAGE_JSON

    path = tmp_path / "tiny.yaml"
    path.write_text(
        SMALL_SUITE.replace("drafter: offline", "drafter: llm").split("  - id: en-zip")[0], encoding="utf-8"
    )
    llm = dataclasses.replace(
        indexed_copy, openai_base_url=openai_stub.base_url, openai_api_key="test-key", llm_model="stub-model"
    )
    openai_stub.replies.extend([TRIAGE_JSON, GOOD_ANSWER, GOOD_ANSWER])
    first = run_suite(load_suite(path), llm, progress=False)
    assert first["drafter"] == "llm:stub-model" and first["cases"][0]["drafter"] == "llm:stub-model"
    assert first["totals"]["usage"]["input_tokens"] > 0
    calls = len(openai_stub.requests)
    second = run_suite(load_suite(path), llm, progress=False)
    assert len(openai_stub.requests) == calls  # every answer came from the cache
    assert second["totals"]["usage"]["cost_usd"] == 0 and second["totals"]["usage"]["input_tokens"] == 0
    assert [d["text"] for d in second["cases"][0]["drafts"]] == [d["text"] for d in first["cases"][0]["drafts"]]


def test_the_llm_drafter_without_an_llm_says_what_to_set(indexed_copy, tmp_path, capsys, monkeypatch):
    path = tmp_path / "tiny.yaml"
    path.write_text(SMALL_SUITE.replace("drafter: offline", "drafter: llm"), encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(indexed_copy.data_dir))
    assert main(["eval", "run", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "set OPENAI_API_KEY" in capsys.readouterr().err


def test_calibration_writes_the_same_report_format(tmp_path, capsys):
    labelled = str(ROOT / "evals" / "labelled" / "replies.jsonl")
    assert main(["eval", "calibrate", labelled, "--quiet", "--min-f1", "0.9", "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "calibration-replies.json").read_text(encoding="utf-8"))
    assert report["kind"] == "calibration" and set(report["rules"]) >= {"no_blame", "invite_dm"}
    assert all(g["passed"] for g in report["gates"])
    assert (tmp_path / "calibration-replies.junit.xml").is_file() and (tmp_path / "calibration-replies.html").is_file()


def test_calibrate_prints_the_real_test_split_and_gates_complaint_recall(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code = main(
        ["eval", "calibrate", "--split", "test", "--quiet", "--min-complaint-recall", "0.95", "--out", str(tmp_path)]
    )
    out = capsys.readouterr().out
    assert "real corpus, test split (never used to choose anything)" in out
    assert "team-written" not in out  # --split shows that split only
    report = json.loads((tmp_path / "calibration-real-test.json").read_text(encoding="utf-8"))
    assert {g["name"] for g in report["gates"]} >= {"complaint recall (ru) ≥ 0.95", "complaint recall (en) ≥ 0.95"}
    assert code == (0 if all(g["passed"] for g in report["gates"]) else 1)
