"""Which language a comment is in, and what happens when we do not support it."""

import pytest

from assistant.languages import detect, is_supported, name_of, supported_codes
from assistant.triage import triage


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Курьер опоздал на 5 часов и нагрубил мне", "ru"),
        ("The zipper broke on day one", "en"),
        ("Пришёл iPhone, а не Samsung", "ru"),  # names in Latin letters, a Russian sentence
        ("Samsung Galaxy S23 Ultra пришел", "ru"),
        ("Thanks to the Сорока team, all good!", "en"),
        ("سفارش من هنوز نرسیده است، خیلی ناراحتم", "fa"),
        ("لم يصل الطلب بعد", "ar"),
        ("Замовлення не прийшло, дуже погано, що це таке", "uk"),
        ("Der Reißverschluss ist kaputt und die Lieferung war nicht gut", "de"),
        ("123 456", None),
    ],
)
def test_detect_names_the_language(text, expected):
    assert detect(text) == expected


def test_only_russian_and_english_are_supported():
    assert supported_codes() == ("ru", "en")
    assert is_supported("ru") and is_supported("en")
    assert not is_supported("fa") and not is_supported("uk") and not is_supported(None)
    assert name_of("fa") == "Persian"


def test_a_persian_comment_is_reported_not_read_as_russian():
    found = triage("سفارش من هنوز نرسیده است، خیلی ناراحتم")
    assert found.comment_lang == "fa"
    assert found.lang == "ru"  # the drafts' language: the brand's default


def test_drafting_warns_about_an_unsupported_language(settings):
    from assistant.drafting import draft_replies

    result = draft_replies("سفارش من هنوز نرسیده است", settings, n=1)
    assert any("Persian" in w and "does not support" in w for w in result.warnings)
