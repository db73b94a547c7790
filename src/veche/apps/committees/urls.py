from django.urls import path

from veche.apps.committees import views

app_name = "committees"
urlpatterns = [
    path("", views.committee_list, name="list"),
    path("new/", views.committee_create, name="create"),
    path("federation/", views.federation_tree, name="federation"),
    path("<str:space>/", views.committee_detail, name="detail"),
    path("<str:space>/post/", views.post_message, name="post"),
    path("<str:space>/invite/", views.invite, name="invite"),
    path("<str:space>/join/", views.join, name="join"),
    path("<str:space>/vouch/<str:key>/", views.vouch, name="vouch"),
    path("<str:space>/leave/", views.leave, name="leave"),
    path("<str:space>/seat/<str:mandate>/", views.take_seat, name="seat"),
    path("<str:space>/motions/new/", views.motion_propose, name="propose"),
    path("<str:space>/motions/<str:motion>/", views.motion_detail, name="motion"),
    path("<str:space>/motions/<str:motion>/vote/", views.motion_vote, name="vote"),
    path("<str:space>/motions/<str:motion>/close/", views.motion_close, name="close"),
    path("<str:space>/motions/<str:motion>/amend/", views.motion_amend, name="amend"),
]
