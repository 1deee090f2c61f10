"""glassnet playground's server, without a browser: files, settings, sessions.

The browser tests (tests/test_playground_browser.py) drive the page; these check
the HTTP side a page relies on: only the package's own files are served, bad
settings get a 4xx with a message and leave the server running, each tab has its
own network, the article mode's numbers are glassnet.article's, Ctrl-C stops the
command cleanly.
"""

from __future__ import annotations

import fnmatch
import http.client
import json
import math
import signal
import subprocess
import sys
import threading
from importlib import resources
from pathlib import Path

import pytest

from glassnet import article
from glassnet.playground import Session, article_sample, check_settings, make_server

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def server():
    srv = make_server("127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.stop()
    srv.server_close()
    thread.join(5)


def request(srv, method, path, body=None, raw=None):
    host, port = srv.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    data = raw if raw is not None else (None if body is None else json.dumps(body))
    conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    content = response.read()
    conn.close()
    return response.status, content


def first_snapshot(srv, key):
    """The first snapshot the event stream of session ``key`` sends."""
    host, port = srv.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", f"/api/session/{key}/events")
    response = conn.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/event-stream"
    while True:
        line = response.fp.readline()
        if line.startswith(b"data: "):
            conn.close()
            return json.loads(line[6:])


def new_session(srv, settings):
    status, content = request(srv, "POST", "/api/session", settings)
    assert status == 200, content
    return json.loads(content)["id"]


def test_serves_the_page_and_only_its_own_files(server):
    static = resources.files("glassnet.playground") / "static"
    status, page = request(server, "GET", "/")
    assert status == 200 and page == (static / "index.html").read_bytes()
    status, script = request(server, "GET", "/static/app.js")
    assert status == 200 and script == (static / "app.js").read_bytes()
    for path in [
        "/static/../session.py",
        "/static/%2e%2e/session.py",
        "/static/..%2fsession.py",
        "/../../../../etc/passwd",
        "//etc/passwd",
        "/static/",
        "/static",
        "/session.py",
        "/static/app.js/../../server.py",
        "/static/./app.js",
    ]:
        status, content = request(server, "GET", path)
        assert status == 404, path
        assert b"root:" not in content and b"import" not in content, path


def test_no_page_asset_comes_from_another_host():
    static = resources.files("glassnet.playground") / "static"
    for name in ("index.html", "app.js", "style.css"):
        text = (static / name).read_text()
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in text, name


def test_package_data_ships_every_static_file():
    # a non-editable install includes only what package-data names
    tomllib = pytest.importorskip("tomllib", reason="Python 3.11+ reads TOML")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["glassnet"]
    static = ROOT / "src" / "glassnet" / "playground" / "static"
    files = [p.relative_to(static.parents[1]).as_posix() for p in static.iterdir()]
    assert {"playground/static/index.html", "playground/static/app.js"} <= set(files)
    for name in files:
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b"{not json", 400, "JSON"),
        (b"[1, 2]", 400, "JSON object"),
        ({"hidden": [9]}, 400, "hidden[0] must be between 1 and 8"),
        ({"hidden": [2] * 7}, 400, "at most 6"),
        ({"hidden": [True]}, 400, "hidden[0] must be an integer"),
        ({"learning_rate": "fast"}, 400, "learning_rate must be a number"),
        ({"learning_rate": -1}, 400, "learning_rate must be between"),
        (b'{"noise": NaN}', 400, "noise must be between 0 and 0.5"),
        ({"dataset": "moons"}, 400, "dataset must be one of"),
        ({"features": []}, 400, "features must be a non-empty list"),
        ({"features": ["x3"]}, 400, "features"),
        ({"batch_size": 0}, 400, "batch_size must be between 1 and 100"),
        ({"bogus": 1}, 400, "unknown setting 'bogus'"),
        (b"x" * 70000, 413, "at most"),
    ],
)
def test_a_bad_setting_gets_a_4xx_and_the_server_keeps_serving(
    server, body, status, words
):
    key = new_session(server, {})
    raw = body if isinstance(body, bytes) else None
    got, content = request(
        server, "POST", f"/api/session/{key}/settings", body=body, raw=raw
    )
    assert got == status
    assert words in json.loads(content)["error"]
    assert request(server, "GET", "/")[0] == 200
    # the session kept its settings
    assert first_snapshot(server, key)["settings"] == check_settings({})


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/article?sample=-1", 400),
        ("/api/article?sample=abc", 400),
        ("/api/article?sample=99999999", 400),
        ("/api/session/nope/events", 404),
        ("/api/nothing", 404),
    ],
)
def test_bad_requests_get_a_4xx_with_a_message(server, path, status):
    got, content = request(server, "GET", path)
    assert got == status and json.loads(content)["error"]
    got, content = request(server, "POST", "/api/session/nope/play", {})
    assert got == 404 and "reload" in json.loads(content)["error"]


def test_each_tab_trains_its_own_network(server):
    a = new_session(server, {"dataset": "spiral", "hidden": [8, 8]})
    b = new_session(server, {"dataset": "circle"})
    for _ in range(3):
        assert request(server, "POST", f"/api/session/{a}/step", {})[0] == 200
    snap_a, snap_b = first_snapshot(server, a), first_snapshot(server, b)
    assert (snap_a["epoch"], snap_b["epoch"]) == (3, 0)
    assert snap_a["settings"]["dataset"] == "spiral"
    assert snap_b["settings"]["dataset"] == "circle"
    # 2 features, 8, 8, 1: one map per neuron, weights shaped like the layers
    assert [len(col) for col in snap_a["maps"]] == [2, 8, 8, 1]
    assert [(len(w["W"]), len(w["W"][0])) for w in snap_a["weights"]] == [
        (2, 8),
        (8, 8),
        (8, 1),
    ]
    assert len(snap_a["history"]) == 4  # epochs 0..3


def test_playing_trains_until_paused(server):
    key = new_session(server, {"dataset": "gaussians"})
    assert request(server, "POST", f"/api/session/{key}/play", {})[0] == 200
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", f"/api/session/{key}/events")
    response = conn.getresponse()
    epochs = []
    while len(epochs) < 5:
        line = response.fp.readline()
        if line.startswith(b"data: "):
            epochs.append(json.loads(line[6:])["epoch"])
    conn.close()
    assert epochs == sorted(epochs) and epochs[-1] > epochs[0]
    assert request(server, "POST", f"/api/session/{key}/pause", {})[0] == 200
    assert first_snapshot(server, key)["playing"] is False


def test_a_session_learns_separable_data():
    session = Session(check_settings({"dataset": "gaussians", "learning_rate": 0.1}))
    first = session.last_losses[1]
    for _ in range(30):
        session.train_epoch()
    # well-separated blobs: far below chance (ln 2 = 0.693) and below the start
    assert session.last_losses[1] < min(first, 0.2)


def test_article_numbers_are_glassnet_articles():
    alice = article_sample(0)
    net = article.OurNeuralNetwork(seed=0)
    net.set_parameters(w1=1, w2=1, w3=1, w4=1, w5=1, w6=1, b1=0, b2=0, b3=0)
    step = net.backprop(article.DATA[0], article.ALL_Y_TRUES[0])
    assert alice["name"] == "Alice"
    assert alice["values"]["d_L_d_w1"] == step.d_L_d_w1
    assert math.isclose(alice["values"]["d_L_d_w1"], 0.0214, abs_tol=1e-4)  # the post
    # sample 1 is Bob, after one SGD step of rate 0.1 on Alice
    bob = article_sample(1)
    assert bob["name"] == "Bob"
    for name, grad in step.gradients().items():
        assert bob["before"][name] == alice["after"][name]
        assert math.isclose(alice["after"][name], alice["before"][name] - 0.1 * grad)


def test_ctrl_c_stops_the_command_cleanly():
    process = subprocess.Popen(
        [sys.executable, "-m", "glassnet", "playground", "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("glassnet playground: http://127.0.0.1:")
        url = line.split()[2]
        port = int(url.rsplit(":", 1)[1].strip("/"))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/")
        assert conn.getresponse().status == 200
        conn.close()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "stopped" in out and "Traceback" not in err


def test_a_port_in_use_is_a_clear_error(server):
    port = server.server_address[1]
    result = subprocess.run(
        [sys.executable, "-m", "glassnet", "playground", "--port", str(port),
         "--no-browser"],
        capture_output=True,
        text=True,
        timeout=30,
    )  # fmt: skip
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
