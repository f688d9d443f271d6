#!/bin/sh
# Generates a worksheet's pictures in CI with wsimg's release tarball.
#
#   WSIMG_TARBALL  path or https URL of wsimg-<version>-linux-<arch>.tar.gz (required)
#   WORKSHEET      the worksheet to generate (required)
#   OUTPUT         where the updated worksheet goes (default: build/<worksheet name>); its pictures go
#                  to <output name>_images/ beside it: restore and save that folder as the CI cache,
#                  and unchanged pictures cost no request
#   REPORT         the JSON report (default: build/wsimg-report.json), written also when the run fails
#   WSIMG_HOME     where the tarball is unpacked (default: $HOME/.local/wsimg)
#   TOGETHER_API_KEY, or WSIMG_ENDPOINT (+ WSIMG_ENDPOINT_TOKEN): from the CI's secret store
#
# Exit status: wsimg's own. 0 every picture is there; 1 some could not be generated (fails the job,
# the report says which); 2 bad input, options or key.
# Needs: tar, and the distribution's libcurl4, libpng16-16 and libjpeg62-turbo (libjpeg-turbo8 on Ubuntu).
set -eu

: "${WSIMG_TARBALL:?set WSIMG_TARBALL to the release tarball (path or https URL)}"
: "${WORKSHEET:?set WORKSHEET to the worksheet to generate}"
OUTPUT=${OUTPUT:-build/$(basename "$WORKSHEET")}
REPORT=${REPORT:-build/wsimg-report.json}
WSIMG_HOME=${WSIMG_HOME:-$HOME/.local/wsimg}

case "$WSIMG_TARBALL" in
https://*)
    archive=$(mktemp)
    curl -fsSL --retry 3 -o "$archive" "$WSIMG_TARBALL"
    sums=$(mktemp)
    curl -fsSL --retry 3 -o "$sums" "$(dirname "$WSIMG_TARBALL")/SHA256SUMS"
    ;;
*)
    archive=$WSIMG_TARBALL
    sums=$(dirname "$WSIMG_TARBALL")/SHA256SUMS
    ;;
esac
# The tarball must be the one released: its checksum as SHA256SUMS beside it lists it.
expected=$(grep " $(basename "$WSIMG_TARBALL")\$" "$sums" | cut -d' ' -f1)
actual=$(sha256sum "$archive" | cut -d' ' -f1)
if [ -z "$expected" ] || [ "$expected" != "$actual" ]; then
    echo "wsimg-ci: $(basename "$WSIMG_TARBALL") does not match SHA256SUMS" >&2
    exit 2
fi
mkdir -p "$WSIMG_HOME"
tar -xzf "$archive" -C "$WSIMG_HOME" --strip-components=1
wsimg="$WSIMG_HOME/bin/wsimg"
"$wsimg" --version

mkdir -p "$(dirname "$OUTPUT")" "$(dirname "$REPORT")"
"$wsimg" prompts "$WORKSHEET" -o "$OUTPUT"
status=0
"$wsimg" generate "$WORKSHEET" -o "$OUTPUT" --report "$REPORT" --no-progress || status=$?
if [ "$status" -eq 0 ]; then
    "$wsimg" validate --worksheet "$OUTPUT" -q || status=1
fi
exit "$status"
