"""The history of the previous system: its cases and contacts, imported once so that the KPI reports' figures of a
year earlier work from the first day (docs/reports.md, "History from the previous system").

The rules of every import of the reports (``reports.services``): a batch is imported all or nothing, every bad record
is reported with its index (``history_import``) or CSV line number (``import_history``), and the previous system's
id (``key``) makes a batch sent again count nothing twice (same key and content: a duplicate; same key, other
content: an error of that record).

An imported case is final (resolved, closed, rejected or cancelled: an open case would be work nobody was given),
routed to no one (no routing rule runs, no assignee: it goes to the handler group the record names, else its case
type's default group, else the KCC) and notifies no one (no case change is signalled, no notification, e-mail or
webhook). Its deadlines and the durations the KPIs read are computed by the helpers the live workflow uses
(``cases.deadlines``); its milestones are written to its timeline at their moments, marked as imported.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import CharField, F
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.deadlines import admissibility_working_days, days_between, deadlines_for, resolution_days, shift_due
from cases.models import Case, CaseType, EventKind, HandlerGroup
from cases.services.cases import new_tracking_code
from cases.services.events import case_event_new, case_events_write
from cases.workflow import CaseState
from contacts.history import history_actor, history_record_create
from contacts.identifiers import clean_email, clean_enterprise_number, clean_national_number
from contacts.models import Channel, Contact, Direction, MatchedOn, Outcome, Party, PartyKind, Source
from contacts.services import party_resolve
from contacts.services.contacts import validate_contact
from midoffice.db import insert
from notifications.services import notifications_silenced

from . import (
    Column,
    Errors,
    ImportConflict,
    ImportCounts,
    Importer,
    RecordsInvalid,
    choice_column,
    flag_column,
    moment_column,
    moment_errors,
    text_column,
)

KEY_MAX_LENGTH = Case._meta.get_field("imported_key").max_length
DESCRIPTION_MAX_LENGTH = 10_000
IDENTIFIERS = {
    "national_number": clean_national_number,
    "enterprise_number": clean_enterprise_number,
    "email": clean_email,
}
MOMENTS = ("registered_at", "admissibility_decided_at", "resolved_at", "closed_at")
# The label of a record (index or line number), carried in its values to name it when writing fails.
LABEL = "_label"


class FinalState(models.TextChoices):
    """The states an imported case may have: the final ones, and resolved (within the reopen window)."""

    RESOLVED = CaseState.RESOLVED.value, CaseState.RESOLVED.label
    CLOSED = CaseState.CLOSED.value, CaseState.CLOSED.label
    REJECTED = CaseState.REJECTED.value, CaseState.REJECTED.label
    CANCELLED = CaseState.CANCELLED.value, CaseState.CANCELLED.label


def _waits_message() -> str:
    return _("Write each wait as from/to, waits separated by “;”: 2025-03-01T10:00+01:00/2025-03-05T09:00+01:00.")


def intervals_column() -> Column:
    """The waits for the citizen in one cell: ``from/to`` pairs separated by ``;``."""
    moment = moment_column(required=True).parse

    def parse(text: str) -> tuple[tuple[datetime, datetime], ...]:
        pairs = []
        for part in text.split(";"):
            if not part.strip():
                continue
            start, separator, end = part.partition("/")
            if not separator:
                raise ValueError(_waits_message())
            pairs.append((moment(start), moment(end)))
        return tuple(pairs)

    return Column(parse, False, ())


def _identifier_columns() -> dict[str, Column]:
    return {
        "national_number": text_column(20),
        "enterprise_number": text_column(20),
        "email": text_column(254),
    }


def _identifier_errors(values: dict[str, Any]) -> Errors:
    """Each identifier given must be valid (cleaned into ``values``); a person or an organisation, not both."""
    errors: Errors = {}
    for name, clean in IDENTIFIERS.items():
        if values.get(name):
            try:
                values[name] = clean(values[name])
            except ValidationError as exc:
                errors[name] = exc.messages
    if values.get("national_number") and values.get("enterprise_number"):
        errors["enterprise_number"] = [_("Give a national number or an enterprise number, not both.")]
    return errors


def _party_data(values: Mapping[str, Any]) -> dict[str, Any] | None:
    """What party resolution gets: the identifiers given (none: no party)."""
    data = {name: values[name] for name in IDENTIFIERS if values.get(name)}
    if not data:
        return None
    if data.get("enterprise_number"):
        data["kind"] = PartyKind.ORGANISATION
    return data


def _resolve(values: Mapping[str, Any]) -> tuple[Party | None, str]:
    """The authentic party the identifiers resolve to (found, or created as party resolution does); none without
    identifiers. Raises ``ValidationError`` as party resolution does."""
    data = _party_data(values)
    if data is None:
        return None, ""
    return party_resolve.in_transaction(actor=None, data=data)


class HistoryImporter(Importer):
    """What both history importers share: the key is stored in ``imported_key``; rows are written by ``write`` (a
    model with its relations, not one flat row); a record that fails there (party resolution) is reported by its
    index or line number, and then nothing is written."""

    def import_records(self, records: Iterable[Mapping[str, Any]]) -> ImportCounts:
        """Records as Python or JSON gives them, labelled by their index: typed values, or texts read as the CSV's
        cells are; a field left out takes the value a CSV without that column gives."""
        rows = ((index, *self._typed(record)) for index, record in enumerate(records))
        with transaction.atomic():
            return self._run(rows, write=True)

    def _typed(self, record: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:
        values: dict[str, Any] = {}
        errors: Errors = {}
        for name, column in self.columns.items():
            value = record.get(name)
            try:
                if isinstance(value, str):
                    value = column.parse(value)
                elif value is None:
                    if column.required:
                        raise ValueError(_("This field is required."))
                    value = column.default
                elif name == "waiting":
                    value = _waits(value)
                elif not (
                    (name in self.moment_fields and isinstance(value, datetime))
                    or (name == "guided" and isinstance(value, bool))
                ):
                    raise ValueError(_("Not a valid value: give a text."))
            except ValueError as exc:
                errors[name] = [str(exc)]
            values[name] = value
        unknown = sorted(set(record) - set(self.columns))
        if unknown:
            errors["record"] = [_("Unknown fields: {names}.").format(names=", ".join(unknown))]
        return values, errors

    def _run(self, rows, *, write, progress=None) -> ImportCounts:
        return super()._run(_labelled(rows), write=write, progress=progress)

    def _stored(self, keys: set[str]) -> dict[str, tuple]:
        if not keys:
            return {}
        rows = self.model.objects.filter(imported_key__in=keys).values_list("imported_key", *self.content_fields)
        return {row[0]: row[1:] for row in rows}

    def build(self, values: dict[str, Any]) -> dict[str, Any]:
        return values

    def _insert(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        errors: dict[int, Errors] = {}
        try:
            with notifications_silenced(), history_actor(None):
                self.write(rows, errors)
        except IntegrityError as exc:
            # Only a key written by another request since it was looked up gets here: everything else was checked.
            # The import's transaction is rolled back as this leaves it.
            raise ImportConflict(
                _("Another request stored some of these keys at the same time: send the batch again.")
            ) from exc
        if errors:
            raise RecordsInvalid(errors)

    def write(self, rows: list[dict[str, Any]], errors: dict[int, Errors]) -> None:
        raise NotImplementedError

    @staticmethod
    def parties(rows: list[dict[str, Any]], errors: dict[int, Errors]) -> list[tuple[Party | None, str]]:
        """Each row's party and how it was found (party resolution); what resolution refuses, by the row's label."""
        found = []
        for values in rows:
            try:
                found.append(_resolve(values))
            except ValidationError as exc:
                errors[values[LABEL]] = exc.message_dict if hasattr(exc, "error_dict") else {"party": exc.messages}
                found.append((None, ""))
        return found


def _moment(value: Any) -> datetime:
    if isinstance(value, str):
        return moment_column(required=True).parse(value)
    if not isinstance(value, datetime):
        raise ValueError(_("Not a date and time: write it as 2026-03-01T10:00:00+01:00."))
    return value


def _waits(pairs: Any) -> tuple[tuple[datetime, datetime], ...]:
    """The waits of a record given in Python: (from, to) pairs of moments or their texts."""
    try:
        waits = tuple(tuple(_moment(moment) for moment in pair) for pair in pairs)
    except TypeError:
        raise ValueError(_waits_message()) from None
    if any(len(pair) != 2 for pair in waits):
        raise ValueError(_waits_message())
    return waits


def _labelled(rows):
    for label, values, errors in rows:
        if values is not None:
            values[LABEL] = label
        yield label, values, errors


# --- cases ------------------------------------------------------------------------------------------------------


class CaseHistoryImporter(HistoryImporter):
    """Cases of the previous system, final, with their milestones and waits (docs/reports.md)."""

    model = Case
    columns = {
        "key": text_column(KEY_MAX_LENGTH, required=True),
        "case_type": text_column(CaseType._meta.get_field("code").max_length, required=True),
        "channel": choice_column(Channel),
        "source": choice_column(Source, default=Source.STAFF),
        "handler_group": text_column(HandlerGroup._meta.get_field("name").max_length),
        "state": choice_column(FinalState),
        "registered_at": moment_column(required=True),
        "admissibility_decided_at": moment_column(),
        "resolved_at": moment_column(),
        "closed_at": moment_column(),
        "waiting": intervals_column(),
        **_identifier_columns(),
        "description": text_column(DESCRIPTION_MAX_LENGTH),
    }
    # What the case stores of a record, in the record's terms once checked: a key sent again with the same is a
    # duplicate. The waits count by their days; the identifiers and the description are not compared.
    content_fields = (
        "case_type_id",
        "handler_group_id",
        "channel",
        "state",
        "registered_at",
        "admissibility_decided_at",
        "resolved_at",
        "closed_at",
        "paused_days",
    )
    moment_fields = MOMENTS

    def __init__(self):
        super().__init__()
        self.now = timezone.now()
        self.case_types = {case_type.code: case_type for case_type in CaseType.objects.select_related("default_group")}
        self.groups = {group.name: group for group in HandlerGroup.objects.all()}
        self.kcc = next((group for group in self.groups.values() if group.is_kcc), None)

    def check(self, values: dict[str, Any]) -> Errors:
        waits = values["waiting"]
        errors = moment_errors(values, MOMENTS, self.earliest)
        wait_errors = [
            message
            for start, end in waits
            for messages in moment_errors({"from": start, "to": end}, ("from", "to"), self.earliest).values()
            for message in messages
        ]
        if wait_errors:
            errors["waiting"] = wait_errors[:1]
        errors |= _identifier_errors(values)
        case_type = self.case_types.get(values["case_type"])
        if case_type is None:
            errors["case_type"] = [_("Unknown case type “{code}”.").format(code=values["case_type"])]
        group = self._group(values["handler_group"], case_type)
        if group is None and values["handler_group"]:
            errors["handler_group"] = [_("Unknown handler group “{name}”.").format(name=values["handler_group"])]
        elif group is None and case_type is not None:
            errors["handler_group"] = [_("Name the handler group: the case type has no default and there is no KCC.")]
        if errors:
            return errors
        errors = self._state_errors(values) or self._order_errors(values, waits)
        if errors:
            return errors
        values["case_type_id"], values["handler_group_id"] = case_type.pk, group.pk
        values["case_type_obj"], values["handler_group_obj"] = case_type, group
        # What the workflow stamps: a resolution, and a rejection, decide admissibility when nothing did before.
        decided = values["admissibility_decided_at"]
        if decided is None and values["state"] == FinalState.REJECTED:
            decided = values["closed_at"]
        values["admissibility_decided_at"] = decided or values["resolved_at"]
        values["paused_days"] = sum(days_between(case_type, start, end) for start, end in waits)
        return {}

    def _group(self, name: str, case_type: CaseType | None) -> HandlerGroup | None:
        """The group named, else the case type's default group, else the KCC (no routing rule runs)."""
        if name:
            return self.groups.get(name)
        if case_type is None:
            return None
        return case_type.default_group or self.kcc

    def _state_errors(self, values: dict[str, Any]) -> Errors:
        """Which milestones each final state needs (the workflow stamps them so)."""
        state, resolved_at, closed_at = values["state"], values["resolved_at"], values["closed_at"]
        errors: Errors = {}
        if state in (FinalState.RESOLVED, FinalState.CLOSED) and resolved_at is None:
            errors["resolved_at"] = [_("A resolved or closed case needs its resolution time.")]
        if state == FinalState.REJECTED and resolved_at is not None:
            errors["resolved_at"] = [_("A rejected case was never resolved.")]
        if state == FinalState.RESOLVED:
            window = settings.MIDOFFICE_REOPEN_WINDOW_DAYS
            if closed_at is not None:
                errors["closed_at"] = [_("A resolved case has no closing time yet: send it as closed.")]
            elif resolved_at is not None and resolved_at <= self.now - timedelta(days=window):
                errors["state"] = [
                    _("Resolved more than {days} days ago: its reopen window passed, send it as closed.").format(
                        days=window
                    )
                ]
        elif closed_at is None:
            errors["closed_at"] = [_("A closed, rejected or cancelled case needs its closing time.")]
        if state == FinalState.REJECTED and values["waiting"]:
            errors["waiting"] = [_("A rejected case never waited for the citizen (it is rejected before work).")]
        return errors

    def _order_errors(self, values: dict[str, Any], waits: tuple) -> Errors:
        """Registered ≤ decided ≤ resolved ≤ closed, none in the future; each wait after the decision (a case waits
        only once it is accepted or started) and up to the resolution (or the closing), one after the other."""
        errors: Errors = {}
        previous = None
        for name in MOMENTS:
            moment = values[name]
            if moment is None:
                continue
            if moment > self.now:
                errors[name] = [_("This moment lies in the future.")]
            elif previous is not None and moment < values[previous]:
                label = Case._meta.get_field(previous).verbose_name
                errors[name] = [_("This moment lies before {field}.").format(field=label)]
            previous = name
        if errors or not waits:
            return errors
        decided = values["admissibility_decided_at"]
        end = values["resolved_at"] or values["closed_at"]
        after = decided
        for start, stop in waits:
            if decided is None:
                message = _("A case waits only after its admissibility decision: give admissibility_decided_at.")
            elif stop <= start:
                message = _("A wait ends after it starts.")
            elif start < after:
                message = _("Each wait starts after the admissibility decision and after the wait before it.")
            elif stop > end:
                message = _("A wait ends by the resolution (or, without one, the closing).")
            else:
                after = stop
                continue
            return {"waiting": [message]}
        return errors

    def write(self, rows: list[dict[str, Any]], errors: dict[int, Errors]) -> None:
        parties = self.parties(rows, errors)
        if errors:
            return
        cases = [self._case(values, party) for values, (party, _matched_on) in zip(rows, parties, strict=True)]
        insert(cases)
        # The reference is the row's number, as for every case (known once inserted).
        Case.objects.filter(pk__in=[case.pk for case in cases]).update(
            reference=Cast(F("pk"), output_field=CharField(max_length=20))
        )
        events = []
        for case, values in zip(cases, rows, strict=True):
            events += _timeline(case, values)
        case_events_write(events)

    def _case(self, values: dict[str, Any], party: Party | None) -> Case:
        case_type, group = values["case_type_obj"], values["handler_group_obj"]
        registered_at = values["registered_at"]
        # The due date by the type's norm from registration, moved on by each wait as the workflow's resume does.
        due_at, warn_at = deadlines_for(case_type, registered_at)
        for start, end in values["waiting"]:
            due_at, warn_at = shift_due(case_type, due_at, days_between(case_type, start, end))
        case = Case(
            tracking_code=new_tracking_code(),
            case_type=case_type,
            party=party,
            channel=values["channel"],
            handler_group=group,
            state=values["state"],
            description=values["description"]
            or _("Imported from the previous system ({key}).").format(key=values["key"]),
            confidential=case_type.confidential,
            registered_at=registered_at,
            due_at=due_at,
            warn_at=warn_at,
            admissibility_decided_at=values["admissibility_decided_at"],
            resolved_at=values["resolved_at"],
            closed_at=values["closed_at"],
            intake_source=values["source"],
            imported=True,
            imported_key=values["key"],
        )
        # The stored durations, by the workflow's helpers: before the decision the case never waited (it waits
        # only once accepted or started); the resolution leaves out every day waited.
        if case.admissibility_decided_at is not None:
            case.admissibility_working_days = admissibility_working_days(case, case.admissibility_decided_at)
        case.paused_days = values["paused_days"]
        if case.resolved_at is not None:
            case.resolution_days = resolution_days(case, case.resolved_at)
        return case


def _timeline(case: Case, values: dict[str, Any]) -> list:
    """The case's milestones as its timeline, at their moments, by the system, marked as imported."""
    data = {"imported": True, "key": values["key"]}
    text = _("Imported from the previous system.")
    events = [
        case_event_new(
            case_id=case.pk,
            kind=EventKind.CREATED,
            to_state=CaseState.NEW,
            data=data | {"handler_group": case.handler_group_id, "handler_group_name": case.handler_group.name},
            text=text,
            created_at=case.registered_at,
        )
    ]
    state = CaseState.NEW

    def step(transition: str, target: str, moment: datetime) -> None:
        nonlocal state
        events.append(
            case_event_new(
                case_id=case.pk,
                kind=EventKind.TRANSITION,
                transition=transition,
                from_state=state,
                to_state=target,
                text=text,
                data=data,
                created_at=moment,
            )
        )
        state = target

    decided, resolved, closed = case.admissibility_decided_at, case.resolved_at, case.closed_at
    decided_alone = decided is not None and decided != (resolved if case.state != CaseState.REJECTED else closed)
    if decided_alone and case.case_type.admissibility_step:
        step("accept", CaseState.ACCEPTED, decided)
    elif decided_alone and case.state != CaseState.REJECTED:
        step("start", CaseState.IN_PROGRESS, decided)
    for start, end in values["waiting"]:
        step("suspend", CaseState.WAITING, start)
        step("resume", CaseState.IN_PROGRESS, end)
    if resolved is not None:
        step("resolve", CaseState.RESOLVED, resolved)
    final = {CaseState.CLOSED: "close", CaseState.REJECTED: "reject", CaseState.CANCELLED: "cancel"}
    if case.state in final:
        step(final[case.state], case.state, closed)
    return events


# --- contacts ---------------------------------------------------------------------------------------------------


class ContactHistoryImporter(HistoryImporter):
    """Contacts of the previous system, each linked to its party (party resolution) or anonymous, and to an
    imported case when the record names its key."""

    model = Contact
    columns = {
        "key": text_column(KEY_MAX_LENGTH, required=True),
        "channel": choice_column(Channel),
        "source": choice_column(Source, default=Source.STAFF),
        "direction": choice_column(Direction, default=Direction.INBOUND),
        "occurred_at": moment_column(required=True),
        "subject": text_column(Contact._meta.get_field("subject").max_length, required=True),
        "summary": text_column(DESCRIPTION_MAX_LENGTH),
        "outcome": text_column(Contact._meta.get_field("outcome").max_length),
        "guided": flag_column(),
        **_identifier_columns(),
        "case_key": text_column(KEY_MAX_LENGTH),
    }
    content_fields = ("channel", "source", "direction", "occurred_at", "subject", "outcome", "guided")
    moment_fields = ("occurred_at",)

    def __init__(self):
        super().__init__()
        # Imported cases by key → (id, party id), looked up as records name them.
        self.cases: dict[str, tuple[int, int | None] | None] = {}

    def check(self, values: dict[str, Any]) -> Errors:
        errors = moment_errors(values, self.moment_fields, self.earliest)
        errors |= _identifier_errors(values)
        try:
            validate_contact(values)
        except ValidationError as exc:
            errors |= exc.message_dict
        case_key = values["case_key"]
        if case_key:
            if case_key not in self.cases:
                found = Case.objects.filter(imported_key=case_key).values_list("pk", "party_id").first()
                self.cases[case_key] = found
            if self.cases[case_key] is None:
                errors["case_key"] = [_("No imported case has the key “{key}”.").format(key=case_key)]
        elif values["outcome"] == Outcome.CASE_CREATED:
            errors["outcome"] = [_("A contact whose outcome is a new case names its case: give case_key.")]
        return errors

    def write(self, rows: list[dict[str, Any]], errors: dict[int, Errors]) -> None:
        parties = self.parties(rows, errors)
        if errors:
            return
        contacts = []
        for values, (party, matched_on) in zip(rows, parties, strict=True):
            case = self.cases.get(values["case_key"]) if values["case_key"] else None
            if party is None and case is not None and case[1] is not None:
                # Without identifiers, the contact is the case's party's (as a case opened from a contact).
                party, matched_on = Party.objects.get(pk=case[1]).survivor(), MatchedOn.GIVEN
            contacts.append(
                Contact(
                    party=party,
                    anonymous=party is None,
                    matched_on=matched_on,
                    channel=values["channel"],
                    source=values["source"],
                    direction=values["direction"],
                    occurred_at=values["occurred_at"],
                    subject=values["subject"],
                    summary=values["summary"],
                    outcome=values["outcome"],
                    guided=values["guided"],
                    imported_key=values["key"],
                )
            )
        insert(contacts)
        history_record_create(contacts)
        links = [
            Case.contacts.through(case_id=self.cases[values["case_key"]][0], contact_id=contact.pk)
            for contact, values in zip(contacts, rows, strict=True)
            if values["case_key"]
        ]
        insert(links)


def history_import(records: Iterable[Mapping[str, Any]]) -> ImportCounts:
    """Import cases of the previous system, all or nothing (``RecordsInvalid`` names each bad record's index)."""
    return CaseHistoryImporter().import_records(records)


def history_contacts_import(records: Iterable[Mapping[str, Any]]) -> ImportCounts:
    """Import contacts of the previous system, all or nothing (``RecordsInvalid`` names each bad record's index)."""
    return ContactHistoryImporter().import_records(records)
