"""`secbot chat` picks up a knowledge edit while it runs, and refuses a broken one."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.conftest import MINI_INTENTS


class Chat:
    __test__ = False

    def __init__(self, knowledge: Path, db: Path):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "adapters.cli", "chat", "--knowledge", str(knowledge), "--database-url", f"sqlite:///{db}"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def send(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def wait_for(self, needle: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            seen.append(line)
            if needle in line:
                return "".join(seen)
        raise AssertionError(f"{needle!r} not seen; got:\n{''.join(seen)}")

    def close(self) -> None:
        self.send("/quit")
        self.proc.wait(timeout=20)


def test_chat_reloads_an_edit_and_keeps_serving_through_a_broken_one(tmp_path: Path, mini_knowledge: Path):
    chat = Chat(mini_knowledge, tmp_path / "chat.db")
    try:
        chat.wait_for("/quit")  # banner
        chat.send("what is jc-star")
        chat.wait_for("JC-STAR is IPA's IoT security labelling scheme.")
        time.sleep(0.5)
        path = mini_knowledge / "intents" / "mini.yaml"
        path.write_text(MINI_INTENTS.replace("JC-STAR is IPA's IoT security labelling scheme.", "Edited answer."),
                        encoding="utf-8")
        chat.wait_for("[knowledge reloaded: version 2")
        chat.send("what is jc-star")
        chat.wait_for("Edited answer.")
        path.write_text(MINI_INTENTS + "  - id: [broken\n", encoding="utf-8")
        out = chat.wait_for("invalid YAML")
        assert "NOT reloaded" in out and "mini.yaml:" in out
        chat.send("what is jc-star")
        chat.wait_for("Edited answer.")
    finally:
        chat.close()
    assert chat.proc.returncode == 0
