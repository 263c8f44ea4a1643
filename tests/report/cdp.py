"""A small headless-Chromium driver over the DevTools protocol, for the report's browser test.

Chromium is started with ``--remote-debugging-pipe``: protocol messages are NUL-terminated JSON on file
descriptors 3 (to the browser) and 4 (from it), so no port, no websocket library and no downloaded browser are
needed, only Debian's ``chromium``. Every console message, uncaught exception, network request and JavaScript
dialog of the page is recorded for the test to inspect.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars")
"""Without the background-networking flags Chromium tries to reach update and sync servers on its own."""


def _high(fd: int) -> int:
    """``fd`` moved above 9, so that it cannot be one of the descriptors (3, 4) it is about to be copied to."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class PageLog:
    console: list[dict] = field(default_factory=list)
    exceptions: list[dict] = field(default_factory=list)
    log_entries: list[dict] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[dict] = field(default_factory=list)

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and browser log errors, as text."""
        out = [" ".join(str(a.get("value", a.get("description", ""))) for a in c.get("args", []))
               for c in self.console if c.get("type") in ("error", "assert")]
        out += [e.get("exceptionDetails", {}).get("exception", {}).get("description", str(e)) for e in self.exceptions]
        out += [f"{e['entry'].get('source')}: {e['entry'].get('text')}" for e in self.log_entries
                if e["entry"].get("level") == "error"]
        return out


class Browser:
    """One headless Chromium with one page attached."""

    def __init__(self, executable: str, width: int = 1280, height: int = 900, timeout: float = 60.0):
        self.timeout = timeout
        self._profile = tempfile.mkdtemp(prefix="crossover-chromium-")
        to_browser_r, self._to_browser = (_high(fd) for fd in os.pipe())
        self._from_browser, from_browser_w = (_high(fd) for fd in os.pipe())
        # The protocol's descriptors are fixed (3 and 4): bash moves the pipe ends there, then runs Chromium.
        plumbing = f'exec "$0" "$@" 3<&{to_browser_r} 4>&{from_browser_w} {to_browser_r}<&- {from_browser_w}>&-'
        self.proc = subprocess.Popen(["bash", "-c", plumbing, executable, *FLAGS, "--remote-debugging-pipe",
                                      f"--user-data-dir={self._profile}", "about:blank"],
                                     pass_fds=(to_browser_r, from_browser_w), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._next_id = 0
        self._replies: dict[int, queue.Queue] = {}
        self._lock = threading.Lock()
        self.events: queue.Queue = queue.Queue()
        self.log = PageLog()
        threading.Thread(target=self._read, daemon=True).start()
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=self.session)
        self.call("Emulation.setDeviceMetricsOverride", session=self.session, width=width, height=height,
                  deviceScaleFactor=1, mobile=False)

    # --- protocol -------------------------------------------------------------------------------------------------

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_browser, 1 << 16)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                self._dispatch(json.loads(raw))

    def _dispatch(self, message: dict) -> None:
        if "id" in message:
            with self._lock:
                box = self._replies.get(message["id"])
            if box is not None:
                box.put(message)
            return
        method, params = message.get("method", ""), message.get("params", {})
        if method == "Runtime.consoleAPICalled":
            self.log.console.append(params)
        elif method == "Runtime.exceptionThrown":
            self.log.exceptions.append(params)
        elif method == "Log.entryAdded":
            self.log.log_entries.append(params)
        elif method == "Network.requestWillBeSent":
            self.log.requests.append(params["request"]["url"])
        elif method == "Page.javascriptDialogOpening":
            self.log.dialogs.append(params)
            # Dismiss it so the page does not hang; the test fails on the record.
            threading.Thread(target=self.call, args=("Page.handleJavaScriptDialog",),
                             kwargs={"session": self.session, "accept": False}, daemon=True).start()
        self.events.put(message)

    def call(self, method: str, session: str | None = None, **params: Any) -> dict:
        with self._lock:
            self._next_id += 1
            call_id = self._next_id
            box: queue.Queue = queue.Queue()
            self._replies[call_id] = box
        message = {"id": call_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        try:
            reply = box.get(timeout=self.timeout)
        except queue.Empty:
            raise TimeoutError(f"no reply to {method} within {self.timeout}s") from None
        finally:
            with self._lock:
                self._replies.pop(call_id, None)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    # --- page -----------------------------------------------------------------------------------------------------

    def open(self, path: Path) -> str:
        """Navigate to a local file and wait for its load event; returns its URL."""
        url = Path(path).resolve().as_uri()
        self.call("Page.navigate", session=self.session, url=url)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            try:
                event = self.events.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if event.get("method") == "Page.loadEventFired":
                return url
        raise TimeoutError(f"{url} did not load within {self.timeout}s")

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", session=self.session, expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluate failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float | None = None) -> Any:
        """Poll a JavaScript expression until it is truthy; returns its value."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.2)
        raise TimeoutError(f"never true: {expression}")

    def screenshot(self, path: Path, clip: dict | None = None, full_page: bool = False) -> Path:
        """A PNG of the viewport, of ``clip`` (CSS pixels) or of the whole page."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.call("Page.getLayoutMetrics", session=self.session)["cssContentSize"]
            clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"]}
        if clip is not None:
            params.update(clip={**clip, "scale": 1}, captureBeyondViewport=True)
        data = self.call("Page.captureScreenshot", session=self.session, **params)["data"]
        path = Path(path)
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
