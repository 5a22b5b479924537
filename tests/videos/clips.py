"""Test clips made with ffmpeg's test sources (testsrc2 for pictures, sine for sound)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

needs_ffmpeg = pytest.mark.skipif(
    not (shutil.which("ffmpeg") and shutil.which("ffprobe")), reason="ffmpeg and ffprobe are not installed"
)


def make_clip(
    path: Path,
    *,
    seconds: float = 2.0,
    size: tuple[int, int] = (360, 640),
    fps: int = 30,
    audio: bool = True,
    rotate: int | None = None,
    vfr: bool = False,
    codec: str = "libx264",
    pix_fmt: str = "yuv420p",
    audio_codec: str | None = None,
    extra: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
) -> Path:
    """Write a clip of `seconds` to `path` (the container follows its extension). `size` is the
    coded width x height; `rotate` adds phone-style rotation metadata (90 shows a landscape-coded
    clip as portrait); `vfr` drops 3 frames in 10 so frame times vary; `tags` are ffmpeg metadata
    options (-metadata key=value, -metadata:s:v ...) written the way a phone's are, any key kept."""
    width, height = size
    command = ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=s={width}x{height}:r={fps}:d={seconds}"]
    if audio:
        command += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    if vfr:
        command += ["-vf", "select='lt(mod(n,10),7)'", "-fps_mode", "vfr"]
    command += ["-c:v", codec, "-pix_fmt", pix_fmt]
    if codec == "libx264":
        command += ["-preset", "ultrafast"]
    if audio:
        default_audio = "libopus" if path.suffix == ".webm" else "aac"
        command += ["-c:a", audio_codec or default_audio, "-shortest"]
    # The rotate tag becomes a display matrix only when remuxing (ffmpeg 5 ignores it while encoding).
    remux = ["-metadata:s:v:0", f"rotate={rotate}"] if rotate is not None else []
    remux += [*tags, "-movflags", "+use_metadata_tags"] if tags else []
    encoded = path.with_name(f"encoded-{path.name}") if remux else path
    command += [*extra, str(encoded)]
    subprocess.run(command, check=True, capture_output=True)
    if remux:
        copy = ["ffmpeg", "-v", "error", "-y", "-i", str(encoded), "-c", "copy", *remux]
        subprocess.run([*copy, str(path)], check=True, capture_output=True)
        encoded.unlink()
    return path


def make_mixed_rate_clip(path: Path, *, parts: tuple[tuple[int, float], ...]) -> Path:
    """A clip joined from parts of different frame rates, (fps, seconds) each, with sound
    throughout: frame times change where the parts meet (B-frames, as phones encode)."""
    command = ["ffmpeg", "-v", "error", "-y"]
    for fps, seconds in parts:
        command += ["-f", "lavfi", "-i", f"testsrc2=s=360x640:r={fps}:d={seconds}"]
    total = sum(seconds for _, seconds in parts)
    command += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={total}"]
    joined = "".join(f"[{index}:v]" for index in range(len(parts))) + f"concat=n={len(parts)}:v=1:a=0[v]"
    command += ["-filter_complex", joined, "-map", "[v]", "-map", f"{len(parts)}:a", "-fps_mode", "vfr"]
    command += ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", str(path)]
    subprocess.run(command, check=True, capture_output=True)
    return path


def make_audio_only(path: Path, *, seconds: float = 2.0) -> Path:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", str(path)],
        check=True,
        capture_output=True,
    )
    return path


def make_still(path: Path, *, size: tuple[int, int] = (360, 640)) -> Path:
    """One PNG picture (to be renamed .mov by the test)."""
    width, height = size
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=s={width}x{height}",
            "-frames:v",
            "1",
            "-f",
            "image2",
            "-c:v",
            "png",
            str(path),
        ],
        check=True,
        capture_output=True,
    )
    return path
