"""Free text from clients (API, public forms), cleaned once before it is validated and stored."""

import unicodedata

# Control (Cc), format (Cf: zero-width spaces, bidi marks, the byte-order mark …) and lone surrogates (Cs):
# invisible, or able to make a text read differently from what is stored.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs"})
# Line breaks and tabs shape multi-line text.
_KEPT = frozenset("\n\t")


def clean_text(value: str) -> str:
    """``value`` without control, format and surrogate characters (line breaks and tabs stay, CR LF becomes LF)
    and without surrounding white space: text made of nothing but those is empty."""
    value = value.replace("\r\n", "\n")
    if not value.isprintable():
        value = "".join(c for c in value if c in _KEPT or unicodedata.category(c) not in _INVISIBLE)
    return value.strip()
