"""The contacts API: thin views that validate shape, call one service or selector, and answer."""

from auditlog.models import LogEntry
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from midoffice.permissions import HasModelPermission, IsStaffMember
from midoffice.schema import conflict

from . import selectors, services
from .models import AccessLog, ContactPoint, Party, Representative
from .serializers import (
    AccessLogFilterSerializer,
    AccessLogSerializer,
    ContactPointInputSerializer,
    ContactPointSerializer,
    DuplicateSuggestionSerializer,
    HistoryEntrySerializer,
    MergeSerializer,
    PartyCreateSerializer,
    PartyDataSerializer,
    PartyMergeResultSerializer,
    PartySearchSerializer,
    PartySerializer,
    RepresentativeSerializer,
    RepresentativeUpdateSerializer,
    TimelineEntrySerializer,
)


class ContactsAPIView(GenericAPIView):
    permission_classes = [IsStaffMember, HasModelPermission]
    # Only for the schema (path parameter types); views read through selectors.
    queryset = Party.objects.none()


def _record_shown(request, parties, via: str) -> None:
    """The access log of a response: every party its records show (see ``selectors.party_ids_shown``)."""
    services.access_log_record_shown(user=request.user, party_ids=selectors.party_ids_shown(parties), via=via)


def _party_or_404(pk: int, *, with_details: bool = False) -> Party:
    if not with_details:
        return get_object_or_404(Party, pk=pk)
    try:
        return selectors.party_get(pk)
    except Party.DoesNotExist as exc:
        raise Http404 from exc


class PartyListCreateApi(ContactsAPIView):
    serializer_class = PartySerializer
    required_permissions = {"GET": ["contacts.view_party"], "POST": ["contacts.add_party"]}

    @extend_schema(
        summary="Search parties",
        description="Every filter given must match. `q` recognises an INSZ, KBO number, vCode, e-mail address "
        "or phone number; anything else searches names (every word must occur, accents ignored), sorted by "
        "name. A name search returns at most 500 matches: a `count` of 500 means refine the search. "
        "Tombstones are left out unless `include_merged=true`. Every party on the page is recorded in the "
        "access log.",
        parameters=[PartySearchSerializer],
        responses=PartySerializer(many=True),
    )
    def get(self, request):
        params = PartySearchSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = selectors.load_representatives(self.paginate_queryset(selectors.party_search(**params.validated_data)))
        _record_shown(request, page, AccessLog.Via.API_SEARCH)
        return self.get_paginated_response(PartySerializer(page, many=True).data)

    @extend_schema(
        summary="Create a party",
        description="Identifiers are validated (check digits) and must be free: a known identifier answers "
        "409 with the id of the party that has it (`existing_party`).",
        request=PartyCreateSerializer,
        responses={
            201: PartySerializer,
            409: conflict("`duplicate_identifier`: another party has the identifier (`field`, `existing_party`)."),
        },
    )
    def post(self, request):
        serializer = PartyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        party = selectors.party_get(services.party_create(actor=request.user, **serializer.validated_data).pk)
        _record_shown(request, [party], AccessLog.Via.API_CREATE)
        return Response(PartySerializer(party).data, status=status.HTTP_201_CREATED)


class PartyDetailApi(ContactsAPIView):
    serializer_class = PartySerializer
    required_permissions = {"GET": ["contacts.view_party"], "PATCH": ["contacts.change_party"]}

    @extend_schema(
        summary="Read a party",
        description="The view is recorded in the access log (the party and the persons representing it).",
    )
    def get(self, request, pk: int):
        party = _party_or_404(pk, with_details=True)
        _record_shown(request, [party], AccessLog.Via.API_DETAIL)
        return Response(PartySerializer(party).data)

    @extend_schema(
        summary="Change a party",
        description="`email`, `phone` and `address` become the preferred contact point of their kind "
        "(added if new). A merged party (tombstone) cannot be changed: 409.",
        request=PartyDataSerializer,
        responses={
            200: PartySerializer,
            409: conflict(
                "`party_merged`: the party is a tombstone (`merged_into`); `duplicate_identifier`: another party "
                "has the identifier (`field`, `existing_party`)."
            ),
        },
    )
    def patch(self, request, pk: int):
        party = _party_or_404(pk)
        serializer = PartyDataSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.party_update(actor=request.user, party=party, **serializer.validated_data)
        party = selectors.party_get(party.pk)
        _record_shown(request, [party], AccessLog.Via.API_UPDATE)
        return Response(PartySerializer(party).data)


class PartyTimelineApi(ContactsAPIView):
    serializer_class = TimelineEntrySerializer
    required_permissions = {"GET": ["contacts.view_party", "contacts.view_contact"]}

    @extend_schema(
        summary="The 360° view of a party",
        description="Contacts, cases the caller may see and merges, newest first, paginated. "
        "The view is recorded in the access log.",
        responses=TimelineEntrySerializer(many=True),
    )
    def get(self, request, pk: int):
        party = _party_or_404(pk)
        page_size = self.paginator.get_page_size(request)
        page = self.paginator.page_number(request)
        total, entries = selectors.party_timeline(
            party, user=request.user, offset=(page - 1) * page_size, limit=page_size
        )
        if page > 1 and not entries:
            raise NotFound(self.paginator.invalid_page_message)
        services.access_log_record(user=request.user, party=party, via=AccessLog.Via.API_TIMELINE)
        url = request.build_absolute_uri()
        return Response(
            {
                "count": total,
                "next": replace_query_param(url, "page", page + 1) if page * page_size < total else None,
                "previous": replace_query_param(url, "page", page - 1) if page > 1 else None,
                "results": TimelineEntrySerializer(entries, many=True).data,
            }
        )


class PartyDuplicatesApi(ContactsAPIView):
    serializer_class = DuplicateSuggestionSerializer
    pagination_class = None
    required_permissions = {"GET": ["contacts.view_party"]}

    @extend_schema(
        summary="Suggested duplicates of a party",
        description="Parties with the same e-mail address or phone number, or a similar name (and the same "
        "birth date for persons), strongest first, each with its reasons. Nothing is merged automatically. "
        "The party and every suggested party are recorded in the access log.",
        responses=DuplicateSuggestionSerializer(many=True),
    )
    def get(self, request, pk: int):
        party = _party_or_404(pk)
        suggestions = selectors.party_duplicate_suggestions(party)
        shown = [party.pk, *selectors.party_ids_shown(suggestion.party for suggestion in suggestions)]
        services.access_log_record_shown(user=request.user, party_ids=shown, via=AccessLog.Via.API_DUPLICATES)
        return Response(DuplicateSuggestionSerializer(suggestions, many=True).data)


class PartyMergeApi(ContactsAPIView):
    serializer_class = MergeSerializer
    required_permissions = {"POST": ["contacts.merge_party"]}

    @extend_schema(
        summary="Merge a duplicate into this party",
        description="Contacts, contact points, representatives and identifiers of the duplicate move to this "
        "party; the duplicate becomes a tombstone (`merged_into`). Refused with 409 for the same party, a "
        "tombstone, different kinds or conflicting identifiers.",
        request=MergeSerializer,
        responses={200: PartyMergeResultSerializer, 409: conflict("`merge_refused`, with the `reason`.")},
    )
    def post(self, request, pk: int):
        survivor = _party_or_404(pk)
        serializer = MergeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        duplicate = get_object_or_404(Party, pk=serializer.validated_data["duplicate"])
        merge = services.party_merge(actor=request.user, survivor=survivor, duplicate=duplicate)
        merge.survivor = selectors.party_get(merge.survivor_id)
        _record_shown(request, [merge.survivor], AccessLog.Via.API_MERGE)
        return Response(PartyMergeResultSerializer(merge).data)


class PartyContactPointsApi(ContactsAPIView):
    serializer_class = ContactPointSerializer
    pagination_class = None
    required_permissions = {"GET": ["contacts.view_party"], "POST": ["contacts.change_party"]}

    @extend_schema(
        summary="A party's contact points",
        description="Recorded in the access log.",
        responses=ContactPointSerializer(many=True),
    )
    def get(self, request, pk: int):
        party = _party_or_404(pk)
        points = list(party.contact_points.all())
        services.access_log_record_shown(user=request.user, party_ids=[party.pk], via=AccessLog.Via.API_CONTACT_POINTS)
        return Response(ContactPointSerializer(points, many=True).data)

    @extend_schema(
        summary="Add a contact point",
        description="An e-mail address, phone number or postal address; `preferred: true` makes it the "
        "preferred one of its kind. Adding one the party already has returns it.",
        request=ContactPointInputSerializer,
        responses={201: ContactPointSerializer, 409: conflict("`party_merged`: the party is a tombstone.")},
    )
    def post(self, request, pk: int):
        party = _party_or_404(pk)
        serializer = ContactPointInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        point = services.contact_point_add(actor=request.user, party=party, **serializer.validated_data)
        services.access_log_record_shown(user=request.user, party_ids=[party.pk], via=AccessLog.Via.API_CONTACT_POINTS)
        return Response(ContactPointSerializer(point).data, status=status.HTTP_201_CREATED)


class PartyContactPointDetailApi(ContactsAPIView):
    required_permissions = {"DELETE": ["contacts.change_party"]}

    @extend_schema(
        summary="Remove a contact point",
        responses={204: None, 409: conflict("`party_merged`: the party is a tombstone.")},
        description="A contact point removed meanwhile by someone else answers 404.",
    )
    def delete(self, request, pk: int, point_pk: int):
        point = get_object_or_404(ContactPoint.objects.select_related("party"), pk=point_pk, party_id=pk)
        services.contact_point_remove(actor=request.user, point=point)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PartyRepresentativesApi(ContactsAPIView):
    serializer_class = RepresentativeSerializer
    pagination_class = None
    required_permissions = {"GET": ["contacts.view_party"], "POST": ["contacts.change_party"]}

    @extend_schema(
        summary="Representatives of an organisation or association",
        description="The organisation and every person shown are recorded in the access log.",
        responses=RepresentativeSerializer(many=True),
    )
    def get(self, request, pk: int):
        party = _party_or_404(pk)
        representatives = list(party.representatives.select_related("person"))
        shown = [party.pk, *(representative.person_id for representative in representatives)]
        services.access_log_record_shown(user=request.user, party_ids=shown, via=AccessLog.Via.API_REPRESENTATIVES)
        return Response(RepresentativeSerializer(representatives, many=True).data)

    @extend_schema(
        summary="Add a representative",
        responses={201: RepresentativeSerializer, 409: conflict("`party_merged`: the party is a tombstone.")},
    )
    def post(self, request, pk: int):
        party = _party_or_404(pk)
        serializer = RepresentativeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        representative = services.representative_add(
            actor=request.user, organisation=party, **serializer.validated_data
        )
        services.access_log_record_shown(
            user=request.user, party_ids=[party.pk, representative.person_id], via=AccessLog.Via.API_REPRESENTATIVES
        )
        return Response(RepresentativeSerializer(representative).data, status=status.HTTP_201_CREATED)


class PartyRepresentativeDetailApi(ContactsAPIView):
    serializer_class = RepresentativeSerializer
    required_permissions = {"PATCH": ["contacts.change_party"], "DELETE": ["contacts.change_party"]}

    def _get(self, pk: int, rep_pk: int) -> Representative:
        return get_object_or_404(Representative.objects.select_related("person"), pk=rep_pk, organisation_id=pk)

    @extend_schema(
        summary="Change a representative",
        description="Change the role or the period; end a mandate by setting `valid_until`. A representative "
        "removed meanwhile by someone else answers 404.",
        request=RepresentativeUpdateSerializer,
        responses=RepresentativeSerializer,
    )
    def patch(self, request, pk: int, rep_pk: int):
        serializer = RepresentativeUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        representative = services.representative_update(
            actor=request.user, representative=self._get(pk, rep_pk), **serializer.validated_data
        )
        services.access_log_record_shown(
            user=request.user, party_ids=[pk, representative.person_id], via=AccessLog.Via.API_REPRESENTATIVES
        )
        return Response(RepresentativeSerializer(representative).data)

    @extend_schema(
        summary="Remove a representative recorded by mistake",
        description="A representative removed meanwhile by someone else answers 404.",
        responses={204: None},
    )
    def delete(self, request, pk: int, rep_pk: int):
        services.representative_remove(actor=request.user, representative=self._get(pk, rep_pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PartyHistoryApi(ContactsAPIView):
    serializer_class = HistoryEntrySerializer
    queryset = LogEntry.objects.none()
    required_permissions = {"GET": ["contacts.view_party_history"]}

    @extend_schema(
        summary="The change history of a party",
        description="Every change of the party, its contact points, representatives and contacts, and of the "
        "parties merged into it: who, when, and each changed field's old and new value, newest first. For "
        "supervisors; the view is recorded in the access log.",
        responses=HistoryEntrySerializer(many=True),
    )
    def get(self, request, pk: int):
        party = _party_or_404(pk)
        page = self.paginate_queryset(selectors.party_history(party))
        services.access_log_record_shown(user=request.user, party_ids=[party.pk], via=AccessLog.Via.API_HISTORY)
        return self.get_paginated_response(HistoryEntrySerializer(page, many=True).data)


class AccessLogListApi(ContactsAPIView):
    serializer_class = AccessLogSerializer
    queryset = AccessLog.objects.none()
    required_permissions = {"GET": ["contacts.view_accesslog"]}

    @extend_schema(
        summary="Who opened which party's record",
        description="For supervisors and privacy requests; read-only.",
        parameters=[AccessLogFilterSerializer],
        responses=AccessLogSerializer(many=True),
    )
    def get(self, request):
        params = AccessLogFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = self.paginate_queryset(selectors.access_log_list(**params.validated_data))
        return self.get_paginated_response(AccessLogSerializer(page, many=True).data)
