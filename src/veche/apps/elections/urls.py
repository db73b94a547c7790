from django.urls import path

from veche.apps.elections import views

app_name = "elections"
urlpatterns = [
    path("committee/<str:committee>/", views.committee_elections, name="committee"),
    path("committee/<str:committee>/new/", views.election_create, name="create"),
    path("<str:space>/", views.election_detail, name="detail"),
    path("<str:space>/election.json", views.election_json, name="json"),
    path("<str:space>/vote/", views.vote, name="vote"),
    path("<str:space>/cast/", views.cast, name="cast"),
    path("<str:space>/board/", views.board, name="board"),
    path("<str:space>/result/", views.result, name="result"),
    path("<str:space>/record.jsonl", views.record_download, name="record"),
    path("<str:space>/trustee/", views.trustee_upload, name="trustee"),
    path("<str:space>/step/<str:step>/", views.step, name="step"),
]
