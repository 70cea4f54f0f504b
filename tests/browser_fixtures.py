"""Fixtures for browser and fault tests: a real server and Debian's headless Chromium driven by Playwright."""
import os
import shutil

import pytest

from serving import Server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
         "--no-first-run", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One demo café served for the tests of a module."""
    server = Server(tmp_path_factory.mktemp("server"))
    server.start()
    yield server
    server.close()


@pytest.fixture
def fresh_server(tmp_path):
    """A server of a test's own, for tests that kill it."""
    server = Server(tmp_path)
    server.start()
    yield server
    server.close()


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium; skipped where it is not installed, except under CI."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium must be installed under CI (make test installs Debian's chromium as root)")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """Open pages, each in its own context (its own cookies), closed after the test."""
    contexts = []

    def open_page(url=None, **options):
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        if url:
            page.goto(url)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def console(new_page, server):
    """The facilitator's console, logged in as the demo organiser (once per server: logins are rate-limited per
    address, and a module may open the console more often than that limit allows in its window)."""
    state = getattr(server, "login_state", None)
    if state is None:
        page = new_page(f"{server.base}/login", viewport={"width": 1400, "height": 900})
        email, _, password = server.urls["organiser login"].partition(" / password ")
        page.fill("#email", email)
        page.fill("#password", password)
        page.click("button[type=submit]")
        page.wait_for_url("**/organiser/**")
        server.login_state = page.context.storage_state()
    else:
        page = new_page(viewport={"width": 1400, "height": 900}, storage_state=state)
    page.goto(server.urls["console"])
    page.wait_for_selector("[data-live].online")
    return page
