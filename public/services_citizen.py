"""Citizens signed in with ACM/IDM: their authentic record found by the INSZ the provider vouches for, or made."""

from django.core.exceptions import ValidationError

from contacts.errors import DuplicateIdentifier
from contacts.models import Party, PartyKind
from contacts.selectors import party_search
from contacts.services import party_create
from midoffice.oidc import UNVERIFIED, OidcRefused


def citizen_party_for(*, national_number: str, given_name: str = "", family_name: str = "") -> Party:
    """The party with this INSZ; a new person with the token's names when there is none. Nothing is written to
    the access log: the citizen reads their own record, and it is not shown to anyone."""
    try:
        found = next(iter(party_search(national_number=national_number)[:1]), None)
    except ValidationError as exc:
        raise OidcRefused(UNVERIFIED) from exc
    if found is not None:
        return found
    try:
        return party_create(
            actor=None,
            kind=PartyKind.PERSON,
            national_number=national_number,
            given_name=given_name[:100],
            family_name=family_name[:100],
        )
    except DuplicateIdentifier as exc:
        # Two sign-ins of the same new person at once: the other one made the record.
        return Party.objects.get(pk=exc.extra["existing_party"])
