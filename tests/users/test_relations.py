"""Follow and block: idempotent, self-refusing, and a block hides the blocker from the blocked."""

import pytest
from rest_framework.test import APIClient

from core.exceptions import Conflict, NotFound, ValidationFailed
from tests.users.factories import BlockFactory, FollowFactory, UserFactory
from users import repositories
from users.models import Block, Follow
from users.services.relations import block_user, follow_user, unblock_user, unfollow_user

NOTHING = {"following": False, "followed_by": False, "blocking": False}


def _client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _usernames(response) -> list[str]:
    return [item["username"] for item in response.json()["results"]]


@pytest.fixture
def ana(db):
    return UserFactory(username="ana")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob")


def test_follow_is_idempotent(ana, bob):
    # when Ana follows Bob twice
    first = _client_for(ana).post("/api/users/bob/follow/")
    second = _client_for(ana).post("/api/users/bob/follow/")
    # then one follow exists and both answers say so
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() == {**NOTHING, "following": True}
    assert Follow.objects.filter(follower=ana, followee=bob).count() == 1
    # and Bob sees Ana following him
    assert _client_for(bob).get("/api/users/ana/").json()["relationship"] == {**NOTHING, "followed_by": True}


def test_follow_and_unfollow_services_report_whether_anything_changed(ana, bob):
    # when / then
    assert follow_user(follower=ana, followee=bob) is True
    assert follow_user(follower=ana, followee=bob) is False
    assert unfollow_user(follower=ana, followee=bob) is True
    assert unfollow_user(follower=ana, followee=bob) is False
    assert Follow.objects.count() == 0


def test_unfollow_is_idempotent(ana, bob):
    # given
    FollowFactory(follower=ana, followee=bob)
    # when Ana unfollows twice
    first = _client_for(ana).delete("/api/users/bob/follow/")
    second = _client_for(ana).delete("/api/users/bob/follow/")
    # then
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() == NOTHING
    assert Follow.objects.count() == 0


def test_self_follow_is_400(ana):
    # when
    response = _client_for(ana).post("/api/users/ana/follow/")
    # then
    assert response.status_code == 400
    assert response.json() == {"code": "self_follow", "message": "You cannot follow yourself.", "fields": {}}
    assert Follow.objects.count() == 0


def test_self_block_is_400(ana):
    # when
    response = _client_for(ana).post("/api/users/ana/block/")
    # then
    assert response.status_code == 400
    assert response.json() == {"code": "self_block", "message": "You cannot block yourself.", "fields": {}}
    assert Block.objects.count() == 0
    with pytest.raises(ValidationFailed):
        block_user(blocker=ana, blocked=ana)


def test_following_someone_who_blocked_you_is_404(ana, bob):
    # given Bob blocked Ana
    BlockFactory(blocker=bob, blocked=ana)
    # when Ana tries to follow Bob
    response = _client_for(ana).post("/api/users/bob/follow/")
    # then for her, Bob does not exist
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "No such user.", "fields": {}}
    assert Follow.objects.count() == 0
    with pytest.raises(NotFound):
        follow_user(follower=ana, followee=bob)


def test_following_someone_you_blocked_is_409(ana, bob):
    # given Ana blocked Bob
    BlockFactory(blocker=ana, blocked=bob)
    # when Ana tries to follow Bob
    response = _client_for(ana).post("/api/users/bob/follow/")
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "blocking"
    assert Follow.objects.count() == 0
    with pytest.raises(Conflict):
        follow_user(follower=ana, followee=bob)


def test_block_removes_follows_both_ways_and_is_idempotent(ana, bob):
    # given they follow each other, and each follows a third person
    carol = UserFactory()
    FollowFactory(follower=ana, followee=bob)
    FollowFactory(follower=bob, followee=ana)
    FollowFactory(follower=ana, followee=carol)
    FollowFactory(follower=bob, followee=carol)
    # when Ana blocks Bob, twice
    first = _client_for(ana).post("/api/users/bob/block/")
    second = _client_for(ana).post("/api/users/bob/block/")
    # then both follows between them are gone, the others stay
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() == {**NOTHING, "blocking": True}
    assert Block.objects.filter(blocker=ana, blocked=bob).count() == 1
    assert set(Follow.objects.values_list("follower__username", "followee__username")) == {
        ("ana", carol.username),
        ("bob", carol.username),
    }


def test_the_blocked_user_cannot_see_the_blocker_anywhere(ana, bob):
    # given Ana blocked Bob, and both follow Carol and are followed by Dan
    carol, dan = UserFactory(username="carol"), UserFactory(username="dan")
    for person in (ana, bob):
        FollowFactory(follower=person, followee=carol)
        FollowFactory(follower=dan, followee=person)
    block_user(blocker=ana, blocked=bob)
    as_bob = _client_for(bob)
    # when Bob looks
    profile = as_bob.get("/api/users/ana/")
    her_followers = as_bob.get("/api/users/ana/followers/")
    search = as_bob.get("/api/users/", {"q": "a"})
    carols_followers = as_bob.get("/api/users/carol/followers/")
    dans_following = as_bob.get("/api/users/dan/following/")
    # then Ana does not exist for him
    assert profile.status_code == 404
    assert her_followers.status_code == 404
    assert "ana" not in _usernames(search)
    assert "carol" in _usernames(search)
    assert _usernames(carols_followers) == ["bob"]
    assert _usernames(dans_following) == ["bob"]
    # and Ana's profile is not followable for him
    assert as_bob.post("/api/users/ana/follow/").status_code == 404


def test_the_blocker_still_sees_the_blocked_profile(ana, bob):
    # given
    block_user(blocker=ana, blocked=bob)
    as_ana = _client_for(ana)
    # when Ana looks
    profile = as_ana.get("/api/users/bob/")
    blocks = as_ana.get("/api/me/blocks/")
    # then she sees him (to unblock him), marked as blocked, but not in lists
    assert profile.status_code == 200
    assert profile.json()["username"] == "bob"
    assert profile.json()["relationship"] == {**NOTHING, "blocking": True}
    assert blocks.json() == {
        "results": [{"id": bob.pk, "username": "bob", "display_name": bob.profile.display_name}],
        "next_cursor": None,
    }
    assert "bob" not in _usernames(as_ana.get("/api/users/", {"q": "bob"}))


def test_unblock_lets_them_see_each_other_again_without_restoring_follows(ana, bob):
    # given they followed each other and Ana blocked Bob
    FollowFactory(follower=bob, followee=ana)
    block_user(blocker=ana, blocked=bob)
    # when Ana unblocks him, twice
    first = _client_for(ana).delete("/api/users/bob/block/")
    second = _client_for(ana).delete("/api/users/bob/block/")
    # then
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() == NOTHING
    assert Block.objects.count() == 0
    assert Follow.objects.count() == 0
    assert _client_for(bob).get("/api/users/ana/").status_code == 200
    assert "ana" in _usernames(_client_for(bob).get("/api/users/", {"q": "ana"}))
    assert unblock_user(blocker=ana, blocked=bob) is False


def test_anonymous_cannot_follow_or_block(api_client, bob):
    # when / then
    assert api_client.post("/api/users/bob/follow/").status_code == 401
    assert api_client.post("/api/users/bob/block/").status_code == 401
    assert Follow.objects.count() == Block.objects.count() == 0


def test_anonymous_may_read_profiles_and_lists(api_client, ana, bob):
    # given
    FollowFactory(follower=bob, followee=ana)
    # when
    profile = api_client.get("/api/users/ana/")
    followers = api_client.get("/api/users/ana/followers/")
    # then
    assert profile.status_code == 200
    assert profile.json()["relationship"] == NOTHING
    assert profile.json()["followers_count"] == 1
    assert _usernames(followers) == ["bob"]
    assert followers.json()["results"][0]["is_followed"] is False


def test_counts_and_is_followed_in_lists(ana, bob):
    # given Ana follows Bob, Bob and Carol follow Ana
    carol = UserFactory(username="carol")
    FollowFactory(follower=ana, followee=bob)
    FollowFactory(follower=bob, followee=ana)
    FollowFactory(follower=carol, followee=ana)
    # when Ana reads her followers
    response = _client_for(ana).get("/api/users/ana/followers/")
    # then newest first, with counts and whether she follows each back
    cards = {item["username"]: item for item in response.json()["results"]}
    assert _usernames(response) == ["carol", "bob"]
    assert (cards["bob"]["is_followed"], cards["carol"]["is_followed"]) == (True, False)
    assert (cards["bob"]["followers_count"], cards["bob"]["following_count"]) == (1, 1)
    assert (cards["carol"]["followers_count"], cards["carol"]["following_count"]) == (0, 1)


def test_followers_are_read_in_keyset_batches(db):
    # given an author with five followers and someone following another account
    author = UserFactory()
    fans = sorted(FollowFactory(followee=author).follower_id for _ in range(5))
    FollowFactory()
    # when the followers are read two at a time
    batches = list(repositories.follower_id_batches(author.pk, size=2))
    # then every follower comes once, in id order, the last batch short
    assert batches == [fans[:2], fans[2:4], fans[4:]]
