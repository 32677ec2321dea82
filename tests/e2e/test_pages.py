"""The privacy notice and accessibility statement in a real browser (Debian's
chromium, driven by Playwright): axe-core finds nothing on them, they load their
stylesheet under the strict Content-Security-Policy, work from the keyboard, do
not scroll sideways at 360 and 320 px; the widget links to them (also embedded
on another site) and its welcome links the privacy notice. Screenshots of `/`
and both pages at 360 px go to results/screenshots/."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from tests.e2e.test_widget import AXE, BOT, SCREENSHOTS, wait_for_welcome

pytestmark = [pytest.mark.model, pytest.mark.live]
PAGES = {"privacy": "Privacy notice", "accessibility": "Accessibility statement"}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]  # as test_widget.py


def axe_run(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    return result["violations"]


def described(violations: list[dict]) -> str:
    return json.dumps(
        [{"id": v["id"], "impact": v["impact"], "nodes": [n["html"] for n in v["nodes"][:3]]}
         for v in violations],
        indent=2,
    )  # fmt: skip


@pytest.mark.parametrize("name", sorted(PAGES))
def test_axe_finds_no_violation_of_any_level_on_the_page(browser, assistant, name):
    context = browser.new_context(bypass_csp=True)  # only so that axe can be injected
    page = context.new_page()
    page.goto(f"{assistant.url}/{name}")
    violations = axe_run(page)
    context.close()
    assert not violations, described(violations)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_page_is_styled_under_its_content_security_policy_with_no_report(
    browser, assistant, name
):
    page = browser.new_page()
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    response = page.goto(f"{assistant.url}/{name}")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    expect(page.get_by_role("heading", level=1)).to_have_text(PAGES[name])
    header = page.locator(".cce-page__header")
    expect(header).to_have_css("background-color", "rgb(29, 79, 145)")  # page.css loaded
    assert not [m for m in messages if "Content Security Policy" in m], messages
    page.close()


def test_the_pages_work_from_the_keyboard(browser, assistant):
    page = browser.new_page()
    page.goto(f"{assistant.url}/privacy")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    order = []
    for _ in range(40):
        page.keyboard.press("Tab")
        order.append(page.evaluate("() => document.activeElement.textContent.trim()"))
        if order[-1] == "Accessibility statement":
            break
    assert order[-1] == "Accessibility statement", order
    width = page.evaluate("() => getComputedStyle(document.activeElement).outlineWidth")
    assert float(width.replace("px", "")) >= 2
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{assistant.url}/accessibility")
    page.close()


@pytest.mark.parametrize("width", [360, 320], ids=["phone-360", "zoom-400"])
@pytest.mark.parametrize("path", ["/", "/privacy", "/accessibility"])
def test_no_page_scrolls_sideways_and_360_screenshots(browser, assistant, path, width):
    context = browser.new_context(viewport={"width": width, "height": 740})
    page = context.new_page()
    page.goto(f"{assistant.url}{path}")
    if path == "/":
        wait_for_welcome(page)
        links = page.locator(".cce-links")
        expect(links.get_by_role("link", name="Privacy notice")).to_be_visible()
    else:
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= width
    if width == 360:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = {"/": "home"}.get(path, path.strip("/"))
        page.screenshot(path=str(SCREENSHOTS / f"{name}-360.png"), full_page=path != "/")
    context.close()


def test_the_widget_links_both_pages_and_its_welcome_links_the_privacy_notice(page, assistant):
    wait_for_welcome(page)
    privacy = page.locator(".cce-links").get_by_role("link", name="Privacy notice")
    expect(privacy).to_have_attribute("href", f"{assistant.url}/privacy")
    expect(privacy).to_contain_text("(opens in a new tab)")  # said to screen readers
    statement = page.locator(".cce-links").get_by_role("link", name="Accessibility statement")
    expect(statement).to_have_attribute("href", f"{assistant.url}/accessibility")
    welcome = page.locator(BOT).first.get_by_role("link", name="privacy notice")
    expect(welcome).to_have_attribute("href", f"{assistant.url}/privacy")
    # From the keyboard: the links come after the message box, and open the page.
    page.get_by_label("Your message").focus()
    for _ in range(6):  # Send, Start a new conversation, then the privacy notice
        page.keyboard.press("Tab")
        if privacy.evaluate("link => link === document.activeElement"):
            break
    expect(privacy).to_be_focused()
    with page.context.expect_page() as opened:
        page.keyboard.press("Enter")
    notice = opened.value
    expect(notice.get_by_role("heading", level=1)).to_have_text("Privacy notice")
    assert not page.errors


def test_a_root_relative_link_in_a_reply_stays_on_the_assistants_server(page, assistant):
    wait_for_welcome(page)
    reply = "[ours](/privacy) [other](//evil.example.org/x) [other too](/\\evil.example.org/x)"
    page.route(
        f"{assistant.url}/webhooks/web/message",
        lambda route: route.fulfill(json={"messages": [{"text": reply, "buttons": []}]}),
    )
    page.get_by_label("Your message").fill("hello")
    page.get_by_label("Your message").press("Enter")
    last = page.locator(BOT).last
    expect(last).to_contain_text("[other](//evil.example.org/x)")  # shown as typed, no link
    assert last.locator("a").evaluate_all("links => links.map(a => a.href)") == [
        f"{assistant.url}/privacy"
    ]


@pytest.fixture
def another_site(assistant):
    """A page of another site (another port: another origin) that embeds the widget,
    served for real: Chromium lets no routed page reach the loopback address."""
    html = (
        "<!doctype html><html lang='en'><head><title>Another site</title></head><body>"
        "<main><h1>Another site</h1><div id='chat'></div></main>"
        f"<script src='{assistant.url}/webhooks/web/static/widget.js' "
        f"data-server='{assistant.url}' data-container='chat'></script></body></html>"
    ).encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_the_widget_embedded_on_another_site_links_the_pages_on_its_server(
    browser, assistant, another_site
):
    """The links use the assistant's address, not the address of the site that embeds it."""
    page = browser.new_page()
    page.goto(another_site)
    links = page.locator(".cce-links a")
    expect(links).to_have_count(2)
    assert links.evaluate_all("links => links.map(a => a.href)") == [
        f"{assistant.url}/privacy",
        f"{assistant.url}/accessibility",
    ]
    page.close()
