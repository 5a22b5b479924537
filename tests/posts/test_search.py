"""Search of posts (the database's full-text index: FTS5 on SQLite, FULLTEXT on MySQL/MariaDB),
people and hashtags, through one builder, as API and as page: what is found, what is never
shown, pages without duplicates, and input that is refused or simply finds nothing."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from posts import services
from posts.builders import SearchQuery
from posts.models import Post
from posts.strategies.search import MySQLFulltext, SQLiteFTS5, search_backend
from tests.posts.factories import PostFactory
from tests.posts.helpers import AUDIENCE, viewer_of_kind
from tests.users.factories import BlockFactory, FollowFactory, UserFactory

# InnoDB's FULLTEXT index sees only committed rows, so on MySQL/MariaDB each test commits.
pytestmark = pytest.mark.django_db(transaction=connection.vendor == "mysql")

POSTS_API = "/api/search/posts/"
TAGS_API = "/api/search/hashtags/"
PAGE = "/search/"


def found(query: str, viewer=None) -> list[int]:
    return [post.pk for post in SearchQuery.parse(query, viewer).posts().order_by("pk")]


def ids(items) -> list[int]:
    return [item.pk for item in items]


def person(username: str, name: str):
    return UserFactory(username=username, profile__display_name=name)


def fan_of(user) -> None:
    FollowFactory(follower=UserFactory(profile__display_name="Fan"), followee=user)


def api_ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def walk(api_client, url: str, params: dict, key: str = "id", between=None) -> list:
    """Every result of a search, page by page, calling `between()` after each page."""
    results, cursor = [], None
    while True:
        body = api_client.get(url, {**params, **({"cursor": cursor} if cursor else {})}).json()
        results += [item[key] for item in body["results"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return results
        if between:
            between()


# --- Posts by text ---------------------------------------------------------------------------


def test_each_word_matches_the_start_of_a_word_in_any_order():
    # given
    learning = PostFactory(body="Learning Django today")
    tips = PostFactory(body="django tips, learned the hard way")
    PostFactory(body="Nothing to see here")
    # then
    assert found("djan") == [learning.pk, tips.pk]
    assert found("today learn") == [learning.pk]
    assert found("LEARN DJANGO") == [learning.pk, tips.pk]
    assert found("jango") == []


def test_case_and_accents_do_not_matter():
    # given
    cafe = PostFactory(body="Café crème on the corner")
    # then
    assert found("cafe") == [cafe.pk]
    assert found("CAFÉ CREME") == [cafe.pk]


def test_short_words_and_stopwords_are_found_too():
    # given: MySQL's index leaves out words under three letters and stopwords like "the"
    go = PostFactory(body="Go for it")
    PostFactory(body="algorithms")
    going = PostFactory(body="Going home")
    the_end = PostFactory(body="The end")
    PostFactory(body="Ending soon")
    PostFactory(body="the cat")
    # then
    assert found("go") == [go.pk, going.pk]
    assert found("for it") == [go.pk]
    assert found("the end") == [the_end.pk]
    assert found("end the") == [the_end.pk]


def test_the_index_follows_edits_and_deletes():
    # given
    post = PostFactory(body="apple pie")
    # when
    services.edit_post(post=post, by=post.author, body="banana bread")
    # then
    assert found("apple") == []
    assert found("banana") == [post.pk]
    # when
    services.delete_post(post=post, by=post.author)
    # then
    assert found("banana") == []


# --- Posts by hashtag, author and kind --------------------------------------------------------


def test_a_hashtag_finds_the_posts_tagged_with_it():
    # given
    tagged = PostFactory(body="Shipping it #Django")
    both = PostFactory(body="#django tips and #python")
    PostFactory(body="django without a tag")
    PostFactory(body="#djangocon is another tag")
    # then
    assert found("#django") == [tagged.pk, both.pk]
    assert found("#django #python") == [both.pk]
    assert found("#django tips") == [both.pk]


def test_author_and_kind_narrow_the_results(api_client):
    # given
    ana = UserFactory(username="ana")
    mine = PostFactory(author=ana, body="sunset over the river")
    PostFactory(body="sunset in the hills")
    # when
    by_ana = api_client.get(POSTS_API, {"q": "sunset", "author": "@Ana"})
    images = api_client.get(POSTS_API, {"q": "sunset", "kind": "image"})
    texts = api_client.get(POSTS_API, {"q": "sunset", "author": "ana", "kind": "text"})
    # then
    assert api_ids(by_ana) == [mine.pk]
    assert api_ids(images) == []
    assert api_ids(texts) == [mine.pk]


# --- Who sees what --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(AUDIENCE))
def test_search_shows_only_what_the_viewer_may_see(kind):
    # given
    author = UserFactory()
    for visibility in ("public", "followers", "private"):
        PostFactory(author=author, body=f"needle #haystack {visibility}", visibility=visibility)
    viewer = viewer_of_kind(kind, author)
    # when
    by_text = SearchQuery.parse("needle", viewer).posts()
    by_tag = SearchQuery.parse("#haystack", viewer).posts()
    # then
    assert {post.visibility for post in by_text} == AUDIENCE[kind]
    assert {post.visibility for post in by_tag} == AUDIENCE[kind]


def test_posts_hidden_by_moderation_are_found_by_their_author_only():
    # given
    post = PostFactory(body="needle in the haystack")
    services.set_hidden(post=post, hidden=True)
    # then
    assert found("needle", post.author) == [post.pk]
    assert found("needle", UserFactory()) == []
    assert found("needle") == []


def test_people_blocked_either_way_are_not_found():
    # given
    me = person("me", "Me")
    blocked = person("ana_blocked", "Ana Blocked")
    blocker = person("ana_blocker", "Ana Blocker")
    shown = person("ana_shown", "Ana Shown")
    BlockFactory(blocker=me, blocked=blocked)
    BlockFactory(blocker=blocker, blocked=me)
    # then
    assert ids(SearchQuery.parse("ana", me).people_page().items) == [shown.pk]
    assert set(ids(SearchQuery.parse("ana").people_page().items)) == {blocked.pk, blocker.pk, shown.pk}


# --- People -----------------------------------------------------------------------------------


def test_people_are_found_by_the_start_of_their_username_or_a_name():
    # given
    anabel = person("anabel", "Zed Quinn")
    silva = person("zorro", "Ana Silva")
    person("banana", "Max Power")
    person("joanna", "Joanna Smith")
    UserFactory(username="inactive_ana", profile__display_name="Ana", is_active=False)
    # then
    assert set(ids(SearchQuery.parse("ana").people_page().items)) == {anabel.pk, silva.pk}
    assert ids(SearchQuery.parse("@ANA sil").people_page().items) == [silva.pk]
    assert ids(SearchQuery.parse("silva ana").people_page().items) == [silva.pk]
    assert ids(SearchQuery.parse("nab").people_page().items) == []


def test_the_best_known_people_come_first():
    # given
    quiet = person("green_quiet", "Green")
    famous = person("green_famous", "Green")
    known = person("green_known", "Green")
    for _ in range(3):
        fan_of(famous)
    fan_of(known)
    # when
    page = SearchQuery.parse("green").people_page()
    # then
    assert ids(page.items) == [famous.pk, known.pk, quiet.pk]
    assert [person.followers_count for person in page.items] == [3, 1, 0]


# --- Hashtags ---------------------------------------------------------------------------------


def test_hashtags_by_prefix_most_used_first_then_by_name(api_client):
    # given
    for body in ["#django #djembe", "#django #dj", "#django #dj", "#djangocon", "#python #jazz"]:
        PostFactory(body=body)
    # when
    response = api_client.get(TAGS_API, {"prefix": "#DJ"})
    # then
    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {"name": "django", "uses": 3, "url": "http://testserver/tags/django/"},
            {"name": "dj", "uses": 2, "url": "http://testserver/tags/dj/"},
            {"name": "djangocon", "uses": 1, "url": "http://testserver/tags/djangocon/"},
            {"name": "djembe", "uses": 1, "url": "http://testserver/tags/djembe/"},
        ],
        "next_cursor": None,
    }


def test_tags_used_only_where_the_public_cannot_see_are_not_suggested(api_client):
    # given
    PostFactory(body="#secretplan", visibility=Post.Visibility.PRIVATE)
    PostFactory(body="#secretfriends", visibility=Post.Visibility.FOLLOWERS)
    services.set_hidden(post=PostFactory(body="#secretspam"), hidden=True)
    PostFactory(body="#secretsauce")
    PostFactory(body="#secretplan too", visibility=Post.Visibility.PRIVATE)
    # when
    response = api_client.get(TAGS_API, {"prefix": "secret"})
    # then
    assert [(tag["name"], tag["uses"]) for tag in response.json()["results"]] == [("secretsauce", 1)]


# --- Pages of results -------------------------------------------------------------------------


def test_post_results_page_newest_first_without_duplicates_while_posts_arrive(api_client):
    # given
    posts = [PostFactory(body=f"needle number {index}") for index in range(25)]
    PostFactory(body="something else")
    # when: a new match arrives after each page
    seen = walk(api_client, POSTS_API, {"q": "needle", "size": 10}, between=lambda: PostFactory(body="needle late"))
    # then
    assert seen == [post.pk for post in reversed(posts)]


def test_people_results_page_without_duplicates(api_client):
    # given
    people = [person(f"needle{index}", "N") for index in range(25)]
    fan_of(people[3])
    # when
    pages, cursor = [], None
    while True:
        page = SearchQuery.parse("needle").people_page(cursor=cursor, size=10)
        pages.append(ids(page.items))
        if not (cursor := page.next_cursor):
            break
    # then
    expected = [people[3].pk] + [person.pk for person in reversed(people) if person != people[3]]
    assert [len(page) for page in pages] == [10, 10, 5]
    assert [pk for page in pages for pk in page] == expected


def test_hashtag_results_page_without_duplicates(api_client):
    # given: tag k is used k % 3 + 1 times
    names = [f"needle{index:02}" for index in range(25)]
    for index, name in enumerate(names):
        for _ in range(index % 3 + 1):
            PostFactory(body=f"#{name}")
    # when
    seen = walk(api_client, TAGS_API, {"prefix": "needle", "size": 10}, key="name")
    # then
    assert seen == sorted(names, key=lambda name: (-(int(name[6:]) % 3 + 1), name))


# --- Input that finds nothing, or is refused --------------------------------------------------


@pytest.mark.parametrize("query", ["", "   ", '"', "*", "-", "()", "_", "%", "\\"])
def test_a_query_with_nothing_to_look_for_finds_nothing(api_client, query):
    # given
    PostFactory(body="needle in a haystack")
    UserFactory(username="needle")
    PostFactory(body="#needle")
    # when
    posts = api_client.get(POSTS_API, {"q": query})
    tags = api_client.get(TAGS_API, {"prefix": query})
    # then
    assert posts.status_code == tags.status_code == 200
    assert posts.json() == tags.json() == {"results": [], "next_cursor": None}
    assert SearchQuery.parse(query).people_page().items == []


# What people type that means something to a full-text engine (phrases, prefixes, exclusion,
# grouping, NEAR/AND/OR/NOT, column filters, boosts), and what the post below answers to:
# every character that is not a letter or digit only separates words.
SYNTAX = [
    ('"django', True),
    ('"django web"', True),
    ("django*", True),
    ("-django", True),
    ("django -web", True),
    ("+django", True),
    ("~django", True),
    ("<django >web", True),
    ("(django", True),
    ("django)", True),
    ("NEAR(django web)", True),
    ("django AND web", True),
    ("django OR", True),
    ("NOT django", True),
    ("^django", True),
    ("@django", True),
    ("body:django", False),
    ("django'; DROP TABLE posts_post; --", False),
    ("django ' \" % _ \\ ; : ! ? & | { } [ ]", True),
]
SYNTAX_POST = "Django and web OR near: not a problem"


@pytest.mark.parametrize(("query", "finds"), SYNTAX)
def test_full_text_syntax_is_only_words(api_client, query, finds):
    # given
    post = PostFactory(body=SYNTAX_POST)
    # when
    response = api_client.get(POSTS_API, {"q": query})
    # then
    assert api_ids(response) == ([post.pk] if finds else [])


@pytest.mark.parametrize(("query", "finds"), SYNTAX)
def test_full_text_syntax_never_breaks_a_search(client, api_client, query, finds):
    # given
    PostFactory(body=f"{SYNTAX_POST} #django")
    person("django", "Django Reinhardt")
    # when
    answers = [api_client.get(TAGS_API, {"prefix": query})] + [
        client.get(PAGE, {"q": query, "type": tab}) for tab in ("posts", "people", "hashtags")
    ]
    # then
    assert [answer.status_code for answer in answers] == [200, 200, 200, 200]


def test_an_over_long_query_is_a_400(client, api_client):
    # when
    posts = api_client.get(POSTS_API, {"q": "x" * 101})
    tags = api_client.get(TAGS_API, {"prefix": "x" * 101})
    page = client.get(PAGE, {"q": "x" * 101})
    # then
    assert posts.status_code == tags.status_code == page.status_code == 400
    assert posts.json() == {
        "code": "invalid",
        "message": "q: Ensure this field has no more than 100 characters.",
        "fields": {"q": ["Ensure this field has no more than 100 characters."]},
    }
    assert tags.json()["fields"] == {"prefix": ["Ensure this field has no more than 100 characters."]}
    assert b"Search for at most 100 characters." in page.content


def test_words_longer_than_the_index_holds_are_found(api_client):
    # given: a word longer than MySQL's longest indexed word (84), in a query of the longest length
    post = PostFactory(body=f"django {'x' * 100}")
    PostFactory(body="django")
    # when
    response = api_client.get(POSTS_API, {"q": f"django {'x' * 93}"})
    # then
    assert api_ids(response) == [post.pk]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"q": "a", "kind": "movie"}, "kind", '"movie" is not a valid choice.'),
        ({"q": "a", "cursor": "nonsense"}, "cursor", "This cursor is not valid."),
        ({"q": "a", "size": "many"}, "size", "Page size must be a whole number."),
        ({"q": "a\x00"}, "q", "Null characters are not allowed."),
    ],
)
def test_bad_post_search_parameters_are_a_400(api_client, params, field, message):
    # when
    response = api_client.get(POSTS_API, params)
    # then
    assert response.status_code == 400
    assert response.json()["fields"] == {field: [message]}


def test_a_cursor_of_another_search_is_a_400(api_client):
    # given: a cursor of posts (a date and an id) where tags page by popularity and name
    for index in range(3):
        PostFactory(body=f"#needle{index} needle")
    cursor = api_client.get(POSTS_API, {"q": "needle", "size": 1}).json()["next_cursor"]
    # when
    response = api_client.get(TAGS_API, {"prefix": "needle", "cursor": cursor})
    # then
    assert response.status_code == 400
    assert response.json()["fields"] == {"cursor": ["This cursor is not valid."]}


# --- The search page --------------------------------------------------------------------------


def test_the_page_shows_each_kind_of_result_in_its_tab(client):
    # given
    post = PostFactory(body="Gardening with #compost")
    person("compostella", "Stella")
    # when
    posts = client.get(PAGE, {"q": "compost"})
    people = client.get(PAGE, {"q": "compost", "type": "people"})
    tags = client.get(PAGE, {"q": "compost", "type": "hashtags"})
    # then
    assert [posts.status_code, people.status_code, tags.status_code] == [200, 200, 200]
    assert ids(posts.context["page"].items) == [post.pk]
    assert f'id="post-{post.pk}"'.encode() in posts.content
    assert [person.username for person in people.context["page"].items] == ["compostella"]
    assert b"@compostella" in people.content
    assert [tag.name for tag in tags.context["page"].items] == ["compost"]
    assert b'<a class="fw-semibold" href="/tags/compost/">#compost</a>' in tags.content
    assert b'<a class="nav-link active" aria-current="page" href="?q=compost&amp;type=hashtags">Hashtags</a>' in (
        tags.content
    )


def test_the_page_without_a_query_invites_one_and_empty_results_say_so(client):
    # when
    blank = client.get(PAGE)
    posts = client.get(PAGE, {"q": "zzz"})
    people = client.get(PAGE, {"q": "zzz", "type": "people"})
    tags = client.get(PAGE, {"q": "zzz", "type": "hashtags"})
    # then
    assert b"Type words, a #hashtag or the start of a name above." in blank.content
    assert b"No posts match that." in posts.content
    assert b"Nobody matches that." in people.content
    assert b"No hashtag starts with that." in tags.content


def test_load_more_keeps_the_query_and_the_tab(client):
    # given
    for index in range(21):
        person(f"green{index}", "Green")
    # when
    first = client.get(PAGE, {"q": "green", "type": "people"})
    rest = client.get(first.context["next_page_url"])
    # then
    assert first.context["next_page_url"].startswith("/search/?q=green&type=people&cursor=")
    assert len(first.context["page"].items) == 20
    assert len(rest.context["page"].items) == 1
    assert b"Load more" in first.content
    assert b"Load more" not in rest.content


def test_an_unknown_tab_is_a_400(client):
    # when
    response = client.get(PAGE, {"q": "a", "type": "videos"})
    # then
    assert response.status_code == 400
    assert b"Search for posts, people or hashtags." in response.content


def test_the_navbar_searches_everything_with_suggestions(client):
    # when
    response = client.get(reverse("users:login"))
    # then
    content = response.content.decode()
    assert 'action="/search/"' in content
    assert 'data-tags-url="/api/search/hashtags/" data-people-url="/api/users/"' in content
    assert '<label for="nav-search-q" class="visually-hidden">Search</label>' in content
    assert 'role="listbox"' in content
    assert "js/posts/autocomplete.js" in content


@pytest.mark.parametrize("count", [1, 20])
@pytest.mark.parametrize("tab", ["posts", "people", "hashtags"])
def test_each_tab_costs_the_same_queries_whatever_its_length(client, django_assert_max_num_queries, tab, count):
    # given
    me = UserFactory()
    client.force_login(me)
    for index in range(count):
        author = UserFactory(username=f"needle{index}")
        FollowFactory(follower=me, followee=author)
        post = PostFactory(author=author, body=f"needle #needle{index}")
        services.like_post(post=post, user=me)
    client.get(PAGE, {"q": "needle", "type": tab})  # MySQL's backend reads the index's limits once
    # when / then: session, user, the navbar's profile and unread notifications, the page and its
    # pictures, my likes, saves and reposts
    with django_assert_max_num_queries(9):
        response = client.get(PAGE, {"q": "needle", "type": tab})
    assert len(response.context["page"].items) == count


# --- The backends -----------------------------------------------------------------------------


def test_each_database_gets_its_own_full_text_backend():
    # then
    assert type(search_backend()) is {"sqlite": SQLiteFTS5, "mysql": MySQLFulltext}[connection.vendor]


def test_sqlite_gets_every_word_as_a_quoted_prefix():
    # then
    assert SQLiteFTS5().query(["near", "and", "dj"]) == '"near"* "and"* "dj"*'


def test_mysql_sends_the_words_its_index_holds_and_matches_the_rest_by_pattern():
    # given
    backend = MySQLFulltext(token_sizes=(3, 84))
    # when
    query, unindexed = backend.split(["django", "go", "the", "tips", "x" * 85, "xyz"])
    # then
    assert query == "+django* +tips* +xyz*"
    assert unindexed == ["go", "the", "x" * 85]


@pytest.mark.django_db(transaction=True)
def test_the_search_index_migration_reverses():
    # given
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()  # every app: apps above posts (videos) come back too

    def index_exists() -> bool:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                return "posts_post_fts" in connection.introspection.table_names(cursor)
            return "post_body_fulltext" in connection.introspection.get_constraints(cursor, "posts_post")

    # when
    executor.migrate([("posts", "0001_initial")])
    # then
    assert not index_exists()
    # when
    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    post = PostFactory(body="still searchable")
    # then
    assert index_exists()
    assert found("searchable") == [post.pk]
