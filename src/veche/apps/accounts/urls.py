from django.urls import path

from veche.apps.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("passphrase/", views.passphrase, name="passphrase"),
]
