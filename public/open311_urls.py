"""Open311 GeoReport v2 (public/open311/, docs/open311.md): every call ends in .json or .xml; another ending
answers the specification's 404."""

from django.urls import re_path

from .open311 import views

urlpatterns = [
    re_path(r"^discovery\.(?P<fmt>\w+)$", views.DiscoveryView.as_view(), name="open311-discovery"),
    re_path(r"^services\.(?P<fmt>\w+)$", views.ServiceListView.as_view(), name="open311-services"),
    re_path(
        r"^services/(?P<code>[-\w]+)\.(?P<fmt>\w+)$", views.ServiceDefinitionView.as_view(), name="open311-service"
    ),
    re_path(r"^requests\.(?P<fmt>\w+)$", views.RequestListView.as_view(), name="open311-requests"),
    re_path(
        r"^requests/(?P<reference>[-\w]+)\.(?P<fmt>\w+)$", views.RequestDetailView.as_view(), name="open311-request"
    ),
]
