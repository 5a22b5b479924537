"""Turning an upload into what players need, with ffmpeg (driven through ffmpeg-python):
an HLS ladder of H.264/AAC renditions that fit the source (never upscaled), ~2 s segments
with aligned keyframes, a master playlist, an MP4 fallback, a poster and thumbnails.

One decode feeds everything: the picture is decoded once, scaled to the top rung, and the
lower rungs, poster and thumbnails are made from that; the top rung's encode is written both
as HLS and as the MP4 fallback (ffmpeg's tee muxer), so nothing is encoded twice. A source that is already H.264/AAC at
a rung's size is repackaged without re-encoding (the fast path): that rendition, the MP4 and
the poster are ready in a fraction of a second, and the lower rungs follow in a second pass.
A source whose frame times vary is always re-encoded, at a constant rate: copied as it is, HLS
would misstate its segments' lengths.

Nothing made keeps the source's metadata (tags of the file and of its streams: location, device,
times, titles, handler names; chapters): every output is written with CLEAN. Only the first
real picture stream and the first sound stream are used (never cover art or extra tracks). The
picture is turned upright while decoding, so no output needs a rotation from the player.

Everything is written into a working directory; storing it is the caller's job."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import ffmpeg
from django.conf import settings

from .probe import SourceInfo, run_ffprobe, too_long

MASTER = "master.m3u8"
MP4 = "video.mp4"
POSTER = "poster.jpg"
THUMBNAIL_HEIGHT = 320
AUDIO_BITRATE = "128k"
PROFILES = {"Baseline": "42", "Constrained Baseline": "42", "Main": "4d", "High": "64"}

Progress = Callable[[float], None]  # the share done, 0..1

# Output options for every file made: no metadata or chapters copied from the source, and no
# writing time or tool version added by the muxer.
CLEAN = {"map_metadata": -1, "map_chapters": -1, "fflags": "+bitexact"}
PICTURE, SOUND = "V:0", "a:0"  # stream specifiers: the first picture (not cover art), the first sound


class TranscodeFailed(Exception):
    """ffmpeg refused the input: a permanent problem with this file, said in words for its owner."""


@dataclass(frozen=True)
class Rung:
    name: str  # "720p"
    width: int
    height: int


@dataclass
class Rendition:
    name: str
    width: int
    height: int
    playlist: str  # file name in the working directory
    segments: list[str]
    bandwidth: int  # peak bits per second over a segment
    average_bandwidth: int
    codecs: str
    copied: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Made:
    """What one pass wrote into the working directory."""

    renditions: list[Rendition] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # every file, playlists and segments included
    duration: float = 0.0


def _even(value: float) -> int:
    return max(2, int(value) // 2 * 2)


def ladder(info: SourceInfo) -> list[Rung]:
    """The rungs for a source: each configured short side the source reaches, keeping its
    shape; a source smaller than every rung gets one rung at its own size."""
    short, long = info.short_side, max(info.width, info.height)
    portrait = info.height >= info.width
    sides = [rung for rung in sorted(settings.VIDEO_RUNGS) if rung <= short] or [_even(short)]
    rungs = []
    for side in sides:
        other = _even(long * side / short)
        width, height = (side, other) if portrait else (other, side)
        rungs.append(Rung(f"{side}p", _even(width), _even(height)))
    return rungs


def output_fps(info: SourceInfo) -> int:
    return max(1, min(round(info.fps) or settings.VIDEO_MAX_FPS, settings.VIDEO_MAX_FPS))


def copyable_rung(info: SourceInfo, rungs: list[Rung], *, trimmed: bool) -> Rung | None:
    """The rung the source can fill as it is (H.264 8-bit 4:2:0, AAC or no sound, upright, at
    the rung's exact size, at a constant frame rate that is not too fast, nothing cut), or None."""
    if trimmed or info.rotation or info.variable_frame_rate:
        return None
    if info.video_codec != "h264" or info.pix_fmt not in ("yuv420p", "yuvj420p"):
        return None
    if info.audio_codec not in ("", "aac") or info.fps > settings.VIDEO_MAX_FPS + 0.5:
        return None
    return next((rung for rung in rungs if (rung.width, rung.height) == (info.width, info.height)), None)


# H.264 levels by the most macroblocks a frame and a second may have (frame size x rate).
LEVELS = [(1620, 40_500, 30), (3600, 108_000, 31), (5120, 216_000, 32), (8192, 245_760, 40), (8704, 522_240, 42)]


def h264_level(rung: Rung, fps: int) -> int:
    """The lowest H.264 level (level_idc: 31 is 3.1) a rung fits, so the encoder is told it and
    the master playlist can name it without probing the output."""
    blocks = -(-rung.width // 16) * -(-rung.height // 16)
    return next((level for frame, rate, level in LEVELS if blocks <= frame and blocks * fps <= rate), 51)


def _x264(rung: Rung, fps: int) -> dict:
    gop = fps * settings.VIDEO_SEGMENT_SECONDS
    level = h264_level(rung, fps)
    return {
        "c:v": "libx264",
        "preset": settings.VIDEO_X264_PRESET,
        "crf": settings.VIDEO_CRF,
        "profile:v": "high",
        "level:v": f"{level // 10}.{level % 10}",
        "pix_fmt": "yuv420p",
        "g": gop,
        "keyint_min": gop,
        "sc_threshold": 0,
        "threads": os.cpu_count() or 2,
    }


def _hls_options(name: str) -> dict:
    return {
        "hls_time": settings.VIDEO_SEGMENT_SECONDS,
        "hls_playlist_type": "vod",
        "hls_flags": "independent_segments",
        "hls_segment_filename": f"{name}_%03d.ts",
    }


def _hls(name: str) -> dict:
    return {"f": "hls", **_hls_options(name), **CLEAN}


def _hls_and_mp4(name: str) -> tuple[str, dict]:
    """One encode written twice by the tee muxer: the rendition's HLS and the MP4 fallback."""
    hls = ":".join(f"{key}={value}" for key, value in {"f": "hls", **_hls_options(name)}.items())
    return f"[{hls}]{name}.m3u8|[f=mp4:movflags=+faststart]{MP4}", {"f": "tee", **CLEAN}


def _audio(info: SourceInfo, *, trimmed: bool) -> dict:
    if not info.audio_codec:
        return {"an": None}
    if info.audio_codec == "aac" and not trimmed:
        return {"c:a": "copy"}
    return {"c:a": "aac", "b:a": AUDIO_BITRATE, "ac": 2}


def trimmed(info: SourceInfo, trim_start: float) -> bool:
    """Whether only a window of the source is kept (so nothing can be copied as it is)."""
    return bool(trim_start) or too_long(info)


def _input(source: str, info: SourceInfo, trim_start: float):
    if trimmed(info, trim_start):
        window = min(settings.VIDEO_MAX_SECONDS, info.duration - trim_start)
        return ffmpeg.input(source, ss=trim_start, t=window), window, True
    return ffmpeg.input(source), info.duration, False


def _run(stream, workdir: Path, *, duration: float, on_progress: Progress | None) -> None:
    """Run an ffmpeg graph in `workdir`, reporting progress from ffmpeg's -progress lines;
    TranscodeFailed with ffmpeg's last words if it fails, or if it runs past the timeout."""
    args = stream.global_args("-nostdin", "-v", "error", "-progress", "pipe:1", "-nostats").compile(
        cmd=settings.FFMPEG_BINARY, overwrite_output=True
    )
    deadline = time.monotonic() + settings.VIDEO_TRANSCODE_TIMEOUT
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(args, cwd=workdir, stdout=subprocess.PIPE, stderr=errors)  # noqa: S603 (no shell)
        assert process.stdout is not None  # noqa: S101 - narrows the type; stdout=PIPE makes it a pipe
        for line in process.stdout:
            if time.monotonic() > deadline:
                process.kill()
                break
            key, _, value = line.decode(errors="replace").strip().partition("=")
            if key == "out_time_us" and on_progress and value.isdigit() and duration > 0:
                on_progress(min(1.0, int(value) / 1_000_000 / duration))
        code = process.wait()
        errors.seek(0)
        said = errors.read().decode(errors="replace").strip().splitlines()
    if time.monotonic() > deadline:
        raise TranscodeFailed("Processing took too long and was stopped.")
    if code != 0:
        last = said[-1] if said else f"ffmpeg exited with {code}"
        raise TranscodeFailed(f"The video could not be decoded ({last[:200]}).")


def _segments(workdir: Path, playlist: str) -> list[tuple[str, float]]:
    text = (workdir / playlist).read_text()
    return [(name, float(length)) for length, name in re.findall(r"#EXTINF:([0-9.]+),\s*\n(\S+)", text)]


def _codecs(profile: str, level: int, *, audio: bool) -> str:
    """The RFC 6381 name of the stream, as an HLS master playlist gives it (avc1.64001f)."""
    constraints = "e0" if profile == "Constrained Baseline" else "00"
    codecs = f"avc1.{PROFILES.get(profile, '64')}{constraints}{level:02x}"
    return f"{codecs},mp4a.40.2" if audio else codecs


def _probed_codecs(workdir: Path, first_segment: str, *, audio: bool) -> str:
    """The codecs of a copied stream, whatever its source was encoded with."""
    streams = run_ffprobe(str(workdir / first_segment)).get("streams", [])
    picture: dict = next((s for s in streams if s.get("codec_type") == "video"), {})
    return _codecs(picture.get("profile", "High"), int(picture.get("level") or 31), audio=audio)


def _rendition(workdir: Path, rung: Rung, *, audio: bool, codecs: str | None = None) -> Rendition:
    playlist = f"{rung.name}.m3u8"
    segments = _segments(workdir, playlist)
    if not segments:
        raise TranscodeFailed("The video could not be decoded: nothing came out of it.")
    sizes = [(workdir / name).stat().st_size for name, _ in segments]
    total = sum(length for _, length in segments) or 1.0
    peak = max(size * 8 / max(length, 0.5) for size, (_, length) in zip(sizes, segments, strict=True))
    return Rendition(
        name=rung.name,
        width=rung.width,
        height=rung.height,
        playlist=playlist,
        segments=[name for name, _ in segments],
        bandwidth=int(peak),
        average_bandwidth=int(sum(sizes) * 8 / total),
        codecs=codecs or _probed_codecs(workdir, segments[0][0], audio=audio),
        copied=codecs is None,
    )


def _check_complete(made: Made, expected: float) -> None:
    # A truncated file decodes "successfully" into a shorter clip; say so instead of publishing half.
    if expected > 0 and made.duration < expected * 0.8 - 0.2:
        raise TranscodeFailed(
            f"The file is incomplete: only {made.duration:.1f} of its {expected:.1f} seconds could be read."
        )


def _collect(made: Made, workdir: Path, rendition: Rendition) -> None:
    made.renditions.append(rendition)
    made.files += [rendition.playlist, *rendition.segments]
    made.duration = max(made.duration, sum(length for _, length in _segments(workdir, rendition.playlist)))


def encode(
    source: str,
    info: SourceInfo,
    workdir: Path,
    *,
    rungs: list[Rung],
    trim_start: float = 0.0,
    extras: bool = True,
    on_progress: Progress | None = None,
) -> Made:
    """Encode `rungs` in one ffmpeg run: decode once, scale to the largest rung, and make the
    smaller rungs from it; with `extras`, also the poster, thumbnails and MP4 fallback. The
    picture comes out at a constant rate; where the sound goes on past the last frame (a still
    end), that frame is held as long, within the window."""
    source_input, window, cut = _input(source, info, trim_start)
    fps = output_fps(info)
    ordered = sorted(rungs, key=lambda rung: rung.width * rung.height, reverse=True)
    top = ordered[0]
    steady = source_input[PICTURE].filter("fps", fps=fps)
    limit: dict = {}
    if info.held_end:  # the sound goes on past the last frame: hold it as long, never past the window
        steady = steady.filter("tpad", stop_mode="clone", stop_duration=f"{info.held_end:.3f}")
        limit = {"t": f"{window:.3f}"}
    picture = steady.filter("scale", top.width, top.height).filter("setsar", 1)
    branches = len(ordered) + (2 if extras else 0)
    split = picture.filter_multi_output("split", branches)
    audio = _audio(info, trimmed=cut)
    outputs = []
    for index, rung in enumerate(ordered):
        scaled = split[index] if rung == top else split[index].filter("scale", rung.width, rung.height)
        streams = [scaled, source_input[SOUND]] if info.audio_codec else [scaled]
        target, muxer = _hls_and_mp4(rung.name) if extras and rung == top else (f"{rung.name}.m3u8", _hls(rung.name))
        outputs.append(ffmpeg.output(*streams, target, **_x264(rung, fps), **audio, **limit, **muxer))
    if extras:
        poster = split[len(ordered)].filter("trim", end_frame=1)
        outputs.append(poster.output(POSTER, vframes=1, **{"q:v": 3}, **CLEAN))
        outputs.append(_thumbnails(split[len(ordered) + 1], window))
    _run(ffmpeg.merge_outputs(*outputs), workdir, duration=window, on_progress=on_progress)
    made = Made()
    for rung in ordered:
        codecs = _codecs("High", h264_level(rung, fps), audio=bool(info.audio_codec))
        _collect(made, workdir, _rendition(workdir, rung, audio=bool(info.audio_codec), codecs=codecs))
    _check_complete(made, window)
    if extras:
        made.files += [POSTER, MP4, *_thumbnail_files(workdir)]
    return made


def repackage(source: str, info: SourceInfo, workdir: Path, *, rung: Rung) -> Made:
    """The fast path: the source as it is becomes rendition `rung`, the MP4 fallback and the
    poster, without re-encoding a frame (only the poster's one is decoded)."""
    source_input = ffmpeg.input(source)
    streams = [source_input[PICTURE], source_input[SOUND]] if info.audio_codec else [source_input[PICTURE]]
    hls = ffmpeg.output(*streams, f"{rung.name}.m3u8", c="copy", **_hls(rung.name))
    mp4 = ffmpeg.output(*streams, MP4, c="copy", movflags="+faststart", **CLEAN)
    # The poster reads a second handle on the file, so only its first frame is ever decoded.
    poster = ffmpeg.input(source)[PICTURE].output(POSTER, vframes=1, **{"q:v": 3}, **CLEAN)
    _run(ffmpeg.merge_outputs(hls, mp4, poster), workdir, duration=info.duration, on_progress=None)
    made = Made()
    _collect(made, workdir, _rendition(workdir, rung, audio=bool(info.audio_codec)))
    _check_complete(made, info.duration)
    made.files += [MP4, POSTER]
    return made


def _thumbnails(picture, window: float):
    """VIDEO_THUMBNAILS small frames spread evenly over `window` seconds of `picture`."""
    count = settings.VIDEO_THUMBNAILS
    spread = picture.filter("fps", fps=f"{count}/{max(window, 0.1):.3f}").filter("scale", -2, THUMBNAIL_HEIGHT)
    return spread.output("thumb_%02d.jpg", vframes=count, **{"q:v": 5}, **CLEAN)


def _thumbnail_files(workdir: Path) -> list[str]:
    return sorted(path.name for path in workdir.glob("thumb_*.jpg"))


def thumbnails_only(source: str, info: SourceInfo, workdir: Path) -> list[str]:
    _run(_thumbnails(ffmpeg.input(source)[PICTURE], info.duration), workdir, duration=info.duration, on_progress=None)
    return _thumbnail_files(workdir)


def master_playlist(renditions: list[Rendition], fps: float) -> str:
    """The HLS master playlist naming each rendition's playlist (relative, so it works from
    any storage), best first."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for rendition in sorted(renditions, key=lambda r: r.width * r.height, reverse=True):
        lines.append(
            f"#EXT-X-STREAM-INF:BANDWIDTH={rendition.bandwidth},AVERAGE-BANDWIDTH={rendition.average_bandwidth},"
            f'RESOLUTION={rendition.width}x{rendition.height},FRAME-RATE={fps:.3f},CODECS="{rendition.codecs}"'
        )
        lines.append(rendition.playlist)
    return "\n".join(lines) + "\n"
