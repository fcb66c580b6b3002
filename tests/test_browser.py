"""Tests of the site in a real headless Chromium: navigation, MathML layout, search, narrow screens.

Uses Playwright's Python API with the system Chromium (never Playwright's own download). Without a
Chromium the tests are skipped with the reason, unless MLCATALOGUE_REQUIRE_BROWSER=1 (set in CI),
which turns the absence into a failure.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mlcatalogue.join import load_catalogue
from mlcatalogue.site import open_server, render_site

pytestmark = pytest.mark.browser

SITE_DATA = Path(__file__).parent / "data" / "site"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def unavailable(reason: str) -> None:
    if os.environ.get("MLCATALOGUE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (MLCATALOGUE_REQUIRE_BROWSER=1 requires the browser tests to run)")
    pytest.skip(reason)


def chromium_executable() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    unavailable("no Chromium found (install it with `apt-get install chromium`)")
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "site"
    render_site(load_catalogue(SITE_DATA), out)
    return out


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    server = open_server(site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_executable()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


def box(locator: Any) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, "element is not rendered"
    return found


def test_browse_from_home_to_an_entry_and_search(page: Any, base_url: str, tmp_path: Path) -> None:
    """Home → area → entry shows rendered MathML; the search box finds "bias"; screenshots saved."""
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(base_url)
    assert page.locator("h1").inner_text() == "Machine-learning theory, stated exactly"
    page.get_by_role("link", name="Bias and variance").first.click()
    page.wait_for_url("**/areas/statistics.html")
    page.get_by_role("link", name="Bias–variance decomposition of the mean squared error").click()
    page.wait_for_url("**/entries/mse_bias_variance.html")

    inline = box(page.locator(".statement math").first)
    display = box(page.locator(".statement math[display=block]").first)
    assert inline["width"] > 5 and inline["height"] > 5
    assert display["width"] > 100 and display["height"] > 10
    # A MathML fraction lays out its numerator above its denominator (so MathML really rendered).
    page.goto(base_url + "entries/variance_sample_mean.html")
    fraction = page.locator(".statement mfrac").nth(1)
    numerator, denominator = box(fraction.locator("> *").nth(0)), box(fraction.locator("> *").nth(1))
    assert numerator["y"] + numerator["height"] <= denominator["y"] + 1
    page.goto(base_url + "entries/mse_bias_variance.html")
    page.screenshot(path=str(tmp_path / "entry.png"), full_page=True)

    page.goto(base_url)
    page.locator(".pagefind-ui__search-input").fill("bias")
    result = page.locator(".pagefind-ui__result-link").first
    result.wait_for(timeout=15_000)
    titles = page.locator(".pagefind-ui__result-link").all_inner_texts()
    assert any("Bias–variance decomposition" in title for title in titles), titles
    page.screenshot(path=str(tmp_path / "search.png"), full_page=True)
    result.click()
    page.wait_for_load_state()
    assert "/entries/" in page.url or "/areas/" in page.url

    assert errors == []
    assert all(url.startswith((base_url, "data:")) for url in requests), requests


def test_pages_read_from_disk_without_a_server(page: Any, site: Path) -> None:
    """Opened as file://, pages navigate and show formulas; the search explains it needs serve."""
    page.goto((site / "index.html").as_uri())
    assert page.locator("#search-file-note").is_visible()
    assert "mlcatalogue serve" in page.locator("#search-file-note").inner_text()
    page.get_by_role("link", name="Bias and variance").first.click()
    page.get_by_role("link", name="Variance of the sample mean").click()
    assert box(page.locator(".statement math[display=block]").first)["height"] > 20


def too_wide_pages(browser: Any, site: Path, base_url: str, width: int = 375) -> list[tuple[str, int]]:
    """Pages of `site` whose content is wider than a `width`-pixel screen."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        narrow = context.new_page()
        found = []
        for path in sorted(site.rglob("*.html")):
            if "pagefind" in path.parts:
                continue
            narrow.goto(base_url + path.relative_to(site).as_posix())
            scroll_width = narrow.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                found.append((path.relative_to(site).as_posix(), scroll_width))
        return found
    finally:
        context.close()


def test_narrow_screen_has_no_page_wide_horizontal_scroll(browser: Any, site: Path, base_url: str,
                                                          tmp_path: Path) -> None:
    """At 375 px wide every page fits the screen; long formulas and code scroll by themselves."""
    assert too_wide_pages(browser, site, base_url) == []
    context = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        narrow = context.new_page()
        narrow.goto(base_url + "entries/variance_sample_mean.html")
        narrow.screenshot(path=str(tmp_path / "narrow.png"), full_page=True)
    finally:
        context.close()


def test_search_on_the_repository_site_finds_bias(browser: Any, tmp_path: Path) -> None:
    """The real catalogue's site, served, finds "bias" from the home page and fits a phone."""
    repository = Path(__file__).parents[1]
    out = tmp_path / "site"
    render_site(load_catalogue(repository), out)
    server = open_server(out)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        home = context.new_page()
        home.goto(f"http://127.0.0.1:{server.server_address[1]}/")
        home.locator(".pagefind-ui__search-input").fill("bias")
        home.locator(".pagefind-ui__result-link").first.wait_for(timeout=15_000)
        titles = home.locator(".pagefind-ui__result-link").all_inner_texts()
        assert any("bias" in title.lower() for title in titles), titles
        home.screenshot(path=str(tmp_path / "repository-search.png"), full_page=True)
        base_url = f"http://127.0.0.1:{server.server_address[1]}/"
        assert too_wide_pages(browser, out, base_url) == []
    finally:
        context.close()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
