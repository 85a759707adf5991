"""Text as the rules see it: word tokens with their lemmas and character spans, in sentences.

Russian words are reduced to every dictionary form pymorphy3 offers (so "вам", "вас" and "вы"
meet, and an ambiguous "заменим" can still be "заменить"); English words to their Snowball
stem. Lemmas are cached per word: the checker runs on every keystroke.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from dataclasses import dataclass

from ..languages import default_language, detect

_WORD = re.compile(r"\d+(?:[.,]\d+)?|[^\W_]+(?:['’\-][^\W_]+)*")
_SENTENCE_END = re.compile(r"[.!?…;]+|\n+")
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)


@dataclass(frozen=True)
class Token:
    text: str  # lower-cased, ё as е
    lemmas: frozenset[str]
    start: int
    end: int
    sentence: int
    index: int


@dataclass(frozen=True)
class Text:
    raw: str
    tokens: tuple[Token, ...]
    lang: str
    index: dict[str, tuple[int, ...]]  # lemma (and "#" for numbers) -> token positions

    def span(self, first: int, last: int) -> tuple[int, int]:
        return self.tokens[first].start, self.tokens[last].end

    def sentence_tokens(self, sentence: int) -> list[Token]:
        return [t for t in self.tokens if t.sentence == sentence]


@functools.cache
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


_local = threading.local()


def _stemmer():
    """One stemmer per thread: a Snowball stemmer keeps the word it works on in itself."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import snowballstemmer

        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer


@functools.lru_cache(maxsize=200_000)
def lemmas(word: str) -> frozenset[str]:
    """Every form a pattern may name this word by: itself and its lemmas (ru) or stem (en)."""
    word = word.lower().replace("ё", "е").replace("’", "'")
    if "-" in word and not word.startswith("-"):  # "спам-рассылки" is also "спам" and "рассылка"
        parts = [lemmas(part) for part in word.split("-") if part]
        return frozenset({word}.union(*parts))
    _load_lexicon_forms()
    known = _KNOWN_FORMS.get(word)
    return known if known is not None else _forms(word)


def _forms(word: str) -> frozenset[str]:
    for letters, normalise in NORMALISERS.values():
        if letters.search(word):
            return frozenset(normalise(word) | {word})
    return frozenset({word})


def _russian_forms(word: str) -> set[str]:
    """Every dictionary form pymorphy3 offers ("вам", "вас" and "вы" meet)."""
    return {p.normal_form.replace("ё", "е") for p in _morph().parse(word)[:4]}


# The forms of the words the lexicons and the brand's phrases are written in, read from the derived
# cache (`derived_cache`): working them out (loading pymorphy3, then ~760 Russian words and ~650
# English stems) took 0.45 s of every start of the checker; read back they take milliseconds.
_KNOWN_FORMS: dict[str, frozenset[str]] = {}
LEXICON_FILES = ("ru.yaml", "en.yaml", "synonyms.yaml")
_PLAIN_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")


@functools.cache
def _load_lexicon_forms() -> None:
    from importlib import resources

    folder = resources.files("assistant.rules").joinpath("lexicons")
    remember_forms("lexicon", [folder.joinpath(name).read_text(encoding="utf-8") for name in LEXICON_FILES])


def remember_forms(name: str, texts: list[str]) -> None:
    """Know the forms of every word in `texts` without the analyser or the stemmer: from the derived
    cache entry `name`, built once per version of them and per text (a changed lexicon, brand
    phrase, dictionary or stemmer builds it again). The forms are the ones `lemmas` would work out."""
    from importlib import metadata

    from ..derived_cache import load_or_build

    digest = hashlib.sha256("\0".join(texts).encode("utf-8")).hexdigest()[:16]
    versions = ", ".join(
        f"{package} {metadata.version(package)}" for package in ("pymorphy3", "pymorphy3-dicts-ru", "snowballstemmer")
    )

    def build() -> dict[str, frozenset[str]]:
        words = {w for text in texts for w in _PLAIN_WORD.findall(text.lower().replace("ё", "е").replace("’", "'"))}
        return {word: _forms(word) for word in sorted(words)}

    _KNOWN_FORMS.update(load_or_build(f"word-forms-{name}", f"{versions}, text {digest}", build))


def _english_forms(word: str) -> set[str]:
    """The word without "'s" and its Snowball stem."""
    base = word[:-2] if word.endswith("'s") else word
    return {base, _stemmer().stemWord(base)}


# A supported language registers here how its words are reduced (`assistant/languages.yaml` says
# which languages are supported): the letters that mark its words, and the function.
NORMALISERS = {
    "ru": (_CYRILLIC, _russian_forms),
    "en": (_LATIN, _english_forms),
}


def detect_language(text: str) -> str | None:
    """The text's language code, supported or not (`assistant/languages.yaml`); None with no letters."""
    return detect(text)


@functools.lru_cache(maxsize=4096)
def analyse(raw: str) -> Text:
    tokens = []
    sentence = 0
    last_end = 0
    for match in _WORD.finditer(raw):
        if _SENTENCE_END.search(raw, last_end, match.start()):
            sentence += 1
        word = match.group().lower().replace("ё", "е")
        tokens.append(Token(word, lemmas(word), match.start(), match.end(), sentence, len(tokens)))
        last_end = match.end()
    index: dict[str, list[int]] = {}
    for token in tokens:
        for lemma in token.lemmas:
            index.setdefault(lemma, []).append(token.index)
        if token.text[:1].isdigit():
            index.setdefault("#", []).append(token.index)
    frozen = {lemma: tuple(positions) for lemma, positions in index.items()}
    return Text(raw, tuple(tokens), detect_language(raw) or default_language(), frozen)
