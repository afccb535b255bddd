"""The spawner of a gomatcalc course on one machine (jupyterhub_config.py uses it).

CourseSpawner is JupyterHub's LocalProcessSpawner (a student is a local account, the
server runs as that account) that also
- copies the course's notebooks into a new student's home, once (~/course): later
  starts leave the student's copies alone;
- holds each student's server, and so its kernels, in a cgroup of its own with the
  spawner's mem_limit and cpu_limit, where the machine lets the hub make cgroups (as root,
  cgroup v1 or v2). LocalProcessSpawner sets MEM_LIMIT and CPU_LIMIT only; the kernel
  honours those too, so a student's allocation loop ends in a cell error either way.
"""
import os
import pwd
import shutil

from jupyterhub.spawner import LocalProcessSpawner, SimpleLocalProcessSpawner
from traitlets import Unicode


class CourseSpawner(LocalProcessSpawner):
    """A student's server as the student's own local account."""

    notebooks = Unicode(
        "/usr/local/share/gomatcalc/notebooks",
        config=True,
        help="The course's notebooks, copied into each new student's ~/course.",
    )
    server_config_dir = Unicode(
        "",
        config=True,
        help="A directory with jupyter_server_config.py for the students' servers, put on "
        "their JUPYTER_CONFIG_PATH (empty: the server reads /etc/jupyter, as installed).",
    )
    kernels_dir = Unicode(
        "",
        config=True,
        help="A Jupyter data directory with the gomatcalc kernelspec, put on the servers' "
        "JUPYTER_PATH (empty: /usr/local/share/jupyter, where `gomatcalc install --system` puts it).",
    )
    cgroup_root = Unicode("/sys/fs/cgroup", config=True, help="Where the cgroup file systems are mounted.")
    runtime_dir_template = Unicode(
        "/run/gomatcalc/{username}",
        config=True,
        help="The student's Jupyter runtime directory, made by the hub, theirs alone (0700). "
        "Kernels over ipc make Unix sockets there, whose paths may not pass 107 bytes: "
        "~/.local/share/jupyter/runtime/kernel-<uuid>-ipc-<n> does for a long home.",
    )

    def home(self):
        return getattr(self, "home_dir", "") or pwd.getpwnam(self.user.name).pw_dir

    def owner(self):
        """The uid and gid a student's files belong to, or None when servers run as the hub."""
        if isinstance(self, SimpleLocalProcessSpawner):
            return None
        entry = pwd.getpwnam(self.user.name)
        return entry.pw_uid, entry.pw_gid

    def copy_notebooks(self):
        course = os.path.join(self.home(), "course")
        if os.path.exists(course) or not os.path.isdir(self.notebooks):
            return
        os.makedirs(self.home(), 0o755, exist_ok=True)
        # Notebooks and what they read (data files, images), not the project's tests.
        shutil.copytree(self.notebooks, course, ignore=shutil.ignore_patterns("*.go", "*_test.*"))
        owner = self.owner()
        if owner:
            for root, dirs, files in os.walk(course):
                for name in [root] + [os.path.join(root, n) for n in dirs + files]:
                    os.chown(name, *owner)
        self.log.info("copied the course's notebooks to %s", course)

    def runtime_dir(self):
        return self.runtime_dir_template.format(username=self.user.name) if self.runtime_dir_template else ""

    def make_runtime_dir(self):
        path = self.runtime_dir()
        if not path:
            return
        os.makedirs(os.path.dirname(path), 0o755, exist_ok=True)
        if os.path.islink(path):
            os.unlink(path)
        os.makedirs(path, 0o700, exist_ok=True)
        owner = self.owner()
        if owner:
            os.chown(path, *owner)
        os.chmod(path, 0o700)

    def get_env(self):
        env = super().get_env()
        if self.runtime_dir():
            env["JUPYTER_RUNTIME_DIR"] = self.runtime_dir()
        if self.server_config_dir:
            env["JUPYTER_CONFIG_PATH"] = self.server_config_dir
        if self.kernels_dir:
            env["JUPYTER_PATH"] = self.kernels_dir
        return env

    async def start(self):
        self.copy_notebooks()
        self.make_runtime_dir()
        return await super().start()

    def make_preexec_fn(self, name):
        procs = self.make_cgroups()
        inner = super().make_preexec_fn(name)

        def preexec():
            # In the child, before it drops to the student's account: the server and
            # every kernel it starts live in the student's cgroups.
            for path in procs:
                with open(path, "w") as f:
                    f.write(str(os.getpid()))
            inner()

        return preexec

    def make_cgroups(self):
        """Makes the student's cgroups with the spawner's limits; returns their cgroup.procs
        files, or none when the machine does not let the hub make cgroups."""
        group = os.path.join("gomatcalc", self.user.name.replace("/", "_"))
        limits = []
        try:
            if os.path.exists(os.path.join(self.cgroup_root, "cgroup.controllers")):  # v2
                parent = os.path.join(self.cgroup_root, "gomatcalc")
                os.makedirs(parent, exist_ok=True)
                for d in (self.cgroup_root, parent):
                    with open(os.path.join(d, "cgroup.subtree_control"), "w") as f:
                        f.write("+memory +cpu")
                path = os.path.join(self.cgroup_root, group)
                os.makedirs(path, exist_ok=True)
                if self.mem_limit:
                    limits.append((os.path.join(path, "memory.max"), str(self.mem_limit)))
                if self.cpu_limit:
                    limits.append((os.path.join(path, "cpu.max"), f"{int(self.cpu_limit * 100000)} 100000"))
                procs = [os.path.join(path, "cgroup.procs")]
            else:  # v1: one hierarchy a controller
                memory = os.path.join(self.cgroup_root, "memory", group)
                cpu = os.path.join(self.cgroup_root, "cpu", group)
                os.makedirs(memory, exist_ok=True)
                os.makedirs(cpu, exist_ok=True)
                if self.mem_limit:
                    limits.append((os.path.join(memory, "memory.limit_in_bytes"), str(self.mem_limit)))
                if self.cpu_limit:
                    limits.append((os.path.join(cpu, "cpu.cfs_period_us"), "100000"))
                    limits.append((os.path.join(cpu, "cpu.cfs_quota_us"), str(int(self.cpu_limit * 100000))))
                procs = [os.path.join(memory, "cgroup.procs"), os.path.join(cpu, "cgroup.procs")]
            for path, value in limits:
                with open(path, "w") as f:
                    f.write(value)
            return procs
        except OSError as e:
            self.log.warning(
                "no cgroup for %s (%s): its limits are the kernel's own (MEM_LIMIT, CPU_LIMIT)",
                self.user.name,
                e,
            )
            return []


class SharedAccountCourseSpawner(CourseSpawner, SimpleLocalProcessSpawner):
    """Every server as the hub's own account, homes under /tmp: for the project's tests and
    load benchmark only (no isolation between students)."""


def proxy_command():
    """configurable-http-proxy's command. Debian's package runs on Debian's node; another
    node on PATH (this project's machines have one) needs Debian's modules on NODE_PATH."""
    debian = "/usr/bin/configurable-http-proxy"
    if os.path.exists(debian) and os.path.isdir("/usr/share/nodejs"):
        return ["env", "NODE_PATH=/usr/share/nodejs", debian]
    return ["configurable-http-proxy"]
