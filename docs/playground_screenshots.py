"""Regenerate the README's screenshots of ``glassnet playground``.

Run from the repository root (needs Debian's Chromium and ``pip install playwright``,
the same set-up as tests/test_playground_browser.py)::

    .venv/bin/python docs/playground_screenshots.py

Writes docs/playground.png (the spiral, 4-6-4-1 with five features, after 400 epochs) and docs/playground_article.png (the article mode at ∂L/∂w1
for Alice).
"""

from __future__ import annotations

import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

from glassnet.playground import make_server

HERE = Path(__file__).resolve().parent
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


def main() -> None:
    server = make_server("127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=ARGS
        )
        page = browser.new_page(viewport={"width": 1180, "height": 640})
        page.goto(server.url)
        page.wait_for_function("window.__glassnet && window.__glassnet.frames > 0")
        page.evaluate(
            """fetch(`/api/session/${window.__glassnet.id}/settings`, {
              method: 'POST', body: JSON.stringify({dataset: 'spiral',
              features: ['x1', 'x2', 'x1^2', 'x2^2', 'sin(x1)', 'sin(x2)'],
              hidden: [6, 4], learning_rate: 0.01, optimizer: 'adam',
              noise: 0.1})})"""
        )
        page.wait_for_function(
            "window.__glassnet.snap && window.__glassnet.snap.settings.hidden[0] === 6"
        )
        page.check("#show-test")
        page.get_by_test_id("play").click()
        page.wait_for_function(
            "window.__glassnet.snap.epoch >= 400", timeout=120_000
        )
        page.get_by_test_id("pause").click()
        page.wait_for_timeout(300)
        page.screenshot(path=HERE / "playground.png")
        page.get_by_test_id("article-mode").click()
        page.wait_for_selector('[data-testid=article-value][data-name="h1"]')
        for _ in range(4):
            page.get_by_test_id("article-next").click()
        page.wait_for_selector('[data-testid=article-value][data-name="d_L_d_w1"]')
        page.set_viewport_size({"width": 1180, "height": 760})
        page.screenshot(path=HERE / "playground_article.png", full_page=True)
        browser.close()
    server.stop()
    server.server_close()


if __name__ == "__main__":
    main()
