from django.contrib import admin, messages

from core.exceptions import DomainError

from .models import Upload, Video, WatchEvent
from .services import processing, publishing


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    """Moderation of videos by state: why one failed, running processing again, removing."""

    list_display = ("id", "owner", "state", "progress", "failure_reason", "duration", "width", "height", "created_at")
    list_filter = ("state", "created_at")
    search_fields = ("owner__username", "caption", "failure_reason")
    list_select_related = ("owner",)
    raw_id_fields = ("owner", "post")
    readonly_fields = [field.name for field in Video._meta.fields]
    actions = ("rerun_processing", "remove_videos")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # "Remove" deletes the post and every file too

    @admin.action(description="Run processing again")
    def rerun_processing(self, request, queryset):
        self._each(
            request, queryset, lambda video: processing.rerun_video(video=video, by=request.user), "queued again"
        )

    @admin.action(description="Remove the videos, their posts and files")
    def remove_videos(self, request, queryset):
        self._each(request, queryset, lambda video: publishing.delete_video(video=video, by=request.user), "removed")

    def _each(self, request, queryset, action, done: str):
        count = 0
        for video in queryset.select_related("owner"):
            try:
                action(video)
                count += 1
            except DomainError as error:
                self.message_user(request, f"Video {video.pk}: {error.message}", messages.WARNING)
        self.message_user(request, f"{count} video(s) {done}.", messages.SUCCESS)


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "filename", "size", "received", "created_at", "updated_at")
    readonly_fields = ("id", "owner", "filename", "size", "received", "parts", "created_at", "updated_at")


@admin.register(WatchEvent)
class WatchEventAdmin(admin.ModelAdmin):
    list_display = ("post", "user", "watched_ms", "duration_ms", "completed", "skipped", "replays", "created_at")
    list_filter = ("completed", "skipped")
    raw_id_fields = ("post", "user")
