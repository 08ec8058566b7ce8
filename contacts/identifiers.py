"""Belgian identifiers, e-mail addresses and phone numbers: validated, stored compact.

Each ``clean_*`` returns the compact form or raises ``ValidationError`` saying why. The checks of the
identifiers, e-mail addresses and phone numbers depend on the value alone: each process remembers the last few
thousand it passed, because a create checks each value twice (its input, then the service that writes it).
"""

import re
import unicodedata
from collections.abc import Callable
from datetime import date
from functools import lru_cache, wraps

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.be import ssn, vat

from midoffice.text import clean_text

VCODE_RE = re.compile(r"^V\d{7}$")


def _stdnum_reason(exc: stdnum_errors.ValidationError) -> str:
    if isinstance(exc, stdnum_errors.InvalidChecksum):
        return _("the check digits are wrong")
    if isinstance(exc, stdnum_errors.InvalidLength):
        return _("it has the wrong number of digits")
    if isinstance(exc, stdnum_errors.InvalidFormat):
        return _("it may contain only digits, dots, dashes and spaces")
    return _("it is not a valid date of birth or serial number")


# How many values each check remembers.
REMEMBERED = 4096


def _remembered(check: Callable[..., str]) -> Callable[..., str]:
    """``check``, remembering what it returned for the last ``REMEMBERED`` texts (a refusal is not remembered;
    a value that is no text is checked as it is)."""
    cached = lru_cache(maxsize=REMEMBERED)(check)

    @wraps(check)
    def run(value, *args):
        return cached(value, *args) if type(value) is str else check(value, *args)

    return run


@_remembered
def clean_national_number(value: str) -> str:
    """INSZ: a rijksregisternummer or a BIS number, 11 digits."""
    try:
        return ssn.validate(value)
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(
            _("Invalid national number (INSZ): %(reason)s.") % {"reason": _stdnum_reason(exc)},
            code="invalid_national_number",
        ) from exc


def format_national_number(value: str) -> str:
    return ssn.format(value) if value else ""


def birth_date_contradicts(national_number: str, birth_date: date) -> bool:
    """Whether the birth date an INSZ encodes differs from ``birth_date``.

    Only the parts the number knows count: a BIS number (and an old national number) may have been issued
    with an unknown year, month or day (coded 00, or a day past the month's end when the counter ran out).
    """
    year = ssn.get_birth_year(national_number)
    month = ssn.get_birth_month(national_number)
    known = ssn.get_birth_date(national_number)
    return (
        (year is not None and year != birth_date.year)
        or (month is not None and month != birth_date.month)
        or (known is not None and known != birth_date)
    )


@_remembered
def clean_enterprise_number(value: str) -> str:
    """KBO enterprise number, 10 digits starting with 0 or 1 (``BE`` prefix and dots allowed)."""
    try:
        return vat.validate(value)
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(
            _("Invalid enterprise number (KBO): %(reason)s.") % {"reason": _stdnum_reason(exc)},
            code="invalid_enterprise_number",
        ) from exc


def format_enterprise_number(value: str) -> str:
    return f"{value[:4]}.{value[4:7]}.{value[7:]}" if value else ""


def clean_association_code(value: str) -> str:
    """Verenigingsloket vCode: ``V`` followed by seven digits."""
    compact = re.sub(r"\s", "", value or "").upper()
    if not VCODE_RE.match(compact):
        raise ValidationError(
            _("Invalid association code (vCode): expected V followed by seven digits."),
            code="invalid_association_code",
        )
    return compact


def clean_name(value: str | None) -> str:
    """A name or other one-line text as stored: control and invisible characters (zero-width spaces, bidi
    marks …) removed, white space collapsed. A text of nothing but those is refused, not stored empty."""
    if not value:
        return ""
    cleaned = " ".join(clean_text(unicodedata.normalize("NFC", value)).split())
    if not cleaned:
        raise ValidationError(_("This text has no visible characters."), code="invisible_text")
    return cleaned


@_remembered
def clean_email(value: str) -> str:
    compact = (value or "").strip().lower()
    try:
        validate_email(compact)
    except ValidationError as exc:
        raise ValidationError(_("Invalid e-mail address."), code="invalid_email") from exc
    return compact


def clean_phone(value: str, region: str | None = None) -> str:
    """Any common notation; stored as E.164. Without a country code the default region applies."""
    return _e164(value, region or settings.MIDOFFICE_DEFAULT_PHONE_REGION)


@_remembered
def _e164(value: str, region: str) -> str:
    try:
        number = phonenumbers.parse(value or "", region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Invalid phone number."), code="invalid_phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Invalid phone number."), code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@_remembered
def format_phone(value: str) -> str:
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
