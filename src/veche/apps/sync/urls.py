from django.urls import include, path

from veche.apps.sync import views

app_name = "sync"

bundle_patterns = [
    path("", views.bundles, name="bundles"),
    path("download/", views.bundle_download, name="bundle-download"),
    path("files/<str:public_id>/", views.bundle_file, name="bundle-file"),
    path("upload/", views.bundle_upload, name="bundle-upload"),
    path("qr/", views.bundle_qr, name="bundle-qr"),
    path("scan/", views.bundle_scan, name="bundle-scan"),
    path("receive/", views.bundle_receive, name="bundle-receive"),
    path("receive/frames/", views.bundle_receive_frames, name="bundle-receive-frames"),
    path("receive/reset/", views.bundle_receive_reset, name="bundle-receive-reset"),
]
# The node-to-node protocol (docs/formats/sync-v1.md).
api_patterns = [
    path("hello", views.api_hello, name="api-hello"),
    path("auth", views.api_auth, name="api-auth"),
    path("session", views.api_session, name="api-session"),
]
urlpatterns = [
    path("", views.peers, name="peers"),
    path("peers/<int:peer_id>/sync/", views.peer_sync, name="peer-sync"),
    path("peers/<int:peer_id>/forget/", views.peer_forget, name="peer-forget"),
    path("bundles/", include(bundle_patterns)),
    path("v1/", include(api_patterns)),
]
