from django.urls import path

from . import api

urlpatterns = [
    path("handler-groups/", api.HandlerGroupListApi.as_view(), name="handler-group-list"),
    path("case-types/", api.CaseTypeListApi.as_view(), name="case-type-list"),
    path("contacts/", api.ContactListCreateApi.as_view(), name="contact-list"),
    path("contacts/<id:pk>/", api.ContactDetailApi.as_view(), name="contact-detail"),
    path("cases/", api.CaseListCreateApi.as_view(), name="case-list"),
    path("cases/assign/", api.CaseBulkAssignApi.as_view(), name="case-assign-bulk"),
    path("cases/<str:reference>/", api.CaseDetailApi.as_view(), name="case-detail"),
    path("cases/<str:reference>/transitions/", api.CaseTransitionApi.as_view(), name="case-transitions"),
    path("cases/<str:reference>/reassign/", api.CaseReassignApi.as_view(), name="case-reassign"),
    path("cases/<str:reference>/events/", api.CaseEventsApi.as_view(), name="case-events"),
    path("cases/<str:reference>/assign/", api.CaseAssignApi.as_view(), name="case-assign"),
    path("cases/<str:reference>/assignees/", api.CaseAssigneesApi.as_view(), name="case-assignees"),
    path("cases/<str:reference>/change-type/", api.CaseChangeTypeApi.as_view(), name="case-change-type"),
    path("cases/<str:reference>/merge/", api.CaseMergeApi.as_view(), name="case-merge"),
    path("callbacks/", api.CallbackListCreateApi.as_view(), name="callback-list"),
    path("callbacks/<id:pk>/", api.CallbackDetailApi.as_view(), name="callback-detail"),
    path("callbacks/<id:pk>/done/", api.CallbackDoneApi.as_view(), name="callback-done"),
    path("supervision/overdue/", api.OverdueSummaryApi.as_view(), name="supervision-overdue"),
]
