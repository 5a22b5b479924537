"""The posts app's section of 'Your data' (core.personal_data): one's posts (reposts and
quotes among them) with their pictures' files, comments, likes and saves."""

from __future__ import annotations

from core.personal_data import DataSection, Folder

from .models import Comment, Like, Post, PostImage, Save
from .services import erase_posts_of


def _picture(image: PostImage, folder: Folder) -> dict:
    return {
        "file": folder.file(image.image.name),
        "width": image.width,
        "height": image.height,
        "alt_text": image.alt_text,
    }


def export(user, folder: Folder) -> None:
    posts = Post.objects.filter(author=user).prefetch_related("images").order_by("created_at", "id")
    folder.json(
        "posts.json",
        [
            {
                "id": post.pk,
                "kind": post.kind,
                "body": post.body,
                "visibility": post.visibility,
                "created_at": post.created_at,
                "edited_at": post.edited_at,
                "repost_of": post.repost_of_id,
                "likes": post.likes_count,
                "comments": post.comments_count,
                "reposts": post.reposts_count,
                "saves": post.saves_count,
                "views": post.views_count,
                "pictures": [_picture(image, folder) for image in post.images.all()],
            }
            for post in posts
        ],
    )
    comments = Comment.objects.filter(author=user).order_by("created_at", "id")
    folder.json(
        "comments.json",
        [
            {"id": pk, "post": post, "reply_to": parent, "body": body, "created_at": at}
            for pk, post, parent, body, at in comments.values_list("pk", "post_id", "parent_id", "body", "created_at")
        ],
    )
    for name, model in (("likes.json", Like), ("saves.json", Save)):
        marks = model.objects.filter(user=user).order_by("created_at", "id").values_list("post_id", "created_at")
        folder.json(name, [{"post": post, "at": at} for post, at in marks])


SECTION = DataSection("posts", "posts", export, erase_posts_of, order=30)
