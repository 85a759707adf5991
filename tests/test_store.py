"""The vector store with the real chromadb and the real embeddings: ingest, incremental sync,
reopening from a fresh process, one collection per model, and a real Chroma server."""

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time

import chromadb
import pytest

from assistant.cli import main
from assistant.embeddings import OpenAIEmbedder, make_embedder
from assistant.ingest import ingest, open_store
from assistant.retrieval import search, where_filter
from assistant.store import Store, StoreError, metadata_matches


def test_second_ingest_with_no_change_embeds_nothing(first_ingest, indexed_copy):
    _, first = first_ingest
    assert first.sync.added == first.documents > 100
    second = ingest(indexed_copy, progress=False)
    assert (second.sync.added, second.sync.deleted, second.sync.relabelled) == (0, 0, 0)
    assert second.sync.unchanged == first.documents
    assert second.store_status["documents"] == first.documents
    assert second.store_status["last_sync"]


def test_a_sync_with_nothing_changed_reads_no_documents(indexed_copy, monkeypatch):
    """The last sync's manifest and the count vouch for the collection: reading every document's
    metadata (17 s at 100k documents) is skipped."""
    store = open_store(indexed_copy)
    ingest(indexed_copy, progress=False, store=store)  # writes the manifest if the fixture's copy lacks it

    def no_reading():
        raise AssertionError("the collection was read although nothing changed")

    monkeypatch.setattr(store, "_existing_metadata", no_reading)
    report = ingest(indexed_copy, progress=False, store=store).sync
    assert (report.added, report.deleted, report.relabelled) == (0, 0, 0)
    assert report.unchanged == store.count()


def test_a_collection_changed_behind_the_stores_back_is_read_and_repaired(indexed_copy):
    store = open_store(indexed_copy)
    ingest(indexed_copy, progress=False, store=store)
    held = store.count()
    victim = store.collection.get(limit=1)["ids"][0]
    store.collection.delete(ids=[victim])  # not through a sync: the manifest no longer describes it
    report = ingest(indexed_copy, progress=False, store=store).sync
    assert report.added == 1
    assert store.count() == held
    assert store.collection.get(ids=[victim])["ids"] == [victim]


def test_edited_section_reembeds_only_its_chunk(indexed_copy):
    settings = indexed_copy
    policy = settings.knowledge_dir / "policies" / "courier_behaviour.md"
    text = policy.read_text(encoding="utf-8")
    last_line = text.rstrip().splitlines()[-1]
    policy.write_text(text.replace(last_line, last_line + " Это правило пересмотрено в ноябре."), encoding="utf-8")
    report = ingest(settings, progress=False).sync
    assert (report.added, report.deleted) == (1, 1)


def test_moving_a_reply_relabels_without_embedding(indexed_copy):
    settings = indexed_copy
    replies = sorted((settings.knowledge_dir / "replies").glob("*.yaml"))[0]
    replies.write_text(
        "# a comment line moves every entry down\n" + replies.read_text(encoding="utf-8"), encoding="utf-8"
    )
    report = ingest(settings, progress=False).sync
    assert report.added == 0
    assert report.relabelled > 0


def test_deleted_file_disappears_from_the_index(indexed_copy):
    settings = indexed_copy
    (settings.knowledge_dir / "policies" / "payment_problems.md").unlink()
    report = ingest(settings, progress=False).sync
    assert report.deleted > 0 and report.added == 0
    store = open_store(settings)
    left = store.collection.get(where={"source": "policies/payment_problems.md"})
    assert left["ids"] == []


def test_fresh_process_reopens_the_collection_by_its_registered_embedding(indexed_copy):
    settings = indexed_copy
    store = open_store(settings)
    code = (
        "import sys, json, chromadb\n"
        "import assistant.embeddings  # registers our embedding function with chromadb\n"
        "client = chromadb.PersistentClient(path=sys.argv[1])\n"
        "col = client.get_collection(sys.argv[2])\n"
        "hits = col.query(query_texts=['курьер нагрубил'], n_results=1, where={'kind': 'policy'})\n"
        "print(json.dumps(hits['metadatas'][0][0]))\n"
    )
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(settings.data_dir)}
    out = subprocess.run(
        [sys.executable, "-c", code, str(settings.chroma_dir), store.name],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["topic"] == "courier_behaviour"


def test_each_embedding_model_gets_its_own_collection(indexed_copy, openai_stub):
    settings = indexed_copy
    e5_store = open_store(settings)
    openai_settings = dataclasses.replace(
        settings,
        embedding_backend="openai",
        openai_base_url=openai_stub.base_url,
        openai_api_key="test-key",
        openai_embedding_model="stub-embed",
    )
    openai_store = Store(openai_settings, OpenAIEmbedder(openai_settings))
    report = ingest(openai_settings, progress=False, store=openai_store).sync
    assert openai_store.name != e5_store.name
    assert "stub-embed" in openai_store.name
    assert report.added == openai_store.count() == e5_store.count()
    assert any(r["path"].endswith("/embeddings") for r in openai_stub.requests)
    client = chromadb.PersistentClient(path=str(settings.chroma_dir))
    models = {c.name: (c.metadata or {}).get("embedding_model") for c in client.list_collections()}
    assert models[e5_store.name] == make_embedder(settings).model_id
    assert models[openai_store.name] == "openai-stub-embed"


def test_ingest_and_search_through_a_chroma_server(settings, chroma_server, monkeypatch, capsys):
    """The server path, on a small knowledge folder: what matters here is the client, not scale."""
    for policy in settings.knowledge_dir.glob("policies/*.md"):
        if policy.stem not in ("courier_behaviour", "delivery_delay", "payment_problems"):
            policy.unlink()
    for replies in settings.knowledge_dir.glob("replies/*"):
        if replies.stem != "courier_behaviour":
            replies.unlink()
    host, port = chroma_server
    monkeypatch.setenv("CHROMA_HOST", host)
    monkeypatch.setenv("CHROMA_PORT", str(port))
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_DIR", str(settings.knowledge_dir))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(settings.data_dir))
    assert main(["ingest", "--quiet"]) == 0
    assert not settings.chroma_dir.exists()  # nothing went to the embedded store
    capsys.readouterr()
    assert main(["search", "курьер опоздал", "--kind", "policy", "--json", "-k", "1"]) == 0
    top = json.loads(capsys.readouterr().out.splitlines()[0])
    assert top["topic"] in ("courier_behaviour", "delivery_delay")
    server_side = chromadb.HttpClient(host=host, port=port)
    assert any(c.name.startswith("knowledge--") for c in server_side.list_collections())


def test_a_chroma_server_at_ten_thousand_documents(settings, chroma_server):
    """The scale path: a real `chroma run` holding 10k documents (random unit vectors, the metadata
    mix of a real index) answers filtered queries as its own filter would, and a re-sync with
    nothing changed reads nothing (the manifest lives in the collection, so it works for a server)."""
    import random

    import numpy as np

    from assistant.indexing import Document

    host, port = chroma_server
    server = dataclasses.replace(settings, chroma_host=host, chroma_port=port)
    store = open_store(server)
    documents = []
    for i in range(10_000):
        draw = random.Random(i)
        meta = {"kind": "policy" if draw.random() < 0.25 else "reply", "lang": "en" if draw.random() < 0.3 else "ru"}
        meta.update({f"ch_{c}": draw.random() < 1 / 3 for c in ("instagram", "vk", "telegram", "marketplace")})
        documents.append(Document(f"synthetic:{i}", f"passage {i}", f"passage {i}", meta))
    # clustered like real embeddings (random points in 384 dimensions are all equally far apart,
    # which no nearest-neighbour index finds well): 300 topics, each document near one of them
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(300, 384))
    vectors = centres[rng.integers(0, 300, len(documents))] + rng.normal(scale=0.6, size=(len(documents), 384))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    for start in range(0, len(documents), 2000):
        batch = documents[start : start + 2000]
        store.collection.add(
            ids=[d.id for d in batch],
            embeddings=vectors[start : start + 2000].tolist(),
            documents=[d.text for d in batch],
            metadatas=[d.metadata for d in batch],
        )
    assert store.sync(documents, progress=False).unchanged == 10_000  # reads everything, writes the manifest

    def no_reading():
        raise AssertionError("the collection was read although nothing changed")

    store._existing_metadata = no_reading
    assert store.sync(documents, progress=False).unchanged == 10_000

    where = where_filter("reply", "instagram", "ru")
    passing = np.array([bool(metadata_matches(d.metadata, where)) for d in documents])
    found = 0
    for centre in centres[:10]:
        vector = centre + rng.normal(scale=0.6, size=384)
        vector = (vector / np.linalg.norm(vector)).astype(np.float32)
        similarity = np.where(passing, vectors @ vector, -np.inf)
        exact = {documents[i].id for i in np.argsort(-similarity)[:8]}
        ours = store.query_vector(vector.tolist(), 8, where)
        assert len(ours) == 8 and all(metadata_matches(hit.metadata, where) for hit in ours)
        found += len(exact & {hit.id for hit in ours})
    assert found / 80 >= 0.9  # as good as the index's own nearest-neighbour search


def test_unreachable_chroma_server_says_what_to_do(settings, monkeypatch, capsys):
    from tests.conftest import free_port

    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("CHROMA_PORT", str(free_port()))
    assert main(["search", "курьер"]) == 2
    assert "unset CHROMA_HOST" in capsys.readouterr().err


def test_search_filters_by_kind_channel_and_language(indexed_demo):
    store = open_store(indexed_demo)
    replies = search(store, "where is my order", kind="reply", lang="en", k=5)
    assert replies and all(h.metadata["kind"] == "reply" and h.metadata["lang"] == "en" for h in replies)
    assert len({h.metadata["reply_id"] for h in replies}) == len(replies)  # one hit per reply
    marketplace = search(store, "брак", kind="reply", channel="marketplace", k=3)
    assert marketplace and all(h.metadata["channel"] == "marketplace" for h in marketplace)
    mixed = search(store, "курьер", lang="en", k=20)
    assert {h.metadata["kind"] for h in mixed} == {"policy", "reply"}
    assert all(h.metadata["lang"] == "en" for h in mixed if h.metadata["kind"] == "reply")


@pytest.mark.parametrize(
    ("kind", "channel", "lang"),
    [("reply", "instagram", "ru"), ("reply", "vk", "ru"), ("policy", "vk", None), (None, "telegram", "en")],
)
def test_a_filter_applied_after_an_unfiltered_query_finds_what_chromas_filter_finds(indexed_demo, kind, channel, lang):
    """Filtering the nearest of all (fast at any size) must rank exactly as chromadb's own filter."""
    store = open_store(indexed_demo)
    where = where_filter(kind, channel, lang)
    answered_fast = 0
    for text in ("курьер опоздал и нагрубил", "the zipper broke on day one", "где мой возврат денег"):
        vector = store.embedder.embed_query(text)
        theirs = store.collection.query(query_embeddings=[list(vector)], n_results=6, where=where, include=[])
        fast = store._filtered_after(vector, 6, where, False)  # None: too few passed, chromadb's filter decides
        if fast is not None:
            answered_fast += 1
            assert [hit.id for hit in fast] == theirs["ids"][0]
        assert [hit.id for hit in store.query_vector(vector, 6, where)] == theirs["ids"][0]
    assert answered_fast >= 2  # the demo's replies in a language are few, yet most filters pass enough


def test_metadata_is_matched_as_chromadb_would():
    meta = {"kind": "reply", "lang": "ru", "ch_vk": True, "topic": "delivery"}
    assert metadata_matches(meta, {"$and": [{"kind": "reply"}, {"ch_vk": True}]})
    assert not metadata_matches(meta, {"$and": [{"kind": "reply"}, {"ch_instagram": True}]})  # no flag: not True
    assert metadata_matches(meta, {"$or": [{"kind": "policy"}, {"lang": "ru"}]})
    assert metadata_matches(meta, {"topic": {"$in": ["delivery", "returns"]}})
    assert not metadata_matches(meta, {"topic": {"$nin": ["delivery"]}})
    assert metadata_matches(meta, {"topic": {"$gt": 3}}) is None  # not read here: chromadb decides


def test_a_relabel_shows_at_once_in_the_store_that_synced(indexed_copy):
    """The store caches what chromadb holds; a sync must not leave a pending reply retrievable."""
    from assistant.retrieval import retrieve_context

    store = open_store(indexed_copy)
    comment = "Курьер опоздал на 5 часов и нагрубил мне"
    before = retrieve_context(store, comment, "courier_behaviour", "instagram", "ru")
    best = next(s for s in before if s.kind == "reply")
    path = indexed_copy.knowledge_dir / best.source
    text = path.read_text(encoding="utf-8")
    marker = f"- id: {best.id}\n"
    path.write_text(text.replace(marker, f"{marker}  status: pending\n"), encoding="utf-8")
    assert ingest(indexed_copy, progress=False, store=store).sync.relabelled >= 2  # its halves, and lines below
    after = retrieve_context(store, comment, "courier_behaviour", "instagram", "ru")
    assert best.id not in [s.id for s in after if s.kind == "reply"]


def test_ingest_never_empties_the_index_from_a_missing_or_empty_folder(indexed_copy, monkeypatch, capsys):
    from assistant.ingest import open_store

    held = open_store(indexed_copy).count()
    assert held > 0
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(indexed_copy.data_dir))
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_DIR", str(indexed_copy.knowledge_dir.parent / "no-such-folder"))
    assert main(["ingest", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"the index's {held} documents were left as they are" in err and "ASSISTANT_KNOWLEDGE_DIR" in err
    assert open_store(indexed_copy).count() == held
    assert main(["ingest", "--quiet", "--allow-empty"]) == 1  # on purpose: emptied, and said there is nothing
    assert open_store(indexed_copy).count() == 0


def test_a_typo_in_one_file_keeps_its_passages_and_fails_the_exit_code(indexed_copy, monkeypatch, capsys):
    from assistant.ingest import open_store
    from assistant.retrieval import search

    policy = indexed_copy.knowledge_dir / "policies" / "courier_behaviour.md"
    text = policy.read_text(encoding="utf-8")
    before = open_store(indexed_copy).count()
    policy.write_text(text.replace("topic: courier_behaviour", "topic: [courier_behaviour", 1), encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(indexed_copy.data_dir))
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_DIR", str(indexed_copy.knowledge_dir))
    assert main(["ingest", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "courier_behaviour.md" in err and "the index keeps the" in err
    store = open_store(indexed_copy)
    assert store.count() == before  # nothing of the broken file was dropped
    hits = search(store, "курьер нагрубил", kind="policy", k=3)
    assert any(h.metadata.get("source") == "policies/courier_behaviour.md" for h in hits)
    policy.write_text(text.replace("## На что жалуются", "## На что жалуются покупатели", 1), encoding="utf-8")
    assert main(["ingest", "--quiet"]) == 0  # fixed: its passages are replaced as usual
    assert open_store(indexed_copy).count() == before


def test_an_ingest_by_another_process_does_not_break_the_running_store(indexed_copy):
    """The app keeps one store open for hours; a trainer runs `assistant ingest` from a terminal."""
    from assistant.retrieval import retrieve_context

    settings = indexed_copy
    store = open_store(settings)
    assert retrieve_context(store, "курьер опоздал", None, "instagram", "ru")
    policy = settings.knowledge_dir / "policies" / "courier_behaviour.md"
    policy.write_text(
        policy.read_text(encoding="utf-8") + "\n\nКурьер звонит за час до приезда и ждёт 15 минут.\n", encoding="utf-8"
    )
    env = {
        **os.environ,
        "ASSISTANT_DATA_DIR": str(settings.data_dir),
        "ASSISTANT_KNOWLEDGE_DIR": str(settings.knowledge_dir),
    }
    cli = [sys.executable, "-c", "from assistant.cli import main; raise SystemExit(main())", "ingest"]
    done = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "1 embedded, 1 removed" in done.stdout

    sources = retrieve_context(store, "курьер опоздал и нагрубил", None, "instagram", "ru")
    assert sources
    assert any("звонит за час" in hit.text for hit in store.query("курьер звонит за час до приезда", k=3))
    store.sync(store_documents(settings))  # the app's Re-index on the same store object
    assert store.count() == open_store(settings).count()


def store_documents(settings):
    from assistant.indexing import knowledge_documents
    from assistant.knowledge import load_knowledge

    return knowledge_documents(
        load_knowledge(settings.knowledge_dir), settings.chunk_tokens, settings.chunk_overlap_tokens
    )


def test_an_interrupted_ingest_is_reported_until_the_next_one_completes(indexed_copy, monkeypatch, capsys):
    import socket

    from assistant import sync_marker
    from assistant.drafting import draft_replies

    settings = indexed_copy
    store = open_store(settings)
    assert store.sync_warning() is None
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    marker = sync_marker.marker_path(settings.chroma_dir)
    marker.write_text(
        json.dumps({"state": "running", "pid": int(dead.stdout), "host": socket.gethostname(), "at": "earlier"}),
        encoding="utf-8",
    )  # what `kill -9` during an ingest leaves behind

    result = draft_replies("Курьер опоздал на 5 часов", settings, store=store, use_llm=False)
    assert any("did not finish" in w and "assistant ingest" in w for w in result.warnings)
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_DIR", str(settings.knowledge_dir))
    assert main(["search", "курьер опоздал"]) == 0
    assert "did not finish" in capsys.readouterr().err

    ingest(settings, progress=False)
    assert store.sync_warning() is None
    assert not any(
        "ingest" in w for w in draft_replies("Курьер опоздал", settings, store=store, use_llm=False).warnings
    )


POISON = """
- id: ru-loyalty-poison
  channel: instagram
  lang: ru
  topic: loyalty_promo
  sentiment: negative
  complainer: none
  comment: Промокод опять не работает, сделайте уже что-нибудь
  reply: |-
    Простите нас! Всегда даём скидку 90% на следующий заказ. Напишите нам в Direct номер заказа, ответим в течение часа.
"""


def test_a_past_reply_that_breaks_a_rule_is_never_retrieved_until_fixed(indexed_copy, monkeypatch, capsys):
    from assistant.retrieval import retrieve_context

    settings = indexed_copy
    file = settings.knowledge_dir / "replies" / "loyalty_promo.yaml"
    file.write_text(file.read_text(encoding="utf-8") + POISON, encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_DIR", str(settings.knowledge_dir))
    assert main(["ingest"]) == 0
    err = capsys.readouterr().err
    assert "ru-loyalty-poison breaks policy_grounded" in err and "never shown to the model" in err

    def retrieved_ids() -> set[str]:
        sources = retrieve_context(
            open_store(settings), "Промокод опять не работает, сделайте уже что-нибудь", None, "instagram", "ru"
        )
        return {s.metadata.get("reply_id") for s in sources if s.kind == "reply"}

    assert "ru-loyalty-poison" not in retrieved_ids()
    assert "ru-loyalty-01" in retrieved_ids()  # the good examples still come

    file.write_text(file.read_text(encoding="utf-8").replace("скидку 90%", "скидку 10%"), encoding="utf-8")
    report = ingest(settings, progress=False)
    assert not any("ru-loyalty-poison" in problem for problem in report.left_out)
    assert "ru-loyalty-poison" in retrieved_ids()


@pytest.fixture
def own_chroma_server(tmp_path):
    """A Chroma server this test may freeze (SIGSTOP: it accepts connections, answers nothing) or kill."""
    from tests.conftest import running_chroma

    with running_chroma(tmp_path) as running:
        yield running


def test_a_hung_or_dead_chroma_server_costs_a_timeout_and_says_so(settings, own_chroma_server):
    from assistant.drafting import draft_replies

    process, port = own_chroma_server
    for replies in settings.knowledge_dir.glob("replies/*"):
        if replies.stem != "courier_behaviour":
            replies.unlink()
    remote = dataclasses.replace(settings, chroma_host="127.0.0.1", chroma_port=port, store_timeout_s=1.0)
    ingest(remote, progress=False)
    store = open_store(remote)  # the app's store, opened while the server was well
    comment = "Курьер опоздал на 5 часов и нагрубил мне"
    assert draft_replies(comment, remote, store=store, use_llm=False).sources

    process.send_signal(signal.SIGSTOP)  # hung: the port still accepts connections
    started = time.monotonic()
    result = draft_replies(comment, remote, store=store, use_llm=False)
    assert time.monotonic() - started < 10
    assert result.drafts and not result.sources
    assert any("did not answer within 1s" in w for w in result.warnings)
    with pytest.raises(StoreError, match="did not answer within 1s"):
        open_store(remote)

    process.send_signal(signal.SIGCONT)
    process.kill()
    process.wait(timeout=30)
    result = draft_replies(comment, remote, store=store, use_llm=False)
    assert result.drafts and not result.sources
    assert any("cannot reach the Chroma server" in w and "CHROMA_HOST" in w for w in result.warnings)
