"""The handler's inbox (``/dossiers/``) and the case page (``/dossiers/<reference>/``)."""

from django.urls import path
from django.utils.translation import gettext_lazy

from ...navigation import NavItem, register
from . import inbox, page

register(NavItem("staff:inbox", gettext_lazy("Cases"), permission="cases.view_case", order=20))

urlpatterns = [
    path("dossiers/", inbox.inbox, name="inbox"),
    path("dossiers/toewijzen/", inbox.inbox_assign, name="inbox-assign"),
    path("dossiers/export.csv", inbox.inbox_export, name="inbox-export"),
    path("dossiers/filters/", inbox.saved_filter_save, name="saved-filter-save"),
    path("dossiers/filters/<id:pk>/verwijderen/", inbox.saved_filter_delete, name="saved-filter-delete"),
    path("dossiers/<str:reference>/", page.case_page, name="case"),
    path("dossiers/<str:reference>/nemen/", inbox.inbox_take, name="case-take"),
    path("dossiers/<str:reference>/overgang/<str:transition>/", page.case_transition, name="case-transition"),
    path("dossiers/<str:reference>/overgang/<str:transition>/voorbeeld/", page.case_preview, name="case-preview"),
    path("dossiers/<str:reference>/toewijzen/", page.case_assign, name="case-assign"),
    path("dossiers/<str:reference>/groep/", page.case_reassign, name="case-reassign"),
    path("dossiers/<str:reference>/type/", page.case_change_type, name="case-type"),
    path("dossiers/<str:reference>/samenvoegen/", page.case_merge, name="case-merge"),
    path("dossiers/<str:reference>/notities/", page.case_note, name="case-note"),
]
