"""Step 2 of deploy/image/test: the course image as a student's server under Debian's
JupyterHub 3.0 on 127.0.0.1, started by ImageSpawner (image_spawner.py) with what
deploy/z2jh/values.yaml gives KubeSpawner: the default URL, the postStart hook, the
memory and CPU limits. Through the hub's proxy, as a browser would reach it, the test

- finds the server at /tree/course, with the course's notebooks copied into the home
  volume and a notebook the student had already edited left as it was;
- starts the default kernel (gomatcalc), runs cells over the kernel's websocket: a
  determinant, the kernel's user, the limits it was given, the transport of its
  connection file (ipc, deploy/jupyter_server_config.py read from /etc/jupyter);
- interrupts a `for {}` and finds the session kept, restarts and finds it fresh;
- stops the server, and finds the container gone.

Usage: GOMATCALC_IMAGE=localhost/gomatcalc-singleuser:test python3 test_image.py
"""
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from urllib.parse import urlparse

import requests
import yaml
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

HERE = os.path.dirname(os.path.abspath(__file__))
DEPLOY = os.path.dirname(HERE)
ROOT = os.path.dirname(DEPLOY)
IMAGE = os.environ.get("GOMATCALC_IMAGE", "localhost/gomatcalc-singleuser:test")
STUDENT = "alice"
TOKEN = uuid.uuid4().hex
COURSE = sorted(n for n in os.listdir(os.path.join(ROOT, "notebooks")) if n.endswith(".ipynb"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def byte_spec(value):
    """JupyterHub's ByteSpecification (KubeSpawner's too): 1G is 1024**3 bytes."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([KMGT]?)", str(value))
    return int(float(m[1]) * 1024 ** "_KMGT".index(m[2] or "_"))


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)
    print(f"ok: {what}", flush=True)


def hub_config(work, ports, values):
    su = values["singleuser"]
    hook = su["lifecycleHooks"]["postStart"]["exec"]["command"]
    return f"""
import sys
sys.path[:0] = [{HERE!r}, {DEPLOY!r}]
from gomatcalc_hub import proxy_command
from image_spawner import ImageSpawner

c = get_config()
c.JupyterHub.bind_url = "http://127.0.0.1:{ports[0]}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{ports[1]}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{ports[2]}"
c.ConfigurableHTTPProxy.command = proxy_command()
c.ConfigurableHTTPProxy.pid_file = {os.path.join(work, "proxy.pid")!r}
c.JupyterHub.db_url = "sqlite:///{os.path.join(work, "hub.sqlite")}"
c.JupyterHub.cookie_secret_file = {os.path.join(work, "cookie_secret")!r}
c.JupyterHub.authenticator_class = "dummy"
c.JupyterHub.spawner_class = ImageSpawner
c.ImageSpawner.image = {IMAGE!r}
c.ImageSpawner.post_start = {hook!r}
c.SimpleLocalProcessSpawner.home_dir_template = {os.path.join(work, "homes", "{username}")!r}
c.Spawner.ip = "127.0.0.1"
c.Spawner.default_url = {su["defaultUrl"]!r}
c.Spawner.mem_limit = {str(su["memory"]["limit"])!r}
c.Spawner.cpu_limit = {float(su["cpu"]["limit"])!r}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.JupyterHub.services = [{{"name": "image-test", "api_token": {TOKEN!r}}}]
c.JupyterHub.load_roles = [{{
    "name": "image-test",
    "scopes": ["admin:users", "admin:servers", "access:servers", "read:users"],
    "services": ["image-test"],
}}]
"""


class Kernel:
    """A kernel's websocket through the hub's proxy, as the classic notebook opens it."""

    def __init__(self, url):
        self.url = url
        self.session = uuid.uuid4().hex

    async def __aenter__(self):
        req = HTTPRequest(self.url, headers={"Authorization": f"token {TOKEN}"})
        self.ws = await websocket_connect(req)
        return self

    async def __aexit__(self, *exc):
        self.ws.close()

    def send(self, code):
        msg_id = uuid.uuid4().hex
        msg = {
            "header": {
                "msg_id": msg_id,
                "msg_type": "execute_request",
                "session": self.session,
                "username": STUDENT,
                "version": "5.3",
                "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            },
            "parent_header": {},
            "metadata": {},
            "content": {"code": code, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
            "channel": "shell",
            "buffers": [],
        }
        return self.ws.write_message(json.dumps(msg)), msg_id

    async def execute(self, code, timeout=60):
        """Runs a cell; returns (reply status, text/plain result, stdout, error name)."""
        sent, msg_id = self.send(code)
        await sent
        return await self.wait(msg_id, timeout)

    async def wait(self, msg_id, timeout=60):
        status, result, stdout, error = None, None, "", None
        idle = False
        deadline = time.monotonic() + timeout
        while status is None or not idle:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure(f"no reply to a cell within {timeout} s")
            raw = await asyncio.wait_for(self.ws.read_message(), left)
            if raw is None:
                raise Failure("the kernel's websocket closed")
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "execute_reply":
                status = content["status"]
            elif kind == "execute_result":
                result = content["data"].get("text/plain")
            elif kind == "stream" and content["name"] == "stdout":
                stdout += content["text"]
            elif kind == "error":
                error = f'{content["ename"]}: {content["evalue"]}'
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
        return status, result, stdout, error


async def drive_kernel(base, api, limits):
    user = f"{base}/user/{STUDENT}"
    r = api.post(f"{user}/api/kernels", json={})
    check(r.status_code == 201 and r.json()["name"] == "gomatcalc", "the default kernel (POST /api/kernels) is gomatcalc")
    kid = r.json()["id"]
    ws_url = f"{user.replace('http', 'ws', 1)}/api/kernels/{kid}/channels"
    async with Kernel(ws_url) as k:
        status, result, _, _ = await k.execute("A := mat.NewDense(2, 2, []float64{2, 1, 1, 3})\nmath.Abs(mat.Det(A) - 5) < 1e-12")
        check(status == "ok" and result == "true", f"det [[2 1] [1 3]] = 2·3 - 1·1 = 5 through the websocket (got {result!r})")
        status, result, _, _ = await k.execute('import "os"\nos.Getuid()')
        check(result == "1000", f"the kernel runs as jovyan, uid 1000 (got {result!r})")
        # The session's os.Getenv reads the interpreter's own (empty) environment, not the
        # process's: the process's comes from /proc.
        want = f"\\x00MEM_LIMIT={limits[0]}\\x00", f"\\x00CPU_LIMIT={limits[1]}\\x00"
        status, result, _, error = await k.execute(
            'import ("path/filepath"; "strings")\n'
            'env, _ := os.ReadFile("/proc/self/environ")\n'
            f'strings.Contains("\\x00"+string(env), "{want[0]}") && strings.Contains("\\x00"+string(env), "{want[1]}")'
        )
        check(result == "true", f"the kernel's process has the spawner's MEM_LIMIT={limits[0]} and CPU_LIMIT={limits[1]} (got {result!r} {error or ''})")
        status, result, _, error = await k.execute(
            'files, _ := filepath.Glob("/tmp/jupyter-runtime/kernel-*.json")\n'
            "conn, _ := os.ReadFile(files[0])\n"
            'strings.Contains(string(conn), `"transport": "ipc"`)'
        )
        check(result == "true", f"its connection file in /tmp/jupyter-runtime says transport ipc (got {result!r} {error or ''})")

        sent, msg_id = k.send("for {\n}")
        await sent
        await asyncio.sleep(1)
        start = time.monotonic()
        r = api.post(f"{user}/api/kernels/{kid}/interrupt")
        check(r.status_code == 204, "POST /api/kernels/ID/interrupt")
        status, _, _, error = await k.wait(msg_id, timeout=30)
        check(status == "error", f"the spinning cell ended with an error after {time.monotonic() - start:.1f} s ({error})")
        status, result, _, _ = await k.execute("math.Abs(mat.Det(A) - 5) < 1e-12")
        check(result == "true", "the session kept A through the interrupt")

    r = api.post(f"{user}/api/kernels/{kid}/restart")
    check(r.status_code == 200, "POST /api/kernels/ID/restart")
    async with Kernel(ws_url) as k:
        status, _, _, error = await k.execute("A")
        check(status == "error" and "undefined" in (error or ""), f"after the restart the session is fresh ({error})")
        status, result, _, _ = await k.execute("1 + 1")
        check(result == "2", "and runs cells")
    r = api.delete(f"{user}/api/kernels/{kid}")
    check(r.status_code == 204, "DELETE /api/kernels/ID")


def processes_of(hub_api_url):
    """The processes started for this test's hub: their environment names its API."""
    marker = f"JUPYTERHUB_API_URL={hub_api_url}".encode()
    found = []
    for name in os.listdir("/proc"):
        try:
            with open(f"/proc/{name}/environ", "rb") as f:
                if marker in f.read().split(b"\0"):
                    found.append(int(name))
        except (OSError, ValueError):
            pass
    return found


def wait_for(what, cond, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if cond():
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise Failure(f"timed out waiting for {what}")


def main():
    with open(os.path.join(DEPLOY, "z2jh", "values.yaml")) as f:
        values = yaml.safe_load(f)
    su = values["singleuser"]
    limits = (byte_spec(su["memory"]["limit"]), str(float(su["cpu"]["limit"])))
    work = tempfile.mkdtemp(prefix="gomatcalc-image-test-")
    ports = [free_port() for _ in range(3)]
    base = f"http://127.0.0.1:{ports[0]}"
    base_hub = f"http://127.0.0.1:{ports[1]}"  # the hub's own address, which servers call
    hubapi = f"{base}/hub/api"
    with open(os.path.join(work, "jupyterhub_config.py"), "w") as f:
        f.write(hub_config(work, ports, values))

    # The student had already edited a notebook of the course: the copy must keep it.
    course = os.path.join(work, "homes", STUDENT, "course")
    os.makedirs(course)
    edited = os.path.join(course, COURSE[0])
    with open(os.path.join(ROOT, "notebooks", COURSE[0])) as f:
        nb = json.load(f)
    nb["metadata"]["edited_by_the_student"] = True
    with open(edited, "w") as f:
        json.dump(nb, f)
    for d in (os.path.dirname(course), course, edited):
        os.chown(d, 1000, 100)

    log = open(os.path.join(work, "hub.log"), "w")
    hub = subprocess.Popen(["jupyterhub", "-f", "jupyterhub_config.py"], cwd=work, stdout=log, stderr=subprocess.STDOUT)
    api = requests.Session()
    api.headers["Authorization"] = f"token {TOKEN}"
    ok = False
    try:
        wait_for("the hub", lambda: api.get(f"{hubapi}/").status_code == 200, 60)
        check(api.post(f"{hubapi}/users/{STUDENT}").status_code == 201, f"the hub made the student {STUDENT}")
        start = time.monotonic()
        r = api.post(f"{hubapi}/users/{STUDENT}/server")
        check(r.status_code in (201, 202), "the hub accepted the server's start")
        wait_for("the server", lambda: api.get(f"{hubapi}/users/{STUDENT}").json()["servers"].get("", {}).get("ready"), 180)
        check(True, f"the image's server is up after {time.monotonic() - start:.1f} s")
        check(processes_of(f"{base_hub}/hub/api"), "its processes are found by the hub's address in their environment")

        user = f"{base}/user/{STUDENT}"
        r = api.get(f"{user}/", allow_redirects=False)
        check(r.status_code in (301, 302) and urlparse(r.headers["Location"]).path.endswith("/tree/course"),
              f"the server's default URL is /tree/course ({r.headers.get('Location')})")
        r = api.get(f"{user}/tree/course")
        check(r.status_code == 200 and 'id="notebook_list"' in r.text, "/tree/course is the classic notebook's file list (nbclassic)")
        names = sorted(c["name"] for c in api.get(f"{user}/api/contents/course").json()["content"])
        check(names == COURSE, f"the course's notebooks are in ~/course: {names}")
        meta = api.get(f"{user}/api/contents/course/{COURSE[0]}").json()["content"]["metadata"]
        check(meta.get("edited_by_the_student") is True, "the notebook the student had edited was left alone")
        owners = {os.stat(os.path.join(course, n)).st_uid for n in COURSE}
        check(owners == {1000}, "the copies belong to jovyan (uid 1000)")
        specs = api.get(f"{user}/api/kernelspecs").json()
        check(specs["default"] == "gomatcalc", "the server's default kernel is gomatcalc (/etc/jupyter/jupyter_server_config.py)")
        check(specs["kernelspecs"]["gomatcalc"]["resources"].get("logo-64x64", "").endswith("logo-64x64.png"),
              "the kernelspec is installed with its logos")

        asyncio.run(drive_kernel(base, api, limits))

        r = api.delete(f"{hubapi}/users/{STUDENT}/server")
        check(r.status_code in (202, 204), "the hub accepted the server's stop")
        wait_for("the server to stop", lambda: api.get(f"{hubapi}/users/{STUDENT}").json()["servers"] == {}, 60)
        wait_for("the server's processes to end", lambda: not processes_of(f"{base_hub}/hub/api"), 30)
        left = subprocess.run(["buildah", "containers", "--format", "{{.ContainerName}}"], capture_output=True, text=True).stdout.split()
        check(f"jupyter-{STUDENT}" not in left, "the server, its kernels and their workers have ended, and the container is gone")
        ok = True
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr)
    finally:
        hub.terminate()
        try:
            hub.wait(30)
        except subprocess.TimeoutExpired:
            hub.kill()
        log.close()
        for pid in processes_of(f"{base_hub}/hub/api"):  # what a failed run left behind
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        subprocess.run(["buildah", "rm", f"jupyter-{STUDENT}"], capture_output=True)
        if not ok:
            with open(os.path.join(work, "hub.log")) as f:
                print("".join(f.readlines()[-60:]), file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)
    print("image test: " + ("passed" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
