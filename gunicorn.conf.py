"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py app:server`.

The environment overrides five of them (PPH_BIND, PPH_WORKERS, PPH_TIMEOUT, PPH_LOG_LEVEL,
PPH_FORWARDED_ALLOW_IPS; docs/deployment.md).
"""

import multiprocessing
import os

bind = os.environ.get("PPH_BIND", "127.0.0.1:8050")
# The app is CPU-bound, and a worker keeps nothing a later request needs but caches of the current data
# (the register, when on, is in the database): one worker per core, any of which serves any request.
workers = int(os.environ.get("PPH_WORKERS", multiprocessing.cpu_count()))
worker_class = "sync"
timeout = int(os.environ.get("PPH_TIMEOUT", "30"))
# On HUP (systemctl reload) and TERM, old workers get this long to finish the requests they hold before
# they are killed: longer than any request takes, shorter than systemd's TimeoutStopSec (30 s).
# A worker that dies anyway (SIGKILL, OOM) is replaced by the master at once; nginx's
# proxy_next_upstream resends what it was serving to the other instance (deploy/nginx-site.conf).
graceful_timeout = 20
keepalive = 5
# Load the data once in the master, then fork: workers share its memory and start instantly.
# So HUP replaces workers with the code and data already loaded: new code or data needs a restart of
# the master, one instance at a time (docs/deployment.md, "Several instances, restarts and kills").
preload_app = True
# Oversized request lines and headers are refused with a 4xx before reaching the app.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("PPH_LOG_LEVEL", "info")
# The reverse proxy on this host sets X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("PPH_FORWARDED_ALLOW_IPS", "127.0.0.1")
