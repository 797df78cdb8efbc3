#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3, the last release that runs on Node 20) for the
# end-to-end tests into a cache folder OUTSIDE the project's node_modules, following
# ../shared/notes/environment.md. Needs Debian packages: libkrb5-dev pkg-config ripgrep (and chromium
# for the browser). Idempotent: does nothing when the cached install is already there.
set -euo pipefail
CACHE="${ORPO_E2E_CACHE:-$HOME/.cache/orpo-lab-e2e}"
VERSION=4.100.3
BIN="$CACHE/node_modules/code-server/out/node/entry.js"
if [ -f "$BIN" ] && grep -q "\"version\": \"$VERSION\"" "$CACHE/node_modules/code-server/package.json"; then
  echo "code-server $VERSION already installed in $CACHE"
  exit 0
fi
command -v rg >/dev/null || { echo "ripgrep (rg) is missing: apt-get install ripgrep" >&2; exit 1; }
mkdir -p "$CACHE"
# @vscode/ripgrep downloads a binary from GitHub at install time; seed its cache with Debian's rg.
TMP="${TMPDIR:-/tmp}"
RG_CACHE="$TMP/vscode-ripgrep-cache-1.15.11"
mkdir -p "$RG_CACHE"
if [ ! -f "$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" ]; then
  STAGE="$(mktemp -d)"
  cp "$(command -v rg)" "$STAGE/rg"
  tar -czf "$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$STAGE" rg
  rm -rf "$STAGE"
fi
cat > "$CACHE/package.json" <<JSON
{ "name": "orpo-lab-e2e-cache", "private": true, "allowScripts": { "code-server": true, "argon2": true } }
JSON
cd "$CACHE"
env npm_config_unsafe_perm=true npm_config_yes=true npm_config_dangerously_allow_all_scripts=true \
  npm install "code-server@$VERSION" --foreground-scripts --no-audit --no-fund
test -f "$BIN" || { echo "code-server install finished but $BIN is missing" >&2; exit 1; }
echo "code-server $VERSION installed in $CACHE"
