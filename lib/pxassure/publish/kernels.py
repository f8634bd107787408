"""The Jupyter kernels reports run in: one fresh kernel per report, over private local sockets."""

from __future__ import annotations

import os
import shutil
import tempfile

from jupyter_client.manager import AsyncKernelManager


class IPCKernelManager(AsyncKernelManager):
    """Kernels talk over local sockets, not TCP ports: nothing listens on the network while a
    report runs (and ipykernel has no unencrypted-TCP warning to print)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("transport", "ipc")
        # Each kernel gets its own socket folder: kernels running side by side in one working
        # directory would otherwise share socket names and read each other's messages.
        kwargs.setdefault("ip", os.path.join(tempfile.mkdtemp(prefix="pxassure-kernel-"), "k"))
        super().__init__(**kwargs)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(os.path.dirname(self.ip), ignore_errors=True)
