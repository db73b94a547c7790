from django.urls import path

from veche.apps.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.audit_list, name="list"),
    path("new/", views.audit_new, name="new"),
    path("<str:public_id>/", views.audit_detail, name="detail"),
    path("<str:public_id>/progress/", views.audit_progress, name="progress"),
    path("<str:public_id>/publish/", views.audit_publish, name="publish"),
    path("<str:public_id>/motion/", views.audit_propose, name="propose"),
    path("<str:public_id>/retry/", views.audit_retry, name="retry"),
    path("<str:public_id>/files/<str:name>", views.audit_file, name="file"),
]
