"""The Jupyter kernels reports run in: one fresh kernel per report, over private local sockets,
forked from a pre-imported process where that is possible (see :mod:`pxassure.execution.zygote`)."""

from __future__ import annotations

import os
import pathlib
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from queue import Empty

import zmq
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from jupyter_core.utils import ensure_async
from traitlets import default

from pxassure.errors import KernelError
from pxassure.execution import zygote

#: How long IOPub must stay quiet after the kernel's first reply before the first cell is sent,
#: and how often a kernel that was asked to shut down is checked for having gone (seconds).
#: jupyter_client waits 0.2 s and polls every 0.1 s: on a pack of small reports, most of a
#: core's idle time. Local sockets deliver in microseconds.
IOPUB_QUIET = 0.02
SHUTDOWN_POLL = 0.01
#: Milliseconds between a client socket's attempts to reach a kernel that has not bound its
#: sockets yet. ZMQ's default is 100 ms; a forked kernel binds about 50 ms after the client first
#: tries, so every report waited for the second attempt.
RECONNECT_MS = 5


class ReportKernelClient(AsyncKernelClient):
    """jupyter_client's client, with a shorter wait for IOPub to fall quiet once the kernel is up."""

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        # jupyter_client 8's wait, for a kernel started by a KernelManager (this one's always is),
        # with IOPUB_QUIET in place of its fixed 0.2 s. KernelError is a RuntimeError, which is
        # what nbclient expects, so it still shuts the kernel down.
        deadline = time.time() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                msg = await ensure_async(self.shell_channel.get_msg(timeout=1))
            except Empty:
                pass
            else:
                if msg["msg_type"] == "kernel_info_reply":
                    try:  # IOPub connected? (its status message for this request arrives)
                        await ensure_async(self.iopub_channel.get_msg(timeout=0.2))
                    except Empty:
                        pass
                    else:
                        self._handle_kernel_info_reply(msg)
                        break
            if not await self._async_is_alive():
                raise KernelError("the report's kernel died as it started (before replying to kernel_info)")
            if time.time() > deadline:
                raise KernelError(f"the report's kernel did not answer within {timeout:.0f} s of starting")
        while True:  # let the start-up messages drain
            try:
                await ensure_async(self.iopub_channel.get_msg(timeout=IOPUB_QUIET))
            except Empty:
                break

    wait_for_ready = _async_wait_for_ready

    def _create_connected_socket(self, channel: str, identity: bytes | None = None):
        # set before jupyter_client creates and connects the channel's socket, so it applies to it
        self.context.setsockopt(zmq.RECONNECT_IVL, RECONNECT_MS)
        return super()._create_connected_socket(channel, identity=identity)


class IPCKernelManager(AsyncKernelManager):
    """Kernels talk over local sockets, not TCP ports: nothing listens on the network while a
    report runs (and ipykernel has no unencrypted-TCP warning to print)."""

    @default("client_factory")
    def _report_client(self):
        return ReportKernelClient

    def __init__(self, **kwargs):
        kwargs.setdefault("transport", "ipc")
        # Each kernel gets its own socket folder: kernels running side by side in one working
        # directory would otherwise share socket names and read each other's messages.
        kwargs.setdefault("ip", os.path.join(tempfile.mkdtemp(prefix="pxassure-kernel-"), "k"))
        super().__init__(**kwargs)

    async def _async_pre_start_kernel(self, **kw):
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or str(uuid.uuid4())
            self.provisioner = ForkedProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)

    async def _async_interrupt_kernel(self) -> None:
        # jupyter_client interrupts every kernel before asking it to shut down. A report's kernel
        # has finished by then (a cell that timed out was interrupted already), and the signal
        # only races its last messages: "KeyboardInterrupt caught in kernel" on the build's
        # terminal. (A timed-out cell's interrupt goes through ``interrupt_kernel``, unchanged.)
        if self.shutting_down:
            return
        await super()._async_interrupt_kernel()

    async def _async_finish_shutdown(self, waittime=None, pollinterval=SHUTDOWN_POLL, restart=False) -> None:
        await super()._async_finish_shutdown(waittime, pollinterval, restart)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(os.path.dirname(self.ip), ignore_errors=True)


class ForkedKernel:
    """What jupyter_client needs of a kernel's process (as :class:`subprocess.Popen`), for a
    kernel forked by the zygote: it is the zygote's child, which reaps it; this one watches it."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("kernel", timeout)
            time.sleep(0.05)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _is_ipykernel(cmd: list[str]) -> bool:
    return len(cmd) >= 5 and cmd[1:3] == ["-m", "ipykernel_launcher"] and "-f" in cmd


class ForkedProvisioner(LocalProvisioner):
    """Launches each kernel as a fork of the zygote (see :mod:`pxassure.execution.zygote`)."""

    async def launch_kernel(self, cmd: list[str], **kwargs):
        if not (zygote.enabled() and _is_ipykernel(cmd)):
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        pid = zygote.Zygote.get().fork(cmd, cwd, env)
        self.process = ForkedKernel(pid)
        self.pid = self.pgid = pid  # the kernel leads its own session and process group
        self.cwd = kwargs.get("cwd", pathlib.Path.cwd())
        return self.connection_info
