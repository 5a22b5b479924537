from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import csp, health, metrics
from core import views as core_views
from core.errors import api_not_found
from posts import views as post_views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("csp-report", csp.report, name="csp-report"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script from ?script, so the page needs no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("users.api_urls")),
    path("api/", include("posts.api_urls")),
    path("api/", include("notifications.api_urls")),
    path("api/", include("videos.api_urls")),
    re_path(r"^api/", api_not_found),
    re_path(r"^media/s/(?P<path>.+)$", core_views.signed_media, name="signed-media"),
    path("", post_views.home, name="home"),
    path("", include("users.urls")),
    path("", include("notifications.urls")),
    path("", include("videos.urls")),
    path("", include("posts.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    # Only profile pictures are public files; everything else goes through signed-media.
    urlpatterns += static(f"{settings.MEDIA_URL}avatars/", document_root=settings.MEDIA_ROOT / "avatars")

handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
