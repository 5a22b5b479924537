"""JSON API of notifications: the list (and what a reconnecting client missed), the unread
count, marking read, preferences and Web Push devices. Each view parses, calls one service or
repository function, and renders; errors leave through core.errors."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import page_response, page_schema, parsed
from core.exceptions import ValidationFailed
from core.http import id_param
from core.pagination import page_params

from . import repositories, strategies
from .models import CHANNELS
from .serializers import NotificationSerializer
from .services.devices import add_push_subscription, remove_push_subscription
from .services.inbox import mark_all_read, mark_read
from .services.preferences import set_preferences

UNREAD = inline_serializer("UnreadCount", {"unread": serializers.IntegerField()})


class NotificationsApi(APIView):
    @page_schema(
        "NotificationPage",
        NotificationSerializer,
        summary="My notifications, newest first",
        parameters=[
            OpenApiParameter("unread", bool, description="Only unread ones."),
            OpenApiParameter(
                "after",
                int,
                description="Catch up after a reconnect: everything newer than this id, oldest first "
                f'(at most {repositories.CATCH_UP_LIMIT}; `next_cursor` is then "more": reload instead).',
            ),
        ],
    )
    def get(self, request):
        after = id_param(request.query_params, "after", of="notification")
        if after is not None:
            missed, more = repositories.list_notifications_after(request.user, after)
            results = NotificationSerializer(missed, many=True).data
            return Response({"results": results, "next_cursor": "more" if more else None})
        cursor, size = page_params(request.query_params)
        unread_only = request.query_params.get("unread") in ("1", "true")
        page = repositories.list_notifications(request.user, cursor=cursor, size=size, unread_only=unread_only)
        return page_response(page, NotificationSerializer, request)


class UnreadCountApi(APIView):
    @extend_schema(responses=UNREAD, summary="How many of my notifications are unread")
    def get(self, request):
        return Response({"unread": repositories.unread_count(request.user.pk)})


class ReadApi(APIView):
    @extend_schema(request=None, responses=NotificationSerializer, summary="Mark one of my notifications read")
    def post(self, request, notification_id):
        notification = mark_read(user=request.user, notification_id=notification_id)
        return Response(NotificationSerializer(notification).data)


class ReadAllApi(APIView):
    class InputSerializer(serializers.Serializer):
        up_to = serializers.IntegerField(
            required=False, min_value=1, help_text="Only those up to this id (what the reader saw)."
        )

    @extend_schema(request=InputSerializer, responses=UNREAD, summary="Mark all my notifications read")
    def post(self, request):
        data = parsed(self.InputSerializer, request)
        mark_all_read(user=request.user, up_to=data.get("up_to"))
        return Response({"unread": repositories.unread_count(request.user.pk)})


class KindPreferenceSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    channels = serializers.DictField(
        child=serializers.BooleanField(), help_text=f"One switch per channel: {', '.join(CHANNELS)}."
    )


class PreferencesSerializer(serializers.Serializer):
    kinds = KindPreferenceSerializer(many=True)
    email_digest = serializers.BooleanField(help_text="Emails come as one digest a day instead of one by one.")
    phone = serializers.CharField(allow_blank=True, help_text="Where text messages go (international form).")
    push_available = serializers.BooleanField(help_text="Whether this server has Web Push keys.")
    vapid_public_key = serializers.CharField(
        allow_blank=True, help_text="applicationServerKey for pushManager.subscribe()."
    )


def preferences_response(user) -> Response:
    delivery = repositories.delivery_settings_of(user.pk)
    return Response(
        {
            "kinds": [
                {"kind": kind.name, "label": kind.label, "channels": switches}
                for kind, switches in repositories.preferences_of(user)
            ],
            "email_digest": delivery.email_digest,
            "phone": delivery.phone,
            "push_available": strategies.push_configured(),
            "vapid_public_key": settings.VAPID_PUBLIC_KEY,
        }
    )


class PreferencesApi(APIView):
    class InputSerializer(serializers.Serializer):
        kinds = serializers.DictField(
            child=serializers.DictField(child=serializers.BooleanField()),
            required=False,
            help_text='Switches to change, by kind and channel: {"like": {"email": false}}.',
        )
        email_digest = serializers.BooleanField(required=False)
        phone = serializers.CharField(required=False, allow_blank=True, max_length=30)

    @extend_schema(responses=PreferencesSerializer, summary="My notification preferences")
    def get(self, request):
        return preferences_response(request.user)

    @extend_schema(
        request=InputSerializer, responses=PreferencesSerializer, summary="Change my notification preferences"
    )
    def patch(self, request):
        data = parsed(self.InputSerializer, request)
        set_preferences(
            user=request.user, choices=data.get("kinds"), email_digest=data.get("email_digest"), phone=data.get("phone")
        )
        return preferences_response(request.user)


class PushSubscriptionsApi(APIView):
    class InputSerializer(serializers.Serializer):
        """PushSubscription.toJSON() of the browser, as it is."""

        endpoint = serializers.CharField(max_length=1000)
        keys = serializers.DictField(child=serializers.CharField(max_length=200))

    class RemoveSerializer(serializers.Serializer):
        endpoint = serializers.CharField(max_length=1000)

    @extend_schema(request=InputSerializer, responses={201: None}, summary="Send my pushes to this device")
    def post(self, request):
        data = parsed(self.InputSerializer, request)
        keys = data["keys"]
        if not isinstance(keys.get("p256dh"), str) or not isinstance(keys.get("auth"), str):
            raise ValidationFailed.on("keys", "A subscription has keys p256dh and auth.", code="bad_key")
        add_push_subscription(
            user=request.user,
            endpoint=data["endpoint"],
            p256dh=keys["p256dh"],
            auth=keys["auth"],
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response(status=status.HTTP_201_CREATED)

    @extend_schema(request=RemoveSerializer, responses={204: None}, summary="Stop pushes to this device")
    def delete(self, request):
        data = parsed(self.RemoveSerializer, request)
        remove_push_subscription(user=request.user, endpoint=data["endpoint"])
        return Response(status=status.HTTP_204_NO_CONTENT)
