from django.urls import path

from veche.apps.sync import views

app_name = "sync"
urlpatterns = [
    path("", views.peers, name="peers"),
    path("peers/<int:peer_id>/sync/", views.peer_sync, name="peer-sync"),
    path("peers/<int:peer_id>/forget/", views.peer_forget, name="peer-forget"),
    path("bundles/", views.bundles, name="bundles"),
    path("bundles/download/", views.bundle_download, name="bundle-download"),
    path("bundles/files/<str:public_id>/", views.bundle_file, name="bundle-file"),
    path("bundles/upload/", views.bundle_upload, name="bundle-upload"),
    path("bundles/qr/", views.bundle_qr, name="bundle-qr"),
    path("bundles/scan/", views.bundle_scan, name="bundle-scan"),
    path("v1/hello", views.api_hello, name="api-hello"),
    path("v1/auth", views.api_auth, name="api-auth"),
    path("v1/session", views.api_session, name="api-session"),
]
