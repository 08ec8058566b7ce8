"""Forms of the staff pages: each field with its label, its help and its errors next to it (linked to the input by
``aria-describedby``, the input marked ``aria-invalid``), in the page's language."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.forms.renderers import DjangoTemplates


class StaffFormRenderer(DjangoTemplates):
    form_template_name = "staff/forms/form.html"
    field_template_name = "staff/forms/field.html"


class StaffForm(forms.Form):
    default_renderer = StaffFormRenderer


class StaffModelForm(forms.ModelForm):
    default_renderer = StaffFormRenderer


def errors_into_form(form: forms.BaseForm, errors: dict[str, list[str]] | list[str]) -> None:
    """Show a service's ``ValidationError`` on the form: next to the field it names, else at the top."""
    if isinstance(errors, list):
        errors = {None: errors}
    for field, messages in errors.items():
        for message in messages if isinstance(messages, list) else [messages]:
            form.add_error(field if field in form.fields else None, str(message))


class StaffAuthenticationForm(AuthenticationForm):
    default_renderer = StaffFormRenderer
