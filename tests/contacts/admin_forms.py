"""POST data of the contacts admin's forms, shared by the tests that drive the admin."""


def inline(prefix: str, rows: list[dict] = (), initial: int = 0) -> dict:
    """POST data of an inline formset: its management form and one block of fields per row."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data |= {f"{prefix}-{i}-{field}": value for field, value in row.items()}
    return data


def association_renamed(association, point, name: str = "Nieuwe naam", email: str = "nieuw@club.be") -> dict:
    """The party page of ``association`` saved with a new name and its one contact point ``point`` (an e-mail
    address) changed, no representatives or contacts."""
    return (
        {
            "kind": "association",
            "language": "nl",
            "preferred_channel": "",
            "name": name,
            "association_code": association.association_code,
            "enterprise_number": "",
        }
        | inline(
            "contact_points",
            [
                {
                    "id": point.pk,
                    "party": association.pk,
                    "kind": "email",
                    "value": email,
                    "country": "BE",
                    "preferred": "on",
                }
            ],
            initial=1,
        )
        | inline("representatives")
        | inline("contacts")
    )
