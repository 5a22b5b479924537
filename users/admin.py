from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count

from .models import Block, EmailCode, Follow, Interest, Profile, RecoveryCode, TwoFactor, User
from .services.accounts import deactivate_user


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fields = ["display_name", "bio", "location", "birth_date", "avatar", "avatar_small", "interests"]
    filter_horizontal = ["interests"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "email", "display_name", "email_verified", "is_active", "is_staff", "date_joined"]
    list_filter = ["email_verified", "is_active", "is_staff", "is_superuser", "date_joined"]
    search_fields = ["username", "email", "profile__display_name"]
    list_select_related = ["profile"]
    ordering = ["-date_joined"]
    date_hierarchy = "date_joined"
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        ("Verification", {"fields": ["email_verified"]}),
    ]
    actions = ["deactivate"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        Profile.objects.get_or_create(user=form.instance)  # after the inline: accounts added here get one too

    @admin.display(description="Display name", ordering="profile__display_name")
    def display_name(self, user):
        return user.profile.display_name if hasattr(user, "profile") else ""

    @admin.action(description="Deactivate (cannot log in, hidden everywhere)")
    def deactivate(self, request, queryset):
        # Moderation: an inactive account is refused at login and by the API's token checks;
        # the service also revokes its refresh tokens and rechecks its open sockets.
        updated = sum(deactivate_user(user=user, by=request.user) for user in queryset)
        self.message_user(request, f"Deactivated {updated} account(s).")


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "location", "birth_date", "has_avatar", "updated_at"]
    search_fields = ["user__username", "display_name", "location", "bio"]
    list_filter = ["interests"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    filter_horizontal = ["interests"]

    @admin.display(boolean=True, description="Avatar")
    def has_avatar(self, profile):
        return bool(profile.avatar)


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin):
    list_display = ["name", "profiles_count"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(profiles_total=Count("profiles"))

    @admin.display(description="Profiles", ordering="profiles_total")
    def profiles_count(self, interest):
        return interest.profiles_total


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["follower", "followee", "created_at"]
    search_fields = ["follower__username", "followee__username"]
    list_select_related = ["follower", "followee"]
    raw_id_fields = ["follower", "followee"]
    date_hierarchy = "created_at"


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ["blocker", "blocked", "created_at"]
    search_fields = ["blocker__username", "blocked__username"]
    list_select_related = ["blocker", "blocked"]
    raw_id_fields = ["blocker", "blocked"]
    date_hierarchy = "created_at"


class ViewAndDeleteOnly(admin.ModelAdmin):
    """Secrets stay hashed or hidden: support may look and delete, never write."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EmailCode)
class EmailCodeAdmin(ViewAndDeleteOnly):
    """Read-only: codes are hashed, so support can see whether one was sent and used, never it."""

    list_display = ["user", "purpose", "created_at", "expires_at", "attempts", "used_at"]
    list_filter = ["purpose", "created_at"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    exclude = ["code_hash"]


@admin.register(TwoFactor)
class TwoFactorAdmin(ViewAndDeleteOnly):
    """Support can switch a locked-out user's 2FA off by deleting the row; the secret stays hidden."""

    list_display = ["user", "confirmed_at", "created_at"]
    list_filter = ["confirmed_at"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    exclude = ["secret", "last_step"]


@admin.register(RecoveryCode)
class RecoveryCodeAdmin(ViewAndDeleteOnly):
    list_display = ["user", "used_at"]
    list_filter = ["used_at"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    exclude = ["code_hash"]
