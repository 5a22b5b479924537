"""'Download your data' under concurrent clicks on a real server database: one download at a
time per person, however many requests arrive together."""

import pytest
from django.db import connection

from core.exceptions import Conflict
from tests.services.test_races import run_together
from tests.users.factories import UserFactory
from users.models import DataExport
from users.services.your_data import request_data_export

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers; needs MariaDB/MySQL"),
]


@pytest.mark.django_db(transaction=True)
def test_six_clicks_at_once_make_one_download():
    # given a person
    ana = UserFactory()

    # when their button's request arrives six times at the same instant
    outcomes = run_together(*(lambda: request_data_export(user=ana) for _ in range(6)))

    # then one download is made and the other five are told one is on its way
    made = [outcome for outcome in outcomes if isinstance(outcome, DataExport)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, Conflict)]
    assert (len(made), len(refused)) == (1, 5)
    assert {error.code for error in refused} == {"export_in_progress"}
    assert list(DataExport.objects.filter(user=ana).values_list("pk", "state")) == [(made[0].pk, "ready")]
