#!/usr/bin/env bash
# Rebuild samples/fonts/ from Debian's packages: the fonts the sample and fixture builders embed.
# They ship in the repository so a rebuild gives the same PDF bytes on every machine (Debian 12
# and 13 build Liberation differently). Pinned to Debian 12's versions, the ones the committed
# samples were built with; run on any Debian with bookworm in its sources, then `make samples`.
set -euo pipefail
cd "$(dirname "$0")/.."
want=(fonts-liberation2=2.1.5-1 fonts-dejavu-core=2.37-6)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download "${want[@]}")
for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$tmp/x"; done
fonts="$tmp/x/usr/share/fonts/truetype"
mkdir -p samples/fonts
cp "$fonts"/liberation2/LiberationSerif-{Regular,Bold,Italic,BoldItalic}.ttf samples/fonts/
cp "$fonts"/dejavu/DejaVu{Sans,Serif,Serif-Bold}.ttf samples/fonts/
cp "$tmp/x/usr/share/doc/fonts-liberation2/copyright" samples/fonts/LICENSE.liberation2
cp "$tmp/x/usr/share/doc/fonts-dejavu-core/copyright" samples/fonts/LICENSE.dejavu
sha256sum samples/fonts/*.ttf
