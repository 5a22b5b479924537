"""Schema fuzzing: schemathesis sends generated requests to every operation of /api/schema/,
in-process through the WSGI application, anonymously and signed in as a person who owns one
object of each kind (their ids fill the path, so the handlers behind the lookups run too).
Each answer must not be a 5xx, must have a status the schema declares, and must match the
declared body and content type. Bounded and derandomised, so CI sees the same cases each run."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from posts.services import add_comment
from tests.notifications.factories import NotificationFactory, PushSubscriptionFactory
from tests.posts.factories import PostFactory
from tests.users.factories import UserFactory
from tests.videos.factories import UploadFactory, VideoFactory
from users.services.accounts import issue_tokens

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]
EXAMPLES = 8  # per operation and identity: about a minute for the whole API on two cores

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def _requests_share_the_tests_connection():
    """As under Django's test client: the WSGI handler would otherwise close the database
    connection around every request, and with it the test's transaction on a server database."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def owner(db):
    """A person with one object of each kind, and someone else to follow, block and read:
    the person, and the path parameters naming those objects."""
    person = UserFactory(username="owner")
    other = UserFactory(username="other")
    post = PostFactory(author=person)
    PostFactory(author=other, body="#fuzz")
    comment = add_comment(post=post, by=other, body="a comment")
    return person, {
        "username": other.username,
        "post_id": post.pk,
        "comment_id": comment.pk,
        "video_id": VideoFactory(owner=person).pk,
        "upload_id": str(UploadFactory(owner=person).pk),
        "notification_id": NotificationFactory(recipient=person).pk,
        "subscription_id": PushSubscriptionFactory(user=person).pk,
    }


@schema.parametrize()
@fuzz
def test_anonymous_requests_get_declared_answers(case, db):
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@fuzz
def test_signed_in_requests_get_declared_answers(case, owner):
    # given the owner's own objects in the path
    person, values = owner
    case.path_parameters = {
        **(case.path_parameters or {}),
        **{name: values[name] for name in case.path_parameters or {} if name in values},
    }
    # then every answer is declared, whatever the body and query
    case.call_and_validate(checks=CHECKS, headers={"Authorization": f"Bearer {issue_tokens(user=person)['access']}"})
