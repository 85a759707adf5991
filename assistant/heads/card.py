"""The model card that ships with the heads: what they were trained on, how, and how well they do,
written from `metrics.json` so the card can never disagree with the figures."""

from __future__ import annotations


def model_card(metrics: dict) -> str:
    corpus = metrics["corpus"]
    kind = metrics["comment_kind"]
    lines = [
        "# Learned heads: model card",
        "",
        f"Trained {metrics['date']} by `assistant train` on the real corpus in `evals/real/` "
        f"(sha256 `{corpus['sha256'][:16]}…`), over the bundled encoder `{metrics['encoder']}` "
        "(query-side vectors). Each head is two logistic regressions (scikit-learn, balanced class weights), one "
        "over the encoder's vectors and one over character 2–5-grams (TF-IDF), whose probabilities are mixed; "
        "the weights ship as `.npz` and are read with numpy alone."
        + (
            f" Train also holds the team-written replies of `{metrics['written_train_replies']}`."
            if metrics.get("written_train_replies")
            else ""
        ),
        "",
        "Every figure names its split. Train is what the weights were fitted on (a training figure); dev "
        "chose the regularisation, the mix, the thresholds and how each head combines with the lexicon; test "
        "was used for nothing but these figures.",
        "",
        "## Data",
        "",
        "| split | comments | of them written by the team | replies | of them written by the team |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for split in ("train", "dev", "test"):
        c, r = corpus["comments"][split], corpus["replies"][split]
        lines.append(f"| {split} | {c['n']} | {c['written']} | {r['n']} | {r['written']} |")
    lines += [
        "",
        "## Comment kind (complaint / praise / question / neutral)",
        "",
        f"C = {kind['C_encoder']} (encoder) and {kind['C_ngrams']} (n-grams), encoder share by language {kind['mix']}; "
        f"complaint thresholds {kind['thresholds']} (chosen on dev for recall ≥ 0.95); "
        f"combined with the lexicon by `{kind['combine']}`.",
        "",
        _complaint_head_line(kind),
        "",
        "| split | reader | complaint P / R (ru) | complaint P / R (en) | kind accuracy |",
        "| --- | --- | --- | --- | ---: |",
    ]
    for split in ("train", "dev", "test"):
        for reader in ("learned", "lexicon"):
            block = kind[split][reader]
            ru, en = block["complaint_ru"], block["complaint_en"]
            lines.append(
                f"| {split} | {reader} | {ru['precision']:.2f} / {ru['recall']:.2f} (n={ru['n']}) | "
                f"{en['precision']:.2f} / {en['recall']:.2f} (n={en['n']}) | {block['kind_accuracy']:.2f} |"
            )
    topic = metrics["comment_topic"]
    lines += [
        "",
        "## Comment topic",
        "",
        f"C = {topic['C_encoder']} / {topic['C_ngrams']}, encoder share {topic['mix']}. Accuracy: train {topic['train']['accuracy']:.2f}, dev {topic['dev']['accuracy']:.2f}, "
        f"test {topic['test']['accuracy']:.2f} (n = {topic['test']['n']}).",
        *(
            [
                f"A topic is named only from probability {topic['sure']} (chosen on dev for 80 % right): "
                f"{topic['test']['sure_share']:.0%} of test comments, {topic['test']['sure_accuracy']:.2f} right; "
                "the others get the brand's general phrases.",
            ]
            if "sure" in topic
            else []
        ),
        "",
        "## Reply heads (one per rule, scored per sentence)",
        "",
        "A reply carries what the rule looks for (blame for `no_blame`; an apology, a remedy, an invitation to "
        "private messages for the others) when its best sentence reaches the threshold; that sentence is the "
        "evidence. Figures are for that detection on real replies (macro-F1 of present / absent).",
        "",
        "| rule | C (enc / n-gr / whole) | encoder share | whole-reply share | threshold | combined | team's own replies | dev learned | dev lexicon | test learned | test lexicon | test recall (present) |",
        "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for rule, block in metrics["reply"].items():
        lines.append(
            f"| `{rule}` | {block['C_encoder']} / {block['C_ngrams']} / {block['C_whole']} | {block['mix']} | "
            f"{block['whole_share']} | {block['threshold']:.2f} | `{block['combine']}` | "
            f"{block['team_written_macro_f1']:.3f} | "
            f"{block['dev']['learned']['macro_f1']:.3f} | {block['dev']['lexicon']['macro_f1']:.3f} | "
            f"{block['test']['learned']['macro_f1']:.3f} | {block['test']['lexicon']['macro_f1']:.3f} | "
            f"{block['test']['learned']['recall_present']:.2f} |"
        )
    lines += [
        "",
        "\"Team's own replies\" is the team-written calibration set and the demo's past replies, which "
        "the settings had to keep clean (macro-F1 ≥ 0.95) before dev could choose among them; the "
        "team-written set is also in train, so this is partly a training figure. Lexicon patterns that real "
        "train replies showed to be wrong more often than right are not counted beside the head:",
        "",
    ]
    for rule, block in metrics["reply"].items():
        patterns = ", ".join(f"`{p}`" for p in block.get("distrusted_patterns", ())) or "none"
        lines.append(f"- `{rule}`: {patterns}")
    lines += [
        "",
        "## Limits",
        "",
        "- Russian and English only; other languages are reported as unsupported before any head reads them.",
        "- Labels were made by careful readers following `evals/labelled/GUIDELINES.md` (see `evals/real/DATASHEET.md`);"
        " a head is no better than those labels.",
        "- The rule verdicts (`assistant eval calibrate`) also depend on whether the comment is a complaint, which"
        " decides `n/a`; see the calibration report for the rule-level figures.",
        "",
    ]
    return "\n".join(lines)


def _complaint_head_line(kind: dict) -> str:
    aucs = kind.get("dev_complaint_auc")
    if not aucs:
        return "P(complaint) is the four-way head's."
    four, binary = aucs["four_way"], aucs["binary"]
    chosen = kind.get("complaint_head")
    compared = (
        f"dev complaint AUC, four-way head ru {four['ru']:.3f} / en {four['en']:.3f}, "
        f"binary head ru {binary['ru']:.3f} / en {binary['en']:.3f}"
    )
    if chosen is None:
        return f"P(complaint) is the four-way head's: a binary complaint head did no better on dev ({compared})."
    return (
        f"P(complaint) comes from a binary complaint-vs-rest head (`comment_complaint.npz`, C = "
        f"{chosen['C_encoder']} / {chosen['C_ngrams']}, even mix), which dev preferred ({compared}); the "
        "four-way head names the other kinds."
    )
