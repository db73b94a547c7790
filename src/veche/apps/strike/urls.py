from django.urls import path

from veche.apps.strike import views

app_name = "strike"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("workplaces/<str:workplace>/", views.workplace_detail, name="workplace"),
    path("workplaces/<str:workplace>/status/", views.record_status, name="record-status"),
    path("workplaces/<str:workplace>/ballot/", views.ballot_open, name="ballot-open"),
    path("workplaces/<str:workplace>/ballot/apply/", views.ballot_apply, name="ballot-apply"),
    path("committees/<str:space>/", views.committee_workplaces, name="committee"),
    path("demands/", views.demands_list, name="demands"),
    path("demands/<str:event>/", views.demands_letter, name="letter"),
]
