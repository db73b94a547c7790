from django.urls import URLPattern, URLResolver, include, path

from veche.apps.elections import views

app_name = "elections"

# A trustee's steps: an event file signed offline, or the task and events of the browser.
trustee_patterns = [
    path("", views.trustee_upload, name="trustee"),
    path("task/", views.trustee_task, name="trustee-task"),
    path("events/", views.trustee_events, name="trustee-events"),
]
election_patterns: list[URLPattern | URLResolver] = [
    path("", views.election_detail, name="detail"),
    path("election.json", views.election_json, name="json"),
    path("vote/", views.vote, name="vote"),
    path("cast/", views.cast, name="cast"),
    path("board/", views.board, name="board"),
    path("result/", views.result, name="result"),
    path("record.jsonl", views.record_download, name="record"),
    path("trustee/", include(trustee_patterns)),
    path("step/<str:step>/", views.step, name="step"),
]
urlpatterns = [
    path("trustee-key/", views.trustee_key, name="trustee-key"),
    path("committee/<str:committee>/", views.committee_elections, name="committee"),
    path("committee/<str:committee>/new/", views.election_create, name="create"),
    path("<str:space>/", include(election_patterns)),
]
