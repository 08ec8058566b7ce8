"""Forms of the party pages."""

from .forms import StaffForm


class MergeForm(StaffForm):
    """The confirmation of a merge. The preview above it is what the clerk confirms, so it has no fields of its own:
    it carries the CSRF token and shows the service's refusal at its top."""
