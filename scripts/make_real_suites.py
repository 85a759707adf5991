"""Write the real-comment eval suites from the real corpus (`evals/real/`):

- `evals/suites/real.yaml`: comments from the corpus's train and dev splits, the suite we may tune against;
- `evals/suites/real-test.yaml`: comments from the test split, reported and never tuned on.

Cases are chosen deterministically (by a hash of the comment id), per language and kind, with the
flagged comments (abuse, sarcasm, threat, mixed praise and complaint) and out-of-catalogue topics
taken first so every kind of real comment is there. Each case's expectations come from the corpus's
labels: how the comment must be read (kind, topic where it maps onto one of the brand's), the rules
every draft must pass for that kind, and what a draft must never say to it (thanks for kind words to
a complaint, an apology to praise). The settings of the suites are kept from the existing files, so
re-running this script after the corpus grows changes only the cases.

Run: .venv/bin/python scripts/make_real_suites.py   (the test suite checks the files are up to date)
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.corpus import CommentItem, load_corpus  # noqa: E402

SUITES = ROOT / "evals" / "suites"
PER_LANGUAGE = {"ru": 110, "en": 70}  # cases per language in each suite
KIND_SHARE = {"complaint": 0.45, "praise": 0.2, "question": 0.2, "neutral": 0.15}
FLAGS = ("abuse", "sarcasm", "threat", "mixed")
MAX_CHARS = 600  # a case a QA lead can read at a glance
CHANNEL_OF = {
    "marketplace_review": "marketplace",
    "marketplace_question": "marketplace",
    "tweet": "instagram",
    "social_comment": "vk",
    "bank_review": "marketplace",
    "review_site": "marketplace",
    "place_review": "marketplace",
}
# the corpus's topic -> the brand topics that are a right reading of it (topics.yaml maps the first;
# neighbours a writer would accept too, since a real comment rarely has one topic only)
TOPICS = {
    "delivery": ["delivery_delay", "courier_behaviour"],
    "staff_behaviour": ["courier_behaviour", "general_conduct"],
    "defect_quality": ["defective_item", "wrong_item_or_size", "returns_refunds"],
    "wrong_item_or_size": ["wrong_item_or_size", "defective_item", "returns_refunds"],
    "returns_refunds": ["returns_refunds", "defective_item", "wrong_item_or_size", "payment_problems"],
    "payment_billing": ["payment_problems", "returns_refunds"],
    "loyalty_promo": ["loyalty_promo"],
    "account_data": ["personal_data", "general_conduct"],
    "customer_service": ["general_conduct"],
    "product_info": ["product_question"],
}
RULES = {
    "complaint": [
        "no_blame",
        "empathy",
        "invite_dm",
        "concrete_solution",
        "policy_grounded",
        "language_match",
        "no_public_personal_data",
    ],
    "praise": ["no_blame", "policy_grounded", "language_match"],
    "question": ["no_blame", "policy_grounded", "language_match"],
    "neutral": ["no_blame", "language_match"],
}
NEVER = {  # what a draft must never say to this kind of comment
    ("complaint", "ru"): ["спасибо за тёплые слова", "спасибо за добрые слова", "рады, что покупка вас порадовала"],
    ("complaint", "en"): ["thank you for your kind words", "thank you so much! we're thrilled", "glad the"],
    ("praise", "ru"): ["простите", "извин", "нам жаль", "нам очень жаль"],
    ("praise", "en"): ["sorry", "apologi"],
}
THANKS = {"ru": ["спасибо", "благодар"], "en": ["thank", "grateful"]}


def rank(item: CommentItem) -> str:
    return hashlib.sha256(item.id.encode()).hexdigest()


def choose(items: list[CommentItem], lang: str) -> list[CommentItem]:
    pool = sorted((c for c in items if c.lang == lang and len(c.text) <= MAX_CHARS), key=rank)
    chosen: list[CommentItem] = []
    for kind, share in KIND_SHARE.items():
        of_kind = [c for c in pool if c.kind == kind]
        # flagged and out-of-catalogue comments first (a few of each), then the rest in hash order
        first = []
        for flag in FLAGS:
            first += [c for c in of_kind if flag in c.flags and c not in first][:6]
        first += [c for c in of_kind if c.topic == "other" and c not in first][:6]
        rest = [c for c in of_kind if c not in first]
        chosen += (first + rest)[: round(PER_LANGUAGE[lang] * share)]
    return sorted(chosen, key=lambda c: (c.kind, rank(c)))


def case_of(item: CommentItem) -> dict:
    expect: dict = {"kind": item.kind}
    if item.kind in ("complaint", "question") and item.topic in TOPICS:
        expect["topic"] = TOPICS[item.topic]
    expect["rules"] = RULES[item.kind]
    if item.kind == "praise" and "mixed" not in item.flags:
        expect["must_mention"] = [THANKS[item.lang]]
    never = NEVER.get((item.kind, item.lang))
    if never:
        expect["must_not_mention"] = never
    tags = [item.lang, item.kind, item.topic, item.source_kind, *sorted(item.flags)]
    return {
        "id": f"{item.lang}-{item.kind}-{item.id}",
        "comment": item.text.strip(),
        "channel": CHANNEL_OF.get(item.source_kind, "instagram"),
        "lang": item.lang,
        "tags": tags,
        "source": item.source,
        "expect": expect,
    }


class _Dumper(yaml.SafeDumper):
    """No anchors and aliases: every case reads whole on its own."""

    def ignore_aliases(self, data) -> bool:
        return True


def write_suite(path: Path, name: str, description: str, items: list[CommentItem], default_settings: dict) -> int:
    settings = default_settings
    if path.exists():
        settings = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("settings") or default_settings
    cases = [case_of(c) for lang in PER_LANGUAGE for c in choose(items, lang)]
    header = (
        f"# Written by scripts/make_real_suites.py from the real corpus (evals/real/, {description}).\n"
        "# Edit the script or the settings, not the cases: the test suite checks the file is up to date.\n"
    )
    body = yaml.dump(
        {"suite": name, "description": description, "settings": settings, "cases": cases},
        Dumper=_Dumper,
        default_flow_style=None,
        allow_unicode=True,
        sort_keys=False,
        width=110,
    )
    path.write_text(header + body, encoding="utf-8")
    return len(cases)


# Floors a little under what the offline drafter reached on real.yaml on 2026-12-02, so a drop is red
# (they are not targets: the product should read 0.95 of comments right). Chosen on real.yaml (train
# and dev comments); real-test.yaml gets the same settings and is only reported.
DEFAULT_SETTINGS = {
    "drafter": "offline",
    "variants": 3,
    "concurrency": 4,
    "thresholds": {
        "no_blame": 1.0,
        "policy_grounded": 1.0,
        "language_match": 1.0,
        "channel_length": 1.0,
        "no_public_personal_data": 1.0,
        "empathy": 0.95,
        "invite_dm": 0.95,
        "concrete_solution": 0.9,
        "not_generic": 0.25,
    },
    "first_draft_thresholds": {"no_blame": 1.0, "policy_grounded": 1.0},
    "min_expectation_rates": {"kind": 0.8, "topic": 0.55, "rules": 0.97, "must_mention": 0.75, "must_not_mention": 0.7},
    "min_case_pass_rate": 0.55,
    "max_missed_by_checker": 30,
}


def main() -> None:
    corpus = load_corpus(ROOT / "evals" / "real")
    real = [c for c in corpus.comments if c.origin == "real"]
    tuned = [c for c in real if c.split in ("train", "dev")]
    test = [c for c in real if c.split == "test"]
    made = write_suite(
        SUITES / "real.yaml",
        "real",
        "real public comments from the corpus's train and dev splits; the suite we may tune against",
        tuned,
        DEFAULT_SETTINGS,
    )
    held = write_suite(
        SUITES / "real-test.yaml",
        "real-test",
        "real public comments from the corpus's test split; reported, never tuned on",
        test,
        DEFAULT_SETTINGS,
    )
    print(f"real.yaml: {made} cases; real-test.yaml: {held} cases")


if __name__ == "__main__":
    main()
