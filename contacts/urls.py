from django.urls import path

from . import api

urlpatterns = [
    path("parties/", api.PartyListCreateApi.as_view(), name="party-list"),
    path("parties/<id:pk>/", api.PartyDetailApi.as_view(), name="party-detail"),
    path("parties/<id:pk>/timeline/", api.PartyTimelineApi.as_view(), name="party-timeline"),
    path("parties/<id:pk>/duplicates/", api.PartyDuplicatesApi.as_view(), name="party-duplicates"),
    path("parties/<id:pk>/merge/", api.PartyMergeApi.as_view(), name="party-merge"),
    path("parties/<id:pk>/contact-points/", api.PartyContactPointsApi.as_view(), name="party-contact-points"),
    path(
        "parties/<id:pk>/contact-points/<id:point_pk>/",
        api.PartyContactPointDetailApi.as_view(),
        name="party-contact-point-detail",
    ),
    path("parties/<id:pk>/representatives/", api.PartyRepresentativesApi.as_view(), name="party-representatives"),
    path(
        "parties/<id:pk>/representatives/<id:rep_pk>/",
        api.PartyRepresentativeDetailApi.as_view(),
        name="party-representative-detail",
    ),
    path("parties/<id:pk>/history/", api.PartyHistoryApi.as_view(), name="party-history"),
    path("access-log/", api.AccessLogListApi.as_view(), name="access-log"),
]
