"""The main journeys of Short Media for locust: people reading their feeds, opening posts,
liking, commenting, searching and checking notifications through the JSON API, and visitors
reading pages. Run by tests/services/test_load.py (bounded) and `make bench-load` (longer).

The accounts come from LOAD_ACCOUNTS, a JSON file of {"tokens": [JWT access tokens],
"posts": [post ids], "usernames": [...]} made by the test, so no login is counted (the
login rate limit would refuse a crowd from one address, as it should)."""

import itertools
import json
import os
import random

from locust import HttpUser, between, task

with open(os.environ["LOAD_ACCOUNTS"]) as accounts:
    ACCOUNTS = json.load(accounts)
TOKENS = itertools.cycle(ACCOUNTS["tokens"])


class Member(HttpUser):
    """A signed-in person using the app (its JSON API, as the pages' scripts do)."""

    weight = 4
    wait_time = between(0.2, 1.0)

    def on_start(self):
        self.client.headers["Authorization"] = f"Bearer {next(TOKENS)}"

    @task(6)
    def following_feed(self):
        self.client.get("/api/feeds/following/", name="/api/feeds/following/")

    @task(3)
    def latest_feed(self):
        self.client.get("/api/feeds/latest/", name="/api/feeds/latest/")

    @task(4)
    def open_post(self):
        post = random.choice(ACCOUNTS["posts"])
        self.client.get(f"/api/posts/{post}/", name="/api/posts/[id]/")
        self.client.get(f"/api/posts/{post}/comments/", name="/api/posts/[id]/comments/")

    @task(2)
    def like_and_unlike(self):
        post = random.choice(ACCOUNTS["posts"])
        self.client.post(f"/api/posts/{post}/like/", name="/api/posts/[id]/like/")
        self.client.delete(f"/api/posts/{post}/like/", name="/api/posts/[id]/like/")

    @task(1)
    def comment(self):
        post = random.choice(ACCOUNTS["posts"])
        self.client.post(f"/api/posts/{post}/comments/", json={"body": "Lovely!"}, name="/api/posts/[id]/comments/")

    @task(2)
    def search(self):
        self.client.get(
            "/api/search/posts/", params={"q": random.choice(["river", "bread", "sunrise"])}, name="/api/search/posts/"
        )

    @task(2)
    def notifications(self):
        self.client.get("/api/notifications/unread-count/", name="/api/notifications/unread-count/")
        self.client.get("/api/notifications/", name="/api/notifications/")

    @task(1)
    def profile(self):
        username = random.choice(ACCOUNTS["usernames"])
        self.client.get(f"/api/users/{username}/", name="/api/users/[username]/")
        self.client.get(f"/api/users/{username}/posts/", name="/api/users/[username]/posts/")


class Visitor(HttpUser):
    """Someone not signed in, reading pages."""

    weight = 1
    wait_time = between(0.5, 2.0)

    @task(3)
    def home(self):
        self.client.get("/", name="/")

    @task(2)
    def post_page(self):
        self.client.get(f"/p/{random.choice(ACCOUNTS['posts'])}/", name="/p/[id]/")

    @task(1)
    def profile_page(self):
        self.client.get(f"/u/{random.choice(ACCOUNTS['usernames'])}/", name="/u/[username]/")
