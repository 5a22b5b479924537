from django.urls import path

from . import views

app_name = "users"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/confirm/", views.signup_confirm, name="signup_confirm"),
    path("signup/resend/", views.signup_resend, name="signup_resend"),
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.login_verify, name="login_verify"),
    path("logout/", views.logout_view, name="logout"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("password/reset/confirm/", views.password_reset_confirm, name="password_reset_confirm"),
    path("settings/profile/", views.edit_profile, name="edit_profile"),
    path("settings/avatar/", views.avatar_upload, name="avatar_upload"),
    path("settings/avatar/remove/", views.avatar_remove, name="avatar_remove"),
    path("settings/security/", views.security, name="security"),
    path("settings/password/", views.password_change, name="password_change"),
    path("settings/two-factor/start/", views.two_factor_start, name="two_factor_start"),
    path("settings/two-factor/confirm/", views.two_factor_confirm, name="two_factor_confirm"),
    path("settings/two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("settings/two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("settings/blocked/", views.blocked, name="blocked"),
    # "u/<username>/" itself (users:profile) shows the person's posts, so the posts app serves it:
    # config/urls.py adds it to this namespace.
    path("u/<str:username>/followers/", views.followers, name="followers"),
    path("u/<str:username>/following/", views.following, name="following"),
    path("u/<str:username>/follow/", views.follow, name="follow"),
    path("u/<str:username>/unfollow/", views.unfollow, name="unfollow"),
    path("u/<str:username>/block/", views.block, name="block"),
    path("u/<str:username>/unblock/", views.unblock, name="unblock"),
]
