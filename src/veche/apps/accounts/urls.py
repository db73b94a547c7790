from django.urls import path

from veche.apps.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.account, name="account"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign-out-everywhere"),
    path("passphrase/", views.passphrase, name="passphrase"),
    path("welcome/", views.welcome, name="welcome"),
    path("backup/key/", views.key_file, name="key-file"),
    path("backup/paper/", views.paper, name="paper"),
    path("backup/paper.png", views.paper_png, name="paper-png"),
    path("restore/", views.restore, name="restore"),
]
