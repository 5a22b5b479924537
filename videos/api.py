"""JSON API of videos: resumable uploads, accepting a clip, its status, the swipe feed and
watch events. Each view parses, calls one service or repository function, and renders."""

from __future__ import annotations

import re

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import PAGE_PARAMETERS, page_response, page_schema, parsed
from core.exceptions import NotAuthenticated, ValidationFailed
from core.http import viewer_key
from core.pagination import page_params
from posts.serializers import FeedPageSerializer

from . import repositories
from .integrations import storage
from .models import Upload, Video
from .services import publishing, uploads, watching

CONTENT_RANGE = re.compile(r"bytes (\d{1,15})-(\d{1,15})/(\d{1,15})")


class UploadSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    filename = serializers.CharField()
    size = serializers.IntegerField()
    received = serializers.IntegerField(help_text="Bytes stored so far: send the next chunk from here.")
    chunk_size = serializers.SerializerMethodField(help_text="The largest chunk accepted, in bytes.")
    complete = serializers.BooleanField(source="is_complete")

    def get_chunk_size(self, upload) -> int:
        return settings.VIDEO_CHUNK_BYTES


class VideoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.CharField(help_text="uploaded, processing, ready or failed.")
    progress = serializers.IntegerField(help_text="Percent of the processing done.")
    failure_reason = serializers.CharField()
    caption = serializers.CharField()
    visibility = serializers.CharField()
    duration = serializers.FloatField(allow_null=True)
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    post_id = serializers.IntegerField(allow_null=True, help_text="The post showing it, once it can play.")
    post_url = serializers.SerializerMethodField()
    playlist_url = serializers.SerializerMethodField(help_text="HLS master playlist.")
    mp4_url = serializers.SerializerMethodField(help_text="MP4 fallback.")
    poster_url = serializers.SerializerMethodField()
    thumbnails = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    status_url = serializers.SerializerMethodField(help_text="The creator's studio, where its progress shows.")

    def _url(self, name: str) -> str | None:
        return storage.url(name, self.context["request"])

    def get_post_url(self, video) -> str | None:
        if video.post_id is None:
            return None
        return self.context["request"].build_absolute_uri(reverse("posts:detail", args=[video.post_id]))

    def get_playlist_url(self, video) -> str | None:
        return self._url(video.playlist)

    def get_mp4_url(self, video) -> str | None:
        return self._url(video.mp4)

    def get_poster_url(self, video) -> str | None:
        return self._url(video.poster)

    def get_thumbnails(self, video) -> list[str]:
        return [self._url(name) for name in video.thumbnails]

    def get_status_url(self, video) -> str:
        return self.context["request"].build_absolute_uri(reverse("videos:studio") + f"#video-{video.pk}")


def _upload_response(upload: Upload, code: int = status.HTTP_200_OK) -> Response:
    return Response(UploadSerializer(upload).data, status=code)


def video_response(request, video: Video, code: int = status.HTTP_200_OK) -> Response:
    return Response(VideoSerializer(video, context={"request": request}).data, status=code)


class StartUploadApi(APIView):
    class InputSerializer(serializers.Serializer):
        filename = serializers.CharField(max_length=255)
        size = serializers.IntegerField(min_value=0, max_value=2**50, help_text="The whole file's size in bytes.")

    @extend_schema(request=InputSerializer, responses={201: UploadSerializer}, summary="Start a resumable upload")
    def post(self, request):
        data = parsed(self.InputSerializer, request)
        upload = uploads.start_upload(owner=request.user, filename=data["filename"], size=data["size"])
        return _upload_response(upload, status.HTTP_201_CREATED)


class UploadApi(APIView):
    @extend_schema(responses=UploadSerializer, summary="Where a resumable upload stands")
    def get(self, request, upload_id):
        return _upload_response(repositories.get_upload_for(request.user, upload_id))

    @extend_schema(
        request={"application/octet-stream": OpenApiTypes.BINARY},
        responses=UploadSerializer,
        parameters=[
            OpenApiParameter(
                "Content-Range", str, OpenApiParameter.HEADER, required=True, description="bytes <first>-<last>/<size>"
            )
        ],
        summary="Send the next chunk of a resumable upload (409 offset_mismatch if it is not the next one)",
    )
    def put(self, request, upload_id):
        upload = repositories.get_upload_for(request.user, upload_id)
        match = CONTENT_RANGE.fullmatch(request.headers.get("Content-Range", "").strip())
        data = request.body
        if match is None:
            raise ValidationFailed.on("Content-Range", "Say which bytes this is: bytes <first>-<last>/<size>.")
        first, last, size = (int(part) for part in match.groups())
        if size != upload.size or last - first + 1 != len(data):
            raise ValidationFailed.on(
                "Content-Range", "The range does not match the chunk's length or the upload's size.", code="bad_range"
            )
        return _upload_response(uploads.receive_chunk(upload=upload, start=first, data=data))

    @extend_schema(responses={204: None}, summary="Cancel a resumable upload")
    def delete(self, request, upload_id):
        uploads.cancel_upload(upload=repositories.get_upload_for(request.user, upload_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CreateVideoApi(APIView):
    class InputSerializer(serializers.Serializer):
        upload = serializers.UUIDField(required=False, help_text="A finished resumable upload.")
        file = serializers.FileField(required=False, help_text="Or the whole clip in this request.")
        caption = serializers.CharField(default="", allow_blank=True, trim_whitespace=False)
        visibility = serializers.CharField(default="public", max_length=20, help_text="public, followers or private.")
        trim_start = serializers.FloatField(
            required=False, allow_null=True, min_value=0, max_value=86400, help_text="Where the kept seconds start."
        )

    @extend_schema(
        request={"multipart/form-data": InputSerializer, "application/json": InputSerializer},
        responses={201: VideoSerializer},
        summary="Publish a video: it is processed, and its post appears once it can play",
    )
    def post(self, request):
        data = parsed(self.InputSerializer, request)
        upload = repositories.get_upload_for(request.user, data["upload"]) if data.get("upload") else None
        video = uploads.create_video(
            owner=request.user,
            caption=data["caption"],
            visibility=data["visibility"],
            trim_start=data.get("trim_start"),
            upload=upload,
            file=data.get("file"),
        )
        video.refresh_from_db()
        return video_response(request, video, status.HTTP_201_CREATED)


class VideoApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(responses=VideoSerializer, summary="A video and where its processing stands")
    def get(self, request, video_id):
        return video_response(request, repositories.get_video_for(request.user, video_id))

    @extend_schema(responses={204: None}, summary="Delete one's video, its post and all its files")
    def delete(self, request, video_id):
        video = repositories.get_video_for(request.user, video_id)
        publishing.delete_video(video=video, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyVideosApi(APIView):
    @page_schema("VideoPage", VideoSerializer, summary="The creator's videos in every state, newest first")
    def get(self, request):
        cursor, size = page_params(request.query_params)
        return page_response(
            repositories.list_own_videos(request.user, cursor=cursor, size=size), VideoSerializer, request
        )


class VideoFeedApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses=FeedPageSerializer,
        parameters=PAGE_PARAMETERS,
        summary="The swipe feed of videos (each author also has is_followed: whether the viewer follows them)",
    )
    def get(self, request, tab):
        if tab == "following" and not request.user.is_authenticated:
            raise NotAuthenticated("Log in to see the videos of the people you follow.")
        cursor, size = page_params(request.query_params)
        page = repositories.video_feed(request.user, tab, cursor=cursor, size=size)
        ranking = {"name": tab, "label": repositories.FEED_LABELS.get(tab, "")}
        data = {"results": page.items, "next_cursor": page.next_cursor, "ranking": ranking}
        body = FeedPageSerializer(data, context={"request": request}).data
        # The player's follow button needs to know; one query for the page instead of one per author.
        followed = repositories.followed_authors(request.user, page.items)
        for post, result in zip(page.items, body["results"], strict=True):
            result["author"]["is_followed"] = post.author_id in followed
        return Response(body)


class WatchApi(APIView):
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        watched_ms = serializers.IntegerField(min_value=0, max_value=3_600_000)
        duration_ms = serializers.IntegerField(min_value=0, max_value=3_600_000)
        completed = serializers.BooleanField(default=False)
        skipped = serializers.BooleanField(default=False)
        replays = serializers.IntegerField(min_value=0, max_value=1000, default=0)

    @extend_schema(request=InputSerializer, responses={204: None}, summary="Record one viewing of a video")
    def post(self, request, video_id):
        data = parsed(self.InputSerializer, request)
        video = repositories.get_video_for(request.user, video_id)
        watching.record_watch(
            video=video,
            user=request.user,
            viewer_key=viewer_key(request),
            watched_ms=data["watched_ms"],
            duration_ms=data["duration_ms"],
            completed=data["completed"],
            skipped=data["skipped"],
            replays=data["replays"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
