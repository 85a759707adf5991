"""Each rule's pass, fail and n/a, in Russian and English, with the hard cases written out."""

from pathlib import Path

import pytest

from assistant.knowledge import load_knowledge
from assistant.rules import RULE_IDS, check_reply

ROOT = Path(__file__).resolve().parent.parent
BRAND = load_knowledge(ROOT / "knowledge").brand


def verdict(rule, reply, comment=None, channel="instagram", lang=None):
    return check_reply(reply, comment, channel, lang, BRAND).verdicts[rule]


COMPLAINT_RU = "Курьер опоздал на 5 часов и нагрубил мне"
COMPLAINT_EN = "The courier was 5 hours late and rude to me"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("К сожалению, вы не указали размер при оформлении.", "fail"),
        ("Надо было внимательнее читать описание товара.", "fail"),
        ("Вы сами выбрали не тот размер.", "fail"),
        ("Это не наша вина, обращайтесь в службу доставки.", "fail"),
        ("Такого не может быть, у нас всё проверяется.", "fail"),
        ("Это не брак, а особенность ткани.", "fail"),
        ("Мы ни в коем случае не виним вас: ошибка на нашей стороне.", "pass"),
        ("Вы ни в чём не виноваты, простите нас.", "pass"),
        ("Простите за опоздание курьера, это недопустимо.", "pass"),
        ("Unfortunately you did not specify the size.", "fail"),
        ("You should have checked the parcel with the courier.", "fail"),
        ("This is not our fault, please contact the carrier.", "fail"),
        ("This is not a defect but a feature of the fabric.", "fail"),
        ("We are in no way blaming you — this was our mistake.", "pass"),
        ("We're so sorry the courier was late.", "pass"),
    ],
)
def test_no_blame(reply, expected):
    assert verdict("no_blame", reply, COMPLAINT_RU).status == expected


def test_blame_evidence_quotes_the_words():
    v = verdict("no_blame", "Здравствуйте! К сожалению, вы не указали размер.", COMPLAINT_RU)
    assert [e.text for e in v.evidence] == ["вы не указали"]
    assert "вы не указали" in v.message


@pytest.mark.parametrize(
    ("reply", "comment", "expected"),
    [
        ("Простите! Вернём деньги в течение 10 дней.", COMPLAINT_RU, "pass"),
        ("Простите! Бесплатно заменим свитер.", "Свитер порвался после стирки", "pass"),
        ("Простите! Дарим промокод на 10 % на следующий заказ.", COMPLAINT_RU, "pass"),
        ("Простите! Менеджер перезвонит вам в течение 24 часов.", COMPLAINT_RU, "pass"),
        ("Простите, мы разберёмся.", COMPLAINT_RU, "fail"),
        ("Спасибо, передали информацию ответственным.", COMPLAINT_RU, "fail"),
        ("Возврат данной категории товаров невозможен.", "Хочу вернуть купальник", "fail"),
        ("Мы не можем вернуть деньги за этот товар.", "Хочу вернуть деньги", "fail"),
        ("Спасибо за тёплые слова! Рады, что платье подошло.", "Платье супер, спасибо!", "n/a"),
        ("So sorry! We will refund you within 10 days.", COMPLAINT_EN, "pass"),
        ("So sorry! We'll look into it.", COMPLAINT_EN, "fail"),
        ("Returns of sale items are not possible.", "I want to return the sale dress", "fail"),
        ("Thank you so much! Glad you love the coat.", "Love the coat, thank you!", "n/a"),
    ],
)
def test_concrete_solution(reply, comment, expected):
    assert verdict("concrete_solution", reply, comment).status == expected


@pytest.mark.parametrize(
    ("reply", "comment", "expected"),
    [
        ("Простите! Напишите нам в директ номер заказа.", COMPLAINT_RU, "pass"),
        ("Простите! Пишите в Direct, разберёмся.", COMPLAINT_RU, "pass"),
        ("Простите! Ждём вас в личке.", COMPLAINT_RU, "pass"),
        ("Простите! Отправьте номер заказа в ЛС.", COMPLAINT_RU, "pass"),
        ("Простите! Напишите нам в личные сообщения.", COMPLAINT_RU, "pass"),
        ("Простите! Мы написали вам в личных сообщениях.", COMPLAINT_RU, "pass"),
        ("Простите! Вернём деньги в течение 10 дней.", COMPLAINT_RU, "fail"),
        ("В личку не пишите, отвечаем только здесь.", COMPLAINT_RU, "fail"),
        ("Спасибо! Рады, что понравилось.", "Всё понравилось, спасибо!", "n/a"),
        ("Sorry! Please DM us your order number.", COMPLAINT_EN, "pass"),
        ("Sorry! Send us a direct message and we'll sort it out.", COMPLAINT_EN, "pass"),
        ("Sorry! We will refund you within 10 days.", COMPLAINT_EN, "fail"),
        ("There is no need to DM us, we only answer here.", COMPLAINT_EN, "fail"),
    ],
)
def test_invite_dm(reply, comment, expected):
    assert verdict("invite_dm", reply, comment).status == expected


@pytest.mark.parametrize(
    ("reply", "comment", "expected"),
    [
        ("Приносим извинения за опоздание.", COMPLAINT_RU, "pass"),
        ("Нам очень жаль, что так вышло.", COMPLAINT_RU, "pass"),
        ("Понимаем, как это неприятно.", COMPLAINT_RU, "pass"),
        ("Спасибо за отзыв!", COMPLAINT_RU, "fail"),
        ("Надеемся, что не доставили вам неудобств.", COMPLAINT_RU, "fail"),
        ("Спасибо! Рады, что понравилось.", "Всё понравилось, спасибо!", "n/a"),
        ("We're so sorry about this.", COMPLAINT_EN, "pass"),
        ("I can imagine how frustrating that was.", COMPLAINT_EN, "pass"),
        ("Thanks for your feedback.", COMPLAINT_EN, "fail"),
        ("Thank you! Glad you liked it.", "Loved it, thanks!", "n/a"),
    ],
)
def test_empathy(reply, comment, expected):
    assert verdict("empathy", reply, comment).status == expected


@pytest.mark.parametrize(
    ("reply", "expected", "fragment"),
    [
        ("Простите! Дарим промокод на 10 %.", "pass", ""),
        ("Простите! Дарим промокод на 50 %.", "fail", "50 %"),
        ("Простите! Скидка 30% на следующий заказ.", "fail", "15 %"),
        ("Простите! Вернём деньги сегодня же.", "fail", "10 days"),
        ("Простите! Вернём деньги в течение 3 дней.", "fail", "3 дней"),
        ("Простите! Вернём деньги в течение 10 дней.", "pass", ""),
        ("Простите! Подарим вам платье.", "fail", "gift"),
        ("Простите! Компенсируем 1000 рублей за ожидание.", "fail", "cash"),
        ("Простите! Начислим 1000 баллов.", "fail", "500"),
        ("Простите! Начислим 300 баллов.", "pass", ""),
        ("Простите! Обмен возможен в течение 60 дней.", "fail", "30 days"),
        ("Простите, нам очень жаль.", "n/a", ""),
        ("Sorry! Here is a 10% promo code.", "pass", ""),
        ("Sorry! Here is a 50% promo code.", "fail", "50 %"),
        ("Sorry! We will refund you today.", "fail", "10 days"),
        ("Sorry! We'll send you a free dress.", "fail", "gift"),
        ("Sorry! A manager will call you in 10 minutes.", "fail", "24 hours"),
        ("Sorry! A manager will call you within 24 hours.", "pass", ""),
    ],
)
def test_policy_grounded(reply, expected, fragment):
    v = verdict("policy_grounded", reply, COMPLAINT_RU)
    assert v.status == expected, v.message
    assert fragment in v.message
    if expected == "fail":
        assert v.evidence


def test_language_match():
    assert verdict("language_match", "Простите за опоздание!", COMPLAINT_RU).status == "pass"
    assert verdict("language_match", "Sorry for the delay!", COMPLAINT_RU).status == "fail"
    assert verdict("language_match", "Простите за опоздание!", COMPLAINT_EN).status == "fail"
    assert verdict("language_match", "Sorry, DM us in Direct «Сорока»", COMPLAINT_EN).status == "pass"
    assert verdict("language_match", "Sorry for the delay!", None).status == "n/a"
    assert verdict("language_match", "Sorry for the delay!", None, lang="ru").status == "fail"


def test_channel_length():
    assert verdict("channel_length", "Простите! " * 50, COMPLAINT_RU, channel="marketplace").status == "pass"
    long = verdict("channel_length", "Простите! " * 120, COMPLAINT_RU, channel="marketplace")
    assert long.status == "fail" and "1200" in long.message
    assert verdict("channel_length", "Простите! " * 120, COMPLAINT_RU, channel="instagram").status == "pass"
    assert verdict("channel_length", "Простите!", COMPLAINT_RU, channel=None).status == "n/a"


@pytest.mark.parametrize(
    ("reply", "channel", "expected"),
    [
        ("Простите! Напишите номер заказа в личные сообщения.", "instagram", "pass"),
        ("Простите! Укажите номер телефона в комментариях.", "instagram", "fail"),
        ("Простите! Напишите здесь номер заказа.", "vk", "fail"),
        ("Ваш заказ №48213957 уже в пути.", "instagram", "fail"),
        ("Перезвоним на +7 916 123-45-67.", "instagram", "fail"),
        ("Звоните на бесплатную линию 8 800 555-35-35.", "instagram", "pass"),
        ("Sorry! Please post your phone number below.", "instagram", "fail"),
        ("Sorry! Please DM us your order number.", "instagram", "pass"),
        ("Your order #48213957 has shipped.", "instagram", "fail"),
        ("Пришлите, пожалуйста, номер заказа ответным письмом.", "email", "n/a"),
    ],
)
def test_no_public_personal_data(reply, channel, expected):
    assert verdict("no_public_personal_data", reply, COMPLAINT_RU, channel=channel).status == expected


def test_not_generic():
    specific = verdict("not_generic", "Простите за курьера! Так вести себя недопустимо.", COMPLAINT_RU)
    assert specific.status == "pass" and "курьер" in specific.message
    generic = verdict("not_generic", "Спасибо за обратную связь! Мы ценим каждого клиента.", COMPLAINT_RU)
    assert generic.status == "fail" and "обратную связь" in generic.message
    assert verdict("not_generic", "Sorry the courier was rude.", COMPLAINT_EN).status == "pass"
    assert verdict("not_generic", "Thank you for your feedback!", COMPLAINT_EN).status == "fail"
    assert verdict("not_generic", "Спасибо!", None).status == "n/a"


def test_inflected_dm_and_apology_forms_are_recognised():
    for reply in (
        "Извините нас! Напишите в директ.",
        "Простите, пожалуйста, пишите нам в личку.",
        "Приносим извинения. Ждём вас в директе.",
        "Извиняемся. Напишите нам в Direct.",
    ):
        result = check_reply(reply, COMPLAINT_RU, "instagram", None, BRAND)
        assert result.verdicts["invite_dm"].status == "pass", reply
        assert result.verdicts["empathy"].status == "pass", reply


def test_brand_never_say_phrases_extend_the_lexicon():
    phrase = BRAND.never_say["ru"][0]
    v = verdict("no_blame", f"Простите, но {phrase}.", COMPLAINT_RU)
    assert v.status == "fail"


@pytest.mark.parametrize(
    "comment",
    [
        "Спасибо за быструю доставку, платье сидит идеально!",
        "Платье огонь, сидит идеально!",  # slang praise, read as a complaint before the December retrain
    ],
)
def test_a_thank_you_to_praise_applies_only_what_applies(comment):
    result = check_reply("Спасибо, Анна! Рады, что платье подошло 😊", comment, "instagram", None, BRAND)
    statuses = {rule: v.status for rule, v in result.verdicts.items()}
    assert statuses["concrete_solution"] == statuses["invite_dm"] == statuses["empathy"] == "n/a"
    assert statuses["not_generic"] == "pass"
    assert result.passed
    assert set(statuses) == set(RULE_IDS)


def test_a_pasted_wall_of_text_is_read_up_to_the_reply_limit_and_fails_the_length():
    """A 100 KB paste (a whole document, a log of numbers) is checked on its first MAX_REPLY_CHARS and
    fails channel_length whatever the channel; the encoder reads little of it (bench_checker prints
    the times)."""
    from assistant.rules import MAX_REPLY_CHARS
    from assistant.rules.case import ENCODED_PER_REPLY

    brand = load_knowledge(Path(__file__).resolve().parent.parent / "knowledge").brand
    wall = " ".join(str(i) for i in range(30_000))[:100_000]
    result = check_reply(wall, "Курьер опоздал", "email", "ru", brand)
    verdict = result.verdicts["channel_length"]
    assert verdict.status == "fail" and f"first {MAX_REPLY_CHARS:,}" in verdict.message
    assert verdict.evidence[0].start == MAX_REPLY_CHARS and verdict.evidence[0].end == len(wall)
    assert ENCODED_PER_REPLY < MAX_REPLY_CHARS
    blame = "Вы сами виноваты, надо было читать описание! " * 2500  # 110 KB of blame is still blame
    assert check_reply(blame, "Курьер опоздал", "instagram", "ru", brand).verdicts["no_blame"].status == "fail"
