"""The staff forms' own widgets write what Django's would."""

import re

import pytest
from django import forms
from django.utils.safestring import mark_safe

from staff.forms import FastSelect


class FastSelectMultiple(FastSelect):
    allow_multiple_selected = True


ATTRS = {"id": "id_keuze", "required": True, "aria-describedby": "id_keuze_helptext", "aria-invalid": False}


@pytest.mark.parametrize(
    ("choices", "value", "multiple"),
    [
        ([("", "Alle"), ("a", "A & B"), (1, "Een"), ("x", "<b>vet</b>")], "a", False),
        ([("", "Alle"), ("Groep", [("1", "een"), ("2", "twee")]), ("3", "drie")], "2", False),
        ([(1, "een"), (2, "twee"), (1, "dubbel")], 1, False),  # only the first of a repeated value is selected
        ([(1, "een"), (2, "twee"), (3, "drie")], [1, 3], True),
        ([(None, "niets"), (2, "twee")], None, False),
        ([("v", mark_safe("<i>al veilig</i>")), ("w", "nog te ontsnappen <")], "w", False),
        ([("", "Alle")], "onbekend", False),
    ],
)
def test_a_fast_select_writes_what_djangos_select_writes(choices, value, multiple):
    django_widget = forms.SelectMultiple if multiple else forms.Select
    fast_widget = FastSelectMultiple if multiple else FastSelect
    expected = django_widget(choices=choices, attrs=ATTRS).render("keuze", value)
    written = fast_widget(choices=choices, attrs=ATTRS).render("keuze", value)
    # Django's template puts each option on its own line; the markup is otherwise the same.
    assert between_tags(written) == between_tags(expected)


def between_tags(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())
