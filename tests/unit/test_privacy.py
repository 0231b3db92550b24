"""What `bot.privacy.mask` hides before a question is stored for admins (issue 13, point 6)."""

from __future__ import annotations

import pytest

from bot.privacy import mask


@pytest.mark.parametrize(("text", "hidden", "label"), [
    ("連絡先はｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍです", "ｔａｒｏ", "[email]"),  # full-width e-mail
    ("電話は０３－１２３４－５６７８まで", "５６７８", "[phone]"),  # full-width phone number
    ("マイナンバーは123456789012です", "123456789012", "[my number]"),
    ("個人番号 1234 5678 9012 を入力した", "5678", "[my number]"),
    ("card 4111 1111 1111 1111 was used", "1111", "[card]"),
    ("カード4111-1111-1111-1111で決済", "4111", "[card]"),
    ("amex 378282246310005 charged", "378282246310005", "[card]"),
])
def test_personal_numbers_and_addresses_are_masked(text: str, hidden: str, label: str) -> None:
    masked = mask(text)
    assert hidden not in masked
    assert label in masked


def test_a_card_number_is_one_card_not_a_phone_number() -> None:
    assert mask("card 4111 1111 1111 1111 was used") == "card [card] was used"


def test_ordinary_text_and_short_numbers_are_kept() -> None:
    text = "Windows 11 の更新は 2026 年 3 月まで。ポート 443 を開けた"
    assert mask(text) == text


def test_a_16_digit_number_that_fails_luhn_is_still_hidden_but_not_called_a_card() -> None:
    masked = mask("order 1234 5678 9012 3456 shipped")
    assert "[card]" not in masked and "9012" not in masked
