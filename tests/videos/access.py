"""Who may do what to videos and uploads, for tests/security/test_access.py (the format:
tests/security/matrix.py). A published video is seen through its post, as the post's visibility
says; one not ready yet (no post) and an upload in progress only by their owner."""

from tests.posts.factories import PostFactory
from tests.security.matrix import EVERYONE, FOLLOWERS, MODERATE, OWN, OWNER, READ, Kind, Route
from tests.videos.factories import UploadFactory, VideoFactory
from videos.models import Video


def _made_video(owner, visibility: str) -> dict[str, object]:
    if visibility == "not-ready":
        return {"video_id": VideoFactory(owner=owner).pk}
    post = PostFactory(author=owner, visibility=visibility)
    video = VideoFactory(owner=owner, visibility=visibility, state=Video.State.READY, post=post)
    return {"video_id": video.pk}


def _made_upload(owner, visibility: str) -> dict[str, object]:
    return {"upload_id": str(UploadFactory(owner=owner).pk)}


KINDS = [
    Kind("video", _made_video, {"public": EVERYONE, "followers": FOLLOWERS, "private": OWNER, "not-ready": OWNER}),
    Kind("upload", _made_upload, {"in-progress": OWNER}),
]
ROUTES = {
    "api-video": Route("video", GET=READ, DELETE=MODERATE),
    "api-video-watch": Route("video", data={"watched_ms": 1000, "duration_ms": 5000}, POST=READ),
    "api-video-upload": Route("upload", GET=OWN, PUT=OWN, DELETE=OWN),
}
OPEN = {"tab": "a tab of the swipe feed (for-you, following), the same for everyone"}
