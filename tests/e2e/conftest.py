import pytest

from tests.browser import browser, page  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def no_policy_violations(caplog):
    """Every browser test also holds the pages it drives to the Content-Security-Policy: the
    browser reports each refusal to /csp-report, which the live server logs (core.csp)."""
    yield
    refused = [record.getMessage() for record in caplog.get_records("call") if record.name == "core.csp"]
    assert refused == []
