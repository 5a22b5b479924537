from django.urls import path
from rest_framework_simplejwt.views import TokenRefreshView

from .api import accounts, profiles, relations, two_factor, your_data

urlpatterns = [
    path("auth/signup/", accounts.SignUpApi.as_view(), name="api-signup"),
    path("auth/signup/confirm/", accounts.ConfirmSignUpApi.as_view(), name="api-signup-confirm"),
    path("auth/signup/resend/", accounts.ResendSignUpCodeApi.as_view(), name="api-signup-resend"),
    path("auth/token/", accounts.TokenApi.as_view(), name="api-token"),
    path("auth/token/refresh/", TokenRefreshView.as_view(), name="api-token-refresh"),
    path("auth/logout/", accounts.LogoutApi.as_view(), name="api-logout"),
    path("auth/logout/everywhere/", accounts.LogoutEverywhereApi.as_view(), name="api-logout-everywhere"),
    path("auth/password/reset/", accounts.PasswordResetApi.as_view(), name="api-password-reset"),
    path("auth/password/reset/confirm/", accounts.PasswordResetConfirmApi.as_view(), name="api-password-reset-confirm"),
    path("auth/password/change/", accounts.PasswordChangeApi.as_view(), name="api-password-change"),
    path("auth/2fa/setup/", two_factor.TwoFactorSetupApi.as_view(), name="api-2fa-setup"),
    path("auth/2fa/confirm/", two_factor.TwoFactorConfirmApi.as_view(), name="api-2fa-confirm"),
    path("auth/2fa/disable/", two_factor.TwoFactorDisableApi.as_view(), name="api-2fa-disable"),
    path("auth/2fa/recovery-codes/", two_factor.RecoveryCodesApi.as_view(), name="api-2fa-recovery-codes"),
    path("me/", profiles.MeApi.as_view(), name="api-me"),
    path("me/avatar/", profiles.AvatarApi.as_view(), name="api-me-avatar"),
    path("me/blocks/", relations.BlockedListApi.as_view(), name="api-me-blocks"),
    path("me/data-exports/", your_data.DataExportsApi.as_view(), name="api-me-data-exports"),
    path("me/data-exports/<int:export_id>/", your_data.DataExportApi.as_view(), name="api-me-data-export"),
    path(
        "me/data-exports/<int:export_id>/download/",
        your_data.DataExportDownloadApi.as_view(),
        name="api-me-data-export-download",
    ),
    path("me/deletion/", your_data.AccountDeletionApi.as_view(), name="api-me-deletion"),
    path("auth/restore/", your_data.RestoreAccountApi.as_view(), name="api-restore-account"),
    path("users/", profiles.UserSearchApi.as_view(), name="api-users"),
    path("users/<str:username>/", profiles.UserDetailApi.as_view(), name="api-user"),
    path("users/<str:username>/followers/", relations.FollowersApi.as_view(), name="api-user-followers"),
    path("users/<str:username>/following/", relations.FollowingApi.as_view(), name="api-user-following"),
    path("users/<str:username>/follow/", relations.FollowApi.as_view(), name="api-user-follow"),
    path("users/<str:username>/block/", relations.BlockApi.as_view(), name="api-user-block"),
]
