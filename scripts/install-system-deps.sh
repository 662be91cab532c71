#!/usr/bin/env bash
# Installs the Debian packages VistterStream needs (ffmpeg, openssl; for the tests also a real RTSP
# server (GStreamer), a real RTMP server (nginx-rtmp) and a real browser (chromium) for the web
# UI). Runs `apt-get update` only when something is missing, so a ready machine pays nothing.
set -euo pipefail

packages=(
  ffmpeg
  fonts-dejavu-core
  # Signs the appliance's own HTTPS certificate at the first start (src/api/tls.ts).
  openssl
)
if [ "${1:-}" = "--with-test-tools" ]; then
  packages+=(
    nginx libnginx-mod-rtmp
    python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-tools
    gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
    gstreamer1.0-plugins-ugly gstreamer1.0-libav
    chromium
  )
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

echo "Installing system packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# nginx starts itself on install; the tests run their own instances on loopback ports.
if [ "$(id -u)" -eq 0 ] && command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
  systemctl disable --now nginx >/dev/null 2>&1 || true
fi
