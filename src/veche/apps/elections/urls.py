from django.urls import URLPattern, URLResolver, include, path

from veche.apps.elections import pledge_views, views

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
# A strike pledge (format pledge-v1); its trustees use the election's trustee endpoints.
pledge_patterns = [
    path("", pledge_views.pledge_detail, name="pledge"),
    path("make/", pledge_views.pledge_make, name="pledge-make"),
    path("cast/", pledge_views.pledge_cast, name="pledge-cast"),
    path("record.jsonl", pledge_views.pledge_record, name="pledge-record"),
    path("step/<str:step>/", pledge_views.pledge_step, name="pledge-step"),
]
urlpatterns = [
    path("trustee-key/", views.trustee_key, name="trustee-key"),
    path("committee/<str:committee>/pledges/", pledge_views.committee_pledges, name="pledges"),
    path(
        "committee/<str:committee>/pledges/new/",
        pledge_views.pledge_create,
        name="pledge-create",
    ),
    path("pledge/<str:space>/", include(pledge_patterns)),
    # A council's strike call counting plants (pledge-v1 §8): pass it once K are there.
    path(
        "council/<str:council>/general/<str:motion>/",
        pledge_views.general_strike,
        name="pledge-general",
    ),
    path("committee/<str:committee>/", views.committee_elections, name="committee"),
    path("committee/<str:committee>/new/", views.election_create, name="create"),
    path("<str:space>/", include(election_patterns)),
]
