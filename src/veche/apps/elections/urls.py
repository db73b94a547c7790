from django.urls import include, path

from veche.apps.elections import views

app_name = "elections"

election_patterns = [
    path("", views.election_detail, name="detail"),
    path("election.json", views.election_json, name="json"),
    path("vote/", views.vote, name="vote"),
    path("cast/", views.cast, name="cast"),
    path("board/", views.board, name="board"),
    path("result/", views.result, name="result"),
    path("record.jsonl", views.record_download, name="record"),
    path("trustee/", views.trustee_upload, name="trustee"),
    path("trustee/task/", views.trustee_task, name="trustee-task"),
    path("trustee/events/", views.trustee_events, name="trustee-events"),
    path("step/<str:step>/", views.step, name="step"),
]
urlpatterns = [
    path("trustee-key/", views.trustee_key, name="trustee-key"),
    path("committee/<str:committee>/", views.committee_elections, name="committee"),
    path("committee/<str:committee>/new/", views.election_create, name="create"),
    path("<str:space>/", include(election_patterns)),
]
