from django.utils.translation import gettext_lazy as _

from midoffice.errors import DomainError


class NotRetryable(DomainError):
    code = "not_retryable"

    def __init__(self, *, status: str):
        super().__init__(_("Only a failed or dead notification can be retried."), status=status)
