"""Shared set-up for the integration tests: the kernel under test is the gomatcalc binary
that tests/integration/run built and installed into a temporary JUPYTER_DATA_DIR."""

import os
import subprocess
import sys
import unittest
from contextlib import contextmanager

from jupyter_client.manager import KernelManager

KERNEL_NAME = "gomatcalc"
TIMEOUT = 30


def binary():
    path = os.environ.get("GOMATCALC_BIN")
    if not path:
        sys.exit("GOMATCALC_BIN is not set: run the suite with tests/integration/run")
    return path


@contextmanager
def kernel(env=None, **traits):
    """A started kernel and a blocking client, shut down afterwards; env is added to the
    kernel's environment (MEM_LIMIT=...), traits go to the KernelManager
    (transport="ipc", session=Session(signature_scheme=...))."""
    km = KernelManager(kernel_name=KERNEL_NAME, **traits)
    km.start_kernel(**({"env": {**os.environ, **env}} if env else {}))
    try:
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=TIMEOUT)
            yield km, kc
        finally:
            kc.stop_channels()
    finally:
        km.shutdown_kernel(now=False)


def run_cell(kc, code, **kwargs):
    """Executes code and returns (reply content, iopub messages of this request)."""
    msgs = []
    reply = kc.execute_interactive(code, timeout=TIMEOUT, output_hook=msgs.append, **kwargs)
    return reply["content"], msgs


def outputs(msgs, msg_type):
    return [m["content"] for m in msgs if m["msg_type"] == msg_type]


def stdout_text(msgs):
    return "".join(c["text"] for c in outputs(msgs, "stream") if c["name"] == "stdout")


class KernelTestCase(unittest.TestCase):
    """One kernel for the whole class."""

    @classmethod
    def setUpClass(cls):
        cls._kernel = kernel()
        cls.km, cls.kc = cls._kernel.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls._kernel.__exit__(None, None, None)

    def run_cell(self, code, **kwargs):
        return run_cell(self.kc, code, **kwargs)


def run(cmd, **kwargs):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kwargs)
