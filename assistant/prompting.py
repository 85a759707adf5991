"""Prompt templates from `prompts/`: editable text with a version that travels with every output.

A template is Markdown with a front matter line `version: name-N` and `{{placeholders}}`.
Customer text goes in only through `quote_data`, as delimited data, never as instructions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


class PromptError(ValueError):
    pass


@dataclass(frozen=True)
class Template:
    name: str
    version: str
    text: str
    path: Path

    def render(self, **values: str) -> str:
        missing = sorted(set(_PLACEHOLDER.findall(self.text)) - set(values))
        if missing:
            raise PromptError(f"{self.path}: no value for {{{{{missing[0]}}}}}")
        return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), self.text)


def load_template(prompts_dir: Path, name: str) -> Template:
    path = Path(prompts_dir) / f"{name}.md"
    if not path.is_file():
        raise PromptError(f"{path}: prompt template not found (set ASSISTANT_PROMPTS_DIR or restore the file)")
    text = path.read_text(encoding="utf-8")
    version = f"{name}-0"
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end < 0:
            raise PromptError(f"{path}:1: the front matter is not closed with ---")
        for line in text[4:end].splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "version" and value.strip():
                version = value.strip()
        text = text[end + 5 :]
    return Template(name, version, text.strip() + "\n", path)


def quote_data(label: str, text: str | None) -> str:
    """Untrusted text as inert data: fenced by tags it cannot close itself."""
    if not text:
        return f"<{label}>(none)</{label}>"
    safe = re.sub(rf"</?\s*{label}\s*>", "[tag removed]", text, flags=re.I)
    return f"<{label}>\n{safe}\n</{label}>"


@dataclass(frozen=True)
class Budget:
    limit: int
    used: int
    dropped: tuple[str, ...]  # ids of the passages left out, least relevant first

    def to_dict(self) -> dict:
        return {"limit": self.limit, "used": self.used, "dropped": list(self.dropped)}


def fit_to_budget(items: list, text_of, id_of, score_of, limit: int) -> tuple[list, Budget]:
    """Keep the most relevant items whose text fits `limit` tokens; report what was dropped."""
    from .tokens import count_tokens

    ranked = sorted(items, key=score_of, reverse=True)
    kept, used, dropped = [], 0, []
    for item in ranked:
        cost = count_tokens(text_of(item))
        if used + cost <= limit:
            kept.append(item)
            used += cost
        else:
            dropped.append(id_of(item))
    kept.sort(key=items.index)
    return kept, Budget(limit, used, tuple(dropped))
