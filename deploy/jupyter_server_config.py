# The single-user Jupyter server of a gomatcalc course: what each student's server (and
# the course's container image) reads from /etc/jupyter/jupyter_server_config.py, or from
# a directory on JUPYTER_CONFIG_PATH.
c = get_config()  # noqa: F821 (traitlets provides it)

# New notebooks and the launcher's first choice are Go.
c.MappingKernelManager.default_kernel_name = "gomatcalc"

# Kernels talk to their server over Unix sockets in the student's runtime directory, not
# TCP ports: each server picks its kernels' ports on its own, and on a busy hub two servers
# hand the same port to two kernels (measured: 1% of starts under load), the second dies
# with "address already in use". File names cannot collide across homes.
c.KernelManager.transport = "ipc"

# Idle kernels are shut down after an hour (their memory back to the machine), idle
# servers after two hours without a kernel or a request: a class leaves no servers behind.
c.MappingKernelManager.cull_idle_timeout = 3600
c.MappingKernelManager.cull_interval = 300
c.MappingKernelManager.cull_connected = True
c.ServerApp.shutdown_no_activity_timeout = 7200


def _websockets_without_delay():
    """Kernel websockets send each message at once (TCP_NODELAY). jupyter-server 1.23 leaves
    Nagle's algorithm on, so a small reply waits for the browser's delayed ACK: 47 ms a
    cell through a hub instead of 7.6 (measured). Tornado has the switch; the handler does
    not turn it on."""
    try:
        from jupyter_server.services.kernels.handlers import ZMQChannelsHandler
    except ImportError:  # another server: nothing to patch
        return
    if getattr(ZMQChannelsHandler, "_gomatcalc_nodelay", False):
        return
    opened = ZMQChannelsHandler.open

    def open_without_delay(self, *args, **kwargs):
        self.set_nodelay(True)
        return opened(self, *args, **kwargs)

    ZMQChannelsHandler.open = open_without_delay
    ZMQChannelsHandler._gomatcalc_nodelay = True


_websockets_without_delay()
