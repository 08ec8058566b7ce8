"""Valid Belgian identifiers for demo data, benchmarks and tests (correct check digits)."""

from datetime import date


def national_number(birth_date: date, serial: int) -> str:
    """The rijksregisternummer of someone born on ``birth_date`` with day counter ``serial`` (1–997)."""
    if not 1 <= serial <= 997:
        raise ValueError("serial must lie between 1 and 997")
    first9 = f"{birth_date:%y%m%d}{serial:03d}"
    # People born in 2000 or later: a 2 is prepended before taking the modulus.
    base = int(("2" if birth_date.year >= 2000 else "") + first9)
    return f"{first9}{97 - base % 97:02d}"


def enterprise_number(sequence: int) -> str:
    """A KBO enterprise number starting with 0: 8 digits from ``sequence`` plus 2 check digits."""
    base = 2_000_000 + sequence
    if base >= 10_000_000:
        raise ValueError("sequence too large")
    return f"{base:08d}{97 - base % 97:02d}"


def association_code(sequence: int) -> str:
    return f"V{sequence:07d}"
