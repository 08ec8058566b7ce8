from collections.abc import Iterable

from contacts.models import AccessLog, Party
from midoffice.db import insert


def access_log_record(*, user, party: Party, via: str) -> AccessLog:
    """Record that ``user`` opened ``party``'s record (privacy law: who looked at whom)."""
    entry = AccessLog(user=user, username=user.get_username(), party=party, via=via)
    insert([entry])
    return entry


def access_log_record_shown(*, user, party_ids: Iterable[int], via: str) -> None:
    """Record every party a response or page showed ``user``: one row each, in one precompiled INSERT (most
    reads of personal data write one)."""
    username = user.get_username()
    insert([AccessLog(user=user, username=username, party_id=pk, via=via) for pk in dict.fromkeys(party_ids)])
