#!/usr/bin/env bash
# Installs the system packages Sigil builds and tests with, where they are missing:
# OpenSSL headers for josekit, Node.js for the interop and browser tests, python3-venv for
# the SD-JWT interop library, Debian's chromium for the browser tests, Debian's PostgreSQL
# server for the registry's PostgreSQL tests (scripts/postgres.sh runs a throwaway cluster of
# it; the package's own cluster is not used), a Chinese font (WenQuanYi Micro Hei, 1.6 MB) so
# the browser tests' screenshots of the Chinese pages show characters, not boxes; and cargo-deny, which
# scripts/test.sh runs over the dependency tree (deny.toml). Quiet and quick when everything
# is there.
set -euo pipefail

missing=()
pkg-config --exists openssl 2>/dev/null || missing+=(pkg-config libssl-dev)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list :lang=zh-cn 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
# initdb and pg_ctl live in /usr/lib/postgresql/VERSION/bin, not on PATH.
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql)

if [ ${#missing[@]} -gt 0 ]; then
  echo "installing system packages: ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v cargo >/dev/null 2>&1 || { echo "error: cargo not found; install Rust (rustup) first" >&2; exit 1; }

# cargo-deny checks licences, duplicate versions and sources (deny.toml). Built from
# crates.io (a few minutes on two cores, once); 0.20.2 builds with Rust 1.88 and later.
CARGO_DENY_VERSION=0.20.2
if ! cargo deny --version 2>/dev/null | grep -qx "cargo-deny $CARGO_DENY_VERSION"; then
  echo "installing cargo-deny $CARGO_DENY_VERSION" >&2
  cargo install --locked --quiet "cargo-deny@$CARGO_DENY_VERSION"
fi
