from datetime import date

import pytest
from django.core.exceptions import ValidationError

from contacts.demo import enterprise_number, national_number
from contacts.identifiers import (
    clean_association_code,
    clean_email,
    clean_enterprise_number,
    clean_national_number,
    clean_phone,
    format_enterprise_number,
    format_national_number,
)


@pytest.mark.parametrize(
    ("raw", "compact"),
    [
        ("85.07.30-033.28", "85073003328"),
        ("85073003328", "85073003328"),
        (" 850730 033 28 ", "85073003328"),
    ],
)
def test_national_number_is_stored_compact(raw, compact):
    assert clean_national_number(raw) == compact
    assert format_national_number(compact) == "85.07.30-033.28"


def test_national_number_born_after_2000_uses_the_leading_2():
    number = national_number(date(2003, 1, 5), 12)
    assert clean_national_number(number) == number
    first9 = number[:9]
    assert number[9:] == f"{97 - int('2' + first9) % 97:02d}"


def test_bis_number_is_accepted():
    # BIS: month + 40 when the sex is known.
    first9 = "854730033"
    bis = f"{first9}{97 - int(first9) % 97:02d}"
    assert clean_national_number(bis) == bis


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("85073003329", "check digits"),
        ("8507300332", "number of digits"),
        ("85O73003328", "only digits"),
    ],
)
def test_invalid_national_numbers_say_why(raw, reason):
    with pytest.raises(ValidationError, match=reason):
        clean_national_number(raw)


def test_enterprise_number():
    assert clean_enterprise_number("BE 0403.170.701") == "0403170701"
    assert format_enterprise_number("0403170701") == "0403.170.701"
    assert clean_enterprise_number(enterprise_number(42)) == enterprise_number(42)
    with pytest.raises(ValidationError, match="check digits"):
        clean_enterprise_number("0403170702")


def test_association_code():
    assert clean_association_code(" v0001234 ") == "V0001234"
    with pytest.raises(ValidationError, match="vCode"):
        clean_association_code("X123")


def test_email_is_normalised_and_validated():
    assert clean_email("  Jan.Peeters@Gent.BE ") == "jan.peeters@gent.be"
    with pytest.raises(ValidationError, match="e-mail"):
        clean_email("jan.peeters@")


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0470 12 34 56", "+32470123456"),
        ("09 223 45 67", "+3292234567"),
        ("0032470123456", "+32470123456"),
        ("+31 20 123 4567", "+31201234567"),
    ],
)
def test_phone_is_stored_as_e164(raw, e164):
    assert clean_phone(raw) == e164


@pytest.mark.parametrize("raw", ["12", "abc", "0470 12 34"])
def test_invalid_phone_is_refused(raw):
    with pytest.raises(ValidationError, match="phone"):
        clean_phone(raw)


def test_a_checked_value_is_remembered_and_a_refused_one_refused_again():
    assert clean_phone("0470 12 34 56") == clean_phone("0470 12 34 56") == "+32470123456"
    # The region is part of what is remembered: the same digits elsewhere are another number.
    assert clean_phone("020 123 4567", "NL") == "+31201234567"
    with pytest.raises(ValidationError):
        clean_phone("020 123 4567", "BE")
    for _attempt in range(2):
        with pytest.raises(ValidationError, match="INSZ"):
            clean_national_number("85073003327")
