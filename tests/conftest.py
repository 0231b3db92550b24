"""Shared fixtures: a tiny knowledge folder builder and a bot on a temporary SQLite file."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import textwrap
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.engine import Bot
from bot.settings import Settings
from intents.assemble import create_bot
from knowledge import SHIPPED_DIR
from tests.adapters.slack.fake_slack import FakeSlack

# The knowledge cache (bot/cache.py) of this test run, shared by its tests and the secbot
# processes they start: never the user's own ~/.cache/secbot.
os.environ["SECBOT_CACHE_DIR"] = tempfile.mkdtemp(prefix="secbot-test-cache-")
atexit.register(shutil.rmtree, os.environ["SECBOT_CACHE_DIR"], ignore_errors=True)
# Commands speak the locale's language (adapters/cli/common.py output_lang): the tests expect the
# default, Japanese, whatever the locale of the machine running them.
for _name in ("LC_ALL", "LC_MESSAGES", "SECBOT_DEFAULT_LANG"):
    os.environ.pop(_name, None)
os.environ["LANG"] = "C.UTF-8"

MINI_INTENTS = """\
version: 1
intents:
  - id: jc_star
    title: {ja: JC-STARとは, en: "What is JC-STAR?"}
    tags: [featured]
    examples:
      ja: [JC-STARとは, じぇいしーすたーって何, IoT製品のラベル制度]
      en: [what is jc-star, jc star label, iot security label scheme]
    answer: {ja: JC-STARはIPAが運営するIoT製品のラベリング制度です。, en: JC-STAR is IPA's IoT security labelling scheme.}
    source: {title: IPA JC-STAR, url: "https://www.ipa.go.jp/security/jc-star/index.html"}
    related: [asm]
  - id: asm
    title: {ja: ASMとは, en: "What is ASM?"}
    tags: [featured]
    examples:
      ja: [ASMとは, 攻撃面管理って何, アタックサーフェスマネジメント]
      en: [what is asm, attack surface management, external attack surface]
    answer: {ja: ASMは外部から見えるIT資産を管理するプロセスです。, en: ASM is the process of managing internet-facing IT assets.}
    source: {title: METI, url: "https://www.meti.go.jp/policy/netsecurity/"}
"""


def write_knowledge(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return directory


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    """A local fake of the Slack Web API that records what users would see."""
    fake = await FakeSlack().start()
    yield fake
    await fake.stop()


@pytest.fixture
def mini_knowledge(tmp_path: Path) -> Path:
    return write_knowledge(tmp_path / "kb", {"intents/mini.yaml": MINI_INTENTS})


@pytest.fixture
async def make_bot(tmp_path: Path) -> AsyncIterator[Callable[..., object]]:
    """`await make_bot(knowledge_dir=None, local=False, **settings)`: a Bot on a fresh SQLite file."""
    opened: list[Bot] = []

    async def factory(knowledge_dir: Path | None = None, *, local: bool = False, **overrides: object) -> Bot:
        settings = Settings.from_env({}, knowledge_dir=knowledge_dir or SHIPPED_DIR,
                                     database_url=f"sqlite:///{tmp_path / f'bot{len(opened)}.db'}", **overrides)
        bot = await create_bot(settings, local=local)
        opened.append(bot)
        return bot

    yield factory
    for bot in opened:
        await bot.store.close()


@pytest.fixture
async def shipped_bot(make_bot: Callable[..., object]) -> Bot:
    return await make_bot()


CAUTIOUS_MATCHING = """\
version: 1
matching: {answer_threshold: 0.99, suggest_threshold: 0.05, margin: 0.5, sure_threshold: 1.0, max_suggestions: 3}
"""


@pytest.fixture
def cautious_knowledge(mini_knowledge: Path) -> Path:
    """The mini knowledge with bands set so that anything short of an exact match gets suggestions."""
    return write_knowledge(mini_knowledge, {"matching.yaml": CAUTIOUS_MATCHING})
