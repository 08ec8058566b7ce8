from django.urls import path

from . import api

urlpatterns = [
    path("handler-groups/", api.HandlerGroupListApi.as_view(), name="handler-group-list"),
    path("case-types/", api.CaseTypeListApi.as_view(), name="case-type-list"),
    path("contacts/", api.ContactListCreateApi.as_view(), name="contact-list"),
    path("contacts/<id:pk>/", api.ContactDetailApi.as_view(), name="contact-detail"),
    path("cases/", api.CaseListCreateApi.as_view(), name="case-list"),
    path("cases/<str:reference>/", api.CaseDetailApi.as_view(), name="case-detail"),
    path("cases/<str:reference>/transitions/", api.CaseTransitionApi.as_view(), name="case-transitions"),
    path("cases/<str:reference>/reassign/", api.CaseReassignApi.as_view(), name="case-reassign"),
    path("cases/<str:reference>/events/", api.CaseEventsApi.as_view(), name="case-events"),
    path("supervision/overdue/", api.OverdueSummaryApi.as_view(), name="supervision-overdue"),
]
