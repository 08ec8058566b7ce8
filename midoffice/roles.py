"""Staff roles are Django groups, created (and kept up to date) after every migrate."""

from django.contrib.auth.models import Group, Permission

FRONT_DESK = "front_desk"
KCC = "kcc"
HANDLER = "handler"
SUPERVISOR = "supervisor"
ADMIN = "functional_admin"

STAFF_ROLES = (FRONT_DESK, KCC, HANDLER, SUPERVISOR, ADMIN)

# Permission codenames ("app_label.codename") each role holds.
ROLE_PERMISSIONS = {
    FRONT_DESK: [
        "contacts.view_party",
        "contacts.add_party",
        "contacts.change_party",
        "contacts.view_contact",
        "contacts.add_contact",
    ],
    KCC: [
        "contacts.view_party",
        "contacts.add_party",
        "contacts.change_party",
        "contacts.merge_party",
        "contacts.view_contact",
        "contacts.add_contact",
    ],
    HANDLER: [
        "contacts.view_party",
        "contacts.view_contact",
        "contacts.add_contact",
    ],
    SUPERVISOR: [
        "contacts.view_party",
        "contacts.add_party",
        "contacts.change_party",
        "contacts.merge_party",
        "contacts.view_contact",
        "contacts.add_contact",
        "contacts.view_accesslog",
        "contacts.view_partymerge",
        "cases.view_handlergroup",
        "cases.view_casetype",
        "cases.view_routingrule",
    ],
    ADMIN: [
        "contacts.view_party",
        "contacts.add_party",
        "contacts.change_party",
        "contacts.merge_party",
        "contacts.view_contact",
        "contacts.add_contact",
        "contacts.change_contact",
        "contacts.view_accesslog",
        "contacts.view_partymerge",
        "contacts.view_contactpoint",
        "contacts.add_contactpoint",
        "contacts.change_contactpoint",
        "contacts.delete_contactpoint",
        "contacts.view_representative",
        "contacts.add_representative",
        "contacts.change_representative",
        "contacts.delete_representative",
        "cases.view_closingday",
        "cases.add_closingday",
        "cases.change_closingday",
        "cases.delete_closingday",
        "cases.view_handlergroup",
        "cases.add_handlergroup",
        "cases.change_handlergroup",
        "cases.delete_handlergroup",
        "cases.view_casetype",
        "cases.add_casetype",
        "cases.change_casetype",
        "cases.delete_casetype",
        "cases.view_routingrule",
        "cases.add_routingrule",
        "cases.change_routingrule",
        "cases.delete_routingrule",
    ],
}


def ensure_roles(**kwargs):
    """Create the role groups and give each exactly its permissions (idempotent)."""
    wanted = {code for codes in ROLE_PERMISSIONS.values() for code in codes}
    by_code = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type").filter(
            content_type__app_label__in={code.split(".")[0] for code in wanted}
        )
    }
    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([by_code[code] for code in codes if code in by_code])
