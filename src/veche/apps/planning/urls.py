from django.urls import path

from veche.apps.planning import views

app_name = "planning"
urlpatterns = [
    path("<str:space>/needs/", views.needs, name="needs"),
    path("<str:space>/needs/open/", views.open_survey, name="survey-open"),
    path("<str:space>/needs/<str:election>/publish/", views.publish_needs, name="needs-publish"),
    path("<str:space>/budgets/", views.budgets, name="budgets"),
    path("<str:space>/budgets/open/", views.open_budget, name="budget-open"),
    path("<str:space>/budgets/<str:budget>/", views.budget_detail, name="budget"),
    path("<str:space>/budgets/<str:budget>/propose/", views.propose, name="propose"),
    path("<str:space>/budgets/<str:budget>/vote/", views.vote, name="vote"),
    path("<str:space>/budgets/<str:budget>/close/", views.close, name="close"),
    path("<str:space>/budgets/<str:budget>/payouts/", views.payouts, name="payouts"),
]
