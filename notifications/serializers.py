"""The one shape of a notification: in API lists, in live socket events and in push payloads."""

from rest_framework import serializers


class ActorSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    avatar_url = serializers.CharField(allow_blank=True, help_text="Site-relative; empty without a picture.")


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField(help_text='The sentence to show: "Ana and 3 others liked your post".')
    actor = ActorSerializer(allow_null=True, help_text="Who acted last; null for notices from the site.")
    actors_count = serializers.IntegerField()
    url = serializers.CharField(help_text="Site-relative page to open.")
    excerpt = serializers.CharField(help_text="A quote of what it is about, if any.")
    created_at = serializers.DateTimeField()
    read = serializers.BooleanField(source="is_read")
