from django.urls import path

from . import api

urlpatterns = [
    path("parties/", api.PartyListCreateApi.as_view(), name="party-list"),
    path("parties/<int:pk>/", api.PartyDetailApi.as_view(), name="party-detail"),
    path("parties/<int:pk>/timeline/", api.PartyTimelineApi.as_view(), name="party-timeline"),
    path("parties/<int:pk>/duplicates/", api.PartyDuplicatesApi.as_view(), name="party-duplicates"),
    path("parties/<int:pk>/merge/", api.PartyMergeApi.as_view(), name="party-merge"),
    path("parties/<int:pk>/contact-points/", api.PartyContactPointsApi.as_view(), name="party-contact-points"),
    path(
        "parties/<int:pk>/contact-points/<int:point_pk>/",
        api.PartyContactPointDetailApi.as_view(),
        name="party-contact-point-detail",
    ),
    path("parties/<int:pk>/representatives/", api.PartyRepresentativesApi.as_view(), name="party-representatives"),
    path(
        "parties/<int:pk>/representatives/<int:rep_pk>/",
        api.PartyRepresentativeDetailApi.as_view(),
        name="party-representative-detail",
    ),
    path("access-log/", api.AccessLogListApi.as_view(), name="access-log"),
    path("contacts/", api.ContactListCreateApi.as_view(), name="contact-list"),
]
