"""Which language a text is in, and whether Reply Assistant can work in it.

A comment in a language we do not support must be reported as such: read as Russian, a Persian
complaint would get a Russian "thank you for your kind words". So detection knows more languages
than the product supports (`languages.yaml`), and callers ask `is_supported` before they trust
anything language-specific.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

from . import shipped_yaml

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    script: str
    supported: bool
    native: str = ""
    marks: frozenset[str] = frozenset()
    words: frozenset[str] = frozenset()


@functools.cache
def _registry() -> tuple[dict[str, re.Pattern], dict[str, Language]]:
    text = resources.files("assistant").joinpath("languages.yaml").read_text(encoding="utf-8")
    data = shipped_yaml.parse(text)
    scripts = {name: re.compile(f"[{letters}]") for name, letters in data["scripts"].items()}
    languages: dict[str, Language] = {}
    for group, supported in (("supported", True), ("recognised", False)):
        for code, entry in data[group].items():
            if entry["script"] not in scripts:
                raise ValueError(f"languages.yaml: {code}: unknown script {entry['script']!r}")
            languages[code] = Language(
                code=code,
                name=entry["name"],
                script=entry["script"],
                supported=supported,
                native=entry.get("native", entry["name"]),
                marks=frozenset(entry.get("marks", "")),
                words=frozenset(str(w).lower() for w in entry.get("words", ())),
            )
    return scripts, languages


@functools.cache
def _romanisation() -> dict[tuple[str, str], dict[str, str]]:
    text = resources.files("assistant").joinpath("languages.yaml").read_text(encoding="utf-8")
    tables = shipped_yaml.parse(text).get("romanisation") or {}
    return {tuple(key.split("-", 1)): {str(k): str(v) for k, v in table.items()} for key, table in tables.items()}


def script_of(text: str) -> str | None:
    """The script most of the text's letters are in."""
    scripts = _registry()[0]
    counts = {name: len(pattern.findall(text)) for name, pattern in scripts.items()}
    best = max(counts, key=counts.get)
    return best if counts[best] else None


def name_in(name: str | None, lang: str) -> str | None:
    """The customer's name as a reply in `lang` can write it: as it is in that language's script,
    transliterated where a table says how ("Анна" -> "Anna"), else left out (None): "Hi Анна!" in
    an English reply reads as a mistake."""
    if not name or not name.strip():
        return None
    name = name.strip()
    target = languages()[lang].script if lang in languages() else None
    source = script_of(name)
    if source is None or source == target:
        return name
    table = _romanisation().get((source, target))
    if table is None:
        return None
    out = "".join(table.get(ch.lower(), ch) if ch.isalpha() else ch for ch in name)
    parts = re.split(r"([\s-])", out)
    return "".join(p[:1].upper() + p[1:] for p in parts)


def languages() -> dict[str, Language]:
    return _registry()[1]


def supported_codes() -> tuple[str, ...]:
    """The languages the product works in, the default (the first) first."""
    return tuple(code for code, lang in languages().items() if lang.supported)


def default_language() -> str:
    return supported_codes()[0]


def is_supported(code: str | None) -> bool:
    lang = languages().get(code or "")
    return bool(lang and lang.supported)


def name_of(code: str | None) -> str:
    lang = languages().get(code or "")
    return lang.name if lang else (code or "unknown")


def detect(text: str) -> str | None:
    """The code of the text's language, supported or not; None when the text has no letters.

    The script with most letters decides the family; within it, letters only one language uses and
    its most frequent short words pick the language, and the script's supported language wins ties
    (a Russian review that names an English brand stays Russian)."""
    scripts, langs = _registry()
    counts = {name: len(pattern.findall(text)) for name, pattern in scripts.items()}
    script = _main_script(counts, _WORD.findall(text), scripts)
    words = [w.lower() for w in _WORD.findall(text)]
    if script is None:
        return None
    candidates = [lang for lang in langs.values() if lang.script == script]
    letters = counts[script]

    def score(lang: Language) -> float:
        marks = sum(text.count(m) for m in lang.marks)
        hits = sum(1 for w in words if w in lang.words)
        return hits + (2 * marks if marks >= max(1, letters // 50) else 0)

    ranked = sorted(candidates, key=lambda lang: (score(lang), lang.supported), reverse=True)
    best = ranked[0]
    fallback = next((lang for lang in candidates if lang.supported), None)
    if fallback is not None and best is not fallback:
        margin = score(best) - score(fallback)
        if score(best) < 2 or margin < 1:
            return fallback.code
    return best.code


def _main_script(counts: dict[str, int], words: list[str], scripts: dict[str, re.Pattern]) -> str | None:
    """The script of most words. Capitalised words weigh a fifth: in "Пришёл iPhone, а не Samsung"
    or "Samsung Galaxy пришёл" the Latin words are names, and the sentence is Russian."""
    if not any(counts.values()):
        return None
    weight = dict.fromkeys(counts, 0.0)
    for word in words:
        for name, pattern in scripts.items():
            if pattern.match(word):
                weight[name] += 0.2 if word[:1].isupper() else 1.0
                break
    return max(counts, key=lambda name: (weight[name], counts[name]))
