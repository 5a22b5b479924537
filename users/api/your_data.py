"""JSON API of 'Your data': asking for a download of everything of one's own and following
its progress (the zip itself is served by the owner-checked page users:download_export), and
scheduling the account's deletion, and cancelling it during the grace period."""

from __future__ import annotations

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import parsed
from core.http import client_ip

from .. import repositories
from ..integrations import storage
from ..services import accounts, deletion, your_data
from .accounts import TokensSerializer


class DataExportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.CharField(help_text="requested, building, ready, failed or expired.")
    progress = serializers.IntegerField(help_text="Percent done; 100 once ready.")
    failure_reason = serializers.CharField()
    bytes = serializers.IntegerField(help_text="Size of the zip once ready.")
    created_at = serializers.DateTimeField()
    ready_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, export) -> str | None:
        """The zip, for this API's clients (the web page links users:download_export)."""
        if export.state != "ready":
            return None
        return self.context["request"].build_absolute_uri(reverse("api-me-data-export-download", args=[export.pk]))


def _export_response(request, export, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(DataExportSerializer(export, context={"request": request}).data, status=status_code)


class DataExportsApi(APIView):
    @extend_schema(
        request=None,
        responses={201: DataExportSerializer},
        summary="Ask for a zip of all my data (one at a time, a few a day)",
    )
    def post(self, request):
        return _export_response(request, your_data.request_data_export(user=request.user), status.HTTP_201_CREATED)


class DataExportApi(APIView):
    @extend_schema(responses=DataExportSerializer, summary="One of my data downloads: its state and progress")
    def get(self, request, export_id: int):
        return _export_response(request, repositories.get_data_export_for(request.user, export_id))


class DataExportDownloadApi(APIView):
    @extend_schema(
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
        summary="Download one of my data downloads' zip (ready and not expired)",
    )
    def get(self, request, export_id: int):
        export = repositories.get_downloadable_export_for(request.user, export_id)
        return FileResponse(storage.open_file(export.file), as_attachment=True, filename=export.download_name)


class RestoreAccountApi(APIView):
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        identifier = serializers.CharField(max_length=254, help_text="Email address or username.")
        password = serializers.CharField(max_length=128)
        otp = serializers.CharField(
            max_length=20, required=False, default="", help_text="Authenticator or recovery code, if 2FA is on."
        )

    @extend_schema(
        request=InputSerializer,
        responses=TokensSerializer,
        summary="Cancel my account's deletion during the grace period, and log in",
    )
    def post(self, request):
        data = parsed(self.InputSerializer, request)
        user = deletion.restore_account(
            identifier=data["identifier"], password=data["password"], code=data["otp"], ip=client_ip(request)
        )
        return Response(accounts.issue_tokens(user=user))


class AccountDeletionApi(APIView):
    class InputSerializer(serializers.Serializer):
        password = serializers.CharField(max_length=128)
        code = serializers.CharField(
            max_length=20, required=False, default="", help_text="Needed when two-factor authentication is on."
        )

    class OutputSerializer(serializers.Serializer):
        deletion_due_at = serializers.DateTimeField()

    @extend_schema(
        request=InputSerializer,
        responses={202: OutputSerializer},
        summary="Delete my account after a grace period (hidden at once; log in before then to cancel)",
    )
    def post(self, request):
        data = parsed(self.InputSerializer, request)
        due = deletion.schedule_account_deletion(user=request.user, password=data["password"], code=data["code"])
        return Response({"deletion_due_at": due}, status=status.HTTP_202_ACCEPTED)
