"""A bounded load run over the main journeys (tests/load/locustfile.py) against gunicorn on
MariaDB and Redis, as production serves HTTP: every request must succeed. `make bench-load`
runs it longer and prints the figures that docs/BENCHMARKS.md records."""

import csv
import json
import os
import subprocess
import sys
import urllib.request

import pytest
from django.conf import settings
from django.db import connection

from tests.posts.factories import PostFactory
from tests.services.processes import ROOT, free_port, server_env, wait_for_port
from tests.users.factories import FollowFactory, UserFactory
from users.services.accounts import issue_tokens

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        not settings.REDIS_URL or connection.vendor != "mysql",
        reason="needs Redis and a server database gunicorn can share (make test-services)",
    ),
]

SECONDS = int(os.environ.get("LOAD_SECONDS", "20"))
USERS = int(os.environ.get("LOAD_USERS", "20"))
PEOPLE = 40
WORDS = ["river", "bread", "sunrise", "market", "rain"]
JOURNEYS = {
    "/",
    "/p/[id]/",
    "/u/[username]/",
    "/api/feeds/following/",
    "/api/feeds/latest/",
    "/api/posts/[id]/",
    "/api/posts/[id]/comments/",
    "/api/posts/[id]/like/",
    "/api/search/posts/",
    "/api/notifications/unread-count/",
    "/api/notifications/",
    "/api/users/[username]/",
    "/api/users/[username]/posts/",
}


def _community(path) -> None:
    """People who follow each other and write posts; their API tokens in a file for locust."""
    people = [UserFactory(username=f"load{n}") for n in range(PEOPLE)]
    for n, person in enumerate(people):
        for step in range(1, 11):
            FollowFactory(follower=person, followee=people[(n + step) % PEOPLE])
    posts = [
        PostFactory(author=people[n % PEOPLE], body=f"{WORDS[n % len(WORDS)]} #{WORDS[n % len(WORDS)]} no. {n}")
        for n in range(300)
    ]
    path.write_text(
        json.dumps(
            {
                "tokens": [issue_tokens(user=person)["access"] for person in people],
                "posts": [post.pk for post in posts],
                "usernames": [person.username for person in people],
            }
        )
    )


def test_the_main_journeys_under_load_answer_without_a_single_error(transactional_db, tmp_path):
    # given a community, served by gunicorn (2 workers) on the test database and Redis
    accounts = tmp_path / "accounts.json"
    _community(accounts)
    port = free_port()
    gunicorn = [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2"]
    env = server_env(CELERY_TASK_ALWAYS_EAGER="True")
    with (tmp_path / "gunicorn.log").open("wb") as log:
        server = subprocess.Popen(gunicorn, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, server, "gunicorn")
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30).close()

        # when a crowd reads, likes, comments, searches and checks notifications for a while
        locust = [
            sys.executable, "-m", "locust", "-f", "tests/load/locustfile.py", "--headless",
            "-u", str(USERS), "-r", str(USERS), "-t", f"{SECONDS}s", "--stop-timeout", "5",
            "--host", f"http://127.0.0.1:{port}", "--csv", str(tmp_path / "load"), "--only-summary",
        ]  # fmt: skip
        run = subprocess.run(
            locust, cwd=ROOT, env={**os.environ, "LOAD_ACCOUNTS": str(accounts)}, capture_output=True, text=True
        )
        print(run.stdout, run.stderr)  # the figures; shown by `make bench-load` and on failure

        # then every request of every journey succeeded
        with (tmp_path / "load_stats.csv").open() as stats:
            rows = {(row["Type"], row["Name"]): row for row in csv.DictReader(stats)}
        total = rows[("", "Aggregated")]
        failed = {name: row["Failure Count"] for name, row in rows.items() if row["Failure Count"] != "0"}
        assert failed == {}
        assert run.returncode == 0
        # and the crowd was really there: every journey ran
        assert int(total["Request Count"]) > 0
        assert {name for kind, name in rows if kind} == JOURNEYS
    finally:
        server.terminate()
        server.wait(timeout=30)
        print((tmp_path / "gunicorn.log").read_text(errors="replace"))
