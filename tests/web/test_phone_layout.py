"""Every page on a 360 px phone, in Belarusian and Russian: nothing scrolls sideways.

One Chromium at 360 x 740 goes through every GET page of ``tests.web.pages`` on the
Belarus 2020 demo, signed in as Sokol (member, treasurer, the node's operator), then
through the pages a visitor sees (sign-in, strike map, fund and audit reports, an
invitation), the pages of a member who is not the operator (403) and a missing page
(404). On each it checks that the document is no wider than the screen, names the
elements that stick out, and measures the tap targets (buttons, selects, navigation
links): at least 44 x 44 px. Screenshots of failing pages go to ``VECHE_SCREENSHOTS``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from tests.demo_snapshot import load_demo_cached
from tests.web.pages import demo_pages

from veche.demo.load import DEMO_PASSPHRASE

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WIDTH = 360
TAP = 44

# What sticks out past the screen's edges, outermost first (a wide table, not each of its
# cells), unless it lies inside a code block that scrolls in its own box (<pre>).
# And what is too small to tap: buttons, submit inputs, selects, links in navigation, in
# a row's or a comment's actions or styled as buttons; links inside running text are not
# targets of their own.
MEASURE = """
(tap) => {
  const width = document.documentElement.clientWidth;
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += '#' + el.id;
    for (const c of el.classList) name += '.' + c;
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || '')
      .trim().replace(/\\s+/g, ' ').slice(0, 40);
    return text ? `${name} "${text}"` : name;
  };
  const path = (el) => {
    const names = [];
    for (let e = el; e && e !== document.body; e = e.parentElement) names.unshift(describe(e).split(' ')[0]);
    return names.slice(-4).join(' > ');
  };
  const inCodeBox = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (p.tagName === 'PRE' && /(auto|scroll)/.test(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
  };
  const wide = [];
  const sticking = new Set();
  for (const el of document.body.querySelectorAll('*')) {
    if (!shown(el) || inCodeBox(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.right > width + 0.5 || r.left < -0.5) {
      sticking.add(el);
      if (!sticking.has(el.parentElement)) {
        wide.push(`${path(el)} ${describe(el)}: ${Math.round(r.left)}..${Math.round(r.right)} px`);
      }
    }
  }
  const small = [];
  const targets = 'button, input[type=submit], input[type=button], input[type=reset], select, ' +
    'nav a, a.button, td.actions a, .comment-actions a';
  for (const el of document.querySelectorAll(targets)) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width < tap - 0.5 || r.height < tap - 0.5) {
      small.push(`${path(el)} ${describe(el)}: ${Math.round(r.width)}x${Math.round(r.height)} px`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: innerWidth, wide, small};
}
"""


def _comment_edit_page(page: Any, base: str) -> str:
    """The editing page of Sokol's own comment (written now in the motion's thread if
    the demo has none of his)."""
    page.goto(base + demo_pages()["thread"]())
    edit = page.locator("a[href*='/comments/'][href$='/edit/']")
    if not edit.count():
        page.locator("form.comment-form textarea[name=text]").fill(
            "Дзякуй усім, хто падпісаў патрабаванні: заўтра ў 7:00 ля прахадной."
        )
        page.locator("form.comment-form button[type=submit]").click()
        page.wait_for_load_state()
    assert edit.count(), "Sokol's comment has no link to edit it"
    return str(edit.first.get_attribute("href"))


def _council() -> tuple[str, str]:
    """The council with the most delegates (the page with its delegates' table) and one
    of its members, who may read it."""
    from veche.apps.committees import federation
    from veche.apps.committees.models import Committee, Member

    spaces = Committee.objects.filter(kind="council").values_list("space", flat=True)
    space = max(spaces, key=lambda s: len(federation.delegates_of(s)))
    assert federation.delegates_of(space), "no council has delegates"
    member = Member.objects.filter(space=space, status="active").order_by("pseudonym").first()
    assert member is not None
    return f"/committees/{space}/", member.pseudonym


def _visitor_pages() -> dict[str, str]:
    """A visitor's pages: each page of the list that answers without signing in (the
    rest send to the sign-in page), a committee's invitation page, the downloadable
    fund report and a missing page."""
    urls = {name: url_of() for name, url_of in demo_pages().items()}
    urls["join"] = urls["committee"] + "join/"
    urls["fund-report-file"] = urls["fund-report"] + "report.html"
    urls["not-found"] = "/no-such-page/"
    return urls


def _html(page: Any, base: str, url: str) -> bool:
    """Whether ``url`` answers this session with an HTML page of its own (not a
    download, JSON, a fragment that htmx puts into its page, or a redirect)."""
    response = page.request.get(base + url, max_redirects=0)
    kind = response.headers.get("content-type", "")
    attachment = "attachment" in response.headers.get("content-disposition", "")
    if response.status not in {200, 403, 404} or not kind.startswith("text/html") or attachment:
        return False
    return "<html" in response.text()[:1000].lower()


def _sign_in(page: Any, base: str, pseudonym: str) -> None:
    page.goto(base + "/accounts/sign-in/")
    page.locator("#id_pseudonym").fill(pseudonym)
    page.locator("#id_passphrase").fill(DEMO_PASSPHRASE)
    page.locator("#id_passphrase").press("Enter")
    page.wait_for_url(lambda url: "sign-in" not in url)


class Check:
    """Measures one page for one reader; ``html`` remembers, across languages, which
    of a reader's URLs are pages of their own (the kind does not depend on the language)."""

    def __init__(
        self, page: Any, base: str, shots: Path, html: dict[tuple[str, str], bool]
    ) -> None:
        self.page, self.base, self.shots, self.html = page, base, shots, html
        self.problems: list[str] = []
        self.seen = 0

    def __call__(self, who: str, language: str, name: str, url: str) -> None:
        if (who, url) not in self.html:
            self.html[who, url] = _html(self.page, self.base, url)
        if not self.html[who, url]:
            return
        self.page.goto(self.base + url)
        self.seen += 1
        if name == "home":  # the language cookie reached the site
            assert self.page.evaluate("document.documentElement.lang") == language, url
        found = self.page.evaluate(MEASURE, TAP)
        lines = []
        if found["scrollWidth"] > found["innerWidth"]:
            lines.append(f"scrolls sideways: {found['scrollWidth']} px > {found['innerWidth']}")
        lines += [f"wider than the screen: {line}" for line in found["wide"][:6]]
        lines += [f"tap target under {TAP} px: {line}" for line in found["small"][:6]]
        if len(found["small"]) > 6:
            lines.append(f"... and {len(found['small']) - 6} more small targets")
        if lines:
            shot = self.shots / f"phone-{language}-{who}-{name}.png"
            self.page.screenshot(path=str(shot), full_page=True)
            self.problems.append(
                f"[{language}] {who} {name} {url} ({shot}):\n  " + "\n  ".join(lines)
            )


def test_no_page_scrolls_sideways_at_360_px(live_server: Any, browser: Any, tmp_path: Path) -> None:
    load_demo_cached()
    base = live_server.url
    shots = Path(os.environ.get("VECHE_SCREENSHOTS", str(tmp_path)))
    shots.mkdir(parents=True, exist_ok=True)
    visitor = _visitor_pages()
    problems: list[str] = []
    seen = 0
    html: dict[tuple[str, str], bool] = {}
    for language in ("be", "ru"):
        context = browser.new_context(viewport={"width": WIDTH, "height": 740})
        page = context.new_page()
        page.set_default_timeout(15000)
        check = Check(page, base, shots, html)

        def cookie(context: Any = context, language: str = language) -> None:
            context.add_cookies([{"name": "django_language", "value": language, "url": base}])

        cookie()
        for name, url in visitor.items():
            check("visitor", language, name, url)
        _sign_in(page, base, "Sokol")
        for name, url_of in demo_pages().items():
            check("sokol", language, name, url_of())
        check("sokol", language, "comment-edit", _comment_edit_page(page, base))
        council, delegate = _council()
        others = (
            (delegate, {"council": council, "peers-forbidden": "/sync/"}),  # not the operator
            ("Zubr", {"fund": demo_pages()["fund"]()}),  # a treasurer who has approved
        )
        for who, pages in others:
            context.clear_cookies()
            cookie()
            _sign_in(page, base, who)
            for name, url in pages.items():
                check(who.lower(), language, name, url)
        problems += check.problems
        seen += check.seen
        context.close()
    assert seen > 80, f"only {seen} pages measured"
    assert not problems, f"{len(problems)} pages do not fit {WIDTH} px:\n" + "\n".join(problems)
