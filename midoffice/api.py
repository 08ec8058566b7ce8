from django.contrib.auth import authenticate, user_logged_in, user_logged_out
from django.db import connection
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .auth import TokenAuthentication, token_create
from .schema import too_many_requests
from .serializers import Serializer
from .throttling import LoginLockedOut


class HealthView(APIView):
    """Liveness and database check for load balancers and the set-up script."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        responses=inline_serializer("Health", {"status": serializers.CharField(), "database": serializers.CharField()})
    )
    def get(self, request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Response({"status": "ok", "database": connection.vendor})


class LoginSerializer(Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})

    def validate(self, attrs):
        request = self.context["request"]
        user = authenticate(request, username=attrs["username"], password=attrs["password"])
        # Set by django-axes on the attempt that reaches the limit and on every attempt during the cool-off.
        if getattr(request, "axes_locked_out", False):
            raise LoginLockedOut
        if user is None:
            raise serializers.ValidationError(_("Unable to log in with provided credentials."), code="authorization")
        return {"user": user}


class TokenSerializer(Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`; it is shown only once.")
    expiry = serializers.DateTimeField(help_text="When the token stops working.")


class TokenObtainApi(GenericAPIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    serializer_class = LoginSerializer

    @extend_schema(
        summary="Obtain an API token",
        description="With a staff member's username and password. Wrong credentials answer 400; after too "
        "many failed attempts for the username or from the client's address, every attempt (also with the "
        "right password) answers 429 until the cool-off has passed (`Retry-After`).",
        request=LoginSerializer,
        responses={
            200: TokenSerializer,
            429: too_many_requests("`login_locked_out`: too many failed logins for the username or the address."),
        },
    )
    def post(self, request):
        serializer = LoginSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        instance, key = token_create(user=user)
        user_logged_in.send(sender=type(user), request=request, user=user)
        return Response(TokenSerializer({"token": key, "expiry": instance.expiry}).data)


class TokenLogoutApi(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Revoke the API token",
        description="The token of this request stops working.",
        request=None,
        responses={204: None},
    )
    def post(self, request):
        request.auth.delete()
        user_logged_out.send(sender=type(request.user), request=request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
