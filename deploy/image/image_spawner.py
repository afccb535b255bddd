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
hub picked, as a pod listens on its own address) and process table; stopping the server
ends every process whose root is the container's, then removes the container.
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

    async def stop(self, now=False):
        await super().stop(now=now)
        await self.remove_container()

    async def remove_container(self):
        root = (await run("buildah", "mount", self.container, check=False)).strip()
        if root:
            for pid in os.listdir("/proc"):
                try:
                    if pid.isdigit() and os.readlink(f"/proc/{pid}/root") == root:
                        os.kill(int(pid), signal.SIGKILL)
                except OSError:
                    pass
        await run("buildah", "rm", self.container, check=False)
