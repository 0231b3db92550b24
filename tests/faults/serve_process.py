"""`secbot serve slack|teams` as a real child process on 127.0.0.1, for fault tests and benchmarks/load.py.

The child's output goes to a file, not a pipe: under load it logs a lot, and an undrained pipe
would block the server and distort what we measure.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.adapters.slack.conftest import BOT_TOKEN, SECURITY_CHANNEL, SIGNING_SECRET

__test__ = False

REPO = Path(__file__).resolve().parents[2]
SECBOT = [sys.executable, "-m", "adapters.cli"]
TEAMS_SECURITY_CHANNEL = "19:securityChannel@thread.tacv2"
_LISTENING = {
    "slack": re.compile(r"http://127\.0\.0\.1:(\d+)/slack/events"),
    "teams": re.compile(r"http://127\.0\.0\.1:(\d+)/api/messages"),
}


def clean_env(**values: str) -> dict[str, str]:
    """This environment without any Slack/Teams/secbot setting, plus `values`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "SECBOT_", "Microsoft")) or k == "SECBOT_CACHE_DIR"}
    env["PYTHONPATH"] = str(REPO)
    env["SECBOT_OPS_PORT"] = "0"  # a free port: several servers run side by side in the tests
    env.update(values)
    return env


def serve_env(platform: str, *, database_url: str, api_url: str | None = None, knowledge: str | None = None,
              log_level: str = "WARNING") -> dict[str, str]:
    """What `secbot serve <platform>` needs; Teams runs in local mode (no MicrosoftAppId)."""
    values = {"SECBOT_DATABASE_URL": database_url, "SECBOT_LOG_LEVEL": log_level}
    if knowledge:
        values["SECBOT_KNOWLEDGE"] = knowledge
    if platform == "slack":
        values |= {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                   "SECBOT_SECURITY_CHANNEL": SECURITY_CHANNEL}
        if api_url:
            values["SECBOT_SLACK_API_URL"] = api_url
    else:
        values["SECBOT_TEAMS_SECURITY_CHANNEL"] = TEAMS_SECURITY_CHANNEL
    return clean_env(**values)


@dataclass
class ServeProcess:
    """A running `secbot serve <platform>`; `url` is its base URL once started."""

    platform: str
    process: subprocess.Popen[bytes]
    log_path: Path
    url: str = ""
    started_in: float = 0.0
    _log: object = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def rss_kib(self, key: str = "VmRSS") -> int:
        """VmRSS (now) or VmHWM (peak) of the serving process, from /proc (psutil is not installed)."""
        return read_status_kib(self.pid, key)

    async def terminate(self, timeout: float = 40.0) -> int:
        """SIGTERM and wait for the exit code (SIGKILL after `timeout`)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while self.process.poll() is None:
            if time.monotonic() > deadline:
                self.process.kill()
                self.process.wait()
                break
            await asyncio.sleep(0.05)
        if self._log is not None:
            self._log.close()  # type: ignore[attr-defined]
        return int(self.process.returncode)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/PID/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def read_status_kib(pid: int, key: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


async def start_serve(platform: str, env: dict[str, str], workdir: Path, *, timeout: float = 60.0) -> ServeProcess:
    """Start `secbot serve <platform> --host 127.0.0.1 --port 0` and wait until it listens."""
    log_path = workdir / f"serve-{platform}-{time.time_ns()}.log"
    log = log_path.open("wb")
    started = time.monotonic()
    process = subprocess.Popen([*SECBOT, "serve", platform, "--host", "127.0.0.1", "--port", "0"], cwd=workdir,
                               env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    served = ServeProcess(platform, process, log_path, _log=log)
    pattern = _LISTENING[platform]
    while True:
        if (found := pattern.search(served.output())) is not None:
            served.url = f"http://127.0.0.1:{found.group(1)}"
            served.started_in = time.monotonic() - started
            return served
        if process.poll() is not None or time.monotonic() - started > timeout:
            await served.terminate(5)
            raise RuntimeError(f"secbot serve {platform} did not start:\n{served.output()[-4000:]}")
        await asyncio.sleep(0.02)
