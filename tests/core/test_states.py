import pytest

from core.exceptions import Conflict
from core.states import Lifecycle
from tests.users.factories import UserFactory

# A lifecycle on a real table: whether an account is active (True/False as the "state").
ACCOUNT = Lifecycle("account", {True: {False}, False: {True}}, field="is_active")


def test_undeclared_states_are_refused_at_declaration():
    with pytest.raises(ValueError, match="undeclared states: \\['gone'\\]"):
        Lifecycle("video", {"new": {"gone"}})


def test_moves_follow_the_declaration():
    # given
    lifecycle = Lifecycle("video", {"uploaded": {"processing"}, "processing": {"ready"}, "ready": set()})
    # then
    assert lifecycle.states == ["uploaded", "processing", "ready"]
    assert lifecycle.can_move("uploaded", "processing")
    assert not lifecycle.can_move("uploaded", "ready")
    assert not lifecycle.can_move("ready", "uploaded")
    assert not lifecycle.can_move("unknown", "ready")


@pytest.mark.django_db
def test_a_transition_writes_the_new_state_and_its_fields_in_one_conditional_update(django_assert_num_queries):
    # given
    user = UserFactory(is_active=True, first_name="")
    # when
    with django_assert_num_queries(1):
        ACCOUNT.transition(user, False, first_name="Gone")
    # then the row and the instance both moved
    user.refresh_from_db()
    assert (user.is_active, user.first_name) == (False, "Gone")


@pytest.mark.django_db
def test_an_undeclared_move_and_a_lost_race_are_conflicts():
    # given
    user = UserFactory(is_active=True)
    lifecycle = Lifecycle("membership", {True: set(), False: {True}}, field="is_active")
    # when the move is not declared
    with pytest.raises(Conflict) as undeclared:
        lifecycle.transition(user, False)
    # then
    assert (undeclared.value.code, undeclared.value.message) == (
        "bad_transition",
        "A membership cannot go from True to False.",
    )
    # when another writer moved the row first (this instance still believes it is active)
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    with pytest.raises(Conflict) as lost:
        ACCOUNT.transition(user, False)
    # then nothing was written twice, and the instance is unchanged
    assert (lost.value.code, lost.value.message, lost.value.status) == (
        "state_changed",
        "The account is no longer True.",
        409,
    )
    assert user.is_active is True
