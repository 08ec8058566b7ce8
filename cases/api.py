"""The cases API: thin views over the cases services and selectors. Logging contacts lives here too, because a
contact can open a case and what a user may read of a contact depends on the cases it opened."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from contacts.models import AccessLog, Contact
from contacts.selectors import contact_get_for_user, contact_list_for_user
from contacts.serializers import ContactFilterSerializer, ContactSerializer
from contacts.services import access_log_record_shown
from midoffice.idempotency import idempotent
from midoffice.permissions import HasModelPermission, IsStaffMember
from midoffice.schema import conflict

from . import selectors, services
from .models import Callback, Case
from .serializers import (
    AssignSerializer,
    BulkAssignSerializer,
    CallbackCreateSerializer,
    CallbackDoneSerializer,
    CallbackFilterSerializer,
    CallbackSerializer,
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseEventSerializer,
    CaseFilterSerializer,
    CaseMergeSerializer,
    CaseSerializer,
    CaseTypeSerializer,
    ChangeTypeSerializer,
    ContactLogSerializer,
    GroupChaseSerializer,
    HandlerGroupSerializer,
    NoteSerializer,
    ReassignSerializer,
    TransitionSerializer,
    UserRefSerializer,
)

API_CONTACTS = AccessLog.Via.API_CONTACTS
REFERENCE = OpenApiParameter("reference", str, OpenApiParameter.PATH, description="The case's reference.")


class CasesAPIView(GenericAPIView):
    permission_classes = [IsStaffMember, HasModelPermission]
    queryset = Case.objects.none()


def _visible_case(request, reference: str) -> Case:
    """The case if the caller may see it; 404 whether it does not exist or is not theirs to see."""
    try:
        return selectors.case_get_for_user(request.user, reference)
    except Case.DoesNotExist as exc:
        raise Http404 from exc


def _referenced_case(request, reference: str, field: str = "duplicate_of") -> Case:
    """A case named in a request body: a missing case and one the caller may not see are refused alike."""
    try:
        return selectors.case_get_for_user(request.user, reference)
    except Case.DoesNotExist as exc:
        raise ValidationError({field: [_("There is no case %(reference)s.") % {"reference": reference}]}) from exc


def _detail(request, case: Case, status_code: int = status.HTTP_200_OK) -> Response:
    """The case as it is after a write; shown even when the write took it out of the caller's sight."""
    case = selectors.case_get(case.pk)
    return Response(CaseDetailSerializer(case, context={"request": request}).data, status=status_code)


class HandlerGroupListApi(CasesAPIView):
    serializer_class = HandlerGroupSerializer
    pagination_class = None
    required_permissions = {"GET": ["cases.view_handlergroup"]}

    @extend_schema(
        summary="Handler groups",
        description="Configured in the admin; the KCC has `is_kcc`.",
        responses=HandlerGroupSerializer(many=True),
    )
    def get(self, request):
        return Response(HandlerGroupSerializer(selectors.handler_group_list(), many=True).data)


class CaseTypeListApi(CasesAPIView):
    serializer_class = CaseTypeSerializer
    pagination_class = None
    required_permissions = {"GET": ["cases.view_casetype"]}

    @extend_schema(
        summary="Case types in use", description="Configured in the admin.", responses=CaseTypeSerializer(many=True)
    )
    def get(self, request):
        return Response(CaseTypeSerializer(selectors.case_type_list(), many=True).data)


class ContactListCreateApi(CasesAPIView):
    serializer_class = ContactSerializer
    required_permissions = {"GET": ["contacts.view_contact"], "POST": ["contacts.add_contact"]}

    @extend_schema(
        summary="List contacts",
        description="Newest first. A contact that opened a case you may not see is `restricted`: its subject "
        "and summary are withheld and the case is not named.",
        parameters=[ContactFilterSerializer],
        responses=ContactSerializer(many=True),
    )
    def get(self, request):
        params = ContactFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = self.paginate_queryset(contact_list_for_user(request.user, **params.validated_data))
        # What a party said is personal data: who read it is logged like a read of the record.
        access_log_record_shown(user=request.user, party_ids=[c.party_id for c in page if c.party_id], via=API_CONTACTS)
        return self.get_paginated_response(ContactSerializer(page, many=True).data)

    @extend_schema(
        summary="Log a contact",
        description="Link the contact to `party` (an id), or give `party_data` to resolve the party by exact "
        "identifier, then exact e-mail or phone, else create one (`matched_on` says which), or set "
        "`anonymous: true` explicitly. With `case`, a case is opened from the contact in the same transaction "
        "(outcome `case_created`, which needs a case). Send an `Idempotency-Key` header to retry safely: the "
        "same key and body return the first response, the same key with another body answers 422.",
        request=ContactLogSerializer,
        responses={201: ContactSerializer},
    )
    @idempotent
    def post(self, request):
        serializer = ContactLogSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contact, case = services.contact_log_with_case(actor=request.user, **serializer.validated_data)
        # The caller sees what they wrote, including the case they opened.
        contact.restricted, contact.visible_cases = False, [case] if case else []
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)


class ContactDetailApi(CasesAPIView):
    serializer_class = ContactSerializer
    required_permissions = {"GET": ["contacts.view_contact"]}

    @extend_schema(summary="Read a contact", description="Restricted like the list.")
    def get(self, request, pk: int):
        try:
            contact = contact_get_for_user(request.user, pk)
        except Contact.DoesNotExist as exc:
            raise Http404 from exc
        if contact.party_id:
            access_log_record_shown(user=request.user, party_ids=[contact.party_id], via=API_CONTACTS)
        return Response(ContactSerializer(contact).data)


class CaseListCreateApi(CasesAPIView):
    serializer_class = CaseSerializer
    required_permissions = {"GET": ["cases.view_case"], "POST": ["cases.add_case"]}

    @extend_schema(
        summary="List cases",
        description="Only cases the caller may see: their groups' cases, and for the KCC, front desk and "
        "supervisors every case that is not confidential. Most urgent first (`ordering=due_at`). "
        "`state` may be repeated; `open=true` means new, accepted, in progress or waiting; `overdue` and "
        "`due_soon` count running cases only (a waiting case's clock is stopped).",
        parameters=[CaseFilterSerializer],
        responses=CaseSerializer(many=True),
    )
    def get(self, request):
        params = CaseFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        filters = {**params.validated_data}
        filters["state"] = sorted(filters.get("state") or [])
        ids = self.paginate_queryset(selectors.case_list_for_user(request.user, **filters).values_list("pk", flat=True))
        return self.get_paginated_response(CaseSerializer(selectors.case_rows(ids), many=True).data)

    @extend_schema(
        summary="Open a case",
        description="Routed to a handler group by the routing rules (else the case type's default group, "
        "else the KCC) and due by the case type's norm counted from `registered_at`. With `contact`, the "
        "case takes over the contact's party, channel and time. Send an `Idempotency-Key` header to retry "
        "safely (as for contacts).",
        request=CaseCreateSerializer,
        responses={201: CaseDetailSerializer},
    )
    @idempotent
    def post(self, request):
        serializer = CaseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.case_open(actor=request.user, **serializer.validated_data)
        # The case as case_open wrote it, with its type, group and party in memory: no need to read it back.
        return Response(CaseDetailSerializer(case, context={"request": request}).data, status=status.HTTP_201_CREATED)


class CaseDetailApi(CasesAPIView):
    serializer_class = CaseDetailSerializer
    required_permissions = {"GET": ["cases.view_case"]}

    @extend_schema(summary="Read a case", parameters=[REFERENCE])
    def get(self, request, reference: str):
        return Response(CaseDetailSerializer(_visible_case(request, reference), context={"request": request}).data)


class CaseTransitionApi(CasesAPIView):
    serializer_class = TransitionSerializer
    required_permissions = {"POST": ["cases.transition_case"]}

    @extend_schema(
        summary="Move a case through the workflow",
        description="`reject` needs `reason` and `public_message`; `resolve` needs `public_message` (the "
        "answer); `suspend`, `reopen`, `cancel` and `return_to_kcc` need `reason`. A transition that is not "
        "possible now answers 409 with `allowed_transitions`; an older `version` than the case's answers "
        "409 `stale_version`.",
        parameters=[REFERENCE],
        request=TransitionSerializer,
        responses={
            200: CaseDetailSerializer,
            409: conflict(
                "`illegal_transition` (with `state` and `allowed_transitions`), `stale_version` (with the case's "
                "`version`) or `case_final`."
            ),
        },
    )
    def post(self, request, reference: str):
        case = _visible_case(request, reference)
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data.get("duplicate_of"):
            data["duplicate_of"] = _referenced_case(request, data["duplicate_of"])
        case = services.case_transition(actor=request.user, case=case, **data)
        return _detail(request, case)


class CaseReassignApi(CasesAPIView):
    serializer_class = ReassignSerializer
    required_permissions = {"POST": ["cases.reassign_case"]}

    @extend_schema(
        summary="Hand a case to another handler group",
        description="For the KCC and supervisors. The state and the clock stay as they are; a misdispatched "
        "case loses its flag.",
        parameters=[REFERENCE],
        request=ReassignSerializer,
        responses={200: CaseDetailSerializer, 409: conflict("`case_final`: a closed or cancelled case.")},
    )
    def post(self, request, reference: str):
        case = _visible_case(request, reference)
        serializer = ReassignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.case_reassign(actor=request.user, case=case, **serializer.validated_data)
        return _detail(request, case)


class CaseEventsApi(CasesAPIView):
    serializer_class = CaseEventSerializer
    required_permissions = {"GET": ["cases.view_caseevent"], "POST": ["cases.add_caseevent"]}

    @extend_schema(
        summary="A case's timeline",
        description="Newest first.",
        parameters=[REFERENCE],
        responses=CaseEventSerializer(many=True),
    )
    def get(self, request, reference: str):
        case = _visible_case(request, reference)
        page = self.paginate_queryset(selectors.case_events(case))
        return self.get_paginated_response(CaseEventSerializer(page, many=True).data)

    @extend_schema(
        summary="Add a note",
        description="Internal for colleagues, or `public: true` for the citizen.",
        parameters=[REFERENCE],
        request=NoteSerializer,
        responses={201: CaseEventSerializer},
    )
    def post(self, request, reference: str):
        case = _visible_case(request, reference)
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = services.case_note_add(actor=request.user, case=case, **serializer.validated_data)
        return Response(CaseEventSerializer(event).data, status=status.HTTP_201_CREATED)


class OverdueSummaryApi(CasesAPIView):
    serializer_class = GroupChaseSerializer
    pagination_class = None
    required_permissions = {"GET": ["cases.view_all_cases"]}

    @extend_schema(
        summary="The chase list",
        description="Per handler group: running cases that are overdue or due soon, and the most overdue "
        "ones (`oldest`, at most `limit`, 3 by default; `GET /cases/?handler_group=…&overdue=true` lists them "
        "all). Groups with the most overdue cases first.",
        parameters=[OpenApiParameter("limit", int, description="Cases listed per group (1–50).")],
        responses=GroupChaseSerializer(many=True),
    )
    def get(self, request):
        try:
            limit = min(50, max(1, int(request.query_params.get("limit", 3))))
        except ValueError:
            limit = 3
        summary = selectors.overdue_summary(request.user, oldest=limit)
        shown = [item.party_id for group in summary for item in group.oldest if item.party_id is not None]
        access_log_record_shown(user=request.user, party_ids=shown, via=AccessLog.Via.API_SUPERVISION)
        return Response(GroupChaseSerializer(summary, many=True).data)


class CaseAssignApi(CasesAPIView):
    serializer_class = AssignSerializer
    required_permissions = {"POST": ["cases.transition_case"]}

    @extend_schema(
        summary="Assign a case within its handler group",
        description="Take the case (`assignee`: your own id), give it to a colleague (an active member of the "
        "case's handler group) or unassign it (`null`). For members of the group, the KCC and supervisors. "
        "Someone given a case by a colleague is told by e-mail. An older `version` than the case's answers 409 "
        "`stale_version`; the assignee the case already has answers 409 `assignment_unchanged`.",
        parameters=[REFERENCE],
        request=AssignSerializer,
        responses={
            200: CaseDetailSerializer,
            409: conflict("`stale_version`, `assignment_unchanged` (with `assignee`) or `case_final`."),
        },
    )
    def post(self, request, reference: str):
        case = _visible_case(request, reference)
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.case_assign(actor=request.user, case=case, **serializer.validated_data)
        return _detail(request, case)


class CaseBulkAssignApi(CasesAPIView):
    serializer_class = BulkAssignSerializer
    required_permissions = {"POST": ["cases.transition_case"]}

    @extend_schema(
        operation_id="api_v1_cases_assign_bulk",
        summary="Assign several cases at once",
        description="All or nothing: every case must be one you may see and assign, and the assignee an active "
        "member of each case's handler group, else nothing changes. Cases that already have that assignee are "
        "left as they are. Answers the cases in the order given.",
        request=BulkAssignSerializer,
        responses={200: CaseSerializer(many=True), 409: conflict("`case_final`: one of the cases is closed.")},
    )
    def post(self, request):
        serializer = BulkAssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        references = list(dict.fromkeys(serializer.validated_data["cases"]))
        cases, missing = selectors.cases_for_user_by_reference(request.user, references)
        if missing:
            raise ValidationError(
                {"cases": [_("There is no case %(reference)s.") % {"reference": reference} for reference in missing]}
            )
        cases = services.cases_assign_bulk(
            actor=request.user, cases=cases, assignee=serializer.validated_data["assignee"]
        )
        return Response(CaseSerializer(selectors.case_rows([case.pk for case in cases]), many=True).data)


class CaseAssigneesApi(CasesAPIView):
    serializer_class = UserRefSerializer
    pagination_class = None
    required_permissions = {"GET": ["cases.view_case"]}

    @extend_schema(
        summary="Whom you may assign a case to",
        description="The active members of the case's handler group, by name; empty when you may not assign it.",
        parameters=[REFERENCE],
        responses=UserRefSerializer(many=True),
    )
    def get(self, request, reference: str):
        case = _visible_case(request, reference)
        return Response(UserRefSerializer(selectors.case_assignee_choices(request.user, case), many=True).data)


class CaseChangeTypeApi(CasesAPIView):
    serializer_class = ChangeTypeSerializer
    required_permissions = {"POST": ["cases.reassign_case"]}

    @extend_schema(
        summary="Correct a case's type",
        description="For the KCC and supervisors. The due date is counted again from `registered_at` by the new "
        "type's norm (the days the case waited for the citizen still added); the case is confidential when the "
        "new type is. With `reroute: true` the routing rules choose the handler group again (a new group starts "
        "without an assignee). The state stays as it is.",
        parameters=[REFERENCE],
        request=ChangeTypeSerializer,
        responses={200: CaseDetailSerializer, 409: conflict("`stale_version` or `case_final`.")},
    )
    def post(self, request, reference: str):
        case = _visible_case(request, reference)
        serializer = ChangeTypeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.case_change_type(actor=request.user, case=case, **serializer.validated_data)
        return _detail(request, case)


class CaseMergeApi(CasesAPIView):
    serializer_class = CaseMergeSerializer
    required_permissions = {"POST": ["cases.transition_case"]}

    @extend_schema(
        summary="Merge a duplicate case into this one",
        description="Cancels `duplicate` as a duplicate of this case (the workflow's `cancel`: its citizen is told "
        "where the request is followed up), links its contacts to this case and notes the merge on this case's "
        'timeline. `reason` defaults to "Duplicate of case …". A case you may not see answers 400 like a missing one.',
        parameters=[REFERENCE],
        request=CaseMergeSerializer,
        responses={
            200: CaseDetailSerializer,
            409: conflict(
                "`case_final` (this case is closed, rejected or cancelled), `illegal_transition` (the duplicate can "
                "no longer be cancelled) or `stale_version`."
            ),
        },
    )
    def post(self, request, reference: str):
        survivor = _visible_case(request, reference)
        serializer = CaseMergeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        data["duplicate"] = _referenced_case(request, data["duplicate"], field="duplicate")
        survivor = services.case_merge_duplicate(actor=request.user, survivor=survivor, **data)
        return _detail(request, survivor)


def _log_callbacks_shown(request, callbacks) -> None:
    """A call-back shows its party's name and phone number: logged like a read of the record."""
    party_ids = [callback.party_id for callback in callbacks if callback.party_id]
    if party_ids:
        access_log_record_shown(user=request.user, party_ids=party_ids, via=API_CONTACTS)


class CallbackListCreateApi(CasesAPIView):
    serializer_class = CallbackSerializer
    required_permissions = {"GET": ["cases.view_case"], "POST": ["cases.add_case"]}

    @extend_schema(
        summary="List call-back requests",
        description="Soonest due first. Handler groups see their own call-backs; the KCC, front desk and "
        "supervisors all of them. Open ones only unless `open=false`.",
        parameters=[CallbackFilterSerializer],
        responses=CallbackSerializer(many=True),
    )
    def get(self, request):
        params = CallbackFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        filters = params.validated_data
        page = self.paginate_queryset(
            selectors.callback_list_for_user(
                request.user,
                open_only=filters["open"],
                overdue=filters["overdue"],
                handler_group=filters.get("handler_group"),
            )
        )
        _log_callbacks_shown(request, page)
        return self.get_paginated_response(CallbackSerializer(page, many=True).data)

    @extend_schema(
        summary="Note a call-back request",
        description="Someone asks to be called back: by `handler_group`, at `phone`, before `due_by`. Give the "
        "`party`, the `contact` during which it was asked (its party is taken over), or at least a `name`.",
        request=CallbackCreateSerializer,
        responses={201: CallbackSerializer},
    )
    def post(self, request):
        serializer = CallbackCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        callback = services.callback_request(actor=request.user, **serializer.validated_data)
        _log_callbacks_shown(request, [callback])
        return Response(CallbackSerializer(callback).data, status=status.HTTP_201_CREATED)


def _visible_callback(request, pk: int) -> Callback:
    try:
        return selectors.callback_get_for_user(request.user, pk)
    except Callback.DoesNotExist as exc:
        raise Http404 from exc


class CallbackDetailApi(CasesAPIView):
    serializer_class = CallbackSerializer
    required_permissions = {"GET": ["cases.view_case"]}

    @extend_schema(summary="Read a call-back request")
    def get(self, request, pk: int):
        callback = _visible_callback(request, pk)
        _log_callbacks_shown(request, [callback])
        return Response(CallbackSerializer(callback).data)


class CallbackDoneApi(CasesAPIView):
    serializer_class = CallbackDoneSerializer
    required_permissions = {"POST": ["cases.add_case"]}

    @extend_schema(
        summary="Mark a call-back done",
        description="With a `note` on what came of it. A call-back that is done already answers 409 "
        "`callback_done` (with `done_at` and `done_by`).",
        request=CallbackDoneSerializer,
        responses={200: CallbackSerializer, 409: conflict("`callback_done`, with `done_at` and `done_by`.")},
    )
    def post(self, request, pk: int):
        callback = _visible_callback(request, pk)
        serializer = CallbackDoneSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        callback = services.callback_done(actor=request.user, callback=callback, **serializer.validated_data)
        callback = selectors.callback_get_for_user(request.user, callback.pk)
        _log_callbacks_shown(request, [callback])
        return Response(CallbackSerializer(callback).data)
