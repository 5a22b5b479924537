"""What a file is, asked of ffprobe, never of its name or declared type, and whether it may
become a video here."""

from __future__ import annotations

import json
import statistics
import subprocess
from dataclasses import asdict, dataclass
from fractions import Fraction
from itertools import pairwise

from django.conf import settings

from core.exceptions import Unavailable, ValidationFailed

PROBE_TIMEOUT = 30  # seconds; ffprobe reads headers only, so this is only reached by hostile files
CONTAINERS = {"mov": "mov", "mp4": "mp4", "matroska": "webm", "webm": "webm"}  # ffprobe format → extension
STILL_FORMATS = ("_pipe", "image2", "gif", "tiff", "bmp")
STILL_CODECS = {"png", "mjpeg", "bmp", "gif", "webp", "tiff", "jpegls", "jpeg2000", "qoi"}
PACKET_SAMPLE = 1000  # packets whose times are read to tell a variable frame rate (more than a 5 s clip has)
UNEVEN = Fraction(1, 8)  # a frame shown this share longer or shorter than the usual one makes the rate variable
HELD_END = Fraction(1, 4)  # seconds the sound may go on past the last frame before that frame counts as held


@dataclass(frozen=True)
class SourceInfo:
    container: str  # the extension the source is stored under: mp4, mov or webm
    duration: float
    width: int  # as shown, after rotation
    height: int
    rotation: int  # degrees the player turns the coded picture (0, 90, 180, 270)
    fps: float  # the rate the picture moves at (with a variable rate: that of its usual frame)
    variable_frame_rate: bool  # frame times vary (dropped frames, freezes, parts at other rates)
    video_codec: str
    pix_fmt: str
    audio_codec: str  # "" when there is no sound
    bytes: int
    held_end: float = 0.0  # seconds the sound goes on after the last frame (a still end): the picture holds

    @property
    def short_side(self) -> int:
        return min(self.width, self.height)

    def as_dict(self) -> dict:
        return asdict(self)


def _fail(message: str, code: str) -> ValidationFailed:
    return ValidationFailed.on("file", message, code=code)


def _ffprobe(*arguments: str) -> bytes:
    """What ffprobe prints when run with `arguments`; ValidationFailed if it cannot read the file."""
    command = [settings.FFPROBE_BINARY, "-v", "error", *arguments]
    try:
        result = subprocess.run(command, capture_output=True, timeout=PROBE_TIMEOUT, check=False)  # noqa: S603 (fixed binary, no shell)
    except subprocess.TimeoutExpired:
        raise _fail("This file could not be read as a video.", "not_video") from None
    except FileNotFoundError:
        raise Unavailable(
            "Videos cannot be uploaded right now: this server has no ffprobe (install ffmpeg).", code="no_ffmpeg"
        ) from None
    if result.returncode != 0:
        raise _fail(
            "This file could not be read as a video: it is not MP4, WebM or MOV, or it is incomplete or damaged.",
            "not_video",
        )
    return result.stdout


def run_ffprobe(path: str, *, packets: bool = False) -> dict:
    """ffprobe's JSON description of `path` (with `packets`, also when the first PACKET_SAMPLE
    packets are shown and for how long: their timestamps, nothing decoded); ValidationFailed if
    it cannot read it."""
    sample = ("-read_intervals", f"%+#{PACKET_SAMPLE}", "-show_entries", "packet=stream_index,pts,duration")
    arguments = ("-print_format", "json", "-show_format", "-show_streams", *(sample if packets else ()), path)
    return json.loads(_ffprobe(*arguments) or b"{}")


def _packet_times(found: dict) -> dict[int, list[tuple[int, int]]]:
    """The packets run_ffprobe read, as (when shown, for how long) in ticks of their stream's
    time base, by stream index, in the order they are shown."""
    packets: dict[int, list[tuple[int, int]]] = {}
    for packet in found.get("packets") or []:
        shown, length = packet.get("pts"), packet.get("duration")
        if isinstance(shown, int):
            times = packets.setdefault(int(packet.get("stream_index") or 0), [])
            times.append((shown, length if isinstance(length, int) else 0))
    return {index: sorted(times) for index, times in packets.items()}


def _frame_lengths(packets: dict[int, list[tuple[int, int]]], stream: dict) -> list[Fraction]:
    """How long each frame of `stream` read is shown, in seconds: the gaps between them, and
    the last one's own length."""
    frames = packets.get(int(stream.get("index") or 0), [])
    gaps = [later - earlier for (earlier, _), (later, _) in pairwise(frames)]
    last = [frames[-1][1]] if frames and frames[-1][1] > 0 else []
    return [gap * _fraction(stream.get("time_base")) for gap in gaps + last]


def _end(packets: dict[int, list[tuple[int, int]]], stream: dict) -> Fraction:
    """The second the last packet of `stream` read ends."""
    times = packets.get(int(stream.get("index") or 0), [])
    return max((shown + length for shown, length in times), default=0) * _fraction(stream.get("time_base"))


def _rotation(stream: dict) -> int:
    degrees = 0.0
    for side_data in stream.get("side_data_list") or []:
        if "rotation" in side_data:
            degrees = float(side_data["rotation"])
    if not degrees and "rotate" in (stream.get("tags") or {}):
        degrees = float(stream["tags"]["rotate"])
    return round(degrees) % 360


def _fraction(value: str | None) -> Fraction:
    try:
        return Fraction(value or "0")
    except (ValueError, ZeroDivisionError):
        return Fraction(0)


def _rate(value: str | None) -> float:
    return float(_fraction(value))


def describe(path: str, *, size: int) -> SourceInfo:
    """The facts about the file at `path` (of `size` bytes), or ValidationFailed on "file"
    saying why it cannot be a video: not a video container, a still picture, sound only."""
    if size == 0:
        raise _fail("This file is empty.", "empty")
    found = run_ffprobe(path, packets=True)
    format_info = found.get("format") or {}
    format_name = format_info.get("format_name", "")
    streams = found.get("streams") or []
    video = next(
        (s for s in streams if s.get("codec_type") == "video" and s.get("codec_name") not in STILL_CODECS), None
    )
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    pictures = any(s.get("codec_name") in STILL_CODECS for s in streams)
    if format_name.endswith(STILL_FORMATS) or (pictures and video is None):
        raise _fail("This is a still picture, not a video.", "still_image")
    container = next((CONTAINERS[name] for name in format_name.split(",") if name in CONTAINERS), None)
    if container == "mov" and (format_info.get("tags") or {}).get("major_brand", "").strip() != "qt":
        container = "mp4"  # ffprobe names MP4 and QuickTime alike; the brand tells them apart
    if container is None:
        raise _fail(
            f"Only MP4, WebM and MOV videos can be uploaded; this file is {format_name or 'unknown'}.", "not_video"
        )
    if video is None:
        raise _fail("This file has no picture: upload a video, not a sound recording.", "no_video_stream")
    duration = _rate(format_info.get("duration")) or _rate(video.get("duration"))
    frames = int(video.get("nb_frames") or 0)
    if duration <= 0 or frames == 1:
        raise _fail("This is a still picture, not a video.", "still_image")
    rotation = _rotation(video)
    coded_width, coded_height = int(video.get("width") or 0), int(video.get("height") or 0)
    width, height = (coded_height, coded_width) if rotation in (90, 270) else (coded_width, coded_height)
    real_rate, average_rate = _rate(video.get("r_frame_rate")), _rate(video.get("avg_frame_rate"))
    # Matroska gives both rates alike whatever the frames do, so their times are read too.
    packets = _packet_times(found)
    lengths = _frame_lengths(packets, video)
    complete = sum(map(len, packets.values())) < PACKET_SAMPLE  # every packet was read
    held = _end(packets, audio) - _end(packets, video) if audio is not None and complete else Fraction(0)
    usual = statistics.median(lengths) if lengths else Fraction(0)
    uneven = usual > 0 and max(abs(length - usual) for length in lengths) > usual * UNEVEN
    variable = uneven or held > HELD_END or bool(average_rate and real_rate and abs(average_rate - real_rate) > 0.01)
    fps = float(1 / usual) if variable and usual > 0 else average_rate or real_rate
    return SourceInfo(
        container=container,
        duration=round(duration, 3),
        width=width,
        height=height,
        rotation=rotation,
        fps=round(fps, 3),
        variable_frame_rate=variable,
        video_codec=video.get("codec_name", ""),
        pix_fmt=video.get("pix_fmt", ""),
        audio_codec=(audio or {}).get("codec_name", ""),
        bytes=size,
        held_end=round(float(held), 3) if held > HELD_END else 0.0,
    )


def too_long(info: SourceInfo) -> bool:
    """Longer than a video may be, past the slack for container rounding."""
    return info.duration > settings.VIDEO_MAX_SECONDS + settings.VIDEO_DURATION_TOLERANCE


def check_limits(info: SourceInfo, *, trim_start: float | None) -> float:
    """The second the kept window starts at, after checking the clip's frame size and length
    against the settings; ValidationFailed naming what is wrong."""
    longest = max(info.width, info.height)
    if longest > settings.VIDEO_MAX_SIDE:
        raise _fail(
            f"This video is {info.width}×{info.height}; videos are at most {settings.VIDEO_MAX_SIDE} pixels on their "
            "longest side.",
            "too_big_frame",
        )
    if info.short_side < settings.VIDEO_MIN_SIDE:
        raise _fail(
            f"This video is {info.width}×{info.height}; videos are at least {settings.VIDEO_MIN_SIDE} pixels "
            "on each side.",
            "too_small_frame",
        )
    limit = settings.VIDEO_MAX_SECONDS
    if trim_start is None:
        if too_long(info):
            raise _fail(
                f"This clip is {info.duration:.1f} seconds long; a video is at most {limit:g} seconds. "
                f"Cut it: choose where the {limit:g} seconds you keep start.",
                "too_long",
            )
        return 0.0
    latest = max(0.0, info.duration - min(limit, info.duration))
    if not 0 <= trim_start <= latest + 0.001:
        raise ValidationFailed.on(
            "trim_start",
            f"Start between 0 and {latest:.1f} seconds: the clip is {info.duration:.1f} seconds long.",
            code="bad_trim",
        )
    return round(trim_start, 3)
