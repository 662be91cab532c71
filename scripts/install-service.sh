#!/usr/bin/env bash
# Installs VistterStream as a systemd service on Debian 12 / Raspberry Pi OS (run as root, from a
# checkout). Idempotent: run it again after `git pull` to update. It
#   - installs ffmpeg and fonts if missing,
#   - creates the unprivileged user `vistter` (in the video/render groups, for hardware encoders),
#   - copies the app to /opt/vistterstream (VISTTER_APP_DIR), installs its npm packages and builds
#     the web UI there,
#   - installs the unit and, only if absent, /etc/vistterstream/env,
#   - enables the service and (re)starts it.
set -euo pipefail

SRC="$(cd "$(dirname "$0")/.." && pwd)"
APP_DIR="${VISTTER_APP_DIR:-/opt/vistterstream}"
SERVICE_USER=vistter
UNIT=/etc/systemd/system/vistterstream.service

if [ "$(id -u)" -ne 0 ]; then
  echo "Run as root: sudo $0" >&2
  exit 1
fi
command -v node >/dev/null || { echo "Node.js ≥ 20 is needed (https://nodejs.org or NodeSource)." >&2; exit 1; }
NODE_BIN="$(command -v node)"
if [ "$(node -p 'Number(process.versions.node.split(".")[0]) >= 20')" != "true" ]; then
  echo "Node.js ≥ 20 is needed; this is $(node --version)." >&2
  exit 1
fi

bash "$SRC/scripts/install-system-deps.sh"

if ! id "$SERVICE_USER" >/dev/null 2>&1; then
  useradd --system --user-group --home-dir /var/lib/vistterstream --no-create-home \
    --shell /usr/sbin/nologin --comment "VistterStream appliance" "$SERVICE_USER"
  echo "Created the user $SERVICE_USER."
fi
for group in video render; do
  if getent group "$group" >/dev/null; then usermod -a -G "$group" "$SERVICE_USER"; fi
done

# The app: a root-owned copy the service can read but not change.
if [ "$SRC" != "$APP_DIR" ]; then
  mkdir -p "$APP_DIR"
  find "$APP_DIR" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
  tar -C "$SRC" --exclude=./node_modules --exclude=./data --exclude=./.git --exclude=./test-artifacts \
    --exclude='./web/dist' -cf - . | tar -C "$APP_DIR" -xf -
fi
cd "$APP_DIR"
# npm install, not npm ci (see scripts/up.sh); dev packages too: tsx runs the TypeScript, vite builds the UI.
npm install --no-audit --no-fund --loglevel=error
npm run --silent build:web
chown -R root:root "$APP_DIR"
chmod -R go-w "$APP_DIR"

install -d -m 0750 -o root -g "$SERVICE_USER" /etc/vistterstream
if [ ! -f /etc/vistterstream/env ]; then
  install -m 0640 -o root -g "$SERVICE_USER" "$SRC/packaging/systemd/env.example" /etc/vistterstream/env
  echo "Wrote /etc/vistterstream/env (all settings commented out: the defaults apply)."
fi
install -d -m 0750 -o "$SERVICE_USER" -g "$SERVICE_USER" /var/lib/vistterstream

sed -e "s#^WorkingDirectory=.*#WorkingDirectory=$APP_DIR#" \
  -e "s#^ExecStart=/usr/bin/node #ExecStart=$NODE_BIN #" \
  "$SRC/packaging/systemd/vistterstream.service" >"$UNIT.new"
chmod 0644 "$UNIT.new"
mv "$UNIT.new" "$UNIT"
if command -v systemd-analyze >/dev/null; then systemd-analyze verify "$UNIT"; fi

systemctl daemon-reload
systemctl enable vistterstream >/dev/null
systemctl restart vistterstream
echo "VistterStream is running as a service: systemctl status vistterstream; logs: journalctl -u vistterstream -f"
echo "Open http://$(hostname -I 2>/dev/null | awk '{print $1}'):${VISTTER_PORT:-8080}/ to set the admin password."
