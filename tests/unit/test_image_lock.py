"""The Docker image installs only what requirements.lock pins (then secbot with --no-deps).

A dependency added to pyproject.toml but not locked would be missing from the image, so the lock
must pin every one of them, exactly and with hashes. Regenerate it with `bash scripts/lock.sh`.
"""

import tomllib
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
# The image's Python: CPython 3.11 on Linux (python:3.11-slim).
IMAGE_ENV = {**default_environment(), "python_version": "3.11", "python_full_version": "3.11.2",
             "sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
             "implementation_name": "cpython", "platform_python_implementation": "CPython"}


def locked(path: Path) -> dict[str, tuple[Requirement, list[str]]]:
    """Requirement and hashes of each entry of a hashed lock file that applies to the image."""
    entries: list[tuple[Requirement, list[str]]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.strip().rstrip("\\").strip()
        if not text or text.startswith("#"):
            continue
        if text.startswith("--hash="):
            entries[-1][1].append(text.removeprefix("--hash="))
        else:
            entries.append((Requirement(text), []))
    return {canonicalize_name(req.name): (req, hashes) for req, hashes in entries
            if req.marker is None or req.marker.evaluate(IMAGE_ENV)}


def test_requirements_lock_pins_every_dependency_of_secbot():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lock = locked(ROOT / "requirements.lock")
    problems = []
    for spec in project["dependencies"]:
        wanted = Requirement(spec)
        entry = lock.get(canonicalize_name(wanted.name))
        if entry is None:
            problems.append(f"{wanted.name} is not in requirements.lock")
            continue
        version = next(iter(entry[0].specifier)).version
        if not wanted.specifier.contains(version, prereleases=True):
            problems.append(f"requirements.lock has {wanted.name}=={version}, pyproject.toml wants {wanted.specifier}")
    assert not problems, "; ".join(problems) + " (run: bash scripts/lock.sh)"


def test_lock_files_pin_exact_versions_with_hashes():
    for name in ("requirements.lock", "requirements-build.lock"):
        for package, (req, hashes) in locked(ROOT / name).items():
            assert [s.operator for s in req.specifier] == ["=="], f"{name}: {package} is not pinned exactly"
            assert hashes and all(h.startswith("sha256:") for h in hashes), f"{name}: {package} has no sha256 hash"


def test_build_lock_has_the_tools_the_image_build_uses():
    assert {"pip", "setuptools", "wheel"} <= set(locked(ROOT / "requirements-build.lock"))
