"""JSON API of the TOTP second factor: set-up, confirmation, recovery codes, switching off."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import parsed

from ..services import two_factor
from ..validators import validate_code


class RecoveryCodesSerializer(serializers.Serializer):
    recovery_codes = serializers.ListField(child=serializers.CharField())


class TwoFactorSetupApi(APIView):
    class OutputSerializer(serializers.Serializer):
        secret = serializers.CharField()
        otpauth_uri = serializers.CharField()

    @extend_schema(request=None, responses=OutputSerializer, summary="Start TOTP set-up: a secret to scan")
    def post(self, request):
        setup = two_factor.start_two_factor_setup(user=request.user)
        return Response({"secret": setup.secret, "otpauth_uri": two_factor.provisioning_uri(setup)})


class TwoFactorConfirmApi(APIView):
    class InputSerializer(serializers.Serializer):
        code = serializers.CharField(max_length=12, validators=[validate_code])

    @extend_schema(request=InputSerializer, responses=RecoveryCodesSerializer, summary="Turn 2FA on with a first code")
    def post(self, request):
        code = parsed(self.InputSerializer, request)["code"]
        return Response({"recovery_codes": two_factor.confirm_two_factor_setup(user=request.user, code=code)})


class TwoFactorDisableApi(APIView):
    class InputSerializer(serializers.Serializer):
        password = serializers.CharField(max_length=128)

    @extend_schema(request=InputSerializer, responses={204: None}, summary="Turn 2FA off")
    def post(self, request):
        password = parsed(self.InputSerializer, request)["password"]
        two_factor.disable_two_factor(user=request.user, password=password)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RecoveryCodesApi(APIView):
    @extend_schema(request=None, responses=RecoveryCodesSerializer, summary="Replace the recovery codes")
    def post(self, request):
        return Response({"recovery_codes": two_factor.regenerate_recovery_codes(user=request.user)})
