"""A self-contained HTML page for an eval or calibration report: bar charts drawn as inline
SVG, the gates, the failing cases with their drafts and evidence. No scripts, no network: it
opens from a CI artefact or an e-mail attachment as it is."""

from __future__ import annotations

from html import escape

from .scoring import disagreements

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}td,th{border-bottom:1px solid #ddd;padding:4px 10px;text-align:left}
.ok{color:#137333}.bad{color:#b3261e}.muted{color:#777}
.case{border:1px solid #ddd;border-radius:6px;padding:10px 14px;margin:12px 0}
.draft{white-space:pre-wrap;background:#f6f6f6;border-radius:4px;padding:8px;margin:6px 0}
mark{background:#ffd8d8}.verdict{display:inline-block;margin:2px 6px 2px 0;font-size:12px}
"""


def render_html(report: dict) -> str:
    name = report.get("suite") or report["kind"]
    verdict = "PASSED" if report["passed"] else "FAILED"
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{escape(name)}: {verdict}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(report['kind'])} <code>{escape(name)}</code>: "
        f"<span class='{'ok' if report['passed'] else 'bad'}'>{verdict}</span></h1>",
        f"<p class='muted'>{escape(report.get('created', ''))} · {escape(report.get('drafter', ''))} · "
        + escape(_ids(report))
        + "</p>",
    ]
    if report.get("description"):
        parts.append(f"<p>{escape(report['description'])}</p>")
    parts.append(_totals(report))
    parts.append("<h2>Gates</h2><table>")
    for gate in report["gates"]:
        mark = "<span class='ok'>✔</span>" if gate["passed"] else "<span class='bad'>✘</span>"
        parts.append(f"<tr><td>{mark}</td><td>{escape(gate['name'])}</td><td>{escape(gate['detail'])}</td></tr>")
    parts.append("</table>")
    for problem in report.get("problems") or []:
        parts.append(f"<p class='bad'>✘ {escape(problem)}</p>")
    label = (
        "macro F1 per rule"
        if report["kind"] == "calibration"
        else "pass rate per rule, delivered drafts (where the rule applies)"
    )
    parts.append(f"<h2>{label}</h2>")
    parts.append(bar_chart([(r, row.get("rate"), row.get("threshold")) for r, row in report["rules"].items()]))
    if report.get("first_rules"):
        parts.append(_stages(report))
    if report.get("grader") is not None:
        parts.append(_grader(report["grader"]))
    if report.get("expectations"):
        parts.append(
            "<h2>Expectations met</h2><table><tr><th>expectation</th><th>cases</th><th>met</th><th>rate</th></tr>"
        )
        for name, row in report["expectations"].items():
            parts.append(
                f"<tr><td>{escape(name)}</td><td>{row['cases']}</td><td>{row['met']}</td><td>{row['rate']:.1%}</td></tr>"
            )
        parts.append("</table>")
    if report.get("tags"):
        parts.append("<h2>Cases passing, per tag</h2>")
        parts.append(
            bar_chart([(t, row["rate"], None, f"{row['passed']}/{row['cases']}") for t, row in report["tags"].items()])
        )
    if report.get("baseline"):
        parts.append(_baseline(report["baseline"]))
    failing = [c for c in report["cases"] if not c["passed"] and not c.get("known_failure")]
    parts.append(f"<h2>Failing cases ({len(failing)} of {len(report['cases'])})</h2>")
    parts += [_case(c) for c in failing]
    flagged = [c for c in report["cases"] if c["passed"] and disagreements(c)]
    if flagged:
        parts.append(f"<h2>Passing cases the grader disagrees on ({len(flagged)})</h2>")
        parts += [_case(c) for c in flagged]
    known = [c for c in report["cases"] if c.get("known_failure")]
    if known:
        parts.append(f"<h2>Known failures ({len(known)}, not counted by the gates)</h2>")
        parts += [_case(c) for c in known]
    parts.append("</body></html>")
    return "\n".join(parts)


def bar_chart(rows: list[tuple], width: int = 760) -> str:
    """Horizontal bars from 0 to 100 %; a threshold is a dark tick, a missed one turns the bar red."""
    bar_height, label_width, gap = 18, 210, 6
    height = len(rows) * (bar_height + gap) + 24
    span = width - label_width - 90
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' role='img'>"]
    for i, row in enumerate(rows):
        name, rate, threshold = row[0], row[1], row[2]
        note = row[3] if len(row) > 3 else None
        y = i * (bar_height + gap)
        missed = threshold is not None and rate is not None and rate < threshold
        color = "#d93025" if missed else "#1e8e3e"
        out.append(f"<text x='0' y='{y + 14}' font-size='13'>{escape(str(name))}</text>")
        out.append(f"<rect x='{label_width}' y='{y}' width='{span}' height='{bar_height}' fill='#eee'/>")
        if rate is not None:
            out.append(
                f"<rect x='{label_width}' y='{y}' width='{span * rate:.1f}' height='{bar_height}' fill='{color}'/>"
            )
        if threshold is not None:
            x = label_width + span * threshold
            out.append(
                f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{y - 2}' y2='{y + bar_height + 2}' stroke='#222' stroke-width='2'/>"
            )
        shown = "n/a" if rate is None else f"{rate:.1%}"
        out.append(
            f"<text x='{label_width + span + 8}' y='{y + 14}' font-size='13'>{shown}"
            + (f" ({escape(note)})" if note else "")
            + "</text>"
        )
    out.append(f"<text x='{label_width}' y='{height - 4}' font-size='11' fill='#777'>0 %</text>")
    out.append(f"<text x='{label_width + span - 30}' y='{height - 4}' font-size='11' fill='#777'>100 %</text>")
    out.append("</svg>")
    return "".join(out)


def _ids(report: dict) -> str:
    ids = report.get("ids") or {}
    shown = [f"{k} {v}" for k, v in ids.items() if v and k != "prompt_versions"]
    versions = ids.get("prompt_versions") or {}
    if versions:
        shown.append("prompts " + ", ".join(f"{k}={v}" for k, v in sorted(versions.items())))
    return " · ".join(shown)


def _totals(report: dict) -> str:
    totals = report.get("totals") or {}
    cells = "".join(
        f"<tr><th>{escape(k.replace('_', ' '))}</th><td>{escape(str(v))}</td></tr>" for k, v in totals.items()
    )
    return f"<table>{cells}</table>"


def _baseline(comparison: dict) -> str:
    rows = []
    for change in comparison["rules"]:
        cls = "bad" if change["dropped"] else ""
        rows.append(
            f"<tr class='{cls}'><td>{escape(change['rule'])}</td><td>{change['baseline']:.1%}</td>"
            f"<td>{change['current']:.1%}</td></tr>"
        )
    failing = "".join(
        f"<li><b>{escape(c['id'])}</b>: {escape('; '.join(c['problems'][:3]))}</li>"
        for c in comparison["newly_failing"]
    )
    created = escape(str(comparison["baseline"].get("created")))
    return (
        f"<h2>Against the baseline of {created}</h2><table><tr><th>rule</th><th>baseline</th><th>now</th></tr>"
        + "".join(rows)
        + "</table>"
        + (f"<p class='bad'>Cases that passed and now fail:</p><ul>{failing}</ul>" if failing else "")
    )


def _stages(report: dict) -> str:
    rows = [
        "<h2>First draft and delivered draft</h2>",
        "<p class='muted'>Pass rates where the rule applies: "
        "as the drafter wrote the drafts, and as delivered after the checker's repair (or an LLM's revision). "
        f"{report['totals'].get('drafts_changed_by_repair', 0)} of {report['totals'].get('drafts', 0)} drafts "
        "were changed by repair or revision.</p>",
        "<table><tr><th>rule</th><th>first draft</th><th>min</th><th>delivered</th><th>min</th></tr>",
    ]
    for rule, row in report["rules"].items():
        first = report["first_rules"].get(rule) or {}
        cells = [first.get("rate"), first.get("threshold"), row.get("rate"), row.get("threshold")]
        shown = ["—" if v is None else f"{v:.1%}" for v in cells]
        rows.append(f"<tr><td>{escape(rule)}</td>" + "".join(f"<td>{v}</td>" for v in shown) + "</tr>")
    rows.append("</table>")
    return "".join(rows)


def _grader(grader: dict) -> str:
    if not grader.get("by"):
        return (
            "<h2>Grader</h2><p class='bad'>The grader was absent: "
            f"{escape(str(grader.get('absent')))}. No agreement between checker and grader was measured.</p>"
        )
    rows = [
        f"<h2>Grader: {escape(', '.join(grader['by']))}</h2>",
        "<p class='muted'>A second opinion on every delivered draft, read without the checker's lexicon. "
        "Its disagreements are listed with each case below.</p>",
        "<table><tr><th>rule</th><th>drafts graded</th><th>it finds a problem the checker passed</th>"
        "<th>it passes what the checker failed</th></tr>",
    ]
    for rule, row in grader["rules"].items():
        rows.append(
            f"<tr><td>{escape(rule)}</td><td>{row['graded']}</td><td>{row['checker_passed']}</td>"
            f"<td>{row['checker_failed']}</td></tr>"
        )
    rows.append("</table>")
    return "".join(rows)


def _case(case: dict) -> str:
    head = (
        f"<div class='case'><b>{escape(str(case['id']))}</b> <span class='muted'>"
        f"{escape(str(case.get('channel') or ''))} · {escape(', '.join(case.get('tags') or []))}</span>"
    )
    body = [head]
    if case.get("comment"):
        body.append(f"<p>Comment: «{escape(case['comment'])}»</p>")
    source = str(case.get("source") or "")
    if source.startswith(("https://", "http://")):  # a suite is data: no other scheme becomes a link
        body.append(f"<p class='muted'>Published at <a href='{escape(source)}'>{escape(source)}</a></p>")
    elif source:
        body.append(f"<p class='muted'>Published at {escape(source)}</p>")
    if case.get("known_failure"):
        state = "it passes now: remove known_failure" if case["passed"] else "still fails"
        body.append(f"<p class='muted'>Known failure ({state}): {escape(case['known_failure'])}</p>")
    body += [f"<p class='bad'>✘ {escape(p)}</p>" for p in (case.get("problems") or [])[:8]]
    body += [
        f"<p>⚖ draft {number}, {escape(d['rule'])}: the checker says {escape(d['checker'])}, "
        f"{escape(d['by'])} says {escape(d['grader'])}: {escape(d['why'])}</p>"
        for number, d in disagreements(case)
    ]
    for number, draft in enumerate(case.get("drafts") or [], 1):
        stages = draft.get("stages") or []
        if draft.get("changed") and stages:
            failed = ", ".join(r for r, v in stages[0]["verdicts"].items() if v == "fail") or "nothing"
            body.append(
                f"<p class='muted'>Draft {number} as first written (failed: {escape(failed)}), "
                f"then repaired: {escape('; '.join(draft.get('repairs') or ['revised']))}</p>"
                f"<div class='draft'>{escape(stages[0]['text'])}</div><p class='muted'>Delivered:</p>"
            )
        body.append(f"<div class='draft'>{_highlighted(draft)}</div>")
        body.append(
            "".join(
                f"<span class='verdict {'bad' if status == 'fail' else 'muted' if status == 'n/a' else 'ok'}'>"
                f"{escape(rule)}: {escape(status)}</span>"
                for rule, status in draft.get("verdicts", {}).items()
            )
        )
    if case.get("reply"):  # a calibration item
        body.append(f"<div class='draft'>{escape(case['reply'])}</div>")
    body.append("</div>")
    return "".join(body)


def _highlighted(draft: dict) -> str:
    """The draft's text with the evidence of failed rules marked."""
    text = draft.get("text", "")
    spans = sorted(
        (e["start"], e["end"])
        for rule, evidence in (draft.get("evidence") or {}).items()
        if draft.get("verdicts", {}).get(rule) == "fail"
        for e in evidence
        if e.get("source") == "reply" and 0 <= e["start"] < e["end"] <= len(text)
    )
    out, cursor = [], 0
    for start, end in spans:
        if start < cursor:
            continue
        out.append(escape(text[cursor:start]) + f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
    out.append(escape(text[cursor:]))
    return "".join(out)
