from django.urls import path

from . import api

urlpatterns = [
    path("parties/", api.PartyListCreateApi.as_view(), name="party-list"),
    path("parties/<int:pk>/", api.PartyDetailApi.as_view(), name="party-detail"),
    path("parties/<int:pk>/timeline/", api.PartyTimelineApi.as_view(), name="party-timeline"),
    path("parties/<int:pk>/duplicates/", api.PartyDuplicatesApi.as_view(), name="party-duplicates"),
    path("parties/<int:pk>/merge/", api.PartyMergeApi.as_view(), name="party-merge"),
    path("contacts/", api.ContactListCreateApi.as_view(), name="contact-list"),
]
