"""URLs for the feed benchmark (scripts/bench_feed.sh) only: the site's, plus a bare DRF
endpoint doing one indexed query. Measured beside the feed on the same server in the same run,
it is the floor the framework sets (authentication, throttling, rendering), so the feed's cost
reads as a ratio that does not depend on the machine. Selected by config.bench_settings."""

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from users.models import Profile

from .urls import handler400, handler403, handler404, handler500
from .urls import urlpatterns as site_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


class BareApi(APIView):
    def get(self, request):
        return Response(Profile.objects.filter(user_id=request.user.pk).values("display_name").first())


urlpatterns = [path("bench/bare/", BareApi.as_view()), *site_urlpatterns]
