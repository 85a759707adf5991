"""Build evals/labelled/replies.jsonl from its parts and check them.

    python evals/labelled/source/build.py

Parts: the team's Russian rows (ru_*.py here) and the JSON Lines files beside this folder whose
names start with "_" (_en.jsonl, ...). Checks that every item has all nine labels and that the
channel_length labels agree with the characters counted against knowledge/brand.yaml.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
LABELLED = HERE.parent
ROOT = LABELLED.parent.parent
RULES = (
    "no_blame",
    "concrete_solution",
    "invite_dm",
    "empathy",
    "policy_grounded",
    "language_match",
    "channel_length",
    "no_public_personal_data",
    "not_generic",
)
LETTERS = {"p": "pass", "f": "fail", "n": "n/a"}


def rows_from_module(path: Path) -> list[dict]:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    items = []
    for item_id, channel, comment, reply, codes, note in module.ROWS:
        labels = {rule: LETTERS[c] for rule, c in zip(RULES, codes, strict=True)}
        items.append(
            {
                "id": item_id,
                "lang": "ru",
                "channel": channel,
                "comment": comment,
                "reply": reply,
                "labels": labels,
                "note": note,
            }
        )
    return items


def main() -> int:
    limits = {
        name: spec["max_chars"]
        for name, spec in yaml.safe_load((ROOT / "knowledge" / "brand.yaml").read_text(encoding="utf-8"))[
            "channels"
        ].items()
    }
    items = []
    for path in sorted(HERE.glob("ru_*.py")):
        items += rows_from_module(path)
    for path in sorted(LABELLED.glob("_*.jsonl")):
        items += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    problems, seen = [], set()
    for item in items:
        if item["id"] in seen:
            problems.append(f"{item['id']}: duplicate id")
        seen.add(item["id"])
        if set(item["labels"]) != set(RULES):
            problems.append(f"{item['id']}: labels {sorted(item['labels'])} are not the nine rules")
        channel = item.get("channel")
        expected = "n/a" if channel not in limits else ("pass" if len(item["reply"]) <= limits[channel] else "fail")
        if item["labels"].get("channel_length") != expected:
            problems.append(
                f"{item['id']}: channel_length is {item['labels'].get('channel_length')}, "
                f"the reply has {len(item['reply'])} characters on {channel}"
            )
    for problem in problems:
        print(problem, file=sys.stderr)
    out = LABELLED / "replies.jsonl"
    out.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    ru = sum(i["id"].startswith("ru") for i in items)
    print(f"{len(items)} items ({ru} Russian) -> {out.relative_to(ROOT)}; {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
