"""Request helpers of core.http: ids in query and form data are ASCII whole numbers."""

import pytest
from django.http import QueryDict

from core.exceptions import ValidationFailed
from core.http import id_param


@pytest.mark.parametrize("value, expected", [("42", 42), ("", None), ("000123", 123)])
def test_id_param_reads_ascii_whole_numbers(value, expected):
    # when / then
    assert id_param(QueryDict(f"after={value}"), "after", of="notification") == expected


@pytest.mark.parametrize("value", ["²", "٣٣", "１２", "-1", "1.5", "1" * 19])
def test_id_param_refuses_anything_else_with_a_400(value):
    # when
    with pytest.raises(ValidationFailed) as error:
        id_param({"after": value}, "after", of="notification")
    # then
    assert error.value.fields == {"after": ["after must be a notification id (a whole number)."]}


def test_a_superscript_after_id_is_a_400_in_the_api(auth_client):
    # when
    response = auth_client.get("/api/notifications/", {"after": "²"})
    # then
    assert response.status_code == 400
    assert response.json()["fields"] == {"after": ["after must be a notification id (a whole number)."]}
