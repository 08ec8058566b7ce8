"""Free text from clients (API, public forms), cleaned once before it is validated and stored."""

import unicodedata

# The longest free text accepted, in characters, in the API and in every form: a contact's summary, a case's
# description, notes and messages to the citizen (a few pages; longer is a paste gone wrong); and the shorter
# texts: the internal reason of a change, a call-back's note.
TEXT_MAX_LENGTH = 10_000
REASON_MAX_LENGTH = 2_000

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
