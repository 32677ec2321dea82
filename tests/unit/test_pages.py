"""The privacy notice and accessibility statement, filled from the locality file and
the settings (bot/pages/): every value in place, every value escaped, nothing of
the template left, and a plain "not set yet" where the partnership has not filled
a value in. Invented organisations and addresses only (example.org)."""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser

import pytest
from jinja2.exceptions import UndefinedError

from bot import bootstrap
from bot.config import Settings, load_settings
from bot.content_file import ContentError
from bot.locality import load_locality
from bot.pages import public_link, render
from bot.pages.render import PAGES, linked, render_page

NOT_SET = "Not set yet."
FILLED = {
    "privacy_controller": "Example Safeguarding Partnership",
    "privacy_contact": "the Data Protection Officer, dpo@example.org",
    "accessibility_contact": "the digital team at https://example.org/accessibility-help.",
}


@pytest.fixture
def locality() -> dict[str, str]:
    return load_locality(bootstrap.app().settings.locality_file)


class Parsed(HTMLParser):
    """The text, links and element ids of a page, as a browser reads them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self.ids: list[str] = []
        self.tags: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))
        if values.get("id"):
            self.ids.append(str(values["id"]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def words(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.text))


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_page_is_filled_from_the_locality_and_leaves_nothing_of_the_template(name, locality):
    html = render_page(name, locality, Settings())
    for leftover in ("{{", "}}", "{%", "%}", "{#", "#}"):
        assert leftover not in html
    assert not re.search(r"\{[a-z_]+\}", html), "a locality {placeholder} was left unfilled"
    page = Parsed(html)
    assert "tel:999" in page.links and "Child in immediate danger? Call 999" in page.words
    assert f"mailto:{locality['front_door_email']}" in page.links
    assert {"/", "/privacy", "/accessibility"} <= set(page.links)
    assert len(page.ids) == len(set(page.ids)), "an id is used twice"
    assert page.tags.count("h1") == 1 and "script" not in page.tags and "style" not in page.tags
    assert " style=" not in html  # the Content-Security-Policy allows no inline style


def test_privacy_notice_says_what_is_kept_for_how_long_and_how_to_erase_it(locality):
    words = Parsed(render_page("privacy", locality, Settings(retention_days=30))).words
    assert "North East Lincolnshire" in words
    assert "30 days" in words and "90 days" not in words
    assert "python -m bot purge" in words and "python -m bot erase" in words
    assert "Names are not removed" in words
    assert "no text you typed and no names" in words
    assert "the Information Commissioner's Office (ICO)" in words
    assert "1 day old" in Parsed(render_page("privacy", locality, Settings(retention_days=1))).words


@pytest.mark.parametrize(
    ("name", "unset"),
    [("privacy", ["privacy_controller", "privacy_contact"]),
     ("accessibility", ["accessibility_contact"])],
)  # fmt: skip
def test_a_value_not_set_yet_is_said_plainly_and_logged(name, unset, locality, caplog):
    empty = {**locality, **dict.fromkeys(FILLED, "")}
    render._warned.clear()
    with caplog.at_level(logging.WARNING, logger="bot.pages.render"):
        words = Parsed(render_page(name, empty, Settings())).words
        render_page(name, empty, Settings())  # warned once per process, not per request
    assert words.count(NOT_SET) == len(unset)
    assert "safeguarding lead or your IT service desk" in words
    assert sorted(r.getMessage().split()[0] for r in caplog.records) == sorted(unset)


def test_values_the_partnership_sets_replace_the_not_set_text_and_become_links(locality):
    filled = {**locality, **FILLED}
    privacy = render_page("privacy", filled, Settings())
    accessibility = render_page("accessibility", filled, Settings())
    assert NOT_SET not in privacy and NOT_SET not in accessibility
    assert "Example Safeguarding Partnership runs this assistant" in Parsed(privacy).words
    assert '<a href="mailto:dpo@example.org">dpo@example.org</a>' in privacy
    # The full stop after an address ends the sentence, not the link.
    assert (
        '<a href="https://example.org/accessibility-help">'
        "https://example.org/accessibility-help</a>." in accessibility
    )


def test_every_value_is_html_escaped(locality):
    hostile = {
        **locality,
        "area": 'Ash & Elm <script>alert("area")</script>',
        "privacy_controller": "<img src=x onerror=alert(1)> & Co",
        "privacy_contact": 'x@example.org" onmouseover="alert(1)',
        "accessibility_contact": "javascript:alert(1) or <b>bold</b>",
        "front_door_name": "Front <Door>",
    }
    for name in PAGES:
        html = render_page(name, hostile, Settings())
        page = Parsed(html)
        assert "<script" not in html and "<img" not in html and "<b>" not in html
        assert not any(link.lower().startswith("javascript:") for link in page.links)
    privacy = render_page("privacy", hostile, Settings())
    assert "Ash &amp; Elm &lt;script&gt;" in privacy
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; Co" in privacy
    assert '<a href="mailto:x@example.org">x@example.org</a>&#34; onmouseover=&#34;' in privacy
    assert "Front &lt;Door&gt;" in privacy


def test_linked_escapes_text_and_links_only_mail_and_web_addresses():
    assert str(linked("a <b> c")) == "a &lt;b&gt; c"
    assert str(linked("write to a@example.org.")) == (
        'write to <a href="mailto:a@example.org">a@example.org</a>.'
    )
    assert str(linked("see https://example.org/a?b=1&c=2, then")) == (
        'see <a href="https://example.org/a?b=1&amp;c=2">https://example.org/a?b=1&amp;c=2</a>'
        ", then"
    )
    assert "<a" not in str(linked("javascript:alert(1) data:text/html,x ftp://example.org"))


def test_a_template_naming_a_value_it_is_not_given_fails_instead_of_printing_nothing():
    with pytest.raises(UndefinedError):
        render._environment().from_string("{{ no_such_value }}").render()


def test_the_locality_file_accepts_the_page_values_and_still_refuses_unknown_ones(tmp_path):
    text = bootstrap.app().settings.locality_file.read_text(encoding="utf-8")
    path = tmp_path / "locality.yml"
    path.write_text(text.replace('privacy_controller: ""', "privacy_controller: Example Trust"))
    assert load_locality(path)["privacy_controller"] == "Example Trust"
    path.write_text(text.replace('privacy_controller: ""', 'privacy_controler: "x"'))
    with pytest.raises(ContentError, match="privacy_controler"):
        load_locality(path)


def test_links_to_the_pages_use_the_public_address_when_there_is_one(monkeypatch):
    assert public_link("/privacy", Settings()) == "/privacy"
    assert public_link("/privacy", Settings(public_url="https://bot.example.org")) == (
        "https://bot.example.org/privacy"
    )
    monkeypatch.setenv("CCE_TEAMS_PUBLIC_URL", "https://teams.example.org/")
    assert load_settings().public_url == "https://teams.example.org"
    monkeypatch.setenv("CCE_PUBLIC_URL", "https://bot.example.org/")
    settings = load_settings()
    assert settings.public_url == "https://bot.example.org"
    assert settings.teams_public_url == "https://teams.example.org"
    monkeypatch.delenv("CCE_TEAMS_PUBLIC_URL")
    assert load_settings().teams_public_url == "https://bot.example.org"
    monkeypatch.setenv("CCE_PUBLIC_URL", "bot.example.org")
    with pytest.raises(ValueError, match="CCE_PUBLIC_URL"):
        load_settings()
