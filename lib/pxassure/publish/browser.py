"""One headless Chromium per process, kept for every paper it prints.

Starting Chromium costs about a second; printing a paper in a running one, a fraction of that.
So the first print of a process starts Chromium and later prints reuse it, each paper in a new
tab, printed through the DevTools protocol over a pipe (``--remote-debugging-pipe``: no network
port, and Chromium ends when the pipe closes, so it cannot outlive the build that started it).

A print that fails or takes longer than its timeout ends this Chromium and its children (it runs
in its own process group); the next print starts a fresh one.
"""

from __future__ import annotations

import atexit
import base64
import json
import os
import select
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from pxassure.errors import PdfError

#: What Chromium is told beside the pipe: no sandbox (containers run as root, where it cannot
#: start), nothing fetched in the background, a throwaway profile.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--remote-debugging-pipe",
)
#: As ``chromium --print-to-pdf --no-pdf-header-footer`` prints: the page's own CSS size and
#: footer, tagged for screen readers.
PRINT = {"preferCSSPageSize": True, "displayHeaderFooter": False, "printBackground": True, "generateTaggedPDF": True}


class Browser:
    """A running Chromium and its DevTools pipe."""

    def __init__(self, executable: str):
        self.executable = executable
        self._profile = tempfile.TemporaryDirectory(prefix="pxassure-chromium-")
        self._log = tempfile.TemporaryFile()  # its error output: a pipe left unread would fill and stall it
        commands, self._to_chromium = os.pipe()
        self._from_chromium, replies = os.pipe()

        def pipes_as_3_and_4():  # where --remote-debugging-pipe reads and writes
            os.dup2(commands, 3)
            os.dup2(replies, 4)

        self.process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={self._profile.name}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            start_new_session=True,
            close_fds=False,  # the two pipe ends dup'ed to 3 and 4; Python's own fds are not inheritable
            preexec_fn=pipes_as_3_and_4,
        )
        os.close(commands)
        os.close(replies)
        self._next_id, self._buffer, self._unread = 0, b"", []

    def print_pdf(self, url: str, timeout: float) -> bytes:
        """``url`` printed to PDF in a new tab, or :class:`PdfError` (after ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        self._unread.clear()  # a closed tab's events
        target = self._call("Target.createTarget", {"url": "about:blank"}, deadline=deadline)["targetId"]
        try:
            session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True}, deadline=deadline)
            sid = session["sessionId"]
            self._call("Page.enable", {}, sid, deadline)
            self._call("Page.navigate", {"url": url}, sid, deadline)
            self._wait_for("Page.loadEventFired", sid, deadline)
            return base64.b64decode(self._call("Page.printToPDF", PRINT, sid, deadline)["data"])
        finally:
            if self.alive():
                self._call("Target.closeTarget", {"targetId": target}, deadline=time.monotonic() + 10)

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        """End Chromium and every process it started."""
        try:  # the whole group, even once Chromium itself has gone: a child may hold the pipe
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        for fd in (self._to_chromium, self._from_chromium):
            try:
                os.close(fd)
            except OSError:
                pass
        self._profile.cleanup()

    def why_ended(self) -> str:
        """Chromium's exit status and last line of error output, once it has ended."""
        self.process.wait()
        self._log.seek(0)
        lines = self._log.read().decode(errors="replace").strip()
        return f"exit {self.process.returncode}: {(lines.splitlines()[-1:] or ['no message'])[0][:300]}"

    # -- the protocol: JSON messages, each ended by a NUL byte --

    def _call(self, method: str, params: dict, session: str | None = None, deadline: float = 0.0) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        try:
            os.write(self._to_chromium, json.dumps(message).encode() + b"\0")
        except BrokenPipeError:
            raise _Ended() from None
        reply = self._read_until(lambda m: m.get("id") == self._next_id, deadline)
        if "error" in reply:
            raise PdfError(f"Chromium refused {method}: {reply['error'].get('message', reply['error'])}")
        return reply.get("result", {})

    def _wait_for(self, event: str, session: str, deadline: float) -> None:
        self._read_until(lambda m: m.get("method") == event and m.get("sessionId") == session, deadline)

    def _read_until(self, wanted, deadline: float) -> dict:
        """The first message ``wanted`` picks; the others are kept, so an event that arrives
        before the reply it follows is still found."""
        for i, message in enumerate(self._unread):
            if wanted(message):
                return self._unread.pop(i)
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                if wanted(message):
                    return message
                if "method" in message:  # an event; replies to earlier calls are not waited for
                    self._unread.append(message)
            left = deadline - time.monotonic()
            if left <= 0:
                raise _TimedOut()
            ready, _, _ = select.select([self._from_chromium], [], [], left)
            if ready:
                chunk = os.read(self._from_chromium, 1 << 20)
                if not chunk:
                    raise _Ended()
                self._buffer += chunk


class _TimedOut(Exception):
    pass


class _Ended(Exception):
    pass


_running: dict[int, Browser] = {}  # by process id: a forked worker starts its own


def print_to_pdf(executable: str, html_path: Path, timeout: float) -> bytes:
    """``html_path`` printed by this process's Chromium (started if need be), or :class:`PdfError`."""
    browser = _running.get(os.getpid())
    if browser is not None and (browser.executable != executable or not browser.alive()):
        _end(browser)  # another Chromium named (PXASSURE_CHROMIUM), or this one ended
        browser = None
    if browser is None:
        browser = _running[os.getpid()] = Browser(executable)
    try:
        return browser.print_pdf(html_path.as_uri(), timeout)
    except _TimedOut:
        _end(browser)
        raise PdfError(f"{html_path}: Chromium did not finish printing within {timeout:g} s") from None
    except _Ended:
        _end(browser)
        raise PdfError(f"{html_path}: Chromium could not print it ({browser.why_ended()})") from None
    except PdfError:
        _end(browser)
        raise


def _end(browser: Browser) -> None:
    browser.close()
    if _running.get(os.getpid()) is browser:
        del _running[os.getpid()]


@atexit.register
def _end_all() -> None:
    browser = _running.pop(os.getpid(), None)
    if browser is not None:
        browser.close()
