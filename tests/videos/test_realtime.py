"""A creator follows the processing of their video live on the "video:<id>" stream."""

import pytest
from channels.db import database_sync_to_async

from tests.sockets import exchange, open_socket, refused, run, subscribe
from tests.videos.clips import needs_ffmpeg
from tests.videos.factories import VideoFactory
from videos import tasks

pytestmark = [needs_ffmpeg, pytest.mark.django_db(transaction=True)]


def test_the_owner_sees_processing_progress_and_then_ready(ana, clip, settings):
    # given a video waiting for its worker, big enough for several progress reports
    video = VideoFactory(owner=ana, clip=clip("a.mp4", seconds=5, size=(720, 1280), rotate=90))

    async def scenario():
        socket = await open_socket(ana)
        await subscribe(socket, f"video:{video.pk}")
        # when it is processed
        await database_sync_to_async(tasks.process_video.delay)(video.pk)
        frames = []
        while not frames or frames[-1]["data"]["state"] != "ready":
            frames.append(await socket.receive_json_from(timeout=30))
        await socket.disconnect()
        return frames

    frames = run(scenario)
    # then: processing from 0, rising progress, then ready at 100 with its post
    video.refresh_from_db()
    states = [(frame["data"]["state"], frame["data"]["progress"]) for frame in frames]
    assert states[0] == ("processing", 0)
    assert states[-1] == ("ready", 100)
    progress = [percent for state, percent in states if state == "processing"]
    assert progress == sorted(progress) and len(progress) >= 2
    assert frames[-1] == {
        "op": "event",
        "stream": f"video:{video.pk}",
        "event": "progress",
        "data": {
            "id": video.pk,
            "state": "ready",
            "progress": 100,
            "failure_reason": "",
            "post_id": video.post_id,
            "post_url": f"/p/{video.post_id}/",
        },
    }


def test_nobody_else_may_follow_a_videos_progress(ana, bob, clip):
    video = VideoFactory(owner=ana, clip=clip("a.mp4"))

    async def scenario():
        socket = await open_socket(bob)
        answer = await exchange(socket, {"op": "subscribe", "stream": f"video:{video.pk}"})
        await socket.disconnect()
        return answer

    assert run(scenario) == refused(f"video:{video.pk}")
