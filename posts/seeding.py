"""Posts' part of seed_demo (core.seeding). The demo people write text and picture posts and
like, comment, reply, repost and save them, all through the services, so hashtags, mentions,
counters and hot scores are the real thing. Bulk posts with hashtags and likes go straight in
with insert_rows, their counters and hot scores computed as the services would."""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFilter

from core.seeding import Out, Volume, insert_rows, random_source, timed
from users.seeding import bulk_user_ids, demo_people

from . import services, text
from .integrations import timelines
from .models import Comment, Hashtag, Like, Post
from .strategies.ranking import WEIGHTS, hot_score, initial_hot_score

PICTURE_SIZE = (1200, 900)


def _gradient(top: str, bottom: str, size=PICTURE_SIZE) -> Image.Image:
    mask = Image.linear_gradient("L").resize(size)  # black at the top, white at the bottom
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def sunset() -> Image.Image:
    image = _gradient("#FF9A5A", "#7B3F8C")
    draw = ImageDraw.Draw(image)
    draw.ellipse((470, 380, 730, 640), fill="#FFD76E")
    draw.rectangle((0, 600, 1200, 900), fill="#2E3A6B")
    for row in range(620, 900, 28):
        draw.line((300 + row % 90, row, 900 - row % 70, row), fill="#F6B26B", width=3)
    return image


def hills() -> Image.Image:
    image = _gradient("#BFE9FF", "#F4FFF7")
    draw = ImageDraw.Draw(image)
    for top, colour in ((420, "#8BC34A"), (520, "#43A047"), (640, "#1B5E20")):
        draw.ellipse((-300, top, 800, top + 700), fill=colour)
        draw.ellipse((400, top + 40, 1500, top + 740), fill=colour)
    return image


def bokeh() -> Image.Image:
    image = _gradient("#0B3D2E", "#00695C")
    layer = Image.new("RGBA", PICTURE_SIZE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    rng = random_source(7)
    for _ in range(40):
        x, y, r = rng.randint(0, 1200), rng.randint(0, 900), rng.randint(20, 90)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 240, 180, rng.randint(40, 110)))
    image.paste(layer.filter(ImageFilter.GaussianBlur(6)), mask=layer.filter(ImageFilter.GaussianBlur(6)))
    return image


def tiles() -> Image.Image:
    image = Image.new("RGB", PICTURE_SIZE, "#F1F8E9")
    draw = ImageDraw.Draw(image)
    colours = ["#00A844", "#A5D6A7", "#FFCC80", "#80CBC4", "#FFF59D", "#2E7D32"]
    for index, (x, y) in enumerate((x, y) for y in range(0, 900, 150) for x in range(0, 1200, 150)):
        draw.polygon([(x, y), (x + 150, y), (x, y + 150)], fill=colours[index % len(colours)])
        draw.polygon([(x + 150, y), (x + 150, y + 150), (x, y + 150)], fill=colours[(index * 5 + 2) % len(colours)])
    return image


def waves() -> Image.Image:
    image = _gradient("#E0F7FA", "#006064")
    draw = ImageDraw.Draw(image)
    for band in range(8):
        base = 300 + band * 80
        points = [(x, base + 25 * math.sin(x / 90 + band)) for x in range(0, 1201, 20)]
        draw.line(points, fill="#FFFFFF", width=4 + band)
    return image


def upload(draw: Callable[[], Image.Image], name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    draw().save(buffer, format="JPEG", quality=88)
    return SimpleUploadedFile(f"{name}.jpg", buffer.getvalue(), content_type="image/jpeg")


# (author, text, hours ago, visibility): the demo town over the last four days.
TEXT_POSTS = [
    ("ana", "Golden hour at the Ribeira again. I never get tired of this light. #photography #porto", 95, "public"),
    ("kofi", "Finished the walnut side table this weekend. Dovetails by hand, no screws. #woodwork", 90, "public"),
    ("mei", "5-second breakfast: miso butter on toast, spring onion, done. #cooking #breakfast", 86, "public"),
    ("lucas", "Offshore wind and glassy waves at dawn. Best session of the month. #surf", 80, "public"),
    ("sofia", "Tiny concert tonight in the courtyard, Bach partita no. 2. Bring a cushion. #music", 76, "public"),
    ("omar", "Sent my first 7a today! Thanks @kofi for the patient belaying. #climbing", 72, "public"),
    ("ines", "The monstera has a new leaf. Patience is a gardening tool. #plants #gardening", 69, "public"),
    ("jonas", "Night train to Narvik, northern lights from the window at 2am. #travel #aurora", 64, "public"),
    ("priya", "Learning a new mohiniyattam piece this week. My feet have opinions. #dance", 60, "public"),
    ("demo", "Hello Short Media! Who should I follow? @ana says photography, @mei says food.", 57, "public"),
    ("kofi", "Wrote a tiny script that tells me when my glue has cured. Overkill? Yes. #coding", 52, "public"),
    ("mei", "Ramen night for friends only: the broth took 12 hours, the eating took 12 minutes.", 48, "followers"),
    ("ana", "Street portrait tip: ask first, then wait for the second smile. #photography", 44, "public"),
    ("sofia", "Practising scales before anyone is awake. Neighbours, I am sorry. #music #classical", 40, "public"),
    ("lucas", "New deck, same bruises. Skatepark at 6 with @priya? #skate", 36, "public"),
    ("omar", "Weather window on Saturday. Wadi Rum, anyone? #outdoors #climbing", 31, "public"),
    ("ines", "Note to self: water the basil before leaving for the weekend.", 28, "private"),
    ("jonas", "Tromsø is dark at noon and I love it. Tea, wool socks, a good book. #travel", 24, "public"),
    ("priya", "Dance class playlist is up, thanks @sofia for the violin covers! #music #dance", 20, "public"),
    ("demo", "Made @mei's miso toast. It took me 5 minutes, not 5 seconds, but it was great. #cooking", 16, "public"),
    ("kofi", "Sanded, oiled, waited. The grain on this cherry board is unreal. #woodwork", 12, "public"),
    ("ana", "Rain in Porto means reflections everywhere. Going out with the 35mm. #photography #porto", 8, "public"),
    ("mei", "Tomorrow: the 5-second onigiri. Yes, really. #cooking #food", 5, "public"),
    ("jonas", "Planning a summer trip south. @lucas where are the waves in July? #travel #surf", 3, "public"),
    ("sofia", "Thank you all for coming to the courtyard concert! Next one in two weeks. #music", 1, "public"),
]
# (author, text, hours ago, pictures with their alt texts)
PICTURE_POSTS = [
    ("ana", "Sunset from the bridge. #photography #porto", 70, [(sunset, "Orange sunset over dark water")]),
    ("ines", "Spring on the hills behind the house. #gardening", 55, [(hills, "Green hills under a pale sky")]),
    ("jonas", "Lights on the fjord, long exposure. #photography #travel", 34, [(bokeh, "Soft lights, blurred")]),
    ("kofi", "Tile pattern for the new workshop floor. Thoughts? #woodwork", 22, [(tiles, "Triangle tile pattern")]),
    (
        "lucas",
        "Morning lines at the point. #surf",
        10,
        [(waves, "Lines of waves on teal water"), (sunset, "Sunrise over the sea")],
    ),
]
# (post index in TEXT_POSTS + PICTURE_POSTS, commenter, comment, replies as (author, text))
COMMENTS = [
    (0, "jonas", "That light! Which lens?", [("ana", "The old 50mm, wide open."), ("demo", "Stunning.")]),
    (1, "omar", "Hand-cut dovetails are the best kind of stubborn.", [("kofi", "Stubborn is my middle name.")]),
    (2, "priya", "Trying this tomorrow morning.", []),
    (5, "kofi", "You climbed it, I just held the rope. Congrats!", [("omar", "Next one is yours.")]),
    (9, "ana", "Follow @jonas for the northern lights.", [("jonas", "Thanks Ana!"), ("demo", "Followed!")]),
    (19, "mei", "5 minutes is a respectable time. Next: the onigiri.", []),
    (21, "sofia", "Rainy Porto is the best Porto.", []),
    (25, "lucas", "Wow, those colours.", [("ana", "Straight out of the camera, I promise.")]),
    (29, "jonas", "Where is this? I want to go.", [("lucas", "Secret spot. I'll show you in July.")]),
]
REPOSTS = [(7, "ana", ""), (5, "priya", "Climbing goals!"), (25, "demo", "")]  # (post index, by, quote)
SAVES = [(2, "demo"), (22, "demo"), (1, "omar"), (26, "ana")]  # (post index, by)


class PostsSeeder:
    name = "posts"
    order = 20

    def demo(self, out: Out) -> None:
        people = {user.username: user for user in demo_people()}
        if Post.objects.filter(author__in=people.values()).exists():
            out("Demo posts exist already.")
            return
        written = [
            services.create_post(author=people[name], kind="text", body=body, visibility=visibility)
            for name, body, _, visibility in TEXT_POSTS
        ] + [
            services.create_post(
                author=people[name],
                kind="image",
                body=body,
                images=[upload(draw, f"{name}-{index}") for index, (draw, _) in enumerate(pictures)],
                alt_texts=[alt for _, alt in pictures],
            )
            for name, body, _, pictures in PICTURE_POSTS
        ]
        hours = [entry[2] for entry in TEXT_POSTS + PICTURE_POSTS]
        rng = random_source(3)
        for post in written:
            if post.visibility == Post.Visibility.PUBLIC:
                for fan in rng.sample(list(people.values()), rng.randint(1, 7)):
                    services.like_post(post=post, user=fan)
        for index, name, body, replies in COMMENTS:
            comment = services.add_comment(post=written[index], by=people[name], body=body)
            for author, reply in replies:
                services.add_comment(post=written[index], by=people[author], body=reply, parent=comment)
        shared = [services.repost(post=written[index], by=people[name], body=quote) for index, name, quote in REPOSTS]
        for index, name in SAVES:
            services.save_post(post=written[index], user=people[name])
        self._backdate(written, hours)
        self._backdate(shared, [hours[index] - 0.5 for index, _, _ in REPOSTS])
        timelines.forget(user.pk for user in people.values())  # they hold the times before the move
        posts = written + shared
        likes, comments = Like.objects.filter(post__in=posts).count(), Comment.objects.filter(post__in=posts).count()
        out(f"Demo posts: {len(posts)} posts, {likes} likes, {comments} comments and replies.")

    def _backdate(self, posts: list[Post], hours_ago: list[float]) -> None:
        # A feed spread over days reads like a real one. Services stamp "now", so the seeder
        # moves each post (and its comments, a few minutes after it) back in time, and
        # re-derives the hot score from the new date as the services would.
        now = timezone.now()
        for post, hours in zip(posts, hours_ago, strict=True):
            when = now - timedelta(hours=hours)
            Post.objects.filter(pk=post.pk).update(created_at=when, updated_at=when, hot_score=hot_score(when))
            for minutes, comment in enumerate(Comment.objects.filter(post=post).order_by("pk"), start=5):
                stamp = when + timedelta(minutes=minutes * 7)
                Comment.objects.filter(pk=comment.pk).update(created_at=stamp, updated_at=stamp)

    def bulk(self, volume: Volume, out: Out) -> None:
        """`volume.posts` posts by the bulk accounts over the last eight weeks (ids in the order
        of time, as posting makes them), with hashtags and likes; counters and hot scores match."""
        authors = bulk_user_ids()
        Hashtag.objects.bulk_create([Hashtag(name=name) for name in BULK_TAGS], ignore_conflicts=True)
        tags = dict(Hashtag.objects.filter(name__in=BULK_TAGS).values_list("name", "pk"))
        plan = BulkPlan(authors, tags, volume.posts, first=(Post.objects.aggregate(last=Max("pk"))["last"] or 0) + 1)
        timed(out, "posts", lambda: insert_rows(Post, POST_COLUMNS, plan.posts()))
        timed(out, "hashtag links", lambda: insert_rows(Post.hashtags.through, ("post", "hashtag"), plan.links()))
        timed(out, "likes", lambda: insert_rows(Like, ("post", "user", "created_at"), plan.likes(), batch=10_000))


POST_COLUMNS = (
    "id",
    "author",
    "kind",
    "body",
    "visibility",
    "is_hidden",
    "likes_count",
    "comments_count",
    "reposts_count",
    "saves_count",
    "views_count",
    "hot_score",
    "created_at",
    "updated_at",
)
OPENERS = [
    "Morning light over the river",
    "First coffee of the day",
    "Long walk after work",
    "Rainy afternoon with a good book",
    "Tried a new recipe tonight",
    "Back at the climbing gym",
    "Sunday market haul",
    "Night train across the mountains",
    "Practising the same bar for an hour",
    "New plant corner in the kitchen",
    "Late session at the skatepark",
    "Sketching by the harbour",
]
CLOSERS = ["Worth it.", "Who else?", "More soon.", "Small joys.", "Highly recommend.", "Back tomorrow.", ""]
BULK_TAGS = ["photography", "travel", "music", "coffee", "cooking", "food", "climbing", "outdoors", "surf", "skate"]
BULK_TAGS += ["dance", "plants", "gardening", "woodwork", "coding", "books", "art", "sunset", "running", "nature"]
WEEKS = 8
VISIBILITIES = ["public"] * 88 + ["followers"] * 10 + ["private"] * 2


class BulkPlan:
    """The same random posts, hashtag links and likes on every pass (one seed), so the three
    tables are written one after the other without holding millions of rows in memory."""

    def __init__(self, authors: list[int], tags: dict[str, int], count: int, *, first: int):
        self.authors, self.tags, self.count, self.first = authors, tags, count, first
        self.now = timezone.now()

    def _each(self):
        rng = random_source(4)
        span = timedelta(weeks=WEEKS)
        for index in range(self.count):
            when = self.now - span * (1 - index / self.count)
            names = rng.sample(BULK_TAGS, rng.choice((0, 1, 1, 2, 3)))
            body = " ".join([rng.choice(OPENERS) + ".", rng.choice(CLOSERS), *(f"#{name}" for name in names)])
            # Most posts get a like or two, a few get many (a long tail, as in real feeds).
            likers = rng.sample(self.authors, min(int(rng.paretovariate(1.2)) - 1, 300, len(self.authors)))
            views = len(likers) * 8 + rng.randint(0, 40)
            author, visibility = rng.choice(self.authors), rng.choice(VISIBILITIES)
            yield self.first + index, author, when, visibility, body, likers, views

    def posts(self):
        for post_id, author, when, visibility, body, likers, views in self._each():
            counters = {"likes_count": len(likers), "views_count": views}
            engagement = sum(WEIGHTS[name] * value for name, value in counters.items())
            score = initial_hot_score(when) + math.log10(max(engagement, 1))
            yield (post_id, author, "text", body, visibility, False, len(likers), 0, 0, 0, views, score, when, when)

    def links(self):
        for post_id, _, _, _, body, _, _ in self._each():
            for name in text.hashtags_in(body):
                yield post_id, self.tags[name]

    def likes(self):
        for post_id, _, when, _, _, likers, _ in self._each():
            for minutes, liker in enumerate(likers, start=1):
                yield post_id, liker, when + timedelta(minutes=minutes)
