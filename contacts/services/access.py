from contacts.models import AccessLog, Party


def access_log_record(*, user, party: Party, via: str) -> AccessLog:
    """Record that ``user`` opened ``party``'s record (privacy law: who looked at whom)."""
    return AccessLog.objects.create(user=user, username=user.get_username(), party=party, via=via)
