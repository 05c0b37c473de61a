#!/usr/bin/env bash
# Make sure Debian's Chromium (/usr/bin/chromium) and a CJK font
# (fonts-wqy-microhei, so Chinese text renders in screenshots) are installed.
# Installs them with apt-get only when missing (waiting up to 10 min for the
# dpkg lock if another apt-get is running); exits non-zero with a message on
# failure. Used by scripts/browser-test.sh.
set -euo pipefail

log() { printf 'ensure-chromium: %s\n' "$*" >&2; }
die() {
    printf 'ensure-chromium: ERROR: %s\n' "$*" >&2
    exit 1
}

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO=(sudo -n)
    fi
fi

apt_updated=0
# Run apt-get quietly: its (and dpkg's) chatter goes to a log that is shown
# only when the command fails. Waits up to 10 minutes for the dpkg lock.
apt_quiet() {
    local out rc=0
    out=$(mktemp)
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get -o DPkg::Lock::Timeout=600 -qq "$@" >"$out" 2>&1 || rc=$?
    [ "$rc" -eq 0 ] || cat "$out" >&2
    rm -f "$out"
    return "$rc"
}

apt_install() {
    local pkg=$1
    if [ "$(id -u)" -ne 0 ] && [ ${#SUDO[@]} -eq 0 ]; then
        die "$pkg is missing and we are neither root nor allowed to sudo; install it with: apt-get install $pkg"
    fi
    command -v apt-get >/dev/null 2>&1 || die "$pkg is missing and apt-get is unavailable"
    if [ "$apt_updated" -eq 0 ]; then
        log "apt-get update"
        apt_quiet update || die "apt-get update failed"
        apt_updated=1
    fi
    log "installing $pkg"
    apt_quiet install -y "$pkg" || die "apt-get install $pkg failed"
}

if [ ! -x /usr/bin/chromium ]; then
    apt_install chromium
    [ -x /usr/bin/chromium ] || die "chromium was installed but /usr/bin/chromium is still missing"
fi

if ! dpkg -s fonts-wqy-microhei >/dev/null 2>&1; then
    apt_install fonts-wqy-microhei
    dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || die "fonts-wqy-microhei is still not installed"
fi

log "ok: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
