"""Reads of the users app (users.repositories)."""

from tests.users.factories import FollowFactory, UserFactory
from users import repositories


def test_followers_are_read_in_keyset_batches(db):
    # given an author with five followers and someone following another account
    author = UserFactory()
    fans = sorted(FollowFactory(followee=author).follower_id for _ in range(5))
    FollowFactory()
    # when the followers are read two at a time
    batches = list(repositories.follower_id_batches(author.pk, size=2))
    # then every follower comes once, in id order, the last batch short
    assert batches == [fans[:2], fans[2:4], fans[4:]]
