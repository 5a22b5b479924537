"""The swipe feed page as the server renders it (videos/feed.html and its player slides): tabs
and ranking label, the slides' sources and actions, the empty state, signed-out viewers (For you
plays; Following asks them to log in, with a 200 page rather than a redirect) and ?start=.
Videos are published through the real services with ffmpeg-made clips."""

import re

import pytest
from django.urls import reverse

from core.media import signed_url
from tests.users.factories import FollowFactory, UserFactory
from tests.videos.clips import needs_ffmpeg
from tests.videos.helpers import published_video
from users.services.relations import follow_user

# Processing is queued after commit (eager Celery), so publishing needs real transactions.
pytestmark = [pytest.mark.django_db(transaction=True)]

FOR_YOU = "/videos/for-you/"
FOLLOWING = "/videos/following/"


def slides(html: str) -> list[str]:
    """The post ids of the slides, in order."""
    return re.findall(r'<article class="video-slide[^"]*" id="video-(\d+)"', html)


def test_videos_redirects_to_for_you(client):
    # when
    response = client.get("/videos/")
    # then
    assert response.status_code == 302
    assert response["Location"] == FOR_YOU


def test_for_you_without_videos_shows_the_empty_state_and_the_upload_link(client, ana):
    # given a member and no video at all
    client.force_login(ana)
    # when
    response = client.get(FOR_YOU)
    # then the page says so and offers the upload page; there is no feed to swipe
    html = response.content.decode()
    assert response.status_code == 200
    assert "No videos yet" in html
    assert f'href="{reverse("videos:upload")}"' in html
    assert "data-feed-list" not in html
    assert slides(html) == []


def test_the_tabs_name_the_current_one_and_the_ranking_label_says_trending(client, ana):
    # given
    client.force_login(ana)
    # when
    response = client.get(FOR_YOU)
    # then
    html = response.content.decode()
    assert '<a class="video-tab active" aria-current="page" href="/videos/for-you/">For you</a>' in html
    assert '<a class="video-tab" href="/videos/following/">Following</a>' in html
    assert response.context["ranking"]["label"] in html
    assert "Trending videos" in response.context["ranking"]["label"]
    assert "<title>For you · Videos · " in html


def test_signed_out_following_asks_to_log_in_instead_of_redirecting(client):
    # when someone signed out opens the Following tab
    response = client.get(FOLLOWING)
    # then the page is there, with the tabs and a prompt to log in that comes back here
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a class="video-tab active" aria-current="page" href="/videos/following/">Following</a>' in html
    assert "Log in to see videos from people you follow" in html
    assert f'href="{reverse("users:login")}?next=/videos/following/"' in html
    assert "data-feed-list" not in html


@needs_ffmpeg
def test_signed_out_viewers_watch_for_you_with_log_in_links_instead_of_buttons(client, ana, tmp_path):
    # given a published video with a caption
    video = published_video(ana, tmp_path, caption="Sunrise #garden with @bob")
    post = video.post
    # when someone signed out opens For you
    response = client.get(FOR_YOU)
    # then its slide is there with every source the player needs
    html = response.content.decode()
    assert response.status_code == 200
    assert slides(html) == [str(post.pk)]
    assert f'data-video-id="{video.pk}"' in html
    assert f'data-playlist="http://testserver{signed_url(video.playlist)}"' in html
    assert f'data-mp4="http://testserver{signed_url(video.mp4)}"' in html
    assert f'poster="http://testserver{signed_url(video.poster)}"' in html
    assert f'data-view-url="/api/posts/{post.pk}/view/"' in html
    assert f'data-watch-url="/api/videos/{video.pk}/watch/"' in html
    assert (
        f'<source src="http://testserver{signed_url(video.mp4)}" type="video/mp4">' in html
    )  # plays without JavaScript
    # and the caption links its tag and mention
    assert '<a href="/tags/garden/">#garden</a>' in html
    assert '<a href="/u/bob/">@bob</a>' in html
    # and follow, like and save are links to log in, not buttons
    assert "Log in to follow @ana" in html
    assert "Log in to like" in html
    assert "Log in to save" in html
    assert "data-follow=" not in html
    assert "data-post-action" not in html
    # and the scripts: hls.js as a classic script before the feed's module
    hls = html.index('<script src="/static/vendor/hls.js/hls.min.js"></script>')
    feed = html.index('<script type="module" src="/static/js/videos/swipe-feed.js"></script>')
    assert hls < feed


@needs_ffmpeg
def test_a_member_gets_like_save_and_follow_buttons_but_no_follow_on_their_own_video(client, ana, bob, tmp_path):
    # given a video by Ana and one by Bob
    ana_video = published_video(ana, tmp_path, caption="Mine", name="a.mp4")
    bob_video = published_video(bob, tmp_path, caption="His", name="b.mp4")
    client.force_login(ana)
    # when Ana opens For you
    html = client.get(FOR_YOU).content.decode()
    # then both are there, each with like and save toggles that are not pressed
    assert sorted(slides(html)) == sorted([str(ana_video.post_id), str(bob_video.post_id)])
    assert html.count('class="btn btn-action action-like" aria-pressed="false"') == 2
    assert html.count('class="btn btn-action action-save" aria-pressed="false"') == 2
    assert f'data-api="/api/posts/{bob_video.post_id}/like/"' in html
    # and only Bob's has a follow button, saying she does not follow him yet
    assert html.count("data-follow=") == 1
    assert 'data-follow="bob" data-following="false"' in html
    assert 'data-api="/api/users/bob/follow/"' in html
    assert "Follow @bob" in html
    assert "Follow @ana" not in html


@needs_ffmpeg
def test_following_shows_only_the_videos_of_people_followed(client, ana, bob, carol, tmp_path):
    # given Ana follows Bob, who posted a video, and not Carol, who did too
    follow_user(follower=ana, followee=bob)
    bob_video = published_video(bob, tmp_path, caption="From Bob", name="b.mp4")
    published_video(carol, tmp_path, caption="From Carol", name="c.mp4")
    client.force_login(ana)
    # when
    response = client.get(FOLLOWING)
    # then only Bob's video is in her Following tab
    html = response.content.decode()
    assert slides(html) == [str(bob_video.post_id)]
    assert '<a class="video-tab active" aria-current="page" href="/videos/following/">Following</a>' in html
    assert response.context["ranking"]["label"] in html


@needs_ffmpeg
def test_following_without_videos_from_followed_people_offers_for_you(client, ana, bob, tmp_path):
    # given a video by someone Ana does not follow
    published_video(bob, tmp_path, caption="Not followed")
    client.force_login(ana)
    # when
    html = client.get(FOLLOWING).content.decode()
    # then the empty state points to For you and to people
    assert slides(html) == []
    assert "No videos yet" in html
    assert '<a class="btn btn-outline-primary" href="/videos/for-you/">Watch For you</a>' in html


@needs_ffmpeg
def test_start_puts_the_chosen_video_first(client, ana, tmp_path):
    # given three videos, the oldest to be watched first
    first, second, third = (published_video(ana, tmp_path, caption=n, name=f"{n}.mp4") for n in ["one", "two", "three"])
    # when
    response = client.get(f"{FOR_YOU}?start={first.post_id}")
    # then it leads, the others follow once each, and the script is told which one it is
    html = response.content.decode()
    ids = slides(html)
    assert ids[0] == str(first.post_id)
    assert sorted(ids) == sorted(str(v.post_id) for v in (first, second, third))
    assert f'data-start="{first.post_id}"' in html
    assert 'aria-posinset="1"' in html and 'aria-posinset="3"' in html


@needs_ffmpeg
def test_a_long_feed_hands_the_next_page_to_the_script_and_the_api_gives_it(client, tmp_path):
    # given more videos than the first page shows
    owner = UserFactory(username="maker")
    videos = [published_video(owner, tmp_path, caption=f"clip {n}", name=f"{n}.mp4", seconds=1) for n in range(7)]
    # when
    response = client.get(FOR_YOU)
    html = response.content.decode()
    # then the page shows six and says where the rest are
    shown = slides(html)
    assert len(shown) == 6
    next_url = response.context["next_url"]
    assert next_url.startswith("/api/videos/feed/for-you/?cursor=")
    assert f'data-next-url="{next_url.replace("&", "&amp;")}"' in html
    assert 'data-state="loading"' in html  # the end slide starts as "loading more"
    # and that URL gives the last one, with what the script builds its slide from
    page = client.get(next_url).json()
    assert [post["id"] for post in page["results"]] == [v.post_id for v in videos if str(v.post_id) not in shown]
    media = page["results"][0]["media"]["video"]
    assert set(media) == {"id", "playlist_url", "mp4_url", "poster_url", "width", "height", "duration"}
    assert page["next_cursor"] is None


@needs_ffmpeg
def test_the_end_of_a_short_feed_says_so(client, ana, tmp_path):
    # given one video
    published_video(ana, tmp_path)
    # when
    html = client.get(FOR_YOU).content.decode()
    # then there is no next page and the end slide shows its end state
    assert 'data-next-url=""' in html
    assert 'data-state="end"' in html
    assert "You have seen all the videos here for now." in html


@needs_ffmpeg
def test_the_follow_buttons_know_whom_the_viewer_follows(client, ana, bob, tmp_path):
    # given Ana follows Bob, who posted a video
    FollowFactory(follower=ana, followee=bob)
    video = published_video(bob, tmp_path, caption="His")
    client.force_login(ana)
    # when / then: the page and the feed API both say so, without asking per author
    assert 'data-follow="bob" data-following="true"' in client.get(FOR_YOU).content.decode()
    body = client.get("/api/videos/feed/for-you/").json()
    assert [(item["id"], item["author"]["is_followed"]) for item in body["results"]] == [(video.post_id, True)]
