"""The OpenAPI document's generic parts: the error responses of every operation, which response fields
can be null or left out, and token authentication.

Error bodies are ``{"detail", "code", …}`` (the exception handler, midoffice/exceptions.py), except 400 for
invalid input, which maps each field to its messages. The errors an operation can give follow from the
view, so they are added here rather than on every view: 400 where input is read (a body, parameters),
401 and 403 where a login is required, 404 where the path names something or a list is paged, 413 where
a body is read, 429 where the view is throttled. A conflict (409) depends on the operation: its view
declares it with ``responses={…, 409: conflict("…")}``.

What a response field can hold follows from the model fields its ``source`` goes through: a nullable
column or relation answers null; behind a relation that is null (``party.display_name`` of an anonymous
case) DRF answers the field's default (null for ``default=None``) or leaves the field out; and a choice
column that may be blank answers "" (DRF drops ``allow_blank`` from read-only fields). The serializers
need not repeat what the models say.
"""

import uritemplate
from django.core.exceptions import FieldDoesNotExist
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import ResolvedComponent, build_bearer_security_scheme_object, force_instance
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.permissions import AllowAny


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in the caller's language.")
    code = serializers.CharField(help_text="Machine-readable: `not_found`, `permission_denied`, a domain code…")


def conflict(description: str) -> OpenApiResponse:
    """A 409 an operation declares: ``{"detail", "code", …}`` with the extra keys ``description`` names."""
    return OpenApiResponse(ErrorSerializer, description=description)


def too_many_requests(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


VALIDATION_ERROR = {
    "type": "object",
    "description": "Each invalid field with its messages (`non_field_errors`: the input as a whole; nested "
    "objects and lists follow the input's shape), or `detail` and `code` for a body that is not valid JSON "
    "or an address with a NUL character.",
    "additionalProperties": {},
}

ERROR_DESCRIPTIONS = {
    "400": "Invalid input.",
    "401": "No valid credentials: log in, or send `Authorization: Token <key>` (expired and revoked tokens "
    "are refused).",
    "403": "Not allowed: not a staff member, a permission is missing, or the session's CSRF token is.",
    "404": "Not found, or not visible to the caller; for a list, a page that does not exist.",
    "413": "The request body is larger than the server accepts.",
    "414": "The address is longer than the server accepts.",
    "429": "Too many requests: try again after `Retry-After` seconds.",
}
WRITE_METHODS = {"POST", "PUT", "PATCH"}


def source_model_fields(field) -> list:
    """The model fields along a serializer field's ``source``, up to the first attribute that is not one."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    chain = []
    for attribute in getattr(field, "source_attrs", []):
        if model is None:
            break
        try:
            model_field = model._meta.get_field(attribute)
        except FieldDoesNotExist:
            break
        chain.append(model_field)
        model = model_field.related_model if model_field.is_relation else None
    return chain


def response_nullability(field) -> tuple[bool, bool]:
    """Whether a field of a response can be null, and whether it can be left out, by its source's model fields."""
    chain = source_model_fields(field)
    steps = len(getattr(field, "source_attrs", []))
    if steps > 1 and field.default is None:
        # ``default=None`` on a path: what DRF answers when a step of it is missing (a relation that is null).
        return True, False
    ends_nullable = len(chain) == steps > 0 and chain[-1].null
    behind_null = any(model_field.is_relation and model_field.null for model_field in chain[: steps - 1])
    if not behind_null:
        return ends_nullable, False
    if field.default is not empty:
        return ends_nullable or field.default is None, False
    return ends_nullable or field.allow_null, not (field.allow_null or field.required)


def may_be_blank_choice(field) -> bool:
    chain = source_model_fields(field)
    return (
        isinstance(field, serializers.ChoiceField)
        and len(chain) == len(field.source_attrs)
        and bool(chain)
        and chain[-1].blank
        and not chain[-1].is_relation
    )


class AutoSchema(openapi.AutoSchema):
    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        if direction == "response" and isinstance(field, serializers.Field) and response_nullability(field)[0]:
            meta["nullable"] = True
        return meta

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "response" and schema and "enum" in schema:
            extra = [""] if may_be_blank_choice(field) else []
            extra += [None] if schema.get("nullable") else []
            schema["enum"] = [*schema["enum"], *(value for value in extra if value not in schema["enum"])]
        return schema

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "response" and schema.get("required"):
            fields = force_instance(serializer).fields
            left_out = {name for name, field in fields.items() if response_nullability(field)[1]}
            schema["required"] = [name for name in schema["required"] if name not in left_out]
            if not schema["required"]:
                del schema["required"]
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code == "414":
                # Answered by the HTTP server in front of Django, not in this API's error format.
                responses.setdefault(code, {"description": ERROR_DESCRIPTIONS[code]})
            elif code not in responses:
                schema = self._component("ValidationError", VALIDATION_ERROR) if code == "400" else None
                responses[code] = self._error_response(code, schema)
        if "429" in responses:
            responses["429"]["headers"] = {
                "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}
            }
        return dict(sorted(responses.items()))

    def _error_codes(self) -> list[str]:
        codes = []
        has_body = self.method in WRITE_METHODS and self.get_request_serializer() is not None
        path_parameters = uritemplate.variables(self.path)
        parameters = self._get_parameters()
        if has_body or path_parameters or parameters:
            codes.append("400")
        if self._requires_login():
            codes += ["401", "403"]
        if path_parameters or (self.method == "GET" and self._is_list_view() and self._get_paginator()):
            codes.append("404")
        if has_body:
            codes.append("413")
        # Free text in the address: the server (gunicorn, a proxy) refuses a request line beyond its limit.
        if any(p["in"] == "query" or p["schema"].get("type") == "string" for p in parameters):
            codes.append("414")
        if self.view.throttle_classes:
            codes.append("429")
        return codes

    def _requires_login(self) -> bool:
        permissions = self.view.get_permissions()
        return bool(self.view.get_authenticators()) and not all(isinstance(p, AllowAny) for p in permissions)

    def _error_response(self, code: str, schema) -> dict:
        if schema is None:
            schema = self.resolve_serializer(ErrorSerializer, "response").ref
        return {"description": ERROR_DESCRIPTIONS[code], "content": {"application/json": {"schema": schema}}}

    def _component(self, name: str, schema: dict) -> dict:
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)
        self.registry.register_on_missing(component)
        return component.ref


class TokenScheme(OpenApiAuthenticationExtension):
    """``Authorization: Token <key>`` (midoffice.auth.TokenAuthentication, django-rest-knox)."""

    target_class = "midoffice.auth.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")
