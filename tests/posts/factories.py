import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from posts import services
from posts.models import Post
from tests.users.factories import UserFactory


def picture(name="photo.jpg", size=(640, 480), color="green", fmt="JPEG", exif=None) -> SimpleUploadedFile:
    """An uploaded picture made with Pillow."""
    buffer = io.BytesIO()
    image = Image.new("RGB", size, color)
    image.save(buffer, format=fmt, **({"exif": exif} if exif is not None else {}))
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


class PostFactory(factory.django.DjangoModelFactory):
    """A text post written through the service, so hashtags, mentions and scores are real."""

    class Meta:
        model = Post

    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Post number {n}")
    visibility = Post.Visibility.PUBLIC

    @classmethod
    def _create(cls, model_class, *, author, body, visibility, kind=Post.Kind.TEXT, images=()):
        return services.create_post(author=author, kind=kind, body=body, visibility=visibility, images=images)
