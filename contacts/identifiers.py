"""Belgian identifiers, e-mail addresses and phone numbers: validated, stored compact.

Each ``clean_*`` returns the compact form or raises ``ValidationError`` saying why.
"""

import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.be import ssn, vat

VCODE_RE = re.compile(r"^V\d{7}$")


def _stdnum_reason(exc: stdnum_errors.ValidationError) -> str:
    if isinstance(exc, stdnum_errors.InvalidChecksum):
        return _("the check digits are wrong")
    if isinstance(exc, stdnum_errors.InvalidLength):
        return _("it has the wrong number of digits")
    if isinstance(exc, stdnum_errors.InvalidFormat):
        return _("it may contain only digits, dots, dashes and spaces")
    return _("it is not a valid date of birth or serial number")


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


def clean_email(value: str) -> str:
    compact = (value or "").strip().lower()
    try:
        validate_email(compact)
    except ValidationError as exc:
        raise ValidationError(_("Invalid e-mail address."), code="invalid_email") from exc
    return compact


def clean_phone(value: str, region: str | None = None) -> str:
    """Any common notation; stored as E.164. Without a country code the default region applies."""
    region = region or settings.MIDOFFICE_DEFAULT_PHONE_REGION
    try:
        number = phonenumbers.parse(value or "", region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Invalid phone number."), code="invalid_phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Invalid phone number."), code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(value: str) -> str:
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
