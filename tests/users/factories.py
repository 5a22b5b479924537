import factory
from django.contrib.auth.hashers import make_password

from users.models import Block, Follow, Profile, User

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    """A confirmed account whose password is PASSWORD, with a profile."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.LazyFunction(lambda: make_password(PASSWORD))
    email_verified = True
    profile = factory.RelatedFactory("tests.users.factories.ProfileFactory", factory_related_name="user")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    display_name = factory.Faker("name")
    bio = factory.Faker("sentence")


class FollowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Follow

    follower = factory.SubFactory(UserFactory)
    followee = factory.SubFactory(UserFactory)


class BlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Block

    blocker = factory.SubFactory(UserFactory)
    blocked = factory.SubFactory(UserFactory)


def enable_two_factor(user: User) -> tuple[str, list[str]]:
    """Turn TOTP on for `user` the way a person does (set-up, then a first code from the app).
    Returns the secret and the recovery codes. The current 30-second step is then used up."""
    import pyotp

    from users.services.two_factor import confirm_two_factor_setup, start_two_factor_setup

    secret = start_two_factor_setup(user=user).secret
    return secret, confirm_two_factor_setup(user=user, code=pyotp.TOTP(secret).now())
