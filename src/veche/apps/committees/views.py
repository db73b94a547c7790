"""Committee pages. Reads go through ``access``; writes through ``actions``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from veche.apps.committees.access import can_read_space, committees_of
from veche.apps.committees.models import Committee, Member, Post


@login_required
def committee_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "committees/list.html",
        {"committees": committees_of(request.user.public_key)},  # type: ignore[union-attr]
    )


@login_required
def committee_detail(request: HttpRequest, space: str) -> HttpResponse:
    if not can_read_space(request.user.public_key, space):  # type: ignore[union-attr]
        raise Http404
    committee = Committee.objects.get(space=space)
    members = Member.objects.filter(space=space, status=Member.Status.ACTIVE).order_by("pseudonym")
    posts = Post.objects.filter(space=space).order_by("-at", "event")[:50]
    return render(
        request,
        "committees/detail.html",
        {"committee": committee, "members": members, "posts": posts},
    )
