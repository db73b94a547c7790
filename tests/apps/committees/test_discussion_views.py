"""Discussion pages without JavaScript: comment, reply, quote, edit, withdraw, mark; who
may see and write; bad text refused in the reader's language with what they typed kept;
a committee post over the limit refused, not lost."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from tests.factories import World

from veche.apps.committees import actions, comments
from veche.apps.committees.models import Comment, CommentMark, Post
from veche.apps.store.log import state_digest

pytestmark = pytest.mark.django_db

SignedIn = Callable[..., Client]


@pytest.fixture
def club(world: World) -> dict[str, str]:
    space = world.committee("Sokol", ("Zubr", "Rusalka"), name="MTZ")
    motion = actions.propose(world.person("Sokol"), space, kind="general", title="Tea", text="?")
    return {"space": space, "motion": motion.id}


def _comment_url(club: dict[str, str]) -> str:
    return reverse("committees:comment", args=[club["space"], "motion", club["motion"]])


def _motion_url(club: dict[str, str]) -> str:
    return reverse("committees:motion", args=[club["space"], club["motion"]])


def _textarea(html: str, name: str = "text") -> str:
    found = re.search(rf'<textarea name="{name}"[^>]*>\n(.*?)</textarea>', html, re.S)
    assert found, html
    return found.group(1)


def test_a_member_comments_and_the_motion_page_shows_author_time_and_safe_links(
    club: dict[str, str], signed_in_as: SignedIn
) -> None:
    zubr = signed_in_as("Zubr")
    text = "See https://example.org/news?id=7&utm_source=tg&fbclid=xyz. <b>bold</b>"
    response = zubr.post(_comment_url(club), {"text": text})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert response["Location"] == _motion_url(club) + f"#c-{comment.event}"
    page = zubr.get(_motion_url(club)).content.decode()
    assert '<bdi class="who">Zubr</bdi>' in page
    assert (
        '<a href="https://example.org/news?id=7" rel="noopener noreferrer nofollow">'
        "https://example.org/news?id=7</a>." in page
    )
    assert "utm_source" not in page and "fbclid" not in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold" not in page


def test_reply_without_javascript_and_with_htmx(
    world: World, club: dict[str, str], signed_in_as: SignedIn
) -> None:
    first = comments.write_comment(
        world.person("Zubr"), club["space"], subject="motion", on=club["motion"], text="Hot tea"
    )
    rusalka = signed_in_as("Rusalka", language="ru")
    thread = reverse("committees:thread", args=[club["space"], "motion", club["motion"]])
    page = rusalka.get(f"{thread}?reply={first.id}").content.decode()
    assert f'name="reply_to" value="{first.id}"' in page
    assert "Ответ" in page  # the reply form, in Russian
    fragment = rusalka.get(f"{thread}?reply={first.id}", headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith("<form")
    response = rusalka.post(
        _comment_url(club), {"text": "Wait a bit", "reply_to": first.id, "quote": "Hot"}
    )
    assert response.status_code == 302
    reply = Comment.objects.get(reply_to=first.id)
    assert reply.quote == "Hot"
    page = rusalka.get(_motion_url(club)).content.decode()
    assert "indent-1" in page and "<blockquote" in page


@pytest.mark.parametrize(
    ("text", "english", "russian"),
    [
        ("   ", "the text is empty", "текст пуст"),
        ("ж" * 5001, "5001 characters long; the limit is 5000", "5001"),
        ("Date \u202e11.08.2020", "reverse the direction", "направление"),
        ("bell \x07 here", "control characters", "управляющие"),
    ],
)
def test_bad_comment_text_is_refused_and_kept(
    club: dict[str, str], signed_in_as: SignedIn, text: str, english: str, russian: str
) -> None:
    before = state_digest()
    zubr = signed_in_as("Zubr")
    page = zubr.post(_comment_url(club), {"text": text}).content.decode()
    assert english in page
    assert _textarea(page) == text  # what the member typed, as typed
    rusalka = signed_in_as("Rusalka", language="ru")
    assert russian in rusalka.post(_comment_url(club), {"text": text}).content.decode()
    assert state_digest() == before


def test_a_post_over_ten_thousand_characters_is_refused_and_kept(
    club: dict[str, str], signed_in_as: SignedIn
) -> None:
    zubr = signed_in_as("Zubr", language="be")
    long = "Заява. " * 1500  # 10,500 characters
    response = zubr.post(reverse("committees:post", args=[club["space"]]), {"text": long})
    assert response.status_code == 200
    page = response.content.decode()
    assert "10000" in page.replace("\u00a0", "").replace(" ", "") or "10 000" in page
    assert _textarea(page) == long
    assert not Post.objects.exists()
    # The box on the committee page has no maxlength: a browser would cut a paste silently.
    detail = zubr.get(reverse("committees:detail", args=[club["space"]])).content.decode()
    assert 'id="id_message_text"' in detail and "maxlength" not in _box(detail)


def _box(html: str) -> str:
    return html[html.index('id="message-box"') :].split("</form>", maxsplit=1)[0]


def test_line_breaks_from_a_browser_count_once(
    club: dict[str, str], signed_in_as: SignedIn
) -> None:
    """A browser sends CR LF: 9,000 characters and 900 line breaks are within 10,000."""
    text = "\r\n".join(["x" * 9] * 901)
    zubr = signed_in_as("Zubr")
    response = zubr.post(reverse("committees:post", args=[club["space"]]), {"text": text})
    assert response.status_code == 302
    assert Post.objects.get().text == text.replace("\r\n", "\n")


def test_a_post_with_a_direction_override_is_refused(
    club: dict[str, str], signed_in_as: SignedIn
) -> None:
    zubr = signed_in_as("Zubr")
    page = zubr.post(
        reverse("committees:post", args=[club["space"]]), {"text": "Strike \u202eon Monday"}
    ).content.decode()
    assert "reverse the direction" in page
    assert not Post.objects.exists()


def test_posts_show_their_author_and_a_discussion(
    world: World, club: dict[str, str], signed_in_as: SignedIn
) -> None:
    post = actions.post(world.person("Rusalka"), club["space"], "Gate 3 at 18:00")
    comments.write_comment(
        world.person("Zubr"), club["space"], subject="post", on=post.id, text="I come"
    )
    zubr = signed_in_as("Zubr")
    page = zubr.get(reverse("committees:detail", args=[club["space"]])).content.decode()
    assert '<bdi class="who">Rusalka</bdi>' in page
    assert "Discuss (1 comment)" in page
    thread = zubr.get(reverse("committees:thread", args=[club["space"], "post", post.id]))
    assert "I come" in thread.content.decode()


def test_edit_withdraw_and_mark(world: World, club: dict[str, str], signed_in_as: SignedIn) -> None:
    first = comments.write_comment(
        world.person("Zubr"), club["space"], subject="motion", on=club["motion"], text="Tea"
    )
    zubr, sokol = signed_in_as("Zubr"), signed_in_as("Sokol")
    edit = reverse("committees:comment-edit", args=[club["space"], first.id])
    assert sokol.get(edit).status_code == 404  # not theirs
    assert "Tea" in _textarea(zubr.get(edit).content.decode())
    assert zubr.post(edit, {"text": "Coffee"}).status_code == 302
    mark = reverse("committees:comment-mark", args=[club["space"], first.id])
    assert sokol.post(mark, {"mark": "agree"}).status_code == 302
    page = sokol.get(_motion_url(club)).content.decode()
    assert "Coffee" in page and "edited" in page
    assert 'value="none" class="secondary small" aria-pressed="true"' in page
    assert sokol.post(mark, {"mark": "none"}).status_code == 302
    assert CommentMark.objects.get().mark == "none"
    withdraw = reverse("committees:comment-withdraw", args=[club["space"], first.id])
    assert zubr.post(withdraw).status_code == 302
    page = sokol.get(_motion_url(club)).content.decode()
    assert "Withdrawn by its author" in page and "Coffee" not in page


def test_outsiders_neither_read_nor_write(
    world: World, club: dict[str, str], signed_in_as: SignedIn
) -> None:
    first = comments.write_comment(
        world.person("Zubr"), club["space"], subject="motion", on=club["motion"], text="Tea"
    )
    outsider = signed_in_as("Outsider")
    before = state_digest()
    space = club["space"]
    for method, url in [
        ("get", reverse("committees:thread", args=[space, "motion", club["motion"]])),
        ("post", _comment_url(club)),
        ("get", reverse("committees:comment-edit", args=[space, first.id])),
        ("post", reverse("committees:comment-withdraw", args=[space, first.id])),
        ("post", reverse("committees:comment-mark", args=[space, first.id])),
        ("get", reverse("committees:thread", args=[space, "nonsense", club["motion"]])),
    ]:
        response = getattr(outsider, method)(url, {"text": "x", "mark": "agree"})
        assert response.status_code == 404, url
    assert (
        Client()
        .get(reverse("committees:thread", args=[space, "motion", club["motion"]]))["Location"]
        .startswith("/accounts/")
    )
    assert state_digest() == before
