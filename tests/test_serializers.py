"""The project's serializer bases: declared fields cloned per instance, never shared between instances."""

import pytest
from rest_framework import serializers

from midoffice.serializers import Serializer, clone_field


class Point(Serializer):
    value = serializers.CharField(max_length=5)


class Body(Serializer):
    kind = serializers.ChoiceField(choices=[("a", "A"), ("b", "B")])
    point = Point(required=False)
    points = Point(many=True, required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=3), required=False)
    labels = serializers.ListField(child=serializers.CharField(), default=["x"])


def test_each_instance_gets_its_own_fields_nested_and_list_children_included():
    first, second = Body(), Body()
    for name in ("kind", "point", "points", "tags", "labels"):
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first and second.fields[name].parent is second
    assert first.fields["points"].child is not second.fields["points"].child
    assert first.fields["points"].child.parent is first.fields["points"]
    assert first.fields["tags"].child is not second.fields["tags"].child
    # The declared fields themselves stay unbound templates.
    assert Body._declared_fields["kind"].parent is None


def test_validation_is_that_of_the_declared_fields():
    valid = Body(data={"kind": "a", "point": {"value": "ok"}, "points": [{"value": "1"}], "tags": ["abc"]})
    assert valid.is_valid(), valid.errors
    assert valid.validated_data["points"] == [{"value": "1"}]
    invalid = Body(data={"kind": "c", "point": {"value": "toolong"}, "points": [{"value": "123456"}], "tags": ["abcd"]})
    assert not invalid.is_valid()
    assert set(invalid.errors) == {"kind", "point", "points", "tags"}


def test_a_list_default_is_not_shared_between_instances():
    first, second = Body(data={"kind": "a"}), Body(data={"kind": "b"})
    assert first.is_valid() and second.is_valid()
    first.validated_data["labels"].append("changed")
    assert second.validated_data["labels"] == ["x"]
    assert Body(data={"kind": "a"}).fields["labels"].default == ["x"]


def test_clone_keeps_the_arguments():
    field = serializers.CharField(max_length=7, required=False, allow_blank=True, help_text="h")
    clone = clone_field(field)
    assert clone is not field
    assert (clone.max_length, clone.required, clone.allow_blank, clone.help_text) == (7, False, True, "h")


def test_a_plain_fields_clone_has_its_own_state_and_validates_as_declared():
    field = serializers.CharField(max_length=3, default={"a": [1]})
    clone = clone_field(field)
    assert type(clone) is serializers.CharField and clone.parent is None
    assert clone.validators is not field.validators and len(clone.validators) == len(field.validators)
    clone.validators.append(lambda value: None)
    assert len(field.validators) == len(clone.validators) - 1
    assert clone.default == {"a": [1]} and clone.default["a"] is not field.default["a"]
    clone.bind("code", Point())
    assert (clone.field_name, field.field_name) == ("code", None)
    assert clone.run_validation("abc") == "abc"
    with pytest.raises(serializers.ValidationError, match="3"):
        clone.run_validation("abcd")


def test_a_field_that_gains_a_list_after_its_first_clone_has_it_copied_too():
    field = serializers.CharField()
    clone_field(field)
    field.extra = ["a"]
    clone = clone_field(field)
    assert clone.extra == ["a"] and clone.extra is not field.extra
