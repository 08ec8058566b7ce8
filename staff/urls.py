"""The staff application's pages, in Dutch paths (``/balie/`` is what a telephony system opens on a call)."""

from .views import assistant, board, callbacks, cases, exports, frontdesk, oidc, parties, reports, shell

app_name = "staff"

urlpatterns = [
    *shell.urlpatterns,
    *oidc.urlpatterns,
    *frontdesk.urlpatterns,
    *exports.urlpatterns,  # before cases and reports: /dossiers/xlsx/ and /rapporten/xlsx/ are no case or KPI
    *cases.urlpatterns,
    *parties.urlpatterns,
    *board.urlpatterns,
    *callbacks.urlpatterns,
    *assistant.urlpatterns,
    *reports.urlpatterns,
]
