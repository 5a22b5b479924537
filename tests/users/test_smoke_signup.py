from django.core import mail


def test_signup_confirm_and_login_through_the_api(api_client, db, django_capture_on_commit_callbacks):
    # given a new sign-up, whose email leaves once the transaction commits
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_client.post(
            "/api/auth/signup/", {"username": "Ana", "email": "Ana@Example.com", "password": "correct horse battery"}
        )
    assert len(callbacks) == 1
    assert response.status_code == 201
    code = mail.outbox[0].subject.split()[0]
    # when the emailed code is confirmed
    response = api_client.post("/api/auth/signup/confirm/", {"email": "ana@example.com", "code": code})
    # then the tokens work
    assert response.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    assert api_client.get("/api/me/").json()["username"] == "ana"
