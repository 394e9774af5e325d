#!/usr/bin/env bash
# Installs Debian's Chromium, which the browser tests drive through playwright-core.
# Run by `npm install` (postinstall); never fails the install, only says what to do.
set -u

if command -v chromium >/dev/null 2>&1; then
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "globalws: chromium not found; installing Debian's chromium for the browser tests (apt-get update && apt-get install -y chromium)"
  log="$(mktemp)"
  if DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$log" 2>&1 &&
     DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >>"$log" 2>&1; then
    echo "globalws: installed $(chromium --version 2>/dev/null || echo chromium)"
    rm -f "$log"
    exit 0
  fi
  tail -n 20 "$log" >&2
  rm -f "$log"
  echo "globalws: apt-get could not install chromium; the browser tests need it." >&2
else
  echo "globalws: chromium not found; the browser tests need it." >&2
fi
echo "globalws: install it with: sudo apt-get update && sudo apt-get install -y chromium" >&2
exit 0
