#!/usr/bin/env bash
# Installs VistterStream as a systemd service on Debian 12 / Raspberry Pi OS (run as root, from a
# checkout). Idempotent: run it again after `git pull` to update. It
#   - installs ffmpeg and fonts if missing,
#   - creates the unprivileged user `vistter` (in the video/render groups, for hardware encoders),
#   - copies the app to /opt/vistterstream (VISTTER_APP_DIR), installs its npm packages, builds the
#     appliance (dist/, run with plain node) and the web UI there, then keeps only the packages the
#     running appliance needs,
#   - installs the unit and, only if absent, /etc/vistterstream/env,
#   - hides every user's processes from the others (/proc mounted hidepid=invisible, now and in
#     /etc/fstab): ffmpeg takes stream keys and camera passwords on its command line only, so
#     otherwise any local user reads them with `ps -eo args`. Members of the group
#     VISTTER_PROC_GROUP (default `proc`) still see everything (monitoring agents).
#     VISTTER_HIDE_PROCESSES=0 leaves /proc alone (a machine that is not a dedicated appliance),
#   - turns the kernel's memory controller on where a Raspberry Pi boots with it off (the unit's
#     MemoryHigh/MemoryMax need it; takes effect at the next boot),
#   - enables the service and (re)starts it.
# The functions can be sourced without running anything (tests do: see test/unit/install/).
set -euo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
APP_DIR="${VISTTER_APP_DIR:-/opt/vistterstream}"
SERVICE_USER=vistter
UNIT=/etc/systemd/system/vistterstream.service
PROC_GROUP="${VISTTER_PROC_GROUP:-proc}"
HIDE_PROCESSES="${VISTTER_HIDE_PROCESSES:-1}"

# Prints the fstab at $1 with its /proc line set to hide processes from other users, except from
# members of group id $2 (other options on the line are kept; a missing line is added).
# Idempotent: its own output passes through unchanged.
proc_fstab_with_hidepid() {
  local fstab="$1" gid="$2"
  awk -v gid="$gid" '
    BEGIN { OFS = "\t"; done = 0 }
    /^[[:space:]]*#/ || NF < 3 || $2 != "/proc" { print; next }
    {
      n = split($4, opts, ",")
      kept = ""
      for (i = 1; i <= n; i++) {
        if (opts[i] ~ /^(hidepid|gid)=/ || opts[i] == "" || opts[i] == "defaults") continue
        kept = kept "," opts[i]
      }
      dump = (NF >= 5) ? $5 : "0"
      pass = (NF >= 6) ? $6 : "0"
      print $1, $2, $3, "defaults,hidepid=invisible,gid=" gid kept, dump, pass
      done = 1
    }
    END {
      if (!done) {
        print "# VistterStream: processes are visible to their own user only (ffmpeg command lines hold stream keys); group " gid " sees all."
        print "proc", "/proc", "proc", "defaults,hidepid=invisible,gid=" gid, "0", "0"
      }
    }
  ' "$fstab"
}

# Rewrites the fstab at $1 (default /etc/fstab) for group id $2, only when it changes.
ensure_proc_fstab() {
  local fstab="${1:-/etc/fstab}" gid="$2" next
  [ -e "$fstab" ] || : >"$fstab"
  next="$(mktemp "$fstab.vistter.XXXXXX")"
  proc_fstab_with_hidepid "$fstab" "$gid" >"$next"
  if cmp -s "$fstab" "$next"; then
    rm -f "$next"
    return 0
  fi
  chmod --reference="$fstab" "$next"
  mv "$next" "$fstab"
  echo "Set hidepid=invisible,gid=$gid on /proc in $fstab."
}

# Remounts the procfs at $2 (default /proc) with processes hidden from other users at once.
# hidepid=invisible needs Linux 5.8; older kernels know the same setting as hidepid=2.
apply_proc_hidepid() {
  local gid="$1" mountpoint="${2:-/proc}"
  if ! mount -o "remount,hidepid=invisible,gid=$gid" "$mountpoint" 2>/dev/null; then
    mount -o "remount,hidepid=2,gid=$gid" "$mountpoint"
  fi
}

# The group that may see every process: created if missing; prints its numeric id (the kernel
# takes gid= as a number).
ensure_proc_group() {
  local group="$1"
  getent group "$group" >/dev/null || groupadd --system "$group"
  getent group "$group" | cut -d: -f3
}

hide_processes_from_other_users() {
  local gid
  gid="$(ensure_proc_group "$PROC_GROUP")"
  ensure_proc_fstab /etc/fstab "$gid"
  apply_proc_hidepid "$gid" /proc
  # systemd-logind and polkit look at other users' processes to manage sessions: they keep
  # seeing them through the group (logind from its next start; a reboot does it).
  install -d -m 0755 /etc/systemd/system/systemd-logind.service.d
  printf '[Service]\nSupplementaryGroups=%s\n' "$PROC_GROUP" >/etc/systemd/system/systemd-logind.service.d/vistter-hidepid.conf
  if id polkitd >/dev/null 2>&1; then usermod -a -G "$PROC_GROUP" polkitd; fi
  echo "Processes are now visible to their own user only (ps shows no one else's ffmpeg command lines);"
  echo "  add a monitoring agent's user to the group '$PROC_GROUP' to let it see all: usermod -a -G $PROC_GROUP <user>"
}

# Prints the kernel command line at $1 with the memory controller turned on. Idempotent.
cmdline_with_memory_cgroup() {
  local cmdline="$1" line
  line="$(head -n 1 "$cmdline")"
  # An explicit cgroup_disable=memory would win over the settings added below.
  line="$(sed -E 's/(^| )cgroup_disable=memory( |$)/\1/; s/ +$//' <<<"$line")"
  if ! grep -qw 'cgroup_enable=memory' <<<"$line"; then line="$line cgroup_enable=memory"; fi
  if ! grep -qw 'cgroup_memory=1' <<<"$line"; then line="$line cgroup_memory=1"; fi
  printf '%s\n' "$line"
}

# Raspberry Pi kernels may boot with the memory cgroup off; without it MemoryMax= does nothing.
ensure_memory_cgroup() {
  local controllers=/sys/fs/cgroup/cgroup.controllers cmdline="" next
  if [ -r "$controllers" ] && grep -qw memory "$controllers"; then return 0; fi
  for candidate in /boot/firmware/cmdline.txt /boot/cmdline.txt; do
    if [ -f "$candidate" ]; then cmdline="$candidate"; break; fi
  done
  if [ -z "$cmdline" ]; then
    echo "Warning: the kernel's memory controller is off, so the service's memory cap (MemoryMax) does not apply." >&2
    return 0
  fi
  next="$(mktemp)"
  cmdline_with_memory_cgroup "$cmdline" >"$next"
  if ! cmp -s "$cmdline" "$next"; then
    cp "$cmdline" "$cmdline.vistter-backup"
    cat "$next" >"$cmdline"
    echo "Turned the kernel's memory controller on in $cmdline (backup: $cmdline.vistter-backup)."
    echo "  Reboot once for the service's memory cap to apply: sudo reboot"
  fi
  rm -f "$next"
}

main() {
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
      --exclude=./dist --exclude='./web/dist' -cf - . | tar -C "$APP_DIR" -xf -
  fi
  cd "$APP_DIR"
  # Dev packages for the build (TypeScript, wabt for the compositor's kernels, vite for the UI), then
  # only what `node dist/main.js` needs. npm install, not ci: it keeps the packages installed last time.
  npm install --no-audit --no-fund --loglevel=error
  npm run --silent build
  npm run --silent build:web
  npm prune --omit=dev --no-audit --no-fund --loglevel=error
  chown -R root:root "$APP_DIR"
  chmod -R go-w "$APP_DIR"

  install -d -m 0750 -o root -g "$SERVICE_USER" /etc/vistterstream
  if [ ! -f /etc/vistterstream/env ]; then
    install -m 0640 -o root -g "$SERVICE_USER" "$SRC/packaging/systemd/env.example" /etc/vistterstream/env
    echo "Wrote /etc/vistterstream/env (all settings commented out: the defaults apply)."
  fi
  install -d -m 0700 -o "$SERVICE_USER" -g "$SERVICE_USER" /var/lib/vistterstream
  chmod 0700 /var/lib/vistterstream

  if [ "$HIDE_PROCESSES" != "0" ]; then hide_processes_from_other_users; fi
  ensure_memory_cgroup

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
  echo "Open https://$(hostname -I 2>/dev/null | awk '{print $1}'):${VISTTER_HTTPS_PORT:-8443}/ to set the admin password."
  echo "The browser warns until you accept the appliance's own certificate: compare its SHA-256 fingerprint"
  echo "(journalctl -u vistterstream | grep fingerprint); README \"HTTPS and hosts\" says how to trust it for good."
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then main "$@"; fi
