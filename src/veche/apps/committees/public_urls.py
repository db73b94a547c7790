"""Public addresses, readable without signing in: passed appeals with their leaflets and
QR codes, and the node's Atom feeds (the node's and each committee's)."""

from django.urls import path

from veche.apps.committees import appeal_views, feeds

app_name = "appeals"
urlpatterns = [
    path("", appeal_views.public_list, name="list"),
    path("feed.atom", feeds.NodeFeed(), name="feed"),
    path("committees/<str:space>/feed.atom", feeds.CommitteeFeed(), name="committee-feed"),
    path("<str:event>/", appeal_views.public_page, name="page"),
    path("<str:event>/<str:name>", appeal_views.public_file, name="file"),
]
