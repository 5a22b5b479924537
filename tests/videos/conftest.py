import pytest

from tests.videos.clips import make_clip


@pytest.fixture
def clip(tmp_path):
    """make_clip into the test's directory: clip("a.mp4", seconds=2, ...) → its path."""

    def make(name: str = "clip.mp4", **options):
        return make_clip(tmp_path / name, **options)

    return make
