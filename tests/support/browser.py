"""A real browser for tests: headless Chromium driven over the DevTools protocol on a pipe.

    with Chromium() as browser:
        page = browser.open(Path("report.html"), width=1280, height=2000)
        page.screenshot          # PNG bytes of the viewport
        page.evaluate("document.title")
        page.console             # console messages, exceptions and log entries
        page.requests            # every URL the page asked for

Chromium is started with ``--remote-debugging-pipe`` (the protocol on file descriptors
3 and 4, NUL-separated JSON), a fresh profile in a temporary directory, and the flags
that keep it off the network (no background networking, component updates, sync or
QUIC).  Every wait has a deadline; the process is closed and reaped on exit.

``find_chromium()`` is None where the browser is absent: tests skip with a line saying
how to install it (Debian: ``apt-get install chromium``).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import struct
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = ["INSTALL_HINT", "Chromium", "Page", "find_chromium", "png_size"]

INSTALL_HINT = "headless Chromium is not installed: apt-get install chromium"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--remote-debugging-pipe",
)
TIMEOUT = 60.0


def find_chromium() -> str | None:
    """The browser's path (``CHROMIUM`` overrides), or None."""
    named = os.environ.get("CHROMIUM")
    if named:
        return named if Path(named).exists() else None
    return next((p for name in CANDIDATES if (p := shutil.which(name))), None)


class BrowserError(AssertionError):
    """The browser did not answer as the protocol says, or in time."""


@dataclass
class Page:
    """A loaded page: what the tests look at."""

    url: str
    screenshot: bytes
    console: list[dict[str, Any]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    _browser: Chromium | None = None
    _session: str = ""

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (returned by value)."""
        assert self._browser is not None
        result = self._browser.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True},
            self._session,
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression!r} failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def pdf(self) -> bytes:
        """The page printed (print CSS applies), as PDF bytes."""
        assert self._browser is not None
        result = self._browser.call("Page.printToPDF", {"printBackground": True}, self._session)
        return base64.b64decode(result["data"])


class Chromium:
    """One headless Chromium process (a context manager)."""

    def __init__(self, executable: str | None = None) -> None:
        path = executable or find_chromium()
        if path is None:
            raise BrowserError(INSTALL_HINT)
        self.executable = path
        self._profile = tempfile.mkdtemp(prefix="chromium-profile-")
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []
        ours_read, theirs_write = os.pipe()  # the browser writes on its fd 4
        theirs_read, ours_write = os.pipe()  # the browser reads its fd 3
        # Closed in close(): the browser writes to it for its whole life.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115

        def wire() -> None:  # in the child, before exec
            os.dup2(theirs_read, 3)
            os.dup2(theirs_write, 4)

        self.process = subprocess.Popen(
            [path, *FLAGS, f"--user-data-dir={self._profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            pass_fds=(3, 4),
            preexec_fn=wire,
        )
        os.close(theirs_read)
        os.close(theirs_write)
        self._read_fd = ours_read
        self._write = os.fdopen(ours_write, "wb")

    def __enter__(self) -> Chromium:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    # ----------------------------------------------------------------- protocol

    def _send(self, method: str, params: dict[str, Any] | None, session: str | None) -> int:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._write.write(json.dumps(message).encode() + b"\0")
        self._write.flush()
        return self._next_id

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"no answer from the browser in time\n{self.stderr()[-2000:]}")
            ready, _, _ = select.select([self._read_fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._read_fd, 1 << 16)
            if not chunk:
                raise BrowserError(f"the browser closed the pipe\n{self.stderr()[-2000:]}")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def call(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        """Send one command and wait for its answer (events meanwhile are kept)."""
        ident = self._send(method, params, session)
        deadline = time.monotonic() + TIMEOUT
        while True:
            message = self._receive(deadline)
            if message.get("id") == ident:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self._events.append(message)

    def _wait_for(self, method: str, session: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while not any(
            e.get("method") == method and e.get("sessionId") == session for e in self._events
        ):
            self._events.append(self._receive(deadline))

    # ----------------------------------------------------------------- pages

    def open(self, path: Path, *, width: int = 1280, height: int = 2000) -> Page:
        """Load a local file in a new tab of ``width`` × ``height`` CSS pixels, wait for
        its load event and a rendered frame, and take a screenshot of the viewport."""
        self._events.clear()
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", None, session)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session,
        )
        url = path.resolve().as_uri()
        self.call("Page.navigate", {"url": url}, session)
        self._wait_for("Page.loadEventFired", session)
        # One animation frame after load: layout and paint are done.
        self.call(
            "Runtime.evaluate",
            {
                "expression": "new Promise(r => requestAnimationFrame(() => r(1)))",
                "awaitPromise": True,
            },
            session,
        )
        shot = self.call("Page.captureScreenshot", {"format": "png"}, session)
        mine = [e for e in self._events if e.get("sessionId") == session]
        console = [
            {"method": e["method"], **e.get("params", {})}
            for e in mine
            if e.get("method")
            in ("Runtime.consoleAPICalled", "Runtime.exceptionThrown", "Log.entryAdded")
        ]
        requests = [
            e["params"]["request"]["url"]
            for e in mine
            if e.get("method") == "Network.requestWillBeSent"
        ]
        return Page(url, base64.b64decode(shot["data"]), console, requests, self, session)

    def image_stats(self, png: bytes) -> dict[str, Any]:
        """Decode ``png`` in a blank tab (the browser's own decoder) and count: its size,
        distinct colours, and the share of pixels that are not white."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        source = "data:image/png;base64," + base64.b64encode(png).decode()
        script = (
            "(async () => { const img = new Image(); img.src = SOURCE; await img.decode();"
            " const c = document.createElement('canvas'); c.width = img.width;"
            " c.height = img.height; const g = c.getContext('2d'); g.drawImage(img, 0, 0);"
            " const d = g.getImageData(0, 0, c.width, c.height).data;"
            " const colors = new Set(); let ink = 0;"
            " for (let i = 0; i < d.length; i += 4) {"
            "   const v = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2]; colors.add(v);"
            "   if (v !== 0xffffff) ink++; }"
            " return {width: c.width, height: c.height, colors: colors.size,"
            "   ink: ink / (c.width * c.height)}; })()"
        ).replace("SOURCE", json.dumps(source))
        result = self.call(
            "Runtime.evaluate",
            {"expression": script, "awaitPromise": True, "returnByValue": True},
            session,
        )
        self.call("Target.closeTarget", {"targetId": target})
        if "exceptionDetails" in result:
            raise BrowserError(f"could not decode the screenshot: {result['exceptionDetails']}")
        value: dict[str, Any] = result["result"]["value"]
        return value

    def stderr(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", errors="replace")

    def close(self) -> None:
        try:
            if self.process.poll() is None:
                try:
                    self._send("Browser.close", None, None)
                    self.process.wait(10)
                except (OSError, subprocess.TimeoutExpired):
                    self.process.kill()
                    self.process.wait()
        finally:
            for closing in (self._write.close, lambda: os.close(self._read_fd)):
                with contextlib.suppress(OSError):
                    closing()
            self._stderr.close()
            shutil.rmtree(self._profile, ignore_errors=True)


# --------------------------------------------------------------------------- PNG


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, from its header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    return width, height
