from django.contrib import admin, messages
from django.utils.html import format_html

from core import media

from . import services
from .models import Comment, Hashtag, Post, PostImage


class PostImageInline(admin.TabularInline):
    model = PostImage
    extra = 0
    fields = ["position", "picture", "tile", "width", "height", "alt_text"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    # Staff moderating a post see its pictures by signed addresses (the files are private).
    @admin.display(description="image")
    def picture(self, row: PostImage) -> str:
        return format_html('<a href="{}">{}</a>', media.signed_url(row.image.name), row.image.name)

    @admin.display(description="thumbnail")
    def tile(self, row: PostImage) -> str:
        return format_html('<a href="{}">{}</a>', media.signed_url(row.thumbnail.name), row.thumbnail.name)


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    """Moderation: hide or show posts; counters are kept by the services, so read-only here."""

    list_display = [
        "id",
        "author",
        "kind",
        "visibility",
        "short_body",
        "likes_count",
        "comments_count",
        "is_hidden",
        "created_at",
    ]
    list_filter = ["kind", "visibility", "is_hidden", "created_at"]
    search_fields = ["body", "author__username"]
    raw_id_fields = ["author", "repost_of"]
    readonly_fields = [
        "author",
        "kind",
        "body",
        "repost_of",
        "hashtags",
        "mentions",
        "edited_at",
        "likes_count",
        "comments_count",
        "reposts_count",
        "saves_count",
        "views_count",
        "hot_score",
        "created_at",
    ]
    fields = ["is_hidden", "visibility", *readonly_fields]
    readonly_fields = ["visibility", *readonly_fields]
    inlines = [PostImageInline]
    actions = ["hide", "unhide"]
    list_select_related = ["author"]

    @admin.display(description="Text")
    def short_body(self, post):
        return post.body[:80]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        if "is_hidden" in form.changed_data:
            services.set_hidden(post=obj, hidden=obj.is_hidden)

    def delete_model(self, request, obj):
        services.delete_post(post=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for post in queryset:
            services.delete_post(post=post, by=request.user)

    @admin.action(description="Hide the selected posts from everyone but their authors")
    def hide(self, request, queryset):
        for post in queryset:
            services.set_hidden(post=post, hidden=True)
        messages.success(request, f"Hid {queryset.count()} posts.")

    @admin.action(description="Show the selected posts again")
    def unhide(self, request, queryset):
        for post in queryset:
            services.set_hidden(post=post, hidden=False)
        messages.success(request, f"Showed {queryset.count()} posts again.")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["id", "post", "author", "body", "created_at"]
    search_fields = ["body", "author__username"]
    raw_id_fields = ["post", "author", "parent"]
    readonly_fields = ["post", "author", "parent", "body", "replies_count", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.delete_comment(comment=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for comment in queryset:
            if comment.pk and Comment.objects.filter(pk=comment.pk).exists():
                services.delete_comment(comment=comment, by=request.user)


@admin.register(Hashtag)
class HashtagAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
