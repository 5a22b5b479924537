from django.urls import path
from rest_framework_simplejwt.views import TokenRefreshView

from . import api

urlpatterns = [
    path("auth/signup/", api.SignUpApi.as_view(), name="api-signup"),
    path("auth/signup/confirm/", api.ConfirmSignUpApi.as_view(), name="api-signup-confirm"),
    path("auth/signup/resend/", api.ResendSignUpCodeApi.as_view(), name="api-signup-resend"),
    path("auth/token/", api.TokenApi.as_view(), name="api-token"),
    path("auth/token/refresh/", TokenRefreshView.as_view(), name="api-token-refresh"),
    path("auth/logout/", api.LogoutApi.as_view(), name="api-logout"),
    path("auth/password/reset/", api.PasswordResetApi.as_view(), name="api-password-reset"),
    path("auth/password/reset/confirm/", api.PasswordResetConfirmApi.as_view(), name="api-password-reset-confirm"),
    path("auth/password/change/", api.PasswordChangeApi.as_view(), name="api-password-change"),
    path("auth/2fa/setup/", api.TwoFactorSetupApi.as_view(), name="api-2fa-setup"),
    path("auth/2fa/confirm/", api.TwoFactorConfirmApi.as_view(), name="api-2fa-confirm"),
    path("auth/2fa/disable/", api.TwoFactorDisableApi.as_view(), name="api-2fa-disable"),
    path("auth/2fa/recovery-codes/", api.RecoveryCodesApi.as_view(), name="api-2fa-recovery-codes"),
    path("me/", api.MeApi.as_view(), name="api-me"),
    path("me/avatar/", api.AvatarApi.as_view(), name="api-me-avatar"),
    path("me/blocks/", api.BlockedListApi.as_view(), name="api-me-blocks"),
    path("users/", api.UserSearchApi.as_view(), name="api-users"),
    path("users/<str:username>/", api.UserDetailApi.as_view(), name="api-user"),
    path("users/<str:username>/followers/", api.FollowersApi.as_view(), name="api-user-followers"),
    path("users/<str:username>/following/", api.FollowingApi.as_view(), name="api-user-following"),
    path("users/<str:username>/follow/", api.FollowApi.as_view(), name="api-user-follow"),
    path("users/<str:username>/block/", api.BlockApi.as_view(), name="api-user-block"),
]
