"""The checker's word lists: data files per language, extended by the brand's own phrases."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

from .. import shipped_yaml
from ..knowledge import Brand
from ..languages import supported_codes
from .text import remember_forms


@dataclass(frozen=True)
class Lexicon:
    blame: tuple[str, ...]
    lecture: tuple[str, ...]
    exculpation: tuple[str, ...]
    apology: tuple[str, ...]
    feeling: tuple[str, ...]
    commitments: dict[str, tuple[str, ...]]
    actions: tuple[str, ...]
    vague: tuple[str, ...]
    refusals: tuple[str, ...]
    dm: tuple[str, ...]
    dm_refused: tuple[str, ...]
    pd_requests: tuple[str, ...]
    pd_data: tuple[str, ...]
    pd_public_places: tuple[str, ...]
    boilerplate: tuple[str, ...]
    generic_words: frozenset[str]
    complaint: tuple[str, ...]
    complaint_topic: tuple[str, ...]
    praise: tuple[str, ...]
    never_say: tuple[str, ...]  # literal phrases, matched case-insensitively
    synonym_groups: dict[str, frozenset[int]]  # lemma -> the groups of words meaning the same


@functools.cache
def _raw(lang: str) -> dict:
    text = resources.files("assistant.rules").joinpath("lexicons", f"{lang}.yaml").read_text(encoding="utf-8")
    data = shipped_yaml.parse(text)
    _check_strings(data, f"lexicons/{lang}.yaml")
    return data


def _check_strings(value: object, where: str) -> None:
    """YAML reads `no`, `on` and `# ...` as false, true and a comment: catch that at load time."""
    if isinstance(value, dict):
        for key, item in value.items():
            _check_strings(item, f"{where}: {key}")
    elif isinstance(value, list):
        for item in value:
            _check_strings(item, where)
    elif not isinstance(value, str):
        raise ValueError(f"{where}: {value!r} is not a phrase; put it in double quotes")


def load_lexicon(brand: Brand | None = None) -> Lexicon:
    """Both languages together (real replies mix them: "напишите в Direct"), plus the brand's phrases."""
    return _build(_brand_key(brand))


def _brand_key(brand: Brand | None) -> tuple:
    if brand is None:
        return ((), (), ())
    dm_names = tuple(sorted({name for ch in brand.channels.values() for name in ch.dm.values()}))
    never = tuple(p for phrases in brand.never_say.values() for p in phrases)
    boiler = tuple(p for phrases in getattr(brand, "boilerplate", {}).values() for p in phrases)
    return dm_names, never, boiler


@functools.cache
def _build(key: tuple) -> Lexicon:
    dm_names, never, boiler = key
    remember_forms("brand", [*dm_names, *never, *boiler])  # so matching them needs no analyser
    merged: dict[str, list] = {}
    commitments: dict[str, list[str]] = {}
    for lang in supported_codes():
        data = _raw(lang)
        for name, value in data.items():
            if name == "commitments":
                for kind, patterns in value.items():
                    commitments.setdefault(kind, []).extend(patterns)
            elif name == "personal_data":
                for part, patterns in value.items():
                    merged.setdefault(f"pd_{part}", []).extend(patterns)
            else:
                merged.setdefault(name, []).extend(value)
    return Lexicon(
        blame=tuple(merged["blame"]),
        lecture=tuple(merged["lecture"]),
        exculpation=tuple(merged["exculpation"]),
        apology=tuple(merged["apology"]),
        feeling=tuple(merged["feeling"]),
        commitments={kind: tuple(p) for kind, p in commitments.items()},
        actions=tuple(merged["actions"]),
        vague=tuple(merged["vague"]),
        refusals=tuple(merged["refusals"]),
        dm=tuple(merged["dm"]) + tuple(n.lower() for n in dm_names),
        dm_refused=tuple(merged["dm_refused"]),
        pd_requests=tuple(merged["pd_requests"]),
        pd_data=tuple(merged["pd_data"]),
        pd_public_places=tuple(merged["pd_public_places"]),
        boilerplate=tuple(merged["boilerplate"]) + boiler,
        generic_words=frozenset(w.lower() for w in merged["generic_words"]),
        complaint=tuple(merged["complaint"]),
        complaint_topic=tuple(merged["complaint_topic"]),
        praise=tuple(merged["praise"]),
        never_say=tuple(p.lower().replace("ё", "е") for p in never),
        synonym_groups=_synonym_groups(),
    )


@functools.cache
def synonym_lists() -> tuple[tuple[str, ...], ...]:
    """The groups of words that name the same thing, as written (Russian and English together)."""
    text = resources.files("assistant.rules").joinpath("lexicons", "synonyms.yaml").read_text(encoding="utf-8")
    return tuple(tuple(str(w) for w in group) for group in shipped_yaml.parse(text))


def _synonym_groups() -> dict[str, frozenset[int]]:
    text = resources.files("assistant.rules").joinpath("lexicons", "synonyms.yaml").read_text(encoding="utf-8")
    groups: dict[str, set[int]] = {}
    for number, words in enumerate(shipped_yaml.parse(text)):
        for word in words:
            parts = str(word).lower().replace("ё", "е").split()
            if len(parts) == 2:  # a two-word name ("не тот", "mix up") is matched as a pair of words
                for first in _forms(parts[0]):
                    for second in _forms(parts[1]):
                        groups.setdefault(f"{first} {second}", set()).add(number)
            for part in parts:
                if len(parts) > 1 and len(part) < 4:
                    continue  # "не" of "не тот" names nothing on its own
                for form in _forms(part):
                    groups.setdefault(form, set()).add(number)
    return {form: frozenset(ids) for form, ids in groups.items()}


def _forms(word: str) -> set[str]:
    from .text import lemmas

    found = lemmas(word)
    return {word} | ({min(found, key=lambda f: (len(f), f))} if word.isascii() else set(found))
