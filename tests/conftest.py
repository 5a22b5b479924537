import pytest
from django.core.cache import cache

from config.celery import app as celery_app


@pytest.fixture(autouse=True)
def _fast_hashing_and_clean_state(settings, tmp_path):
    # Fast hashing keeps the suite quick; the production hasher is Django's PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Timelines are filled after commit, which tests do not reach unless they ask: the tests of
    # timelines turn them on (tests/services/test_timelines.py); the rest read the pull query.
    settings.FEED_TIMELINES = False
    cache.clear()  # rate-limit counters must not leak between tests
    # Tasks run in-process so tests see their effects (mail.outbox); tests/services/ runs a
    # real worker on the real broker for the same tasks.
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager
    cache.clear()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def user(db):
    from tests.users.factories import UserFactory

    return UserFactory()


@pytest.fixture
def auth_client(user):
    """An API client logged in as `user` with a JWT access token."""
    from rest_framework.test import APIClient

    from users.services.accounts import issue_tokens

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_tokens(user=user)['access']}")
    client.user = user
    return client


@pytest.fixture
def ana(db):
    from tests.users.factories import UserFactory

    return UserFactory(username="ana", profile__display_name="Ana")


@pytest.fixture
def bob(db):
    from tests.users.factories import UserFactory

    return UserFactory(username="bob", profile__display_name="Bob")


@pytest.fixture
def carol(db):
    from tests.users.factories import UserFactory

    return UserFactory(username="carol", profile__display_name="Carol")
