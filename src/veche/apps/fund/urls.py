from django.urls import path

from veche.apps.fund import views

app_name = "fund"
urlpatterns = [
    path("reports/", views.report_list, name="reports"),
    path("reports/<str:event>/", views.report_page, name="report"),
    path("reports/<str:event>/report.json", views.report_json, name="report-json"),
    path("reports/<str:event>/report.html", views.report_file, name="report-html"),
    path("<str:space>/", views.ledger, name="ledger"),
    path("<str:space>/create/", views.create, name="create"),
    path("<str:space>/donation/", views.donation, name="donation"),
    path("<str:space>/cost/", views.cost, name="cost"),
    path("<str:space>/payout/", views.payout, name="payout"),
    path("<str:space>/payouts/<str:payout>/approve/", views.approve, name="approve"),
    path("<str:space>/payouts/<str:payout>/receipt/", views.receipt, name="receipt"),
    path("<str:space>/publish/", views.publish, name="publish"),
]
