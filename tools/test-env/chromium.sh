#!/usr/bin/env bash
# Installs Debian's Chromium for the access-report browser test (test/ops/access-report.test.ts), only when it is
# missing. Debian's package, never a browser a test tool downloads. Without apt (or root) it prints why and returns
# 0: the browser part of that test then skips with the same reason.
set -uo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
start=$(date +%s)
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium.sh: apt-get is not available; the access-report browser test will be skipped." >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "chromium.sh: not root and no passwordless sudo; cannot install Debian's chromium, the access-report browser test will be skipped." >&2
    exit 0
  fi
fi
echo "Installing Debian's chromium for the access-report browser test ..."
if $SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; then
  echo "chromium installed in $(( $(date +%s) - start )) s: $(/usr/bin/chromium --version 2>/dev/null)"
else
  echo "chromium.sh: apt-get install chromium failed; the access-report browser test will be skipped." >&2
fi
exit 0
