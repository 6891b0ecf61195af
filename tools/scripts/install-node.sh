#!/usr/bin/env bash
# Installs Node.js MAJOR (default 24) from the npm registry package `node-linux-<arch>@MAJOR` into the user's cache
# folder, once, and prints its bin folder. The npm already on the machine does the download, so this works wherever
# the npm registry is reachable, whatever Node the machine has (20 included).
#
#   export PATH="$(tools/scripts/install-node.sh 24):$PATH"    # then node --version says v24.x
#
# The folder is ${XDG_CACHE_HOME:-~/.cache}/imagegen-node/n<MAJOR>; IMAGEGEN_NODE_CACHE overrides the parent folder.
set -euo pipefail

major="${1:-24}"
case "$major" in
  '' | *[!0-9]*)
    echo "usage: $0 [MAJOR]   (a Node.js major version such as 22 or 24)" >&2
    exit 2
    ;;
esac

if [ "$(uname -s)" != "Linux" ]; then
  echo "install-node.sh installs the Linux builds only; on $(uname -s) install Node $major from https://nodejs.org" >&2
  exit 1
fi
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *)
    echo "no node-linux package for $(uname -m); install Node $major from https://nodejs.org" >&2
    exit 1
    ;;
esac

cache_root="${XDG_CACHE_HOME:-}"
case "$cache_root" in /*) ;; *) cache_root="$HOME/.cache" ;; esac
install_folder="${IMAGEGEN_NODE_CACHE:-$cache_root/imagegen-node}/n$major"
bin_folder="$install_folder/node_modules/node-linux-$arch/bin"

installed_major() {
  "$bin_folder/node" -p 'process.versions.node.split(".")[0]' 2>/dev/null || true
}

if [ "$(installed_major)" != "$major" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "install-node.sh needs npm (any version) to download node-linux-$arch@$major" >&2
    exit 1
  fi
  mkdir -p "$install_folder"
  echo "installing node-linux-$arch@$major into $install_folder" >&2
  # Outside any project, so the caller's package.json and workspaces play no part; output goes to stderr so that
  # stdout carries only the bin folder.
  (cd "$install_folder" && npm install --prefix "$install_folder" --no-save --no-audit --no-fund --loglevel=error "node-linux-$arch@$major" >&2)
  if [ "$(installed_major)" != "$major" ]; then
    echo "node-linux-$arch@$major did not give a working Node $major in $bin_folder" >&2
    exit 1
  fi
fi

echo "$bin_folder"
