"""A JupyterHub of the project's deploy/ configuration on 127.0.0.1, and the students who
use it: for tests/integration/test_hub.py and bench/hub_load.py.

The hub runs deploy/jupyterhub_config.py as shipped but for what a test machine cannot
have: every student's server runs as the hub's account (SharedAccountCourseSpawner, homes
in a temporary directory) and any password logs in. Students and the test talk to it as
a browser's notebook does: the hub's REST API (with a service token), each server's REST
API through the hub's proxy, and each kernel's websocket."""

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid

import websocket

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEPLOY = os.path.join(ROOT, "deploy")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CONFIG = """\
c = get_config()
load_subconfig({deploy!r})
from gomatcalc_hub import SharedAccountCourseSpawner
c.JupyterHub.spawner_class = SharedAccountCourseSpawner
c.SharedAccountCourseSpawner.home_dir_template = {work!r} + "/home/{{username}}"
c.SharedAccountCourseSpawner.server_config_dir = {deploy_dir!r}
c.SharedAccountCourseSpawner.kernels_dir = {work!r} + "/share/jupyter"
c.SharedAccountCourseSpawner.notebooks = {notebooks!r}
c.SharedAccountCourseSpawner.runtime_dir_template = {work!r} + "/run/{{username}}"
c.Spawner.mem_limit = {mem_limit!r}
c.Spawner.cpu_limit = {cpu_limit!r}
c.Spawner.args = ["--allow-root"] if {root!r} else []
c.JupyterHub.authenticator_class = "dummy"
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_port}"
c.JupyterHub.db_url = "sqlite:///" + {work!r} + "/hub.sqlite"
c.JupyterHub.cookie_secret_file = {work!r} + "/cookie_secret"
c.JupyterHub.cleanup_servers = True
c.JupyterHub.concurrent_spawn_limit = 0
c.JupyterHub.services = [{{"name": "course-admin", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{"name": "course-admin", "services": ["course-admin"],
    "scopes": ["admin:users", "admin:servers", "access:servers", "read:users"]}}]
"""


# The hubs started and not yet stopped: stopped when the program ends, however it ends
# (a hub's servers outlive it otherwise).
LIVE = set()
atexit.register(lambda: [h.stop() for h in list(LIVE)])


class Hub:
    """A hub in work (a directory of its own), serving kernels of the gomatcalc binary."""

    def __init__(self, gomatcalc, work, mem_limit="1G", cpu_limit=1.0):
        self.gomatcalc, self.work = gomatcalc, work
        self.mem_limit, self.cpu_limit = mem_limit, cpu_limit
        self.token = uuid.uuid4().hex
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.users = []

    def start(self, timeout=60):
        LIVE.add(self)
        os.makedirs(self.work, exist_ok=True)
        subprocess.run([self.gomatcalc, "install", "--prefix", self.work], check=True, stdout=subprocess.DEVNULL)
        config = os.path.join(self.work, "hub_config.py")
        with open(config, "w") as f:
            f.write(CONFIG.format(
                deploy=os.path.join(DEPLOY, "jupyterhub_config.py"), deploy_dir=DEPLOY, work=self.work,
                notebooks=os.path.join(ROOT, "notebooks"), mem_limit=self.mem_limit, cpu_limit=self.cpu_limit,
                root=os.getuid() == 0, port=self.port, hub_port=free_port(), proxy_port=free_port(),
                token=self.token))
        self.log = open(os.path.join(self.work, "hub.log"), "w")
        self.proc = subprocess.Popen(["/usr/bin/jupyterhub", "-f", config], cwd=self.work,
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the hub exited ({self.proc.returncode}): {self.log_tail()}")
            try:
                if self.api("GET", "/hub/api/")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the hub did not answer in {timeout} s: {self.log_tail()}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            for user in list(self.users):
                try:
                    self.api("DELETE", f"/hub/api/users/{user}/server")
                except OSError:
                    pass
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        for user in self.users:
            remove_cgroups(user)
        if getattr(self, "log", None):
            self.log.close()
        LIVE.discard(self)

    def log_tail(self, lines=10):
        """The hub's last warnings and errors."""
        try:
            with open(os.path.join(self.work, "hub.log")) as f:
                notes = [l for l in f if l.startswith(("[W", "[E", "[C"))]
                return "".join(notes[-lines:])
        except OSError:
            return ""

    def api(self, method, path, body=None, timeout=60):
        """One request to the hub's proxy, as the course's admin service: (status, JSON)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                text = r.read()
                return r.status, json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            text = e.read()
            try:
                return e.code, json.loads(text)
            except ValueError:
                return e.code, text.decode(errors="replace")

    def add_student(self, name, timeout=240):
        """Creates the student, starts their server and waits until it answers; returns
        the seconds that took."""
        t0 = time.monotonic()
        status, _ = self.api("POST", f"/hub/api/users/{name}")
        if status not in (201, 409):
            raise RuntimeError(f"creating {name}: {status}")
        self.users.append(name)
        status, body = self.api("POST", f"/hub/api/users/{name}/server")
        if status not in (201, 202):
            raise RuntimeError(f"starting {name}'s server: {status} {body}")
        deadline = t0 + timeout
        while time.monotonic() < deadline:
            _, user = self.api("GET", f"/hub/api/users/{name}")
            server = (user.get("servers") or {}).get("", {})
            if server.get("ready"):
                return time.monotonic() - t0
            time.sleep(0.2)
        raise RuntimeError(f"{name}'s server not ready in {timeout} s: {self.log_tail()}")

    def server_api(self, name, method, path, body=None, timeout=60):
        return self.api(method, f"/user/{name}/api{path}", body, timeout)

    def home(self, name):
        return os.path.join(self.work, "home", name)

    def start_kernel(self, name, kernel="gomatcalc"):
        status, body = self.server_api(name, "POST", "/kernels", {"name": kernel})
        if status != 201:
            raise RuntimeError(f"starting a kernel for {name}: {status} {body}")
        return Kernel(self, name, body["id"])


def remove_cgroups(user):
    """Removes the cgroups the spawner made for user, ending what still runs in them (a
    server the hub did not stop)."""
    group = os.path.join("gomatcalc", user)
    for base in ("/sys/fs/cgroup", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/cpu"):
        path = os.path.join(base, group)
        try:
            with open(os.path.join(path, "cgroup.procs")) as f:
                for pid in f.read().split():
                    try:
                        os.kill(int(pid), signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        except OSError:
            continue
        for _ in range(50):
            try:
                os.rmdir(path)
                break
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.1)  # its last processes are still exiting


class Kernel:
    """A kernel of a student's server, through its websocket as the notebook uses it."""

    def __init__(self, hub, user, kernel_id):
        self.hub, self.user, self.id = hub, user, kernel_id
        self.session = uuid.uuid4().hex
        self.connect()

    def connect(self, timeout=30):
        url = f"ws://127.0.0.1:{self.hub.port}/user/{self.user}/api/kernels/{self.id}/channels?session_id={self.session}"
        self.ws = websocket.create_connection(url, timeout=timeout, header=[f"Authorization: token {self.hub.token}"])

    def close(self):
        self.ws.close()

    def send(self, channel, msg_type, content):
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": msg_type, "session": self.session, "username": self.user,
                       "date": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime()), "version": "5.3"},
            "parent_header": {}, "metadata": {}, "content": content, "channel": channel, "buffers": []}))
        return msg_id

    def execute(self, code, timeout=120):
        """Runs code; returns {"status", "outputs" (iopub messages of the cell), "error",
        "seconds" (request sent to reply and idle status both received)}."""
        t0 = time.monotonic()
        msg_id = self.send("shell", "execute_request", {"code": code, "silent": False, "store_history": True,
                                                         "user_expressions": {}, "allow_stdin": False,
                                                         "stop_on_error": True})
        reply, idle, outputs = None, False, []
        for msg in self.answers(msg_id, t0 + timeout):
            kind = msg["header"]["msg_type"]
            if msg["channel"] == "shell" and kind == "execute_reply":
                reply = msg["content"]
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
            elif kind in ("stream", "execute_result", "display_data", "error"):
                outputs.append(msg)
            if reply is not None and idle:
                break
        else:
            missing = "its reply and idle status" if reply is None and not idle else "its reply" if reply is None else "its idle status"
            raise TimeoutError(f"{self.user}: no {missing} for a cell in {timeout} s: {code[:80]!r}")
        return {"status": reply["status"], "outputs": outputs, "seconds": time.monotonic() - t0,
                "error": reply.get("evalue") if reply["status"] == "error" else None}

    def answers(self, msg_id, deadline):
        """The messages whose parent is msg_id, as they come, until deadline. It reads in
        slices of at most a second: the server's pings keep one long recv waiting past
        any timeout, and other messages may keep coming."""
        while time.monotonic() < deadline:
            self.ws.settimeout(min(1.0, max(0.1, deadline - time.monotonic())))
            try:
                msg = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                continue
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                yield msg

    def interrupt(self):
        return self.hub.server_api(self.user, "POST", f"/kernels/{self.id}/interrupt")[0]

    def restart(self):
        status = self.hub.server_api(self.user, "POST", f"/kernels/{self.id}/restart")[0]
        self.close()
        self.connect()
        self.wait_ready()
        return status

    def wait_ready(self, timeout=60):
        """Waits until a kernel_info request has both its reply (shell) and a status
        (iopub), as jupyter_client's wait_for_ready does: after a restart the server joins
        its channels to the new kernel anew, and what the kernel publishes before the
        iopub channel has joined is lost (ZeroMQ's slow joiner); the server logs "Got
        events for closed stream" meanwhile."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg_id = self.send("shell", "kernel_info_request", {})
            replied = published = False
            for msg in self.answers(msg_id, time.monotonic() + 1):
                replied = replied or msg["header"]["msg_type"] == "kernel_info_reply"
                published = published or msg["channel"] == "iopub"
                if replied and published:
                    return
        raise TimeoutError(f"{self.user}: the kernel did not answer kernel_info in {timeout} s")


def code_cells(path):
    """The code cells of a notebook: (source, stored outputs)."""
    with open(path) as f:
        nb = json.load(f)
    cells = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            cells.append((src, cell.get("outputs", [])))
    return cells


def texts(outputs):
    """What a cell showed as text, from stored outputs or iopub messages alike: its stream
    text and each result's text/plain, in order (images and HTML left out: their bytes
    may differ between runs and renderers)."""
    out = []
    for o in outputs:
        kind = o.get("output_type") or o["header"]["msg_type"]
        content = o.get("content", o)
        if kind == "stream":
            text = content["text"]
            out.append("".join(text) if isinstance(text, list) else text)
        elif kind in ("execute_result", "display_data"):
            plain = content.get("data", {}).get("text/plain", "")
            out.append("".join(plain) if isinstance(plain, list) else plain)
        elif kind == "error":
            out.append(f"error: {content['ename']}: {content['evalue']}")
    return "".join(out)
