"""`secbot healthcheck`: exit 0 if a local secbot server answers /healthz (Docker HEALTHCHECK)."""

from __future__ import annotations

import argparse
import os
import urllib.error
import urllib.request


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("healthcheck", help="check that a local secbot server is up (for Docker)")
    parser.add_argument("--url", action="append",
                        help="health URL(s) to try (default: $SECBOT_HEALTH_URL, or ports 3000 and 3978 on loopback)")
    parser.add_argument("--timeout", type=float, default=3.0)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    urls = args.url or ([os.environ["SECBOT_HEALTH_URL"]] if os.environ.get("SECBOT_HEALTH_URL") else
                        ["http://127.0.0.1:3000/healthz", "http://127.0.0.1:3978/healthz"])
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
