#!/bin/sh
# Installs packed Caravan (the tarball of `npm pack`) into a folder with its production
# dependencies only, at the versions the lock file pins: the install step of the container image
# (Dockerfile), and what tests/deploy/image.e2e.spec.ts runs in a temporary folder.
#   sh deploy/image/install.sh <caravan-x.y.z.tgz> <package-lock.json> <target folder>
set -eu
tarball=$1
lock=$2
target=$3

mkdir -p "$target"
tar -xzf "$tarball" -C "$target" --strip-components=1
cp "$lock" "$target/package-lock.json"
cd "$target"
npm ci --omit=dev --no-audit --no-fund
chmod 755 bin/caravan.js bin/caravan-app.js
