#!/usr/bin/env bash
# Build the Docker image from ./Dockerfile with buildah and smoke-test it. .ci/run runs this.
#
# Needs Linux, root and apt (Debian/Ubuntu); elsewhere it says why and skips. It needs no Docker
# engine and pulls no image: the base image python:3.11-slim is replaced by a local stand-in,
# localhost/python:3.11-slim, made with debootstrap (Debian bookworm = Python 3.11) from the
# Debian mirror in the machine's apt sources, and kept between runs in buildah's storage.
# Logs go to $SECBOT_IMAGE_TEST_DIR (default /var/tmp/secbot-image-test); on a failure the
# tail of the failing step's log is printed.
set -euo pipefail
cd "$(dirname "$0")/.."

skip() {
  echo "image test: SKIPPED: $*"
  echo "image test: with Docker, build and try the image yourself: docker build -t secbot . (see README, Docker)"
  exit 0
}
[ "$(uname -s)" = Linux ] || skip "it needs Linux (this is $(uname -s))"
[ "$(id -u)" = 0 ] || skip "it needs root (buildah with vfs storage and chroot isolation, debootstrap)"
command -v apt-get >/dev/null 2>&1 || skip "it needs apt-get to install buildah and debootstrap"

started=$SECONDS
work="${SECBOT_IMAGE_TEST_DIR:-/var/tmp/secbot-image-test}"
store=/var/lib/secbot-image-test/storage          # buildah's images, the cached stand-in among them
image=localhost/secbot:image-test
base=localhost/python:3.11-slim
suite=bookworm
include=python3,python3-venv,python3-pip,python-is-python3,ca-certificates,passwd
mkdir -p "$work" "$store"
exec 9>"$work/lock"
flock 9                                            # one run at a time on this machine

step_log=""
fail() {
  echo "image test: FAILED: $*"
  if [ -n "$step_log" ] && [ -s "$step_log" ]; then
    echo "--- last lines of $step_log ---"
    tail -n 15 "$step_log" | cut -c1-300
    echo "---"
  fi
  exit 1
}
# run LOG CMD...: run a step with its output in LOG (and nothing on the terminal).
run() {
  step_log="$1"; shift
  "$@" >"$step_log" 2>&1
}
buildah_cmd=(buildah --root "$store" --runroot /run/secbot-image-test --storage-driver vfs)
bah() { "${buildah_cmd[@]}" "$@"; }

# 1. Tools.
if ! command -v buildah >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1; then
  echo "image test: installing buildah and debootstrap (apt-get)"
  run "$work/apt.log" bash -c 'export DEBIAN_FRONTEND=noninteractive
    apt-get update -q && apt-get install -y -q buildah debootstrap' \
    || fail "apt-get could not install buildah and debootstrap"
fi
export BUILDAH_ISOLATION=chroot
containers=()
cleanup() {
  for c in "${containers[@]}"; do bah rm "$c" >/dev/null 2>&1 || true; done
  bah rmi "$image" >/dev/null 2>&1 || true           # the logs stay; the image (~160 MB) does not
}
trap cleanup EXIT
bah rm --all >/dev/null 2>&1 || true                # what a killed run left behind
bah rmi --prune >/dev/null 2>&1 || true

# 2. The stand-in base image. The debootstrapped root filesystem is cached under a key of its
# recipe; the machine's CA bundle (pip in the build needs it) goes in a thin layer on top, redone
# whenever the bundle changes (it may, from one machine to the next).
mirror="${SECBOT_DEBIAN_MIRROR:-$(apt-get indextargets --format '$(ORIGIN)|$(LABEL)|$(CREATED_BY)|$(REPO_URI)' 2>/dev/null \
  | awk -F'|' '$1 == "Debian" && $2 == "Debian" && $3 == "Packages" { print $4; exit }')}"
mirror="${mirror:-http://deb.debian.org/debian}"
key=$(printf '%s\n' "$suite" "$include" "$mirror" "$(uname -m)" | sha256sum | cut -c1-12)
rootfs_image="localhost/secbot-standin-rootfs:$key"
if bah inspect --type image "$rootfs_image" >/dev/null 2>&1; then
  echo "image test: stand-in base: cached ($suite from $mirror)"
else
  echo "image test: stand-in base: debootstrap $suite from $mirror"
  [ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || run "$work/apt.log" bash -c \
    'DEBIAN_FRONTEND=noninteractive apt-get install -y -q debian-archive-keyring' \
    || fail "apt-get could not install debian-archive-keyring"
  rm -rf "$work/rootfs"
  run "$work/debootstrap.log" timeout 1200 debootstrap --variant=minbase --include="$include" "$suite" "$work/rootfs" "$mirror" \
    || fail "debootstrap of $suite from $mirror failed"
  rm -rf "$work"/rootfs/var/lib/apt/lists/* "$work"/rootfs/var/cache/apt/archives/*.deb
  step_log="$work/standin.log"
  ctr=$(bah from scratch 2>>"$step_log") && containers+=("$ctr") \
    && mnt=$(bah mount "$ctr" 2>>"$step_log") && cp -a "$work/rootfs/." "$mnt/" && bah umount "$ctr" >>"$step_log" \
    && bah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env LANG=C.UTF-8 \
      --cmd python3 "$ctr" >>"$step_log" 2>&1 \
    && bah commit --rm "$ctr" "$rootfs_image" >>"$step_log" 2>&1 \
    || fail "could not make the stand-in base image"
  rm -rf "$work/rootfs"
  # Older stand-ins (another recipe or mirror) are no longer needed; the base is made anew below.
  bah rmi "$base" >/dev/null 2>&1 || true
  for old in $(bah images --format '{{.Name}}:{{.Tag}}' | grep '^localhost/secbot-standin-rootfs:' || true); do
    [ "$old" = "$rootfs_image" ] || bah rmi "$old" >/dev/null 2>&1 || true
  done
fi
ca=/etc/ssl/certs/ca-certificates.crt
standin="$key-$( (cat "$ca" 2>/dev/null || true) | sha256sum | cut -c1-12)"
label='{{index .OCIv1.Config.Labels "secbot.image-test.standin"}}'
if [ "$(bah inspect --type image --format "$label" "$base" 2>/dev/null || true)" != "$standin" ]; then
  step_log="$work/standin.log"
  ctr=$(bah from --pull-never "$rootfs_image" 2>>"$step_log") && containers+=("$ctr") \
    && { [ ! -f "$ca" ] || bah copy "$ctr" "$ca" /etc/ssl/certs/ca-certificates.crt >>"$step_log" 2>&1; } \
    && bah config --label "secbot.image-test.standin=$standin" "$ctr" >>"$step_log" 2>&1 \
    && { bah rmi "$base" >>"$step_log" 2>&1 || true; } \
    && bah commit --rm "$ctr" "$base" >>"$step_log" 2>&1 \
    || fail "could not make $base"
fi

# 3. Build.
echo "image test: building $image from Dockerfile (log: $work/build.log)"
build_started=$SECONDS
run "$work/build.log" timeout 1800 "${buildah_cmd[@]}" bud --pull-never --network host --isolation chroot \
  --build-arg PYTHON_IMAGE="$base" --tag "$image" --file Dockerfile . \
  || fail "the image did not build"
echo "image test: built in $((SECONDS - build_started)) s"

# 4. Smoke tests, in one working container of the image (each one costs a full copy with vfs),
# as the image's user.
smoke_started=$SECONDS
step_log="$work/smoke.log"
: >"$step_log"
ctr=$(bah from --pull-never "$image" 2>>"$step_log") && containers+=("$ctr") || fail "no container of $image"
in_image() {
  timeout 180 "${buildah_cmd[@]}" run --isolation chroot --network host "$ctr" -- "$@" 2>>"$step_log"
}
check() {
  echo "image test: ok: $1"
}
uid=$(in_image id -u) || fail "id -u did not run in the image"
[ "$uid" != 0 ] || fail "the image runs as root"
check "runs as uid $uid, not root"

answer=$(in_image secbot ask --json 'JC-STARって何？') || fail "secbot ask --json failed"
printf '%s\n' "$answer" >>"$step_log"
printf '%s' "$answer" | python3 -c '
import json, sys
record = json.loads(sys.stdin.read().splitlines()[0])
assert record["intent"] == "jc_star" and "JC-STAR" in record["answer"], record
' >>"$step_log" 2>&1 || fail "secbot ask --json did not answer from the shipped knowledge"
check "secbot ask --json answers from the shipped knowledge (intent jc_star)"

in_image secbot kb validate /knowledge >>"$step_log" || fail "secbot kb validate /knowledge failed"
check "secbot kb validate /knowledge passes"

# Ports no one listens on (chosen on the host, whose network the container shares).
read -r idle_port teams_port ops_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')
status=0
out=$(in_image secbot healthcheck --url "http://127.0.0.1:$idle_port/healthz" --timeout 2) || status=$?
printf '%s\n' "$out" >>"$step_log"
if [ "$status" != 1 ] || [[ "$out" != "no secbot server answered"* ]] || grep -q Traceback "$step_log"; then
  fail "secbot healthcheck did not fail cleanly with no server (exit $status: $out)"
fi
check "secbot healthcheck exits 1 with a message when no server runs"

# secbot serve teams in local mode (no MicrosoftAppId), probed by the image's own healthcheck:
# /healthz on the public port, /readyz only on the operator port (SECBOT_OPS_PORT).
in_image sh -c '
  SECBOT_OPS_PORT="$2" secbot serve teams --port "$1" 2>/tmp/serve.log & server=$!
  ok=""
  for _ in $(seq 1 60); do
    if secbot healthcheck --url "http://127.0.0.1:$1/healthz" && secbot healthcheck --url "http://127.0.0.1:$2/readyz"
    then ok=1; break; fi
    sleep 0.5
  done
  if [ -n "$ok" ] && secbot healthcheck --url "http://127.0.0.1:$1/readyz" >/dev/null 2>&1; then
    echo "/readyz answered on the public port" >&2; ok=""
  fi
  kill "$server"; wait "$server" 2>/dev/null
  [ -n "$ok" ] || { cat /tmp/serve.log >&2; exit 1; }
' sh "$teams_port" "$ops_port" >>"$step_log" || fail "secbot serve teams (local mode) did not answer /healthz publicly and /readyz on the operator port only"
check "secbot serve teams (local mode) answers /healthz, and /readyz on the operator port only, in the container"
echo "image test: smoke tests took $((SECONDS - smoke_started)) s"

# 5. Report: size, and the packaging tools the image carries.
size=$(bah images --format '{{.Size}}' "$image")
base_size=$(bah images --format '{{.Size}}' "$base")
echo "image test: image size: $size (on the stand-in base, Debian's Python: $base_size alone)"
mnt=$(bah mount "$ctr")
installed=$(cd "$mnt" && find . -xdev -type d \( -name 'pip-*-info' -o -name 'setuptools-*-info' -o -name 'wheel-*-info' \) \
  | sed -E 's#^\./##; s#^(.*)/(pip|setuptools|wheel)-([^-]+)\.(dist|egg)-info$#\2 \3 (/\1)#' | sort)
bundled=$(cd "$mnt" && find . -xdev -type f \( -name 'pip-*.whl' -o -name 'setuptools-*.whl' -o -name 'wheel-*.whl' \) \
  | sed 's#^\.##' | sort)
bah umount "$ctr" >/dev/null
if [ -n "$installed" ]; then
  echo "image test: installed packaging tools found in the image:"
  printf '%s\n' "$installed" | sed 's/^/  /'
  step_log=""
  fail "the runtime image should carry no pip, setuptools or wheel (see the Dockerfile)"
fi
echo "image test: pip, setuptools, wheel installed in the image: none"
if [ -n "$bundled" ]; then
  echo "image test: wheel files kept by the base Python for 'python -m venv' (not installed):"
  printf '%s\n' "$bundled" | sed 's/^/  /'
fi
echo "image test: the build stage used $(grep -E '^(pip|setuptools|wheel)==' requirements-build.lock \
  | sed 's/ .*//' | paste -sd' ') (requirements-build.lock)"
echo "image test: CVEs not checked: no vulnerability database is reachable offline here" \
  "(pip-audit needs network access to one); the versions above are what to check."
echo "image test: passed in $((SECONDS - started)) s"
