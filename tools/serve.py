"""`make run`: the development web server and the task worker together, stopped together.

    python tools/serve.py 127.0.0.1:8000

The worker runs as a child process; when the web server stops (Ctrl-C, or it fails), the
worker is stopped by its PID, and the other way round: if the worker dies, the web server
is stopped too, so `make run` never leaves a half-running app behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

MANAGE = [sys.executable, "manage.py"]


def stop(process: subprocess.Popen, name: str) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        print(f"{name} did not stop in 10 s; killing it", file=sys.stderr)
        process.kill()
        process.wait()


def main(address: str) -> int:
    env = os.environ.copy()
    # The worker runs each task to its end before stopping on SIGTERM (and a killed one's
    # import is resumed anyway); it checks for work twice a second.
    worker = subprocess.Popen([*MANAGE, "worker", "--interval", "0.5", "--verbosity", "1"], env=env)
    web = subprocess.Popen([*MANAGE, "runserver", address], env=env)
    processes = {"web server": web, "worker": worker}

    def on_signal(signum, _frame):
        for name, process in processes.items():
            stop(process, name)
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        while True:
            for name, process in processes.items():
                if process.poll() is not None:
                    print(
                        f"the {name} stopped (exit {process.returncode}); stopping the rest", file=sys.stderr
                    )
                    return process.returncode or 1
            time.sleep(0.5)
    finally:
        for name, process in processes.items():
            stop(process, name)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:8000"))
