"""The Jupyter kernels reports run in: one fresh kernel per report, over private local sockets,
forked from a pre-imported process where that is possible (see :mod:`pxassure.publish.zygote`)."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid

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

    async def _async_pre_start_kernel(self, **kw):
        if self.provisioner is None:
            from pxassure.publish.zygote import ForkedProvisioner

            self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or str(uuid.uuid4())
            self.provisioner = ForkedProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(os.path.dirname(self.ip), ignore_errors=True)
