#!/usr/bin/env bash
# Re-fetch the map's JavaScript and CSS into static/vendor/ from the npm registry.
#
# The app must work on a closed police network: nothing is loaded from a CDN.
# Each package is fetched with `npm pack NAME@VERSION` (the npm registry, or the
# registry npm is configured for), checked against the pinned sha512 integrity,
# unpacked in a temporary folder, and only the files the maps use are copied,
# with the package's licence beside them. See static/vendor/VENDOR.md. A file added
# here is used only once LOCAL_ASSETS in analytics/presentation/maps/assets.py names it.
#
# Usage: tools/vendor_assets.sh            (from anywhere; needs node/npm)
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=static/vendor

command -v npm >/dev/null || { echo "npm is needed (apt-get install npm)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# fetch NAME VERSION SHA512-INTEGRITY: packs into $tmp/NAME and unpacks it there.
fetch() {
  local name=$1 version=$2 want=$3 got file
  mkdir -p "$tmp/$name"
  (cd "$tmp/$name" && npm pack "$name@$version" --json --silent >pack.json)
  file=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["filename"])' "$tmp/$name/pack.json")
  got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["integrity"])' "$tmp/$name/pack.json")
  if [ "$got" != "$want" ]; then
    echo "$name@$version: integrity $got, expected $want" >&2
    exit 1
  fi
  tar -xzf "$tmp/$name/$file" -C "$tmp/$name"
  echo "fetched $name@$version ($file)"
}

LEAFLET=1.9.4
MARKERCLUSTER=1.5.3
HEAT=0.2.0

fetch leaflet "$LEAFLET" \
  "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA=="
fetch leaflet.markercluster "$MARKERCLUSTER" \
  "sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGfCSeA=="
fetch leaflet.heat "$HEAT" \
  "sha512-Cd5PbAA/rX3X3XKxfDoUGi9qp78FyhWYurFg3nsfhntcM/MCNK08pRkf4iEenO1KNqwVPKCmkyktjW3UD+h9bQ=="

rm -rf "$DEST/leaflet" "$DEST/leaflet.markercluster" "$DEST/leaflet.heat"
mkdir -p "$DEST/leaflet/images" "$DEST/leaflet.markercluster" "$DEST/leaflet.heat"

src="$tmp/leaflet/package"
cp "$src/dist/leaflet.js" "$src/dist/leaflet.css" "$DEST/leaflet/"
cp "$src"/dist/images/*.png "$DEST/leaflet/images/"
cp "$src/LICENSE" "$DEST/leaflet/LICENSE"

src="$tmp/leaflet.markercluster/package"
cp "$src/dist/leaflet.markercluster.js" "$src/dist/MarkerCluster.css" \
  "$src/dist/MarkerCluster.Default.css" "$DEST/leaflet.markercluster/"
cp "$src/MIT-LICENCE.txt" "$DEST/leaflet.markercluster/LICENSE"

src="$tmp/leaflet.heat/package"
cp "$src/dist/leaflet-heat.js" "$DEST/leaflet.heat/"
cp "$src/LICENSE" "$DEST/leaflet.heat/LICENSE"

chmod 644 "$DEST"/*/* "$DEST"/leaflet/images/* 2>/dev/null || true
chmod 755 "$DEST"/leaflet/images
echo "vendored into $DEST:"
find "$DEST" -type f ! -name VENDOR.md | sort | xargs ls -l | awk '{print $5, $NF}'
