"""The full-text index of post text, in the database's own kind: an FTS5 table on SQLite, a
FULLTEXT index on MySQL/MariaDB (posts.strategies.search has the backend that queries each).
Each operation acts only on its own engine, so the one migration serves both.

On SQLite, Django alters some columns by copying the table to a new one and dropping the old;
that drops these triggers. A later migration that does so to posts_post must create them
again (tests/posts/test_search.py fails until it does)."""

from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, migrations


class RunSQLOn(migrations.RunSQL):
    """RunSQL on one database engine (connection.vendor) only."""

    def __init__(self, vendor, sql, reverse_sql):
        super().__init__(sql, reverse_sql)
        self.vendor = vendor

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class CreateFTS5Index(RunSQLOn):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        try:
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        except OperationalError as error:
            if "fts5" not in str(error):
                raise
            raise ImproperlyConfigured(
                "Post search needs SQLite's FTS5 extension, which this Python's sqlite3 module lacks "
                "(the official Python 3.11+ builds and Debian's have it). Use a Python whose sqlite3 "
                "has FTS5, or MySQL/MariaDB (DATABASE_URL)."
            ) from error


SQLITE_TRIGGERS = {
    "insert": "AFTER INSERT ON posts_post BEGIN {add}; END",
    # Counters change far more often than text: only a change of body touches the index.
    "update": "AFTER UPDATE OF body ON posts_post BEGIN {remove}; {add}; END",
    "delete": "AFTER DELETE ON posts_post BEGIN {remove}; END",
}
ADD = "INSERT INTO posts_post_fts (rowid, body) VALUES (new.id, new.body)"
# An external-content table forgets a row by being told the text it indexed.
REMOVE = "INSERT INTO posts_post_fts (posts_post_fts, rowid, body) VALUES ('delete', old.id, old.body)"


class Migration(migrations.Migration):
    dependencies = [("posts", "0001_initial")]

    operations = [
        CreateFTS5Index(
            "sqlite",
            sql=[
                # The index keeps no copy of the text (content=): it reads posts_post by rowid.
                # remove_diacritics 2 lets "cafe" find "café", as MySQL's collation does.
                "CREATE VIRTUAL TABLE posts_post_fts USING fts5("
                "body, content='posts_post', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
                *(
                    f"CREATE TRIGGER posts_post_fts_{event} " + body.format(add=ADD, remove=REMOVE)
                    for event, body in SQLITE_TRIGGERS.items()
                ),
                "INSERT INTO posts_post_fts (posts_post_fts) VALUES ('rebuild')",  # the posts already there
            ],
            reverse_sql=[
                *(f"DROP TRIGGER posts_post_fts_{event}" for event in SQLITE_TRIGGERS),
                "DROP TABLE posts_post_fts",
            ],
        ),
        RunSQLOn(
            "mysql",
            sql=["ALTER TABLE posts_post ADD FULLTEXT INDEX post_body_fulltext (body)"],
            reverse_sql=["ALTER TABLE posts_post DROP INDEX post_body_fulltext"],
        ),
    ]
