from rest_framework import serializers

from contacts.models import Channel
from midoffice.serializers import ID_MAX, Serializer

from .kpis import KpiStatus


class KpiQuerySerializer(Serializer):
    period = serializers.CharField(
        required=False,
        max_length=20,
        help_text="`2026`, `2026-H1`, `2026-Q3` or `2026-07`; or give `from` and `to`.",
    )
    # ``from`` is a keyword: the field is declared under its own name below.
    to = serializers.DateField(required=False, help_text="The last day of a range (included), with `from`.")
    handler_group = serializers.IntegerField(required=False, min_value=1, max_value=ID_MAX)
    case_type = serializers.SlugField(required=False, max_length=50, help_text="A case type's code.")
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False, help_text="The first day of a range, with `to`.")
        return fields


class KpiOneQuerySerializer(KpiQuerySerializer):
    breakdown = serializers.CharField(
        required=False, max_length=20, help_text="One of the KPI's `breakdowns` (channel, quarter, …)."
    )


class PeriodSerializer(Serializer):
    label = serializers.CharField()
    # ``from`` is a keyword: declared in get_fields.
    to = serializers.DateField()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        return fields


def _figure(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=20, decimal_places=2, allow_null=True, coerce_to_string=False, required=False, help_text=help_text
    )


class WaitBucketSerializer(Serializer):
    label = serializers.CharField(help_text="0-30, 31-60, 61-90, 91-120, 121-300 or 300+ (seconds).")
    from_seconds = serializers.IntegerField()
    to_seconds = serializers.IntegerField(allow_null=True, help_text="Included; null for 300+.")
    count = serializers.IntegerField()
    share = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True, coerce_to_string=False)


class FigureFields(Serializer):
    value = serializers.DecimalField(
        max_digits=20, decimal_places=2, allow_null=True, coerce_to_string=False, help_text="null: no data."
    )
    numerator = serializers.DecimalField(max_digits=24, decimal_places=6, allow_null=True, coerce_to_string=False)
    denominator = serializers.DecimalField(max_digits=24, decimal_places=6, allow_null=True, coerce_to_string=False)
    status = serializers.ChoiceField(choices=KpiStatus.choices)
    # What some KPIs report besides their value (absent for the others).
    buckets = WaitBucketSerializer(many=True, required=False, help_text="call_wait_buckets: the six wait buckets.")
    not_called = serializers.IntegerField(required=False, help_text="counter_wait: visits scheduled, never called.")
    median = _figure("resolution_days: the median, in the same unit.")
    answer = _figure("satisfaction: the average score of the question about the answer.")
    speed = _figure("satisfaction: the average score of the question about the speed.")
    service = _figure("satisfaction: the average score of the question about the service.")
    surveys_sent = serializers.IntegerField(required=False, help_text="satisfaction: surveys sent.")
    surveys_answered = serializers.IntegerField(required=False, help_text="satisfaction: surveys answered.")
    response_rate = _figure("satisfaction: surveys answered ÷ sent, in percent.")
    contacts_share = _figure("channel_share: the share of the contacts, in percent.")
    intakes_share = _figure("channel_share: the share of the case intakes, in percent.")
    status_lookups_share = _figure("channel_share: the share of the status look-ups, in percent.")
    appointments_share = _figure("channel_share: the share of the appointments, in percent.")


class YearEarlierSerializer(FigureFields):
    period = PeriodSerializer()


class BreakdownRowSerializer(FigureFields):
    key = serializers.CharField(allow_null=True, help_text="The channel, quarter … this row is for.")
    norm = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True, coerce_to_string=False)


class BreakdownSerializer(Serializer):
    by = serializers.CharField()
    rows = BreakdownRowSerializer(many=True)


class KpiReportSerializer(FigureFields):
    code = serializers.CharField()
    name = serializers.CharField()
    definition = serializers.CharField()
    unit = serializers.ChoiceField(choices=["percent", "seconds", "minutes", "days", "working_days", "count", "score"])
    better = serializers.ChoiceField(choices=["higher", "lower"])
    period = PeriodSerializer()
    norm = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True, coerce_to_string=False)
    norm_relative = serializers.BooleanField(
        help_text="The norm is a change in percent against the same period a year earlier."
    )
    year_earlier = YearEarlierSerializer()
    breakdown = BreakdownSerializer(required=False)


class KpiListSerializer(Serializer):
    period = PeriodSerializer()
    kpis = KpiReportSerializer(many=True)
    not_filterable = serializers.ListField(
        child=serializers.CharField(), help_text="The KPIs left out: they cannot take the filters given."
    )
