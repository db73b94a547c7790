from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from veche.web import panic, views

urlpatterns = [
    path("", views.home, name="home"),
    path("events/<str:event_id>/", views.event_detail, name="event"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("veche.apps.accounts.urls")),
    path("committees/", include("veche.apps.committees.urls")),
    path("audit/", include("veche.apps.audit.urls")),
    path("strike/", include("veche.apps.strike.urls")),
    path("fund/", include("veche.apps.fund.urls")),
    path("planning/", include("veche.apps.planning.urls")),
    path("sync/", include("veche.apps.sync.urls")),
    path("elections/", include("veche.apps.elections.urls")),
    path("appeals/", include("veche.apps.committees.public_urls")),
    path("node/panic/", panic.panic, name="node-panic"),
]
