"""Staff roles are Django groups, created (and kept up to date) after every migrate."""

from django.contrib.auth.models import Group, Permission

FRONT_DESK = "front_desk"
KCC = "kcc"
HANDLER = "handler"
SUPERVISOR = "supervisor"
ADMIN = "functional_admin"

STAFF_ROLES = (FRONT_DESK, KCC, HANDLER, SUPERVISOR, ADMIN)

# Reading the configuration and working with cases; who sees and acts on which case is decided per case
# (cases.access): handler group members act on their group's cases, ``view_all_cases`` sees every case
# that is not confidential, ``reassign_case`` may hand cases to another group and cancel them.
_CASE_CONFIG = ["cases.view_handlergroup", "cases.view_casetype"]
_CASE_WORK = [*_CASE_CONFIG, "cases.view_case", "cases.add_case", "cases.view_caseevent", "cases.add_caseevent"]

# Permission codenames ("app_label.codename") each role holds.
ROLE_PERMISSIONS = {
    FRONT_DESK: [
        "contacts.view_party",
        "contacts.add_party",
        "contacts.change_party",
        "contacts.view_contact",
        "contacts.add_contact",
        *_CASE_WORK,
        "cases.view_all_cases",
    ],
    KCC: [
        "contacts.view_party",
        "contacts.add_party",
        "contacts.change_party",
        "contacts.merge_party",
        "contacts.view_contact",
        "contacts.add_contact",
        *_CASE_WORK,
        "cases.view_all_cases",
        "cases.transition_case",
        "cases.reassign_case",
    ],
    HANDLER: [
        "contacts.view_party",
        "contacts.view_contact",
        "contacts.add_contact",
        *_CASE_WORK,
        "cases.transition_case",
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
        "contacts.view_party_history",
        *_CASE_WORK,
        "cases.view_routingrule",
        "cases.view_all_cases",
        "cases.transition_case",
        "cases.reassign_case",
        "cases.view_groupmessage",
        "notifications.view_notification",
        "notifications.retry_notification",
        "notifications.view_deadletterdigest",
        "notifications.view_survey",
        "reports.view_reports",
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
        "cases.view_case",
        "cases.view_all_cases",
        "cases.view_caseevent",
        "cases.view_groupmessage",
        "notifications.view_notification",
        "notifications.view_webhooksubscription",
        "notifications.add_webhooksubscription",
        "notifications.change_webhooksubscription",
        "notifications.delete_webhooksubscription",
        "notifications.view_dosisstatus",
        "notifications.change_dosisstatus",
        "notifications.view_emailtext",
        "notifications.add_emailtext",
        "notifications.change_emailtext",
        "notifications.delete_emailtext",
        "reports.view_reports",
        *(
            f"reports.{action}_{model}"
            for model in ("queue", "openinginterval", "countercluster", "kpinorm")
            for action in ("view", "add", "change", "delete")
        ),
        "reports.view_callrecord",
        "reports.view_countervisit",
        "reports.view_telephonyevent",
        "reports.view_importjob",
        "reports.add_importjob",
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
