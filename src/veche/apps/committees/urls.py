from django.urls import path

from veche.apps.committees import views

app_name = "committees"
urlpatterns = [
    path("", views.committee_list, name="list"),
    path("<str:space>/", views.committee_detail, name="detail"),
]
