"""Forms of the staff pages: each field with its label, its help and its errors next to it (linked to the input by
``aria-describedby``, the input marked ``aria-invalid``), in the page's language."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe


class StaffFormRenderer(DjangoTemplates):
    form_template_name = "staff/forms/form.html"
    field_template_name = "staff/forms/field.html"


# One for every form: a renderer holds its template engine, and with it the templates it has compiled (a form given
# the class would make a renderer, an engine, and parse every template again, each time).
RENDERER = StaffFormRenderer()


def _attributes(attrs: dict) -> str:
    """HTML attributes as Django's ``attrs.html`` writes them: False left out, True as a bare name."""
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items()
        if value is not False and value is not None
    )


class FastSelect(forms.Select):
    """A select written in Python rather than through a template per option: the same HTML as Django's, without
    the cost of rendering a template (or building a context) for each of the 300 handler groups or 500 case types a
    list may hold."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        wanted = set(self.format_value(value))
        parts = [format_html('<select name="{}"{}>', name, mark_safe(_attributes(attrs)))]
        found = False
        for group_value, group_label in self.choices:
            options = group_label if isinstance(group_label, (list, tuple)) else [(group_value, group_label)]
            if options is group_label:
                parts.append(format_html('<optgroup label="{}">', group_value))
            for option_value, option_label in options:
                option_value = "" if option_value is None else str(option_value)
                # As Django's: the first option with the value is selected, every one for a multiple select.
                selected = option_value in wanted and (self.allow_multiple_selected or not found)
                found = found or selected
                parts.append(
                    f'<option value="{conditional_escape(option_value)}"{" selected" if selected else ""}>'
                    f"{conditional_escape(option_label)}</option>"
                )
            if options is group_label:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))


def _fast_selects(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        if type(field.widget) is forms.Select:
            field.widget.__class__ = FastSelect


class StaffForm(forms.Form):
    default_renderer = RENDERER

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _fast_selects(self)


class StaffModelForm(forms.ModelForm):
    default_renderer = RENDERER

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _fast_selects(self)


def errors_into_form(form: forms.BaseForm, errors: dict[str, list[str]] | list[str]) -> None:
    """Show a service's ``ValidationError`` on the form: next to the field it names, else at the top."""
    if isinstance(errors, list):
        errors = {None: errors}
    for field, messages in errors.items():
        for message in messages if isinstance(messages, list) else [messages]:
            form.add_error(field if field in form.fields else None, str(message))


class StaffAuthenticationForm(AuthenticationForm):
    default_renderer = RENDERER
