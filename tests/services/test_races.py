"""Races that only a real server database shows: two requests at the same moment."""

import threading

import pytest
from django.db import connection

from core.exceptions import ValidationFailed
from users.models import User
from users.services.accounts import sign_up
from users.services.relations import follow_user

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers; needs MariaDB/MySQL"),
]


def run_together(*calls):
    """Start the calls at the same instant in threads; return each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            outcomes[index] = call()
        except Exception as exc:
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_sign_ups_racing_for_one_username_create_one_account():
    # given two people choosing the same username at the same moment
    def attempt(n):
        return lambda: sign_up(
            username="Samename", email=f"person{n}@example.com", password="correct horse battery", ip=f"192.0.2.{n}"
        )

    # when both submit
    outcomes = run_together(*(attempt(n) for n in range(4)))

    # then exactly one account exists and every other attempt got a 400 naming the field
    assert User.objects.filter(username="samename").count() == 1
    winners = [o for o in outcomes if isinstance(o, User)]
    losers = [o for o in outcomes if isinstance(o, ValidationFailed)]
    assert len(winners) == 1 and len(losers) == 3
    assert all(set(error.fields) == {"username"} for error in losers)


@pytest.mark.django_db(transaction=True)
def test_double_clicked_follow_makes_one_follow(django_user_model):
    from tests.users.factories import UserFactory

    # given two accounts
    fan, star = UserFactory(), UserFactory()

    # when the fan's follow arrives twice at once
    outcomes = run_together(*(lambda: follow_user(follower=fan, followee=star) for _ in range(4)))

    # then one follow exists and no attempt failed
    assert star.follower_links.count() == 1
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert outcomes.count(True) == 1
