#!/usr/bin/env bash
# Publishes understudy as one self-contained file per Linux architecture:
#   deploy/publish.sh [OUT]      -> OUT/linux-x64/understudy, OUT/linux-arm64/understudy (OUT: artifacts/publish)
# linux-x64 must succeed. linux-arm64 is published when its runtime packs restore; if they don't, that is said
# and the script still succeeds. The settings (self-contained, single file, natives inside) are in
# src/Understudy/Understudy.csproj, so `dotnet publish src/Understudy -c Release -r linux-x64` alone does the same.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mkdir -p "${1:-$root/artifacts/publish}" && cd "${1:-$root/artifacts/publish}" && pwd)"

publish() {
    local rid="$1"
    rm -rf "$out/$rid"
    local started=$SECONDS
    dotnet publish "$root/src/Understudy" -c Release -r "$rid" -o "$out/$rid" -nologo -v quiet
    local file="$out/$rid/understudy"
    echo "$rid: $file, $(du -h --apparent-size "$file" | cut -f1), $((SECONDS - started)) s; beside it: $(cd "$out/$rid" && ls | grep -vx understudy | tr '\n' ' ' || echo nothing)"
}

publish linux-x64
if ! publish linux-arm64 > "$out/linux-arm64.log" 2>&1; then
    echo "linux-arm64: not published (its runtime packs did not restore here?): see $out/linux-arm64.log"
else
    cat "$out/linux-arm64.log"
fi
