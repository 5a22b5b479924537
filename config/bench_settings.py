"""Settings for the feed benchmark (scripts/bench_feed.sh) only: the production settings with
the benchmark's URLs. Never deployed."""

from .settings import *  # noqa: F403

ROOT_URLCONF = "config.bench_urls"
