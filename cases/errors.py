from django.utils.translation import gettext_lazy as _

from midoffice.errors import DomainError


class RoutingNotConfigured(DomainError):
    """No rule, no default group and no KCC: an installation error, never a case without a group."""

    status_code = 503
    code = "routing_not_configured"

    def __init__(self, *, case_type_code: str):
        super().__init__(
            _("No handler group can take a case of type %(code)s: configure a KCC or a default group.")
            % {"code": case_type_code},
            case_type=case_type_code,
        )
