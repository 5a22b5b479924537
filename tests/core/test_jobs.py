import pytest
from django.db import transaction

from core.jobs import enqueue


@pytest.mark.django_db(transaction=True)
def test_a_task_is_queued_by_name_only_after_commit(mailoutbox):
    # given a task that sends an email (run in-process: the suite's eager Celery)
    from tests.users.factories import UserFactory

    user = UserFactory()
    # when it is queued inside a transaction that rolls back, nothing runs
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue("users.tasks.send_code_email", user.pk, "signup", "123456")
        raise RuntimeError("rolled back")
    assert mailoutbox == []
    # when it is queued inside one that commits, it runs once, after the commit
    with transaction.atomic():
        enqueue("users.tasks.send_code_email", user.pk, "signup", "123456")
        assert mailoutbox == []
    # then
    assert [message.subject.split()[0] for message in mailoutbox] == ["123456"]


def test_an_unknown_task_fails_in_the_caller():
    with pytest.raises(KeyError):
        enqueue("users.tasks.no_such_task")
