"""ImageSpawner: deploy/image/test's stand-in for KubeSpawner. A student's server is the
course image, started as a pod would start it, with buildah's chroot isolation:

- a working container of its own, from the image (buildah from);
- the image's entrypoint with the command `jupyterhub-singleuser` (z2jh's singleuser.cmd);
- as the image's user, in its working directory, with its environment and the spawner's
  (JUPYTERHUB_*, MEM_LIMIT, CPU_LIMIT, ...), as KubeSpawner sets the pod's env;
- the student's home directory (home_dir_template's, a host directory here; a volume
  there) on /home/jovyan;
- the postStart hook (values.yaml's singleuser.lifecycleHooks.postStart) run in it once
  the server has started, before the hub is told it has.

The container shares the host's network (the server listens on 127.0.0.1 at the port the
hub picked, as a pod listens on its own address) and process table. buildah passes no
signal on to what it runs, so stopping the server does what the kubelet does to a pod:
SIGTERM to the container's first process (tini, which passes it on to the server), a grace
period, then SIGKILL to every process left of the container; then the container goes.
"""
import asyncio
import json
import os
import signal

from jupyterhub.spawner import SimpleLocalProcessSpawner
from jupyterhub.utils import random_port
from traitlets import List, Unicode

# The spawner's variables a server needs: the hub's (JUPYTERHUB_*, JPY_API_TOKEN) and the
# limits. The host's PATH, HOME and USER stay out, as they stay out of a pod.
PASSED = ("JUPYTERHUB_", "JPY_", "MEM_", "CPU_")


async def run(*cmd, check=True):
    proc = await asyncio.create_subprocess_exec(
        *cmd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {proc.returncode}: {err.decode().strip()}")
    return out.decode()


class ImageSpawner(SimpleLocalProcessSpawner):
    image = Unicode(config=True, help="The single-user image.")
    post_start = List(config=True, help="The command of the postStart hook.")

    @property
    def container(self):
        return f"jupyter-{self.user.name}"

    async def image_config(self, key):
        return json.loads(await run("buildah", "inspect", "--type", "image", self.image))["Docker"]["config"].get(key)

    def run_args(self, env):
        return (
            ["buildah", "run", "--isolation", "chroot", "--volume", f"{self.home_dir}:/home/jovyan"]
            + [f"--env={k}={v}" for k, v in sorted(env.items()) if k.startswith(PASSED)]
            + [self.container, "--"]
        )

    async def start(self):
        if self.port == 0:
            self.port = random_port()
        os.makedirs(self.home_dir, exist_ok=True)
        os.chown(self.home_dir, 1000, 100)  # a fresh volume with the pod's fsGid
        await self.remove_container()
        await run("buildah", "from", "--name", self.container, self.image)
        entrypoint = await self.image_config("Entrypoint") or []
        run_args = self.run_args(self.get_env())
        self.cmd = run_args + entrypoint + ["jupyterhub-singleuser"]
        started = await super().start()
        await run(*run_args, *self.post_start)
        return started

    grace = 10  # seconds between SIGTERM and SIGKILL (a pod's default is 30)

    async def stop(self, now=False):
        procs = descendants(self.pid) if self.pid else []
        if procs:
            # buildah's own helpers come first; the container's first process is tini.
            names = {p: command(p) for p in procs}
            first = [p for p in procs if names[p] == "tini"][:1] or procs[:1]
            signal_all(first, signal.SIGTERM)
            for _ in range(0 if now else self.grace * 10):
                if not alive(procs):
                    break
                await asyncio.sleep(0.1)
            left = alive(procs)
            signal_all(left, signal.SIGKILL)
            self.log.info(
                "%s: SIGTERM to %s of %s; SIGKILL to %s",
                self.container, names[first[0]], list(names.values()), [names[p] for p in left],
            )
        await super().stop(now=True)
        await self.remove_container()

    async def remove_container(self):
        await run("buildah", "rm", self.container, check=False)


def descendants(root):
    """The processes below root, parents before children."""
    children = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(name))
    found, todo = [], [root]
    while todo:
        for child in sorted(children.get(todo.pop(0), [])):
            found.append(child)
            todo.append(child)
    return found


def command(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return "?"


def alive(pids):
    """Those of pids still running (not exited, nor exited and waiting to be reaped)."""
    running = []
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] != "Z":
                    running.append(p)
        except (OSError, IndexError):
            pass
    return running


def signal_all(pids, sig):
    for p in pids:
        try:
            os.kill(p, sig)
        except ProcessLookupError:
            pass
