"""The staff application's pages, in Dutch paths (``/balie/`` is what a telephony system opens on a call)."""

from .views import assistant, board, callbacks, cases, frontdesk, oidc, parties, reports, shell

app_name = "staff"

urlpatterns = [
    *shell.urlpatterns,
    *oidc.urlpatterns,
    *frontdesk.urlpatterns,
    *cases.urlpatterns,
    *parties.urlpatterns,
    *board.urlpatterns,
    *callbacks.urlpatterns,
    *assistant.urlpatterns,
    *reports.urlpatterns,
]
