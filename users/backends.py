from django.contrib.auth.backends import ModelBackend

from .repositories import get_user_by_identifier


class EmailOrUsernameBackend(ModelBackend):
    """Django's authenticate() (admin, createsuperuser checks) by email or username.
    The site's own login goes through users.services.accounts.authenticate_user."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = get_user_by_identifier(username or kwargs.get("email") or "")
        if user is None:
            self.user_model().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def user_can_authenticate(self, user):
        return user.can_log_in
