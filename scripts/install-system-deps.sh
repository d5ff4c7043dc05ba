#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages flowsentry uses: libpcap (live capture), tcpdump/tshark (benchmark
# reference, capture checks), the lab's traffic tools, and scikit-learn for the side-by-side benchmark.
# Idempotent; needs root (or sudo).
set -euo pipefail
PKGS=(libpcap-dev tcpdump tshark hping3 nmap iproute2 nginx-light dnsmasq iperf3 curl dnsutils
      python3-sklearn time tcpreplay
      slowhttptest wrk openssh-server openssh-client sshpass vsftpd lftp patator hydra goldeneye)
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-system-deps: all packages present"
  exit 0
fi
echo "install-system-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
# The lab runs nginx, sshd, vsftpd and dnsmasq inside its own namespaces with its own configs: keep the
# packages from starting and enabling system-wide services on install (policy-rc.d 101 = "not allowed").
added_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  added_policy=1
fi
trap 'if [ -n "$added_policy" ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi' EXIT
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
