"""Liveness and readiness, with real failures of backing services (nothing mocked)."""

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from config.celery import app as celery_app

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def unreachable_cache(settings):
    """The default cache pointed at a Redis port nobody listens on. Restored before the
    conftest's own teardown clears the cache (fixtures finish in reverse order)."""
    original = settings.CACHES
    backend = "django.core.cache.backends.redis.RedisCache"
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": UNREACHABLE_REDIS}}
    yield
    settings.CACHES = original


@pytest.fixture
def unreachable_broker(monkeypatch):
    """A real broker (not eager) at an unreachable address."""
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    changed = {"task_always_eager": False, "broker_url": UNREACHABLE_REDIS, "broker_write_url": None}
    original = {name: celery_app.conf[name] for name in changed}
    celery_app.conf.update(changed)
    yield
    celery_app.conf.update(original)


def test_healthz_answers_without_touching_services(client):
    # when
    response = client.get("/healthz")
    # then
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_200_when_every_check_passes(client, db):
    # when
    response = client.get("/readyz")
    # then
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "channel_layer": "ok", "broker": "ok"},
    }


def test_readyz_is_503_naming_an_unreachable_cache(client, db, unreachable_cache):
    # given the cache server cannot be reached
    # when
    response = client.get("/readyz")
    # then only the cache is reported, with why
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["cache"].startswith("failed: ConnectionError")
    assert {name: value for name, value in body["checks"].items() if name != "cache"} == {
        "database": "ok",
        "channel_layer": "ok",
        "broker": "ok",
    }


def test_readyz_is_503_naming_an_unreachable_broker(client, db, unreachable_broker):
    # given Celery must reach a broker that does not answer
    # when
    response = client.get("/readyz")
    # then
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"].startswith("failed: ")
    assert {name: value for name, value in body["checks"].items() if name != "broker"} == {
        "database": "ok",
        "cache": "ok",
        "channel_layer": "ok",
    }


def test_overrides_do_not_leak_into_later_tests(db, settings):
    # then the cache answers and Celery has the broker of the settings (tasks eager: tests/conftest.py)
    cache.set("k", "v")
    assert cache.get("k") == "v"
    assert celery_app.conf.task_always_eager is True
    assert celery_app.conf.broker_url == settings.CELERY_BROKER_URL


@pytest.mark.skipif(not django_settings.CELERY_BROKER_URL, reason="the embedded default has no broker to reach")
def test_readyz_reaches_the_real_broker(client, db):
    # given tasks go to the configured broker, not in-process
    celery_app.conf.task_always_eager = False  # tests/conftest.py restores it
    # when
    response = client.get("/readyz")
    # then
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"
