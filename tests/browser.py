"""Headless Chromium driven over the Chrome DevTools Protocol, for tests of the HTML report.

Chromium listens on a loopback port chosen by the kernel, its profile lives in a temporary
directory, and every HTTP request it would make goes to a proxy that does not exist, so
nothing leaves the machine even if a page tried. The page's own requests are recorded from
CDP ``Network`` events, so a test can assert there were none. Every wait is bounded and the
browser is killed on exit, also when the test fails.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from base64 import b64decode
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pytest
import websocket

TIMEOUT = 20.0  # seconds for any single wait; Chromium starts in about one on a quiet machine
_LISTENING = re.compile(r"DevTools listening on (ws://127\.0\.0\.1:(\d+)/\S+)")


def chromium_or_fail() -> str:
    """The Chromium executable; a missing browser skips locally and fails in CI (``CI=true``)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    message = "chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


class Page:
    """One tab: send commands, collect events, evaluate JavaScript."""

    def __init__(self, socket: websocket.WebSocket) -> None:
        self.socket = socket
        self.events: list[dict[str, Any]] = []
        self._next_id = 0

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        self.socket.send(json.dumps({"id": self._next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self.events.append(message)

    def wait_for_event(self, method: str) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        seen = next((event for event in self.events if event.get("method") == method), None)
        while seen is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {method} event within {TIMEOUT} s")
            message = json.loads(self.socket.recv())
            self.events.append(message)
            if message.get("method") == method:
                seen = message
        return seen

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (JSON-serialisable), raising on a page exception."""
        reply = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in reply:
            raise RuntimeError(f"{expression!r} raised: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def open(self, path: Path) -> None:
        """Load a local file and wait until its load event (scripts have run by then).
        Events of earlier pages are dropped, so requests and errors are this page's own."""
        self.events.clear()
        self.send("Page.enable")
        self.send("Network.enable")
        self.send("Runtime.enable")
        self.send("Log.enable")  # blocked loads (Content-Security-Policy) are reported here
        self.send("Page.navigate", url=path.resolve().as_uri())
        self.wait_for_event("Page.loadEventFired")

    def requested_urls(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]

    def console_errors(self) -> list[str]:
        return [
            json.dumps(e["params"])
            for e in self.events
            if e.get("method") == "Runtime.exceptionThrown"
            or (e.get("method") == "Runtime.consoleAPICalled" and e["params"].get("type") == "error")
            or (e.get("method") == "Log.entryAdded" and e["params"]["entry"].get("level") == "error")
        ]

    def screenshot(self, path: Path, width: int = 1400) -> Path:
        """A PNG of the whole page (as tall as its content) at ``width`` CSS pixels."""
        # Sections laid out only when visible change the page's height once the viewport
        # holds them all, so the height is measured again after a frame.
        for _ in range(2):
            height = int(self.evaluate("Math.ceil(document.documentElement.scrollHeight)"))
            self.send(
                "Emulation.setDeviceMetricsOverride",
                width=width,
                height=height,
                deviceScaleFactor=1,
                mobile=False,
            )
            self.evaluate("new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)))")
        shot = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path.write_bytes(b64decode(shot["data"]))
        return path


@contextmanager
def chromium_page() -> Iterator[Page]:
    """A blank tab in a fresh headless Chromium; the browser is stopped when the block ends."""
    executable = chromium_or_fail()
    profile = Path(tempfile.mkdtemp(prefix="chartgen-chromium-"))
    process = subprocess.Popen(
        [
            executable,
            "--headless",
            "--no-sandbox",  # tests run as root in CI containers
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--proxy-server=127.0.0.1:9",  # the discard port: a request would fail, never leave
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    socket = None
    try:
        port = _debugging_port(process)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=TIMEOUT) as response:
            targets = json.load(response)
        page_url = next(t["webSocketDebuggerUrl"] for t in targets if t.get("type") == "page")
        socket = websocket.create_connection(page_url, timeout=TIMEOUT, suppress_origin=True)
        yield Page(socket)
    finally:
        if socket is not None:
            socket.close()
        _stop(process)
        shutil.rmtree(profile, ignore_errors=True)


def _stop(process: subprocess.Popen[str]) -> None:
    """SIGTERM lets Chromium stop its helper processes and finish with its profile; kill if it hangs."""
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=TIMEOUT)


def _debugging_port(process: subprocess.Popen[str]) -> int:
    """The port from Chromium's 'DevTools listening on ws://127.0.0.1:PORT/...' line.

    A thread reads stderr, so the wait is bounded and Chromium never blocks on a full pipe."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_drain, args=(process.stderr, lines), daemon=True).start()
    deadline = time.monotonic() + TIMEOUT
    seen = []
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            break
        seen.append(line)
        match = _LISTENING.search(line)
        if match:
            return int(match.group(2))
    raise RuntimeError("Chromium did not start its DevTools endpoint:\n" + "".join(seen[-20:]))


def _drain(stream: IO[str] | None, lines: queue.Queue[str]) -> None:
    for line in stream or ():
        lines.put(line)
