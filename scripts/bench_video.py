#!/usr/bin/env python
"""Video pipeline benchmark (issue 5): upload-to-playable through the real pipeline beside one
plain ffmpeg command making the same ladder, in the same run; and the time to the first frame
of playback in Chromium. Figures: docs/BENCHMARKS.md.

The clip is generated: 5 seconds of 1080x1920 at 30 fps with sound (testsrc2 + sine, H.264/AAC).
  baseline   one ffmpeg command: decode once, 360/540/720p portrait HLS renditions with the
             pipeline's encoder settings (x264 preset, CRF, 2 s keyframes), AAC, and a poster.
  pipeline   videos.services.uploads.create_video (ffprobe, checks, storing the upload, queueing), then
             a real Celery worker (solo pool, Redis broker) processing it until the video is
             ready: the ladder, master playlist, MP4 fallback, poster, thumbnails, the post.
             "accepted→ready" runs from create_video's return to the state the worker commits.
  fast path  the same through the pipeline for a 720x1280 H.264/AAC clip, repackaged without
             re-encoding: when it is playable, and when the smaller rungs have followed.
  first frame  the swipe feed opened at the video in headless Chromium, served by daphne:
             from navigation start to the first frame shown (currentTime > 0), and from the
             page's DOMContentLoaded to it.

    .venv/bin/python scripts/bench_video.py [--runs 5]      # make bench-video

Environment: BENCH_REDIS (default redis://127.0.0.1:6379/9; the broker, emptied first), PORT
(daphne, default 8140). Everything else lives in a temporary directory (SQLite, media)."""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHROMIUM = Path("/usr/bin/chromium")


def make_clip(path: Path, size: str = "1080x1920") -> None:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=s={size}:r=30:d=5",
         "-f", "lavfi", "-i", "sine=frequency=440:duration=5", "-c:v", "libx264", "-preset", "veryfast",
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path)],
        check=True,
    )  # fmt: skip


def baseline(clip: Path, workdir: Path, settings) -> float:
    """One plain ffmpeg command making the same ladder and a poster; its wall time."""
    workdir.mkdir(parents=True, exist_ok=True)
    gop = str(30 * settings.VIDEO_SEGMENT_SECONDS)
    x264 = ["-c:v", "libx264", "-preset", settings.VIDEO_X264_PRESET, "-crf", str(settings.VIDEO_CRF),
            "-profile:v", "high", "-pix_fmt", "yuv420p", "-g", gop, "-keyint_min", gop, "-sc_threshold", "0",
            "-threads", str(os.cpu_count() or 2), "-c:a", "copy"]  # fmt: skip
    graph = (
        "[0:v]fps=30,scale=720:1280,split=4[a][b][c][p];"
        "[b]scale=540:960[b2];[c]scale=360:640[c2];[p]trim=end_frame=1[p2]"
    )
    segment = str(settings.VIDEO_SEGMENT_SECONDS)
    command = ["ffmpeg", "-v", "error", "-y", "-i", str(clip), "-filter_complex", graph]
    for label, name in (("[a]", "720p"), ("[b2]", "540p"), ("[c2]", "360p")):
        hls = ["-f", "hls", "-hls_time", segment, "-hls_playlist_type", "vod"]
        hls += ["-hls_segment_filename", f"{name}_%03d.ts"]
        command += ["-map", label, "-map", "0:a", *x264, *hls, f"{name}.m3u8"]
    command += ["-map", "[p2]", "-frames:v", "1", "poster.jpg"]
    started = time.perf_counter()
    subprocess.run(command, cwd=workdir, check=True)
    return time.perf_counter() - started


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listened on port {port}")


def pipeline(owner, clip: Path) -> tuple[float, float, float, int]:
    """(seconds in create_video, accepted→ready, accepted→every rendition, renditions)."""
    from django.core.files import File

    from videos.models import Video
    from videos.services.uploads import create_video

    started = time.perf_counter()
    with clip.open("rb") as content:
        video = create_video(owner=owner, file=File(content, name=clip.name), caption="bench #video")
    accepted = time.perf_counter()
    ready = None
    while time.perf_counter() - accepted < 120:
        video.refresh_from_db()
        if video.state == Video.State.FAILED:
            raise SystemExit(f"the video failed: {video.failure_reason}")
        if video.state == Video.State.READY:
            ready = ready or time.perf_counter()
            if len(video.renditions) == 3:
                break
        time.sleep(0.01)
    else:
        raise SystemExit("the video was not ready within 2 minutes (is the worker running?)")
    done = time.perf_counter()
    return accepted - started, ready - accepted, done - accepted, len(video.renditions)


def first_frame(base_url: str, post_id: int, runs: int) -> list[tuple[float, float]]:
    """(ms from navigation start, ms from DOMContentLoaded) to the first frame shown, per run."""
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"], headless=True)
        for _ in range(runs):
            page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
            page.add_init_script(
                """
                window.__firstFrame = new Promise((resolve) => {
                  document.addEventListener('timeupdate', (event) => {
                    if (event.target.currentTime > 0) resolve(performance.now());
                  }, true);
                });
                """
            )
            page.goto(f"{base_url}/videos/for-you/?start={post_id}")
            shown = page.evaluate("window.__firstFrame")
            loaded = page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
            results.append((shown, shown - loaded))
            page.context.close()
        browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-video-"))
    redis_url = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/9")
    port = int(os.environ.get("PORT", "8140"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{work}/bench.sqlite3",
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_QUEUE": "bench-video",
        "MEDIA_ROOT": str(work / "media"),
        "DEBUG": "true",
        # create_video counts against the publishing rate limit; the runs here publish more
        # videos than one person may in an hour.
        "RATE_LIMIT_VIDEO": "1000/3600",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.core.management import call_command

    from users.models import User

    redis.Redis.from_url(redis_url).flushdb()
    call_command("migrate", verbosity=0)
    owner = User.objects.create_user(
        username="bench",
        email="bench@example.com",
        password="bench-video-1",  # noqa: S106 - a throwaway user in the benchmark's own database
    )
    User.objects.filter(pk=owner.pk).update(email_verified=True)
    clip = work / "clip.mp4"
    make_clip(clip)
    log = (work / "worker.log").open("w")
    worker = subprocess.Popen(
        [BIN / "celery", "-A", "config", "worker", "--pool", "solo", "-Q", "bench-video", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "-l", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=log,
    )  # fmt: skip
    server = None
    try:
        time.sleep(3)  # the worker connects to the broker; a task queued before is simply waited for
        rows = []
        for run in range(args.runs):
            plain = baseline(clip, work / f"baseline-{run}", settings)
            accepted, ready, everything, renditions = pipeline(owner, clip)
            rows.append((plain, accepted, ready, everything, renditions))
            print(
                f"run {run + 1}: plain ffmpeg {plain:.2f} s | create_video {accepted:.2f} s | "
                f"accepted→ready {ready:.2f} s ({ready / plain:.2f}×) | all renditions {everything:.2f} s",
                flush=True,
            )
        med = [statistics.median(column) for column in list(zip(*rows, strict=True))[:4]]
        print(
            f"\nmedian of {args.runs}: plain ffmpeg {med[0]:.2f} s, create_video {med[1]:.2f} s, "
            f"accepted→ready {med[2]:.2f} s = {med[2] / med[0]:.2f}× the plain command, "
            f"upload-to-playable (create_video + accepted→ready) {med[1] + med[2]:.2f} s"
        )
        # The fast path: a clip already H.264/AAC at 720x1280 is repackaged, playable at once.
        ready_clip = work / "ready.mp4"
        make_clip(ready_clip, "720x1280")
        fast = [pipeline(owner, ready_clip) for _ in range(3)]
        print(
            "fast path (720x1280 H.264/AAC, median of 3): accepted→playable "
            f"{statistics.median(run[1] for run in fast):.2f} s, accepted→every rendition "
            f"{statistics.median(run[2] for run in fast):.2f} s"
        )
        if not CHROMIUM.exists():
            print("chromium not installed: time to first frame not measured")
            return
        from posts.models import Post

        post = Post.objects.filter(kind="video").latest("pk")
        server = subprocess.Popen(
            [BIN / "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
            cwd=ROOT, env=env, stdout=log, stderr=log,
        )  # fmt: skip
        wait_for_port(port)
        frames = first_frame(f"http://127.0.0.1:{port}", post.pk, args.runs)
        print(
            "first frame in the swipe feed: "
            + ", ".join(f"{nav:.0f} ms ({after:.0f} ms after DOMContentLoaded)" for nav, after in frames)
            + f"; median {statistics.median(f[0] for f in frames):.0f} ms from navigation, "
            f"{statistics.median(f[1] for f in frames):.0f} ms after DOMContentLoaded"
        )
    finally:
        for process in (worker, server):
            if process is not None:
                process.terminate()
                process.wait(10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
