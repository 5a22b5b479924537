"""Videos' part of seed_demo (core.seeding): a few demo people post short clips, made with
ffmpeg's test sources and published through the real upload and processing path."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files import File

from core.seeding import Out
from posts import services as posts
from users.seeding import demo_people

from .models import Video
from .services import uploads

# (author, ffmpeg test source, sound's pitch in Hz, caption, who likes it)
CLIPS = [
    ("mei", "gradients=s=540x960:r=30:speed=0.03:c0=#1B5E20:c1=#A5D6A7:c2=#FFF59D:nb_colors=3", 392,
     "Five seconds of calm before dinner #slowfood", ["ana", "kofi", "sofia"]),
    ("lucas", "life=s=540x960:r=30:mold=10:ratio=0.1:death_color=#E8F5E9:life_color=#1B5E20", 523,
     "Skatepark crowd, seen from the top of the ramp #skate", ["priya", "omar"]),
    ("sofia", "cellauto=s=540x960:r=30:rule=110", 440, "One bar of A, looped #music @priya", ["priya", "demo"]),
    ("jonas", "testsrc2=s=540x960:r=30", 330, "Test pattern from the night train #travel", ["ana"]),
]  # fmt: skip
SECONDS = 3


def _make_clip(source: str, pitch: int, path: Path) -> None:
    subprocess.run(  # noqa: S603 (our own command, no shell)
        [settings.FFMPEG_BINARY, "-v", "error", "-y", "-f", "lavfi", "-i", source, "-f", "lavfi", "-i",
         f"sine=frequency={pitch}", "-t", str(SECONDS), "-c:v", "libx264", "-preset", "ultrafast",
         "-pix_fmt", "yuv420p", "-c:a", "aac", str(path)],
        check=True, capture_output=True,
    )  # fmt: skip


class VideosSeeder:
    name = "videos"
    order = 30

    def demo(self, out: Out) -> None:
        people = {user.username: user for user in demo_people()}
        if Video.objects.filter(owner__in=people.values()).exists():
            out("Demo videos exist already.")
            return
        if not shutil.which(settings.FFMPEG_BINARY):
            out("No demo videos: ffmpeg is not installed.")
            return
        with tempfile.TemporaryDirectory(prefix="demo-videos-") as folder:
            for index, (name, source, pitch, caption, fans) in enumerate(CLIPS):
                path = Path(folder) / f"clip-{index}.mp4"
                _make_clip(source, pitch, path)
                with path.open("rb") as content:
                    video = uploads.create_video(owner=people[name], caption=caption, file=File(content, path.name))
                video.refresh_from_db()
                if video.post_id is not None:  # processed already (eager tasks); a worker will do it otherwise
                    for fan in fans:
                        posts.like_post(post=video.post, user=people[fan])
        ready = Video.objects.filter(owner__in=people.values(), state=Video.State.READY).count()
        out(f"Demo videos: {len(CLIPS)} uploaded, {ready} ready.")

    def bulk(self, volume, out: Out) -> None:
        out("No bulk videos: each one is transcoded; seed_demo makes the demo ones.")
