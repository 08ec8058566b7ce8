"""The city's colour must be a colour, and white text on it readable (WCAG 2.1 AA, contrast ≥ 4.5); ACM/IDM is
configured whole or not at all."""

import re

from django.conf import settings
from django.core import checks

from midoffice import oidc

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
MIN_CONTRAST = 4.5


def relative_luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of an ``#rrggbb`` colour."""
    channels = []
    for i in (1, 3, 5):
        value = int(colour[i : i + 2], 16) / 255
        channels.append(value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_with_white(colour: str) -> float:
    return 1.05 / (relative_luminance(colour) + 0.05)


@checks.register()
def check_city_colour(app_configs, **kwargs):
    colour = settings.MIDOFFICE_CITY_COLOUR
    if not COLOUR.match(colour):
        return [checks.Error(f"MIDOFFICE_CITY_COLOUR must be #rrggbb, not {colour!r}.", id="staff.E001")]
    contrast = contrast_with_white(colour)
    if contrast < MIN_CONTRAST:
        return [
            checks.Error(
                f"MIDOFFICE_CITY_COLOUR {colour} has a contrast of {contrast:.2f} with white text; "
                f"WCAG 2.1 AA needs {MIN_CONTRAST}. Choose a darker colour.",
                id="staff.E002",
            )
        ]
    return []


@checks.register()
def oidc_configuration(app_configs=None, **kwargs) -> list[checks.Error]:
    """ACM/IDM (docs/acm-idm.md): half a configuration or an unknown minimum level stops the start-up."""
    issuer, client_id = settings.MIDOFFICE_OIDC_ISSUER, settings.OIDC_RP_CLIENT_ID
    errors = []
    if bool(issuer) != bool(client_id) or (client_id and not settings.OIDC_RP_CLIENT_SECRET):
        errors.append(
            checks.Error(
                "ACM/IDM needs MIDOFFICE_OIDC_ISSUER, MIDOFFICE_OIDC_CLIENT_ID and MIDOFFICE_OIDC_CLIENT_SECRET "
                "together.",
                hint="Set all three (from the integration file) or none.",
                id="staff.E003",
            )
        )
    if issuer and settings.MIDOFFICE_OIDC_ACR_MINIMUM not in oidc.ACR_LEVELS:
        errors.append(
            checks.Error(
                "MIDOFFICE_OIDC_ACR_MINIMUM is not a known ACM/IDM mechanism: "
                f"{settings.MIDOFFICE_OIDC_ACR_MINIMUM!r}.",
                hint=f"One of {', '.join(oidc.ACR_LEVELS)}.",
                id="staff.E004",
            )
        )
    return errors
