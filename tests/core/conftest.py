from tests.logs import json_log  # noqa: F401  (fixture)
