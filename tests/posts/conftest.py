import pytest

from tests.users.factories import UserFactory


@pytest.fixture
def ana(db):
    return UserFactory(username="ana")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob")


@pytest.fixture
def carol(db):
    return UserFactory(username="carol")
