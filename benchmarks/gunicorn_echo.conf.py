"""gunicorn settings for the echo baseline: exactly ``gunicorn.conf.py``'s, run from that file itself.

Only two things differ, both because the echo app is not the service: the WSGI app, and the
``post_worker_init`` hook, which in ``gunicorn.conf.py`` loads the rating engine (the echo app has none) and
then freezes the garbage collector; here it does the freezing part alone (``gc.collect(); gc.freeze()``, as
``service.warm_up`` does), so both apps serve with the same GC state. Workers, threads, worker class,
timeouts, keep-alive and max-requests recycling come from the same ``GREENRATE_`` variables.
"""

import gc
import runpy
from pathlib import Path

globals().update(
    {k: v for k, v in runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py")).items()
     if not k.startswith("__")}
)

wsgi_app = "benchmarks.echo_app:app"


def post_worker_init(worker: object) -> None:
    """What ``service.warm_up`` does after loading the engine: collect once, then freeze the survivors."""
    gc.collect()
    gc.freeze()
