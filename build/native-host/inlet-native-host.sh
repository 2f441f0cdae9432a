#!/bin/sh
# Inlet's native-messaging host launcher (docs/discovery.md). Browsers run the file the host manifest
# names, by its absolute path, with no shell and a minimal environment. Its cost is added to
# every extension's start, so it forks nothing on the way (no subshell, no dirname, no
# `command -v`) and ends in exec (docs/performance.md measures it):
#   - in a packaged app (this file in <resources>/native-host/, beside the bundled host): the
#     app's own binary runs the host as plain Node (ELECTRON_RUN_AS_NODE=1), so no separate Node
#     is needed;
#   - in a source checkout (this file in <repo>/build/native-host/): node runs dist/native-host/main.js.
# stdout belongs to the native-messaging protocol: nothing here may print to it.
set -uf
# The host makes no TLS connection and takes no Node flags: a CA bundle or NODE_OPTIONS from the
# user's environment would only slow its start (about 34 ms measured for NODE_EXTRA_CA_CERTS).
unset NODE_EXTRA_CA_CERTS NODE_OPTIONS

self=$0
# A symlink to the launcher (rare: manifests name the file itself) is followed to the real file.
while [ -L "$self" ]; do
  link=$(readlink "$self")
  case $link in /*) self=$link ;; *) self=${self%/*}/$link ;; esac
done
case $self in */*) dir=${self%/*} ;; *) dir=. ;; esac

if [ -f "$dir/inlet-native-host.mjs" ]; then
  # Packaged: Linux keeps the binary beside resources/, macOS in Contents/MacOS.
  app=$dir/../../inlet-app
  [ -x "$app" ] || app=$dir/../../MacOS/Inlet
  if [ ! -x "$app" ]; then
    echo "inlet-native-host: the Inlet app around $dir has no executable." >&2
    exit 1
  fi
  # Lets the host start the tray app when no hub answers.
  : "${INLET_APP_PATH:=$app}"
  ELECTRON_RUN_AS_NODE=1
  export INLET_APP_PATH ELECTRON_RUN_AS_NODE
  exec "$app" "$dir/inlet-native-host.mjs" "$@"
fi

main=$dir/../../dist/native-host/main.js
if [ ! -f "$main" ]; then
  echo "inlet-native-host: $main is missing; run \`npm run build\` in the project folder." >&2
  exit 1
fi
# Browsers started from a desktop (macOS above all) get a PATH without Homebrew or nvm:
# INLET_NODE, else PATH, else the usual places, searched by splitting PATH in this shell.
node=${INLET_NODE:-}
if [ -z "$node" ]; then
  IFS=:
  for d in $PATH /usr/local/bin /opt/homebrew/bin /usr/bin; do
    if [ -x "${d:-.}/node" ] && [ ! -d "${d:-.}/node" ]; then node=${d:-.}/node; break; fi
  done
  unset IFS
fi
if [ -z "$node" ]; then
  echo "inlet-native-host: no node found; set INLET_NODE to the node binary." >&2
  exit 1
fi
exec "$node" "$main" "$@"
