from django.urls import URLPattern, URLResolver, include, path

from veche.apps.committees import appeal_views, discussion, views

app_name = "committees"

motion_patterns = [
    path("", views.motion_detail, name="motion"),
    path("vote/", views.motion_vote, name="vote"),
    path("close/", views.motion_close, name="close"),
    path("amend/", views.motion_amend, name="amend"),
    path("appeal/<str:name>", appeal_views.appeal_file, name="appeal-file"),
]
committee_patterns: list[URLPattern | URLResolver] = [
    path("", views.committee_detail, name="detail"),
    path("post/", views.post_message, name="post"),
    path("discussion/<str:subject>/<str:on>/", discussion.thread_page, name="thread"),
    path("discussion/<str:subject>/<str:on>/comment/", discussion.comment_write, name="comment"),
    path("comments/<str:comment>/edit/", discussion.comment_edit, name="comment-edit"),
    path("comments/<str:comment>/withdraw/", discussion.comment_withdraw, name="comment-withdraw"),
    path("comments/<str:comment>/mark/", discussion.comment_mark, name="comment-mark"),
    path("invite/", views.invite, name="invite"),
    path("join/", views.join, name="join"),
    path("vouch/<str:key>/", views.vouch, name="vouch"),
    path("leave/", views.leave, name="leave"),
    path("seat/<str:mandate>/", views.take_seat, name="seat"),
    path("motions/new/", views.motion_propose, name="propose"),
    path("motions/<str:motion>/", include(motion_patterns)),
]
urlpatterns = [
    path("", views.committee_list, name="list"),
    path("new/", views.committee_create, name="create"),
    path("federation/", views.federation_tree, name="federation"),
    path("<str:space>/", include(committee_patterns)),
]
