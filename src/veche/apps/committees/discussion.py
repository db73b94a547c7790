"""Discussion pages: a thread on a motion, a post or an election, and its forms.

Every page works without JavaScript: replying opens the thread page with the reply
form (``?reply=<comment>``), which htmx, when present, fetches into place instead.
A refused or invalid text is shown on the same form with what the member typed.
Reads: ``can_read_space``; writes: an action through ``run_signed_action``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from veche.apps.committees import comments
from veche.apps.committees.access import access_committee_by_space, can_read_space
from veche.apps.committees.models import Comment, Committee, Motion, Post
from veche.apps.committees.rules.comments import MARKS, QUOTE_LIMIT, SUBJECTS
from veche.apps.committees.text import COMMENT_LIMIT, POST_LIMIT, ProseError, check_prose, normalise
from veche.apps.elections.models import Election
from veche.apps.store.reasons import refusal_text
from veche.events import Identity
from veche.web.viewer import run_signed_action, viewer

T = TypeVar("T")


# -- forms -----------------------------------------------------------------------------


def prose_message(error: ProseError, text: str, limit: int) -> str:
    """The member's-language sentence for a refused text."""
    if error.rule == "too-long":
        return _(
            "The text is %(count)s characters long; the limit is %(limit)s. "
            "Shorten it or split it in two."
        ) % {"count": len(text), "limit": limit}
    if error.rule == "bidi-control":
        return _(
            "The text holds invisible characters that reverse the direction of text "
            "(U+202A–U+202E, U+2066–U+2069). Remove them and send again."
        )
    if error.rule == "control":
        return _("The text holds invisible control characters. Remove them and send again.")
    return _("Write something: the text is empty.")


class ProseField(forms.CharField):
    """Members' prose: line breaks as LF, checked like the rules check it (``text``),
    and no ``maxlength`` on the box: a browser cuts a longer paste silently."""

    def __init__(self, *, limit: int, **kwargs: Any) -> None:
        self.limit = limit
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4, "dir": "auto"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return normalise(super().to_python(value) or "")

    def validate(self, value: Any) -> None:
        try:
            check_prose(value, self.limit)
        except ProseError as error:
            raise forms.ValidationError(
                prose_message(error, value, self.limit), error.rule
            ) from error


class MessageForm(forms.Form):
    """A post to the committee (``space.post``)."""

    text = ProseField(
        limit=POST_LIMIT,
        label=gettext_lazy("Message to the committee"),
        required=False,  # ``validate`` says what is wrong with an empty one
        help_text=gettext_lazy("Up to 10,000 characters. Web addresses become links."),
    )


class CommentForm(forms.Form):
    text = ProseField(
        limit=COMMENT_LIMIT,
        label=gettext_lazy("Your comment"),
        required=False,
        help_text=gettext_lazy("Up to 5,000 characters. Web addresses become links."),
    )
    reply_to = forms.CharField(required=False, widget=forms.HiddenInput, max_length=43)
    quote = forms.CharField(
        label=gettext_lazy("Quote from the comment you answer (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )

    def clean_quote(self) -> str:
        quote = normalise(self.cleaned_data.get("quote") or "")
        if quote:
            try:
                check_prose(quote, QUOTE_LIMIT)
            except ProseError as error:
                raise forms.ValidationError(prose_message(error, quote, QUOTE_LIMIT)) from error
        return quote


class AmendForm(forms.Form):
    text = ProseField(limit=COMMENT_LIMIT, label=gettext_lazy("Your comment"), required=False)


# -- what a thread is about ------------------------------------------------------------


def subject_title(space: str, subject: str, on: str) -> str | None:
    """What the thread discusses, as a page names it; None if it is not this committee's."""
    if subject == "motion":
        return Motion.objects.filter(space=space, event=on).values_list("title", flat=True).first()
    if subject == "post":
        text = Post.objects.filter(space=space, event=on).values_list("text", flat=True).first()
        return None if text is None else text[:80]
    if subject == "election":
        return (
            Election.objects.filter(space=on, committee=space, call_checked=True)
            .values_list("title", flat=True)
            .first()
        )
    return None


def subject_url(space: str, subject: str, on: str) -> str:
    if subject == "motion":
        return reverse("committees:motion", args=[space, on])
    if subject == "election":
        return reverse("elections:detail", args=[on])
    return reverse("committees:thread", args=[space, subject, on])


def access_thread_by_subject(
    viewer_key: str | None, space: str, subject: str, on: str
) -> tuple[Committee, str]:
    """The committee and the subject's title, if the reader may read the space and the
    subject is the committee's; otherwise 404 (unknown and forbidden alike)."""
    if subject not in SUBJECTS:
        raise Http404
    committee = access_committee_by_space(viewer_key, space)
    title = subject_title(space, subject, on)
    if title is None:
        raise Http404
    return committee, title


def access_comment_by_event(viewer_key: str | None, space: str, comment: str) -> Comment:
    if not can_read_space(viewer_key, space):
        raise Http404
    row = Comment.objects.filter(space=space, event=comment).first()
    if row is None:
        raise Http404
    return row


_UNKNOWN = object()


def thread_context(
    request: HttpRequest,
    space: str,
    subject: str,
    on: str,
    form: CommentForm | None = None,
    person: str | object | None = _UNKNOWN,
) -> dict[str, Any]:
    """What ``committees/_thread.html`` shows; the caller checked the reader may read
    (and may pass the reader's ``person`` if it looked it up)."""
    if not isinstance(person, str | None):
        person = comments.viewer_person(viewer(request), space)
    found = comments.thread(space, subject, on, person)
    reply = request.GET.get("reply", "") if form is None else form["reply_to"].value() or ""
    replying = next((e for e in comments.flatten(found.entries) if e.comment.event == reply), None)
    if replying is not None and replying.comment.withdrawn:
        replying = None
    if form is None:
        form = CommentForm(initial={"reply_to": replying.comment.event if replying else ""})
    return {
        "thread": found,
        "thread_entries": comments.flatten(found.entries),
        "can_comment": person is not None,
        "comment_form": form,
        "replying": replying,
        "thread_url": reverse("committees:thread", args=[space, subject, on]),
        "marks": MARKS,
    }


# -- pages -----------------------------------------------------------------------------


def _signed(request: HttpRequest, act: Callable[[Identity], T], form: forms.Form) -> T | None:
    return run_signed_action(
        request,
        act,
        on_refused=lambda violation: form.add_error(None, refusal_text(violation)),
        locked_is_404=True,
    )


@login_required
def thread_page(request: HttpRequest, space: str, subject: str, on: str) -> HttpResponse:
    committee, title = access_thread_by_subject(viewer(request), space, subject, on)
    context = thread_context(request, space, subject, on)
    if request.headers.get("HX-Request") and context["replying"] is not None:
        return render(request, "committees/_comment_form.html", context)
    return _thread_page(request, committee, subject, on, title, context)


def _thread_page(
    request: HttpRequest,
    committee: Committee,
    subject: str,
    on: str,
    title: str,
    context: dict[str, Any],
) -> HttpResponse:
    post = (
        Post.objects.filter(space=committee.space, event=on).first() if subject == "post" else None
    )
    context.update(
        {
            "committee": committee,
            "subject": subject,
            "subject_title": title,
            "subject_url": subject_url(committee.space, subject, on),
            "post": post,
        }
    )
    return render(request, "committees/thread.html", context)


@login_required
@require_POST
def comment_write(request: HttpRequest, space: str, subject: str, on: str) -> HttpResponse:
    committee, title = access_thread_by_subject(viewer(request), space, subject, on)
    form = CommentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        event = _signed(
            request,
            lambda identity: comments.write_comment(
                identity,
                space,
                subject=subject,
                on=on,
                text=data["text"],
                reply_to=data["reply_to"],
                quote=data["quote"],
            ),
            form,
        )
        if event is not None:
            return redirect(subject_url(space, subject, on) + f"#c-{event.id}")
    context = thread_context(request, space, subject, on, form)
    return _thread_page(request, committee, subject, on, title, context)


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, space: str, comment: str) -> HttpResponse:
    """Amend or withdraw one's own comment (the page is the confirmation of a withdrawal)."""
    key = viewer(request)
    row = access_comment_by_event(key, space, comment)
    committee = access_committee_by_space(key, space)
    if row.person != comments.viewer_person(key, space) or row.withdrawn:
        raise Http404
    form = AmendForm(request.POST or None, initial={"text": row.text})
    if request.method == "POST" and form.is_valid():
        event = _signed(
            request,
            lambda identity: comments.amend_comment(
                identity, space, comment, form.cleaned_data["text"]
            ),
            form,
        )
        if event is not None:
            return redirect(subject_url(space, row.subject_kind, row.subject) + f"#c-{comment}")
    return render(
        request,
        "committees/comment_edit.html",
        {"committee": committee, "comment": row, "form": form},
    )


@login_required
@require_POST
def comment_withdraw(request: HttpRequest, space: str, comment: str) -> HttpResponse:
    row = access_comment_by_event(viewer(request), space, comment)
    run_signed_action(
        request,
        lambda identity: comments.withdraw_comment(identity, space, comment),
        done=_("Your comment is withdrawn. The log keeps what it said."),
        locked_is_404=True,
    )
    return redirect(subject_url(space, row.subject_kind, row.subject) + f"#c-{comment}")


@login_required
@require_POST
def comment_mark(request: HttpRequest, space: str, comment: str) -> HttpResponse:
    row = access_comment_by_event(viewer(request), space, comment)
    mark = request.POST.get("mark", "")
    if mark not in MARKS:
        raise Http404
    run_signed_action(
        request,
        lambda identity: comments.mark_comment(identity, space, comment, mark),
        locked_is_404=True,
    )
    return redirect(subject_url(space, row.subject_kind, row.subject) + f"#c-{comment}")


def message_page(request: HttpRequest, committee: Committee, form: MessageForm) -> HttpResponse:
    """The message box alone, with its errors and what the member typed (``post_message``
    shows it when a post is refused, instead of losing the text)."""
    return render(request, "committees/message.html", {"committee": committee, "form": form})
