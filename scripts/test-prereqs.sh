#!/usr/bin/env bash
# Makes sure the machine has what the tests run: Debian's chromium (the browser tests), PostgreSQL
# server and client binaries (throwaway clusters, pg_dump, pg_restore) and zstd. Installs what is missing
# when it can (root with apt-get); otherwise stops at once with the exact command to run, so that no test
# meets a missing part. Used by `npm test` (pretest) and by .ci/run.
set -euo pipefail

pkgs=()
if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then pkgs+=(chromium); fi
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || ! command -v pg_dump >/dev/null 2>&1; then pkgs+=(postgresql); fi
command -v zstd >/dev/null 2>&1 || pkgs+=(zstd)
[ ${#pkgs[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "The tests need: ${pkgs[*]}. Install them first, for example:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${pkgs[*]}" >&2
  echo "(or set CHROMIUM_PATH to a Chromium binary)" >&2
  exit 1
fi

echo "== installing ${pkgs[*]} (missing; needed by the tests)"
apt-get update -qq
# Installing postgresql would start its default cluster: a policy-rc.d answering 101 tells the package
# scripts not to start services, so nothing runs that a test did not start itself.
policy_rc=/usr/sbin/policy-rc.d
had_policy=0
[ -e "$policy_rc" ] && had_policy=1
[ $had_policy = 1 ] || { printf '#!/bin/sh\nexit 101\n' >"$policy_rc"; chmod +x "$policy_rc"; }
status=0
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null || status=$?
[ $had_policy = 1 ] || rm -f "$policy_rc"
if [ $status != 0 ]; then
  echo "apt-get install ${pkgs[*]} failed (exit $status)" >&2
  exit $status
fi
