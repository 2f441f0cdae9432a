#!/bin/sh
# Inlet's native-messaging host launcher (docs/discovery.md). Browsers run the file named in the host
# manifest with no shell and a minimal environment, so this script finds the host on its own:
#   - inside a packaged app (this file in <resources>/native-host/): the app's own Electron
#     binary runs the host as plain Node (ELECTRON_RUN_AS_NODE=1), so no separate Node is needed;
#   - in a source checkout (this file in <repo>/build/native-host/): node runs dist/native-host/main.js.
# stdout belongs to the native-messaging protocol: nothing here may print to it.
set -u
# The host makes no TLS connection and takes no Node flags: a CA bundle or NODE_OPTIONS from the
# user's environment would only slow its start (about 34 ms measured for NODE_EXTRA_CA_CERTS).
unset NODE_EXTRA_CA_CERTS NODE_OPTIONS

# Resolve symlinks by hand (readlink -f is not on every macOS), then take the real directory.
self=$0
while [ -L "$self" ]; do
  link=$(readlink "$self")
  case $link in
    /*) self=$link ;;
    *) self=$(dirname "$self")/$link ;;
  esac
done
dir=$(CDPATH= cd -- "$(dirname -- "$self")" && pwd -P) || exit 1

resources=$(CDPATH= cd -- "$dir/.." && pwd -P)
if [ -e "$resources/app.asar" ] || [ -d "$resources/app" ]; then
  # Packaged: macOS keeps the binary in Contents/MacOS, Linux next to resources/.
  app=
  for candidate in "$resources/../MacOS/Inlet" "$resources/../inlet" "$resources/../Inlet"; do
    if [ -x "$candidate" ] && [ ! -d "$candidate" ]; then app=$candidate; break; fi
  done
  main=
  for candidate in "$resources/app.asar.unpacked/dist/native-host/main.js" "$resources/app.asar/dist/native-host/main.js" "$resources/app/dist/native-host/main.js"; do
    if [ -e "$candidate" ]; then main=$candidate; break; fi
  done
  if [ -n "$app" ] && [ -n "$main" ]; then
    # Lets the host start the tray app when no hub answers.
    INLET_APP_PATH=${INLET_APP_PATH:-$app}
    export INLET_APP_PATH
    ELECTRON_RUN_AS_NODE=1 exec "$app" "$main" "$@"
  fi
  echo "inlet-native-host: the Inlet app next to $dir is incomplete (no executable or no native-host/main.js)." >&2
  exit 1
fi

repo=$(CDPATH= cd -- "$dir/../.." && pwd -P)
main="$repo/dist/native-host/main.js"
if [ ! -f "$main" ]; then
  echo "inlet-native-host: $main is missing; run \`npm run build\` in $repo." >&2
  exit 1
fi

# Browsers started from a desktop (macOS above all) get a PATH without Homebrew or nvm.
node=${INLET_NODE:-}
if [ -z "$node" ]; then node=$(command -v node 2>/dev/null) || node=; fi
if [ -z "$node" ]; then
  for candidate in /usr/local/bin/node /opt/homebrew/bin/node /usr/bin/node; do
    if [ -x "$candidate" ]; then node=$candidate; break; fi
  done
fi
if [ -z "$node" ]; then
  echo "inlet-native-host: no node found; set INLET_NODE to the node binary." >&2
  exit 1
fi
exec "$node" "$main" "$@"
