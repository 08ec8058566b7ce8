"""The staff application's own writes: a user's saved inbox filters."""

from .models import SavedFilter


def saved_filter_save(*, user, name: str, query: str) -> SavedFilter:
    """Keep the inbox ``query`` under ``name`` for ``user``; a name in use is replaced."""
    saved, _created = SavedFilter.objects.update_or_create(user=user, name=name, defaults={"query": query[:1000]})
    return saved


def saved_filter_delete(*, user, pk: int) -> bool:
    """Forget one of ``user``'s filters; False when they have none by that id."""
    deleted, _rows = SavedFilter.objects.filter(user=user, pk=pk).delete()
    return bool(deleted)
