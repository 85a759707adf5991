"""Turn knowledge records into the documents the vector store holds.

Policies are cut at their Markdown headings and, where a section is longer than the token
budget, further by tokens. Each past reply becomes two documents, its comment and its answer,
so a new comment finds both similar complaints and similar answers.

A document's id is derived from its source and embedded text, so an unchanged passage keeps
its id (and its vector) whatever else moves around it in the file.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from langchain_text_splitters import RecursiveCharacterTextSplitter

from .knowledge import Knowledge, Policy, Reply
from .tokens import count_tokens


@dataclass(frozen=True)
class Document:
    id: str
    text: str  # what is shown to people and to the LLM
    embed_text: str  # what is embedded: the text with its context (title, headings)
    metadata: dict[str, str | int | float | bool] = field(default_factory=dict)


def knowledge_documents(
    knowledge: Knowledge, chunk_tokens: int = 256, overlap_tokens: int = 32, broken: dict | None = None
) -> list[Document]:
    """`broken`: past reply id -> the rules it breaks; such a reply is indexed (so that fixing it
    costs only a relabel) but marked, and retrieval leaves it out."""
    # our count_tokens, not from_tiktoken_encoder: that one would make tiktoken download its file
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_tokens, chunk_overlap=overlap_tokens, length_function=count_tokens
    )
    channels = knowledge.channel_names
    documents: list[Document] = []
    for policy in knowledge.policies:
        documents += _policy_documents(policy, _relative(policy.path, knowledge), splitter, chunk_tokens, channels)
    for reply in knowledge.replies:
        breaks = ",".join((broken or {}).get(reply.id, ()))
        documents += _reply_documents(reply, _relative(reply.path, knowledge), breaks)
    return _unique_ids(documents)


def _relative(path, knowledge: Knowledge) -> str:
    """Sources are named inside the knowledge folder, so the index survives moving the folder."""
    try:
        return path.relative_to(knowledge.root).as_posix()
    except ValueError:
        return path.as_posix()


def _policy_documents(
    policy: Policy, source: str, splitter, chunk_tokens: int, channels: tuple[str, ...]
) -> list[Document]:
    documents = []
    for section in policy.sections:
        headings = [h for h in section.heading_path if h != policy.title]
        heading = " > ".join(headings)
        pieces = [section.text] if count_tokens(section.text) <= chunk_tokens else splitter.split_text(section.text)
        for part, text in enumerate(pieces):
            # the title and tags carry the topic into every chunk, so a short list of remedies
            # still says what it is about
            tags = f" ({', '.join(policy.tags)})" if policy.tags else ""
            context = f"{policy.title}{tags}. {heading}" if heading else f"{policy.title}{tags}"
            metadata = {
                "kind": "policy",
                "source": source,
                "line": section.line,
                "topic": policy.topic,
                "title": policy.title,
                "heading": heading,
                "part": part,
                "lang": policy.lang,
                "tokens": count_tokens(text),
                **{f"ch_{name}": name in policy.channels for name in channels},
            }
            documents.append(_document(f"policy:{source}", text, f"{context}\n{text}", metadata))
    return documents


def _reply_documents(reply: Reply, source: str, breaks: str = "") -> list[Document]:
    base = {
        "kind": "reply",
        "source": source,
        "line": reply.line,
        "reply_id": reply.id,
        "topic": reply.topic,
        "lang": reply.lang,
        "channel": reply.channel,
        f"ch_{reply.channel}": True,
        "sentiment": reply.sentiment,
        "complainer": reply.complainer,
        "status": reply.status,
        "breaks": breaks,  # always set: chromadb merges metadata on update, so a dropped key would stay
    }
    return [
        # each half carries the other as `pair`, so a hit shows the whole exchange without a lookup
        _document(
            f"reply:{reply.id}:comment", reply.comment, reply.comment, {**base, "field": "comment", "pair": reply.reply}
        ),
        _document(
            f"reply:{reply.id}:reply", reply.reply, reply.reply, {**base, "field": "reply", "pair": reply.comment}
        ),
    ]


def _document(prefix: str, text: str, embed_text: str, metadata: dict) -> Document:
    digest = hashlib.sha256(embed_text.encode()).hexdigest()[:16]
    return Document(f"{prefix}:{digest}", text, embed_text, {**metadata, "content_hash": digest})


def _unique_ids(documents: list[Document]) -> list[Document]:
    """The same passage twice in one file gets a numbered id instead of colliding."""
    seen: Counter[str] = Counter()
    unique = []
    for doc in documents:
        seen[doc.id] += 1
        if seen[doc.id] > 1:
            doc = Document(f"{doc.id}:{seen[doc.id]}", doc.text, doc.embed_text, doc.metadata)
        unique.append(doc)
    return unique
