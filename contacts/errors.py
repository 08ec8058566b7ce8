from django.utils.translation import gettext_lazy as _

from midoffice.errors import DomainError

from .models import Party


class DuplicateIdentifier(DomainError):
    code = "duplicate_identifier"

    def __init__(self, *, field: str, existing_party_id: int):
        super().__init__(
            _("Another party already has this %(field)s.") % {"field": Party._meta.get_field(field).verbose_name},
            field=field,
            existing_party=existing_party_id,
        )


class PartyMerged(DomainError):
    code = "party_merged"

    def __init__(self, *, party_id: int, survivor_id: int):
        super().__init__(
            _("Party %(party)s was merged into party %(survivor)s; change the survivor instead.")
            % {"party": party_id, "survivor": survivor_id},
            merged_into=survivor_id,
        )


class MergeRefused(DomainError):
    code = "merge_refused"

    def __init__(self, detail: str, *, reason: str, **extra):
        super().__init__(detail, reason=reason, **extra)


class RowGone(DomainError):
    """The row was removed (by someone else) while this request worked on it."""

    status_code = 404
    code = "not_found"

    def __init__(self, model):
        super().__init__(_("This %(model)s no longer exists.") % {"model": model._meta.verbose_name})


class IdentifierContended(DomainError):
    """A new party's identifier was held by another party when it was written, and given up meanwhile (a merge)."""

    code = "identifier_contended"

    def __init__(self):
        super().__init__(_("Another party held one of these identifiers a moment ago; try again."))
