from django.urls import URLPattern, URLResolver, include, path

from veche.apps.fund import views

app_name = "fund"

# A published report: public, with the files anyone can verify offline.
report_patterns = [
    path("", views.report_page, name="report"),
    path("report.json", views.report_json, name="report-json"),
    path("report.html", views.report_file, name="report-html"),
]
payout_patterns = [
    path("approve/", views.approve, name="approve"),
    path("receipt/", views.receipt, name="receipt"),
]
# A committee's fund: its members' ledger and the treasurers' actions.
fund_patterns: list[URLPattern | URLResolver] = [
    path("", views.ledger, name="ledger"),
    path("create/", views.create, name="create"),
    path("donation/", views.donation, name="donation"),
    path("cost/", views.cost, name="cost"),
    path("payout/", views.payout, name="payout"),
    path("payouts/<str:payout>/", include(payout_patterns)),
    path("publish/", views.publish, name="publish"),
]
urlpatterns = [
    path("reports/", views.report_list, name="reports"),
    path("reports/<str:event>/", include(report_patterns)),
    path("<str:space>/", include(fund_patterns)),
]
