"""`secbot healthcheck`: exit 0 if a local secbot server answers /healthz (Docker HEALTHCHECK)."""

from __future__ import annotations

import argparse
import os
import urllib.error
import urllib.request
from collections.abc import Mapping


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("healthcheck", help="check that a local secbot server is up (for Docker)")
    parser.add_argument("--url", action="append",
                        help="health URL(s) to try (default: $SECBOT_HEALTH_URL, or on loopback Slack's 3000, Teams' "
                             "3978 and the web pages' $SECBOT_WEB_HOST:$SECBOT_WEB_PORT, default 127.0.0.1:8080)")
    parser.add_argument("--timeout", type=float, default=3.0)
    parser.set_defaults(handler=run)


def default_urls(env: Mapping[str, str]) -> list[str]:
    """$SECBOT_HEALTH_URL, else every server a container may run on loopback: Slack (3000), Teams
    (3978) and the web pages (`serve web`'s $SECBOT_WEB_HOST:$SECBOT_WEB_PORT, default 127.0.0.1:8080)."""
    if env.get("SECBOT_HEALTH_URL"):
        return [env["SECBOT_HEALTH_URL"]]
    host = (env.get("SECBOT_WEB_HOST") or "").strip() or "127.0.0.1"
    host = "127.0.0.1" if host in ("0.0.0.0", "::", "[::]") else host  # every interface: loopback answers
    host = f"[{host}]" if ":" in host and not host.startswith("[") else host
    port = (env.get("SECBOT_WEB_PORT") or "").strip() or "8080"
    return ["http://127.0.0.1:3000/healthz", "http://127.0.0.1:3978/healthz", f"http://{host}:{port}/healthz"]


def run(args: argparse.Namespace) -> int:
    urls = args.url or default_urls(os.environ)
    for url in urls:
        try:
            with urllib.request.urlopen(url, timeout=args.timeout) as response:
                if response.status == 200:
                    print(f"ok: {url}")
                    return 0
        except (urllib.error.URLError, OSError, ValueError):
            continue
    print(f"no secbot server answered: {', '.join(urls)}")
    return 1
