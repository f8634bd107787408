"""The Jupyter kernel the notebooks name, for a paper run outside ``pxassure build``: by papermill
or "Run all" in JupyterLab.

It is the environment's own Python with ipykernel, as the stock ``python3`` kernel is, but its
kernel manager gives it CurveZMQ keys, so what passes between kernel and client over local TCP
is encrypted (and ipykernel does not warn, on every run, that it is not). jupyter_client only
provisions keys when told to; papermill never tells it, so the kernel's provisioner does.
``pxassure build`` runs its kernels over private local sockets instead (:mod:`.kernels`).

``make setup`` installs the kernel into the environment: ``python -m pxassure.execution.kernelspec``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from jupyter_client.provisioning import LocalProvisioner

#: The name the notebooks' metadata give their kernel, and the provisioner's entry-point name.
KERNEL_NAME = "pxassure"
PROVISIONER = "pxassure-encrypted"


class EncryptedProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, asking for transport encryption unless the kernel's
    manager has a policy of its own (JupyterLab's can be configured; papermill's cannot)."""

    async def pre_launch(self, **kwargs):
        manager = self.parent
        if manager is not None and getattr(manager, "transport_encryption", "disabled") == "disabled":
            kwargs.setdefault("transport_encryption", "auto")
        return await super().pre_launch(**kwargs)


def spec() -> dict:
    """kernel.json: ipykernel in this environment, with the provisioner above."""
    return {
        "argv": ["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "pxassure (Python 3)",
        "language": "python",
        "metadata": {
            "debugger": True,
            "supported_encryption": ["curve"],
            "kernel_provisioner": {"provisioner_name": PROVISIONER, "config": {}},
        },
        "kernel_protocol_version": "5.5",
    }


def install(prefix: Path) -> Path:
    """Write the kernel's spec under ``prefix``/share/jupyter/kernels, where Jupyter run from that
    environment looks; return its folder."""
    folder = Path(prefix) / "share" / "jupyter" / "kernels" / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kernel.json").write_text(json.dumps(spec(), indent=1) + "\n", encoding="utf-8")
    return folder


if __name__ == "__main__":
    print(f"installed the {KERNEL_NAME} kernel in {install(Path(sys.prefix))}")
