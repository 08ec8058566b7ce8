from django.utils.translation import gettext_lazy as _

from midoffice.errors import DomainError


class NotRetryable(DomainError):
    code = "not_retryable"

    def __init__(self, *, status: str):
        super().__init__(_("Only a failed or dead notification can be retried."), status=status)


class StatusLinkInvalid(DomainError):
    """A status link that was tampered with, or whose notification is gone."""

    status_code = 404
    code = "status_link_invalid"

    def __init__(self, detail=None):
        super().__init__(
            detail
            or _(
                "Use the link in the most recent message about your request exactly as you received it, "
                "or contact the city."
            )
        )


class StatusLinkExpired(StatusLinkInvalid):
    """A genuine status link older than MIDOFFICE_STATUS_LINK_MAX_AGE_DAYS."""

    status_code = 410
    code = "status_link_expired"

    def __init__(self):
        super().__init__(
            _("This link is too old. The most recent message about your request has a new one, or contact the city.")
        )
