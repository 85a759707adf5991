"""The right policy ranks first for everyday complaints, in Russian and in English."""

import pytest

from assistant.cli import main
from assistant.ingest import open_store
from assistant.retrieval import search

QUERIES = [
    ("курьер опоздал", {"courier_behaviour", "delivery_delay"}),
    ("Курьер нахамил мне по телефону и бросил пакет у двери", {"courier_behaviour"}),
    ("заказ обещали во вторник, уже пятница, а посылки всё нет", {"delivery_delay"}),
    ("после первой стирки свитер полинял и на шве дырка", {"defective_item"}),
    ("прислали платье не того цвета и на размер меньше", {"wrong_item_or_size"}),
    ("хочу вернуть куртку и получить деньги обратно", {"returns_refunds"}),
    ("деньги списали два раза, а заказ висит неоплаченным", {"payment_problems"}),
    ("промокод не применяется к корзине", {"loyalty_promo"}),
    ("зачем вы публикуете мой телефон и адрес в комментариях", {"personal_data"}),
    ("The courier was rude and threw my parcel over the fence", {"courier_behaviour"}),
    ("My order is two weeks late and tracking has not updated", {"delivery_delay"}),
    ("The zipper broke on the first day", {"defective_item"}),
    ("I was charged twice for one order", {"payment_problems"}),
    ("How do I return a coat and get a refund?", {"returns_refunds"}),
]


@pytest.mark.parametrize(("query", "topics"), QUERIES)
def test_right_policy_ranks_first(indexed_demo, query, topics):
    [top] = search(open_store(indexed_demo), query, kind="policy", k=1)
    assert top.metadata["topic"] in topics, (query, top.metadata["topic"], top.text[:80])


def test_search_command_prints_the_courier_or_delivery_policy_first(indexed_demo, monkeypatch, capsys):
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(indexed_demo.data_dir))
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_DIR", str(indexed_demo.knowledge_dir))
    assert main(["search", "курьер опоздал"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert "policy" in first
    assert "policies/courier_behaviour.md" in first or "policies/delivery_delay.md" in first


def test_search_on_an_empty_index_says_to_ingest(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path))
    assert main(["search", "курьер"]) == 1
    assert "assistant ingest" in capsys.readouterr().err
