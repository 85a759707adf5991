"""`assistant check`: the JSON contract QA and CI rely on, the human checklist, bad input, --judge."""

import io
import json

from assistant.cli import main
from assistant.rules import RULE_IDS

GOOD = "Анна, простите! Курьер не должен был так себя вести. Напишите нам в Direct — менеджер перезвонит в течение 24 часов."
COMMENT = "Курьер опоздал на 5 часов и нагрубил мне"


def test_jsonl_output_honours_the_contract(tmp_path, capsys):
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"id": 1, "reply": GOOD, "comment": COMMENT, "channel": "instagram"}, ensure_ascii=False)
        + "\n"
        + json.dumps({"id": "b", "reply": "Вы сами виноваты.", "comment": COMMENT}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    assert main(["check", "--jsonl", str(source)]) == 1  # one reply fails
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["id"] for line in lines] == [1, "b"]
    for line in lines:
        assert list(line) == ["id", "verdicts", "evidence", "messages", "decided_by", "passed"]
        assert list(line["verdicts"]) == list(RULE_IDS)
        assert set(line["verdicts"].values()) <= {"pass", "fail", "n/a"}
        assert set(line["evidence"]) == set(line["messages"]) == set(RULE_IDS)
    assert lines[0]["passed"] is True
    assert lines[1]["passed"] is False and lines[1]["verdicts"]["no_blame"] == "fail"
    assert lines[1]["evidence"]["no_blame"][0]["text"].startswith("Вы сами")
    assert lines[1]["verdicts"]["channel_length"] == "n/a"


def test_malformed_lines_are_reported_and_the_rest_checked(monkeypatch, capsys):
    stdin = io.StringIO('{"id": 1, "reply": "Sorry! DM us, we will refund you within 10 days."}\nnot json\n{"id": 3}\n')
    monkeypatch.setattr("sys.stdin", stdin)
    assert main(["check"]) == 2
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 1
    assert "<stdin>:2: not valid JSON" in captured.err
    assert '<stdin>:3: "reply" is missing' in captured.err


def test_a_line_that_is_not_utf8_is_reported_and_the_rest_checked(tmp_path, capsys):
    source = tmp_path / "in.jsonl"
    good = json.dumps({"id": 1, "reply": GOOD, "comment": COMMENT}, ensure_ascii=False).encode("utf-8")
    source.write_bytes(good + b"\n" + b'{"id": 2, "reply": "\xff\xfe broken"}\n' + good.replace(b'"id": 1', b'"id": 3'))
    assert main(["check", "--jsonl", str(source)]) == 2  # input problems, not "a reply failed"
    captured = capsys.readouterr()
    assert [json.loads(line)["id"] for line in captured.out.splitlines()] == [1, 3]
    assert f"{source}:2: not valid UTF-8 (byte 0xff at column 21)" in captured.err


def test_an_unknown_channel_is_refused_not_silently_passed(tmp_path, capsys):
    assert main(["check", "--text", GOOD, "--comment", COMMENT, "--channel", "instagramm"]) == 2
    assert "unknown channel 'instagramm'" in capsys.readouterr().err
    source = tmp_path / "in.jsonl"
    lines = [{"id": 1, "reply": GOOD, "channel": "tiktok"}, {"id": 2, "reply": GOOD, "channel": "vk"}]
    source.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines), encoding="utf-8")
    assert main(["check", "--jsonl", str(source)]) == 2
    captured = capsys.readouterr()
    assert [json.loads(line)["id"] for line in captured.out.splitlines()] == [2]
    assert f"{source}:1: unknown channel 'tiktok'" in captured.err
    assert main(["draft", "--offline", "--channel", "tiktok", COMMENT]) == 2
    assert "the brand's channels are instagram" in capsys.readouterr().err


def test_text_prints_a_checklist(capsys):
    assert main(["check", "--text", GOOD, "--comment", COMMENT, "--channel", "instagram"]) == 0
    out = capsys.readouterr().out
    assert "✔ invite_dm" in out and "passed" in out.splitlines()[-1]


def test_text_can_ask_for_json(capsys):
    assert main(["check", "--text", "Спасибо за отзыв!", "--comment", COMMENT, "--format", "json"]) == 1
    line = json.loads(capsys.readouterr().out)
    assert line["verdicts"]["empathy"] == "fail"


def test_judge_disagreements_are_reported(openai_stub, monkeypatch, capsys):
    monkeypatch.setenv("OPENAI_BASE_URL", openai_stub.base_url)
    verdicts = {rule: "pass" for rule in RULE_IDS}
    verdicts["not_generic"] = "fail"
    openai_stub.replies.append(
        "```json\n" + json.dumps({"verdicts": verdicts, "reasons": {"not_generic": "too vague"}}) + "\n```"
    )
    assert (
        main(["check", "--text", GOOD, "--comment", COMMENT, "--channel", "instagram", "--judge", "--format", "json"])
        == 0
    )
    record = json.loads(capsys.readouterr().out)
    assert record["judge"]["disagreements"] == ["not_generic"]
    assert record["judge"]["prompt_version"] == "judge-2"
    sent = openai_stub.requests[-1]["body"]["messages"][-1]["content"]
    assert "<comment>\n" + COMMENT in sent  # the comment goes in as delimited data


def test_judge_with_malformed_json_is_an_error_not_a_verdict(openai_stub, monkeypatch, capsys):
    monkeypatch.setenv("OPENAI_BASE_URL", openai_stub.base_url)
    openai_stub.replies.append('{"verdicts": {"no_blame": "maybe"}}')
    assert main(["check", "--text", GOOD, "--comment", COMMENT, "--judge", "--format", "json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert "error" in record["judge"]
    assert record["passed"] is True  # the rules' verdict stands


def test_judge_without_an_llm_says_how_to_configure_one(capsys):
    main(["check", "--text", GOOD, "--comment", COMMENT, "--judge"])
    assert "OPENAI_API_KEY" in capsys.readouterr().err
