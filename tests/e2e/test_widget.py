"""The web chat widget in a real browser (Debian's chromium, driven by Playwright):
answers with their source, the check by buttons alone, reload, keyboard use,
accessibility (axe-core), script injection, signatures and the phone layout."""

from __future__ import annotations

import json
import os
import re
import time
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from bot.channels import tokens
from bot.config import PROJECT_ROOT
from bot.secrets import Purpose, derive_key, load_or_create_secret

pytestmark = [pytest.mark.model, pytest.mark.live]
AXE = PROJECT_ROOT / "tests/e2e/node_modules/axe-core/axe.min.js"
SCREENSHOTS = PROJECT_ROOT / "results" / "screenshots"
BOT = ".cce-msg--bot"
USER = ".cce-msg--user"


def wait_for_welcome(page):
    expect(page.locator(BOT).first).to_contain_text("CCE practitioner assistant", timeout=20_000)


def bot_count(page) -> int:
    return page.locator(BOT).count()


def send(page, text: str) -> None:
    before = bot_count(page)
    page.get_by_label("Your message").fill(text)
    page.get_by_label("Your message").press("Enter")
    expect(page.locator(BOT)).not_to_have_count(before, timeout=20_000)
    expect(page.get_by_label("Your message")).to_be_enabled()


def click_reply(page, name: str) -> None:
    """Clicks the newest reply button named exactly ``name`` ("No", not "Not sure")."""
    before = bot_count(page)
    exact = re.compile(f"^{re.escape(name)}$")
    page.locator(f"{BOT} .cce-reply").filter(has_text=exact).last.click()
    expect(page.locator(BOT)).not_to_have_count(before, timeout=20_000)
    expect(page.get_by_label("Your message")).to_be_enabled()


def test_page_has_a_strict_content_security_policy(browser, assistant):
    page = browser.new_page()
    response = page.goto(f"{assistant.url}/webhooks/web/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "*" not in policy
    page.close()


def test_header_gives_999_and_the_front_door(page):
    wait_for_welcome(page)
    emergency = page.get_by_role("link", name="Child in immediate danger? Call 999")
    expect(emergency).to_have_attribute("href", "tel:999")
    expect(
        page.locator("a[href='mailto:NELCChildrensFrontDoor@nelincs.gov.uk']").first
    ).to_be_visible()


def test_guidance_question_is_answered_with_its_source_visible(page):
    wait_for_welcome(page)
    send(page, "what is cuckooing")
    source = page.locator(f"{BOT} .cce-source").last
    expect(source).to_be_visible()
    expect(source).to_have_text(
        "Source: NEL CCE guidance – Who is vulnerable to child criminal exploitation?"
    )
    assert not page.errors


def tick(page, seen: list[str], not_known: list[str] = ()) -> None:
    """Ticks items on the newest checklist screen and presses Done."""
    form = page.locator(f"{BOT} .cce-checklist-form").last
    for label in seen:
        form.get_by_label(label, exact=True).check()
    for label in not_known:
        form.get_by_label(f"Not known: {label}", exact=True).check()
    before = bot_count(page)
    form.get_by_role("button", name="Done").click()
    expect(page.locator(BOT)).not_to_have_count(before, timeout=20_000)
    expect(page.get_by_label("Your message")).to_be_enabled()


MOVED = (
    "Moved, or made to travel, from one place to another to carry out crime "
    "(for example carrying drugs)"
)
PARENT = "Concern that a parent or carer is facilitating the exploitation"


def run_check(page, danger="No", age="Yes", screens: dict | None = None) -> None:
    """The check by clicks alone: each themed screen gets its ticks (by screen
    number from 1), or None of these."""
    click_reply(page, "Start an indicator check")
    click_reply(page, danger)
    if danger == "Yes":
        return
    click_reply(page, age)
    if age == "No":
        return tick(page, (screens or {}).get(1, []))
    click_reply(page, "Skip")
    for number in range(1, 8):
        if (screens or {}).get(number):
            tick(page, screens[number])
        else:
            click_reply(page, "None of these")


def run_check_by_buttons(page) -> None:
    run_check(page, screens={4: [MOVED]})
    expect(page.locator(BOT).filter(has_text="Indicator check summary")).to_have_count(1)


def test_check_by_clicking_buttons_only_and_summary_download(page, tmp_path):
    wait_for_welcome(page)
    run_check_by_buttons(page)
    expect(
        page.locator(BOT).filter(has_text="There are signs of possible criminal").first
    ).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download summary").click()
    download = download_info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    text = target.read_text(encoding="utf-8")
    assert text.startswith("Indicator check summary")
    assert "Moved or made to travel to commit crime: Yes" in text
    assert "NRM: the answers describe a potential victim of modern slavery" in text
    assert "Reference: CCE-" in text
    assert not page.errors


def test_conversation_survives_a_reload(page):
    wait_for_welcome(page)
    send(page, "what is a graft phone")
    page.reload()
    expect(page.locator(USER).filter(has_text="what is a graft phone")).to_have_count(
        1, timeout=20_000
    )
    expect(page.locator(f"{BOT} .cce-source").last).to_have_text(
        "Source: NEL CCE guidance – Indicators"
    )


def test_keyboard_only(page):
    wait_for_welcome(page)
    page.locator("body").focus()
    order = []
    for _ in range(12):
        page.keyboard.press("Tab")
        order.append(page.evaluate(
            "() => { const e = document.activeElement; return (e.getAttribute('aria-label') || "
            "e.textContent || e.getAttribute('name') || e.tagName).trim().slice(0, 40) }"
        ))  # fmt: skip
    assert order.index("Child in immediate danger? Call 999") < order.index("message")
    assert order.index("Start an indicator check") < order.index("message") < order.index("Send")
    # The focused control shows a visible outline of at least 2px.
    page.get_by_label("Your message").focus()
    width = page.evaluate("() => getComputedStyle(document.activeElement).outlineWidth")
    assert float(width.replace("px", "")) >= 2
    # Enter sends; a reply button works from the keyboard.
    page.keyboard.type("what is the nrm")
    before = bot_count(page)
    page.keyboard.press("Enter")
    expect(page.locator(BOT)).not_to_have_count(before, timeout=20_000)
    button = page.locator(f"{BOT} .cce-reply").filter(has_text="Start an indicator check").last
    button.focus()
    before = bot_count(page)
    page.keyboard.press("Enter")
    expect(page.locator(BOT).last).to_contain_text("immediate danger", timeout=20_000)


def axe_violations(browser, assistant, run_check: bool) -> list[dict]:
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{assistant.url}/webhooks/web/")
    wait_for_welcome(page)
    if run_check:
        run_check_by_buttons(page)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"
    )
    context.close()
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("run_check", [False, True], ids=["empty widget", "after a full check"])
def test_axe_finds_no_serious_or_critical_violation(browser, assistant, run_check):
    violations = axe_violations(browser, assistant, run_check)
    assert not violations, json.dumps(
        [{"id": v["id"], "nodes": [n["html"] for n in v["nodes"][:3]]} for v in violations],
        indent=2,
    )


PAYLOADS = [
    "<script>window.__pwned = 1</script>",
    '<img src=x onerror="window.__pwned=1">',
    '<svg onload="window.__pwned=1"></svg>',
    "<svg><script>window.__pwned=1</script></svg>",
    '<iframe src="javascript:window.__pwned=1"></iframe>',
    "[click me](javascript:window.__pwned=1)",
    "[click me](JaVaScRiPt:window.__pwned=1)",
    "[click me]( javascript:window.__pwned=1 )",
    "[data](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX19wd25lZD0xPC9zY3JpcHQ+)",
    "[vb](vbscript:msgbox(1))",
    "javascript:window.__pwned=1",
    "data:text/html,<script>window.__pwned=1</script>",
    '"><img src=x onerror=window.__pwned=1>',
    "'><svg/onload=window.__pwned=1>",
    "</div><script>window.__pwned=1</script>",
    "&lt;img src=x onerror=window.__pwned=1&gt;",
    "&#60;script&#62;window.__pwned=1&#60;/script&#62;",
    "**<b onmouseover=window.__pwned=1>bold</b>**",
    '- <a href="javascript:window.__pwned=1">list link</a>',
    '[x](https://example.org" onclick="window.__pwned=1)',
    "<a href=javascript&colon;window.__pwned=1>colon</a>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__pwned=1>",
    "<details open ontoggle=window.__pwned=1>",
    "<body onload=window.__pwned=1>",
]


def assert_nothing_ran(page) -> None:
    assert page.evaluate("() => window.__pwned") is None
    assert (
        page.locator("a[href^='javascript:' i], a[href^='data:' i], a[href^='vbscript:' i]").count()
        == 0
    )
    assert page.locator(".cce-log script, .cce-log img, .cce-log svg, .cce-log iframe").count() == 0
    for href in page.eval_on_selector_all(".cce-log a", "links => links.map(a => a.href)"):
        assert href.split(":", 1)[0] in ("http", "https", "mailto", "tel"), href


def test_script_injection_in_user_messages_never_runs(page):
    wait_for_welcome(page)
    for payload in PAYLOADS:
        send(page, payload)
        expect(page.locator(USER).last).to_contain_text(payload.strip()[:10])
    assert len(PAYLOADS) >= 20
    assert_nothing_ran(page)
    assert not page.errors


def test_script_injection_echoed_by_the_bot_in_markdown_never_runs(page, assistant):
    wait_for_welcome(page)

    def echo(route):  # the bot's reply repeats the user's text, markdown and all
        text = json.loads(route.request.post_data)["text"]
        route.fulfill(json={"messages": [{"text": f"You wrote:\n{text}\n- {text}", "buttons": []}]})

    page.route(f"{assistant.url}/webhooks/web/message", echo)
    for payload in PAYLOADS:
        send(page, payload)
    send(page, "a safe [link](https://example.org/guide) and **bold**")
    link = page.locator(f"{BOT} a[href='https://example.org/guide']").last
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(page.locator(f"{BOT} strong").filter(has_text="bold").last).to_be_visible()
    assert_nothing_ran(page)


TOKEN_KEY = "cce-assistant-token"
ENDED = "The earlier conversation has ended and is no longer shown"


def stored_tokens(page) -> dict:
    return page.evaluate(
        f"() => ({{session: sessionStorage.getItem('{TOKEN_KEY}'), "
        f"local: localStorage.getItem('{TOKEN_KEY}')}})"
    )


def test_the_token_is_kept_for_this_tab_only_never_in_local_storage(browser, assistant):
    context = browser.new_context()
    # A token an earlier version left in localStorage (shared by every tab, kept for ever).
    context.add_init_script(f"localStorage.setItem('{TOKEN_KEY}', 'web-left.behind')")
    page = context.new_page()
    page.goto(f"{assistant.url}/webhooks/web/")
    wait_for_welcome(page)
    kept = stored_tokens(page)
    assert kept["session"] and kept["session"].startswith("web-")
    assert kept["local"] is None
    # Another tab (a new session of the browser's storage) starts its own conversation.
    other = context.new_page()
    other.goto(f"{assistant.url}/webhooks/web/")
    wait_for_welcome(other)
    assert stored_tokens(other)["session"] != kept["session"]
    context.close()


def test_start_a_new_conversation_forgets_the_old_one(page):
    wait_for_welcome(page)
    send(page, "what is a graft phone")
    old = stored_tokens(page)["session"]
    before = bot_count(page)
    page.get_by_role("button", name="Start a new conversation").click()
    expect(page.locator(USER)).to_have_count(0)
    expect(page.locator(BOT)).not_to_have_count(before, timeout=20_000)
    wait_for_welcome(page)
    new = stored_tokens(page)["session"]
    assert new and new.split(".")[0] != old.split(".")[0]
    page.reload()
    wait_for_welcome(page)
    expect(page.locator(USER).filter(has_text="what is a graft phone")).to_have_count(0)


def test_an_idle_widget_forgets_its_conversation_after_the_session_length(browser, assistant):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.clock.install()
    page.goto(f"{assistant.url}/webhooks/web/")
    wait_for_welcome(page)
    send(page, "what is a graft phone")
    old = stored_tokens(page)["session"]
    page.clock.fast_forward("59:00")  # within the hour nothing happens
    expect(page.locator(USER).filter(has_text="what is a graft phone")).to_have_count(1)
    page.clock.fast_forward("02:00")  # an hour after the last message
    expect(page.locator(".cce-msg--notice")).to_contain_text(ENDED, timeout=20_000)
    wait_for_welcome(page)
    expect(page.locator(USER)).to_have_count(0)
    expect(page.locator(".cce-source")).to_have_count(0)  # nothing of the old answer either
    assert stored_tokens(page)["session"].split(".")[0] != old.split(".")[0]
    assert not errors
    context.close()


def test_a_token_that_expired_while_the_tab_was_away_starts_afresh_with_a_notice(
    browser, assistant
):
    base = f"{assistant.url}/webhooks/web"
    token = post(f"{base}/session", b"{}")[1]["token"]
    body = json.dumps({"token": token, "text": "what is cuckooing"}).encode()
    assert post(f"{base}/message", body)[0] == 200
    secret = load_or_create_secret(assistant.var_dir, os.environ.get("CCE_SECRET_KEY", ""))
    key = derive_key(secret, Purpose.WIDGET_TOKENS)
    expired = tokens.sign(token.split(".")[0], int(time.time()) - 60, key)
    context = browser.new_context()
    context.add_init_script(f"sessionStorage.setItem('{TOKEN_KEY}', '{expired}')")
    page = context.new_page()
    page.goto(f"{base}/")
    expect(page.locator(".cce-msg--notice")).to_contain_text(ENDED, timeout=20_000)
    wait_for_welcome(page)
    expect(page.locator(USER)).to_have_count(0)
    expect(page.locator(BOT).filter(has_text="cuckooing")).to_have_count(0)
    assert stored_tokens(page)["session"] != expired
    context.close()


def post(url: str, body: bytes) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_forged_or_missing_signature_is_refused(assistant):
    base = f"{assistant.url}/webhooks/web"
    status, body = post(f"{base}/session", b"{}")
    token = body["token"]
    session_id, expires_at, signature = token.split(".")
    assert post(f"{base}/message", json.dumps({"token": token, "text": "hi"}).encode())[0] == 200
    forged = f"web-{'0' * 32}.{expires_at}.{signature}"
    for path in ("message", "history"):
        assert (
            post(f"{base}/{path}", json.dumps({"token": forged, "text": "hi"}).encode())[0] == 403
        )
        status, body = post(f"{base}/{path}", json.dumps({"text": "hi"}).encode())
        assert status == 401 and "token" in body["error"]
    assert post(f"{base}/message", b"{not json")[0] == 400
    assert post(f"{base}/message", b"x" * 100_000)[0] == 413


@pytest.mark.parametrize(
    ("name", "width", "height"), [("desktop", 1280, 900), ("phone-360", 360, 740)]
)
def test_layouts_and_screenshots(browser, assistant, name, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{assistant.url}/webhooks/web/")
    wait_for_welcome(page)
    send(page, "what are the signs of cce")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"widget-{name}.png"), full_page=False)
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= width
    expect(page.get_by_role("button", name="Send")).to_be_in_viewport()
    context.close()


def test_a_checklist_screen_is_checkboxes_with_the_recognised_ones_ticked(page):
    wait_for_welcome(page)
    click_reply(page, "Start an indicator check")
    click_reply(page, "No")
    click_reply(page, "Yes")
    send(page, "he has two phones and keeps going missing")
    click_reply(page, "None of these")  # school and behaviour
    form = page.locator(f"{BOT} .cce-checklist-form").last
    expect(form.locator("legend")).to_contain_text("Appearance, money and phones")
    phones = form.get_by_label('Multiple mobile phones ("graft phone")', exact=True)
    expect(phones).to_be_checked()
    unknown = form.get_by_label('Not known: Multiple mobile phones ("graft phone")', exact=True)
    unknown.check()  # ticking "not known" clears "seen"
    expect(phones).not_to_be_checked()
    phones.check()
    expect(unknown).not_to_be_checked()
    tick(page, [], ["New nickname"])
    expect(page.locator(f"{USER} .cce-msg__body").last).to_have_text(
        'Seen: Multiple mobile phones ("graft phone"). Not known: New nickname.'
    )
    # the answered screen can no longer be sent; the new one can
    expect(page.locator(".cce-checklist").nth(-2).locator("input").first).to_be_disabled()
    expect(page.locator(f"{BOT} .cce-checklist-form").last.locator("legend")).to_contain_text(
        "Friends and adults"
    )
    assert not page.errors


OUTCOMES = {
    "emergency": ({"danger": "Yes"}, "Call 999 now"),
    "outside-scope": ({"age": "No", "screens": {1: [MOVED]}}, "The guidance covers children"),
    "child-protection": ({"screens": {6: [PARENT]}}, "Follow Child Protection Procedures"),
    "exploitation-concern": ({"screens": {4: [MOVED]}}, "There are signs of possible criminal"),
    "no-indicator": ({}, "The answers you gave showed no indicator"),
}


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_every_outcome_at_360_px(browser, assistant, outcome):
    """Each outcome reached in the widget by clicks alone, screenshotted at 360 px."""
    answers, title = OUTCOMES[outcome]
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{assistant.url}/webhooks/web/")
    wait_for_welcome(page)
    run_check(page, **answers)
    result = page.locator(BOT).filter(has_text=title).first
    expect(result).to_be_visible()
    expect(page.locator(BOT).filter(has_text="Indicator check summary")).to_have_count(1)
    result.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"check-{outcome}-360.png"))
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 360
    assert not errors
    context.close()


def test_a_checklist_screen_at_360_px(browser, assistant):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{assistant.url}/webhooks/web/")
    wait_for_welcome(page)
    click_reply(page, "Start an indicator check")
    click_reply(page, "No")
    click_reply(page, "Yes")
    send(page, "two phones and new trainers he can't explain")
    click_reply(page, "None of these")
    form = page.locator(f"{BOT} .cce-checklist-form").last
    form.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "check-checklist-360.png"))
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 360
    box = form.get_by_label("New nickname", exact=True).bounding_box()
    assert box and box["width"] >= 24 and box["height"] >= 24  # WCAG 2.2 target size
    context.close()


def test_an_answer_can_be_marked_not_helpful_with_a_reason(page, assistant):
    wait_for_welcome(page)
    send(page, "what is a trap house")
    answer = page.locator(BOT).filter(has_text="Source: NEL CCE guidance").last
    tools = answer.get_by_role("group", name="Was this helpful?")
    tools.get_by_role("button", name="No", exact=True).click()
    expect(answer.get_by_text("What was wrong?")).to_be_visible()
    answer.get_by_role("button", name="Hard to understand").click()
    expect(answer.get_by_text("Thanks for your feedback.")).to_be_visible()
    assert not page.errors
