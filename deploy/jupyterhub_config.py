# JupyterHub for a course on gomatcalc, on one machine: students log in with local
# accounts, each gets a Jupyter server of their own (running as them, in a cgroup with
# the limits below), Go (matcalc) is the default kernel, and the course's notebooks wait
# in ~/course. deploy/install-hub puts this file in /etc/gomatcalc/hub; docs/jupyterhub.md
# says what each setting is for and what was measured.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gomatcalc_hub import CourseSpawner, proxy_command  # noqa: E402

c = get_config()  # noqa: F821 (traitlets provides it)

c.JupyterHub.bind_url = os.environ.get("GOMATCALC_HUB_URL", "http://:8000")
c.JupyterHub.authenticator_class = "pam"  # the machine's accounts
c.Authenticator.admin_users = set(filter(None, os.environ.get("GOMATCALC_HUB_ADMINS", "").split(",")))
c.JupyterHub.proxy_class = "configurable-http-proxy"
c.ConfigurableHTTPProxy.command = proxy_command()

c.JupyterHub.spawner_class = CourseSpawner
c.Spawner.default_url = "/tree/course"
c.Spawner.notebook_dir = "~"
# Measured: a student's server takes about 114 MiB, an idle kernel 38-48 MiB
# (docs/jupyterhub.md). 1 GiB leaves room for a matrix or two of 2000x2000.
c.Spawner.mem_limit = os.environ.get("GOMATCALC_MEM_LIMIT", "1G")
c.Spawner.cpu_limit = float(os.environ.get("GOMATCALC_CPU_LIMIT", "1"))
# A class that logs in at once starts its servers at once: each takes a second or two of
# CPU to start, and 20 of them on 2 busy cores took more than JupyterHub's 30 s.
c.Spawner.http_timeout = 180
c.Spawner.start_timeout = 180
c.CourseSpawner.notebooks = os.environ.get("GOMATCALC_NOTEBOOKS", "/usr/local/share/gomatcalc/notebooks")

# Servers that stop themselves when idle (jupyter_server_config.py) leave the hub
# nothing to cull; the hub's own record of them is kept across restarts.
c.JupyterHub.cleanup_servers = False
c.JupyterHub.db_url = os.environ.get("GOMATCALC_HUB_DB", "sqlite:////var/lib/gomatcalc-hub/jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.environ.get("GOMATCALC_HUB_SECRET", "/var/lib/gomatcalc-hub/jupyterhub_cookie_secret")
