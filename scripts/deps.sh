#!/usr/bin/env bash
# Installs the Debian packages netviz's demo and tests need, when missing:
# CNI plugins, iproute2 and iptables for the dev cluster's bridge networking,
# python3 for the example tasks, and Chromium for the browser tests.
set -euo pipefail

say() { printf '[deps] %s\n' "$*" >&2; }

want=()
[ -x /usr/lib/cni/bridge ] || want+=(containernetworking-plugins)
command -v ip >/dev/null 2>&1 || want+=(iproute2)
command -v iptables >/dev/null 2>&1 || want+=(iptables)
command -v python3 >/dev/null 2>&1 || want+=(python3)
if [ "${NETVIZ_NO_BROWSER:-}" != 1 ]; then
  command -v chromium >/dev/null 2>&1 || want+=(chromium)
fi
[ "${#want[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  say "missing packages: ${want[*]}; run as root or: sudo apt-get install ${want[*]}"
  exit 1
fi
say "installing: ${want[*]}"
apt-get update -qq >/dev/null || { say "apt-get update failed"; exit 1; }
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null \
  || { say "apt-get install ${want[*]} failed"; exit 1; }
