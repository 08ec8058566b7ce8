"""Path converters."""

# The largest value of a 64-bit signed integer: PostgreSQL's bigint, SQLite's integer (BigAutoField ids).
MAX_ID = 2**63 - 1


class IdConverter:
    """``<id:pk>``: a row id. Digits beyond the database's integer range answer 404 instead of an overflow."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError("out of range")  # the URL does not match: 404
        return number

    def to_url(self, value) -> str:
        return str(value)
