"""glassnet playground in a real browser: headless Chromium driven by Playwright.

CI installs Chromium from Debian's packages (.ci/run) and Playwright from pip
(the test extra); Playwright's own browser download is never used. On a machine
without them these tests skip, saying what is missing. One server and one
browser for the module.
"""

from __future__ import annotations

import io
import math
import shutil
import threading

import pytest

from glassnet import article
from glassnet.playground import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
sync_api = pytest.importorskip(
    "playwright.sync_api", reason='needs Playwright: pip install -e ".[test]"'
)
if not shutil.which(CHROMIUM):
    pytest.skip(
        "needs Chromium at /usr/bin/chromium: apt-get install chromium",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def url():
    server = make_server("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.url
    server.stop()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, url):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("window.__glassnet && window.__glassnet.frames > 0")
    yield page
    context.close()


def number(page, testid):
    return float(page.get_by_test_id(testid).inner_text())


def settle(page, expression):
    """Wait until the page has drawn a snapshot for which ``expression`` holds."""
    page.wait_for_function(f"(s => s && ({expression}))(window.__glassnet.snap)")


def test_spiral_learns_live(page):
    page.get_by_test_id("dataset").select_option("spiral")
    settle(page, "s.settings.dataset === 'spiral' && s.epoch === 0")
    start = number(page, "test-loss")
    page.get_by_test_id("play").click()
    # within 20 s: epochs counted up and the test loss well below where it began
    page.wait_for_function(
        f"""() => Number(document.querySelector('[data-testid=epoch]').innerText) > 5
        && Number(document.querySelector('[data-testid=test-loss]').innerText)
           < {start} - 0.02""",
        timeout=20_000,
    )
    page.get_by_test_id("pause").click()
    settle(page, "!s.playing")
    paused = number(page, "epoch")
    page.get_by_test_id("step").click()
    settle(page, f"s.epoch === {paused + 1}")
    page.get_by_test_id("reset").click()
    settle(page, "s.epoch === 0")
    assert page.get_by_test_id("epoch").inner_text() == "0"


def test_boundary_canvas_is_drawn(page):
    image = pytest.importorskip("PIL.Image", reason="needs Pillow (with matplotlib)")
    page.get_by_test_id("step").click()
    settle(page, "s.epoch >= 1")
    png = page.get_by_test_id("boundary").screenshot()
    pixels = image.open(io.BytesIO(png)).convert("RGB")
    colours = pixels.getcolors(maxcolors=1 << 20)
    assert len(colours) > 50  # a heat map and points, not one flat colour
    counts = sorted((n for n, _ in colours), reverse=True)
    assert counts[0] < 0.9 * pixels.width * pixels.height
    # points of both classes: orange (#f59322) and blue (#0877bd) pixels
    rgb = [c for _, c in colours]
    assert any(r > 200 and 120 < g < 170 and b < 60 for r, g, b in rgb)
    assert any(r < 30 and 100 < g < 140 and b > 170 for r, g, b in rgb)


def test_article_mode_shows_the_articles_numbers(page):
    page.get_by_test_id("article-mode").click()
    d_L_d_w1 = '[data-testid=article-value][data-name="d_L_d_w1"]'
    page.wait_for_selector('[data-testid=article-value][data-name="h1"]')
    assert page.locator(d_L_d_w1).count() == 0  # the forward pass comes first
    for _ in range(4):  # ∂L/∂ypred, ∂ypred/∂h1, ∂h1/∂w1, then their product
        page.get_by_test_id("article-next").click()
    page.wait_for_selector(d_L_d_w1)
    net = article.OurNeuralNetwork(seed=0)
    net.set_parameters(w1=1, w2=1, w3=1, w4=1, w5=1, w6=1, b1=0, b2=0, b3=0)
    alice = net.backprop(article.DATA[0], article.ALL_Y_TRUES[0])
    shown = float(page.locator(d_L_d_w1).first.inner_text())
    assert math.isclose(shown, alice.d_L_d_w1, rel_tol=1e-3)
    assert math.isclose(shown, 0.0214, abs_tol=1e-4)  # the post's rounding
    page.get_by_test_id("article-prev").click()
    page.wait_for_selector(d_L_d_w1, state="detached")
    # on to the SGD step, then Bob with the updated weights
    for _ in range(3):
        page.get_by_test_id("article-next").click()
    page.wait_for_selector("text=sample 2 (Bob)")
    for _ in range(4):
        page.get_by_test_id("article-next").click()
    page.wait_for_selector("text=sample 2 (Bob), step 5")
    for name, grad in alice.gradients().items():
        setattr(net, name, getattr(net, name) - 0.1 * grad)
    bob = net.backprop(article.DATA[1], article.ALL_Y_TRUES[1])
    shown = float(page.locator(d_L_d_w1).first.inner_text())
    assert math.isclose(shown, bob.d_L_d_w1, rel_tol=1e-3)
    values = page.get_by_test_id("article-value")
    assert values.count() > 40 and all(t.strip() for t in values.all_text_contents())


def test_update_rate_with_every_neuron_drawn(page, record_property):
    # 2-8-8-1: the boundary and 19 maps (2 inputs, 16 hidden, 1 output), 50 x 50
    page.evaluate(
        """fetch(`/api/session/${window.__glassnet.id}/settings`, {method: 'POST',
        body: JSON.stringify({hidden: [8, 8], dataset: 'spiral'})})"""
    )
    settle(page, "s.settings.hidden.length === 2 && s.grid === 50")
    assert page.locator("[data-testid=neuron]").count() == 19
    page.get_by_test_id("play").click()
    page.wait_for_timeout(1000)
    before = page.evaluate("[window.__glassnet.frames, performance.now()]")
    page.wait_for_timeout(4000)
    after = page.evaluate("[window.__glassnet.frames, performance.now()]")
    rate = (after[0] - before[0]) / ((after[1] - before[1]) / 1000)
    record_property("updates_per_second", round(rate, 1))
    print(f"\nplayground: {rate:.1f} screen updates per second (2-8-8-1, 50x50)")
    # the target is 20/s; the server sends at most 30 a second
    assert rate >= 20, f"{rate:.1f} screen updates per second"
