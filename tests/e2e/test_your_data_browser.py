"""'Your data' in a real browser (Debian's chromium driven by Playwright) against the live
server: the download asked for by keyboard, its zip downloaded; the account deleted, then
restored by logging in during the grace period. No error in the page's JavaScript."""

import zipfile

import pytest

from tests.browser import log_in
from tests.users.factories import PASSWORD
from users.models import DataExport, User

pytestmark = pytest.mark.browser


def test_download_then_delete_and_restore(live_server, transactional_db, ana, page, tmp_path):
    # given Ana on her 'Your data' page
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server.url, "ana")
    page.goto(f"{live_server.url}/settings/your-data/")
    assert page.get_by_text("You have no download yet.").is_visible()
    # when she asks for a download with the keyboard
    page.get_by_role("button", name="Request a download").focus()
    page.keyboard.press("Enter")
    link = page.get_by_role("link", name="Download the zip")
    link.wait_for(state="visible")
    # then the zip is offered and downloads
    export = DataExport.objects.get(user=ana)
    assert (export.state, export.progress) == ("ready", 100)
    assert page.locator("[data-export-status]").inner_text() == "Your download is ready."
    assert page.locator("[data-export-bar]").get_attribute("aria-valuenow") == "100"
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == f"short-media-ana-{export.ready_at:%Y-%m-%d}.zip"
    assert "account/profile.json" in zipfile.ZipFile(saved).namelist()

    # when she deletes her account with her password
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    page.wait_for_url(f"{live_server.url}/")
    # then she is logged out and the account is scheduled
    assert page.get_by_text("Your account will be deleted on").is_visible()
    assert User.objects.get(pk=ana.pk).deletion_due_at is not None

    # when she logs in again and cancels the deletion
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email or username").fill("ana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Cancel the deletion and log in").click()
    page.wait_for_url(f"{live_server.url}/")
    # then everything is back
    ana.refresh_from_db()
    assert (ana.is_active, ana.deletion_due_at) == (True, None)
    assert page.get_by_text("Your account is no longer scheduled for deletion").is_visible()
    assert errors == []
