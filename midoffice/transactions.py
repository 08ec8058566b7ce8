"""Services that compose other services without a savepoint for each of them."""

import functools

from django.db import connection, transaction


def atomic_service(func):
    """``@atomic_service``: the service runs in a transaction (a savepoint when nested), as ``@transaction.atomic``
    does. A service that calls it inside its own transaction and fails as a whole when it fails calls
    ``func.in_transaction(...)`` instead: the same function without a savepoint of its own, two round trips
    fewer."""

    @functools.wraps(func)
    def in_transaction(*args, **kwargs):
        if not connection.in_atomic_block:
            raise RuntimeError(f"{func.__qualname__}.in_transaction needs the caller's transaction.")
        return func(*args, **kwargs)

    wrapped = transaction.atomic(func)
    wrapped.in_transaction = in_transaction
    return wrapped
