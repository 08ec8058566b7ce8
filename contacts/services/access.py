from collections.abc import Iterable

from contacts.models import AccessLog, Party


def access_log_record(*, user, party: Party, via: str) -> AccessLog:
    """Record that ``user`` opened ``party``'s record (privacy law: who looked at whom)."""
    return AccessLog.objects.create(user=user, username=user.get_username(), party=party, via=via)


def access_log_record_shown(*, user, party_ids: Iterable[int], via: str) -> None:
    """Record every party a response or page showed ``user``: one row each, in one INSERT."""
    username = user.get_username()
    AccessLog.objects.bulk_create(
        AccessLog(user=user, username=username, party_id=party_id, via=via) for party_id in dict.fromkeys(party_ids)
    )
