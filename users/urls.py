from django.urls import path

from .views import accounts, profiles, relations, two_factor, your_data

app_name = "users"

urlpatterns = [
    path("signup/", accounts.signup, name="signup"),
    path("signup/confirm/", accounts.signup_confirm, name="signup_confirm"),
    path("signup/resend/", accounts.signup_resend, name="signup_resend"),
    path("login/", accounts.login_view, name="login"),
    path("login/verify/", accounts.login_verify, name="login_verify"),
    path("logout/", accounts.logout_view, name="logout"),
    path("password/reset/", accounts.password_reset, name="password_reset"),
    path("password/reset/confirm/", accounts.password_reset_confirm, name="password_reset_confirm"),
    path("settings/profile/", profiles.edit_profile, name="edit_profile"),
    path("settings/avatar/", profiles.avatar_upload, name="avatar_upload"),
    path("settings/avatar/remove/", profiles.avatar_remove, name="avatar_remove"),
    path("settings/security/", two_factor.security, name="security"),
    path("settings/password/", accounts.password_change, name="password_change"),
    path("settings/two-factor/start/", two_factor.two_factor_start, name="two_factor_start"),
    path("settings/two-factor/confirm/", two_factor.two_factor_confirm, name="two_factor_confirm"),
    path("settings/two-factor/recovery-codes/", two_factor.recovery_codes, name="recovery_codes"),
    path("settings/two-factor/disable/", two_factor.two_factor_disable, name="two_factor_disable"),
    path("settings/blocked/", relations.blocked, name="blocked"),
    path("settings/your-data/", your_data.your_data_view, name="your_data"),
    path("settings/your-data/exports/", your_data.request_export, name="request_export"),
    path("settings/your-data/exports/<int:export_id>/download/", your_data.download_export, name="download_export"),
    path("settings/your-data/delete-account/", your_data.delete_account, name="delete_account"),
    path("login/restore/", your_data.restore_account, name="restore_account"),
    path("u/<str:username>/", profiles.profile, name="profile"),
    path("u/<str:username>/followers/", relations.followers, name="followers"),
    path("u/<str:username>/following/", relations.following, name="following"),
    path("u/<str:username>/follow/", relations.follow, name="follow"),
    path("u/<str:username>/unfollow/", relations.unfollow, name="unfollow"),
    path("u/<str:username>/block/", relations.block, name="block"),
    path("u/<str:username>/unblock/", relations.unblock, name="unblock"),
]
