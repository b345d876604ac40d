#!/usr/bin/env bash
# Seeds the fuzz corpora from every values file of the project and of shared/compat:
# values/*.yaml, tests/fixtures/**/*.yaml, ../shared/compat/*/*.values.yaml (or
# $PGX_SHARED/compat), the hostile fixtures among them. Into fuzz/corpus/ (not committed),
# or into the folder given as the first argument.
#
# The `subset` target's corpus (corpus/subset) is rendered documents, one file each: the
# output of `pgx render` for values/*.yaml and tests/fixtures/render/*.yaml, split at its
# `---` lines. It needs a built pgx ($PGX_BIN, else target/release/pgx, else
# target/debug/pgx) and is skipped without one, so CI's fuzz-smoke builds nothing more.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
shared="${PGX_SHARED:-$repo/../shared}"
corpus="${1:-$here/corpus}"
values="$corpus/values"
set_arguments="$corpus/set_argument"
mkdir -p "$values" "$set_arguments"
n=0
# `set-*` fixtures hold --set lines: they seed the set_argument target.
for file in "$repo"/tests/fixtures/hostile/set-*; do
    [ -f "$file" ] && cp "$file" "$set_arguments/seed-$(sha1sum "$file" | cut -c1-16)"
done
while IFS= read -r -d '' file; do
    # Name seeds by content, so running the script twice adds nothing.
    cp "$file" "$values/seed-$(sha1sum "$file" | cut -c1-16)"
    n=$((n + 1))
done < <(
    {
        find "$repo/values" "$repo/tests/fixtures" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.bin' \) -print0
        if [ -d "$shared/compat" ]; then
            find "$shared/compat" -mindepth 2 -maxdepth 2 -type f -name '*.values.yaml' -print0
        fi
    }
)
# A few --set lines to start the set_argument target from.
printf '%s\n' \
    'pgClusters[0].name=a' 'pgClusters[0].namespace=b' 'pgClusters[0].tls.enabled=true' \
    > "$set_arguments/seed-basic"
printf '%s\n' \
    'pgClusters[0].name=x,pgClusters[0].namespace=y,pgClusters[0].labels.a\.b=c' \
    's pgClusters[0].pgVersion=16' 'pgClusters[0].externalAccess.admin.allowedSourceRanges={10.0.0.0/8,1.2.3.4/32}' \
    > "$set_arguments/seed-lists"
echo "seeded $n values files into $values"

pgx="${PGX_BIN:-}"
for candidate in "$repo/target/release/pgx" "$repo/target/debug/pgx"; do
    [ -z "$pgx" ] && [ -x "$candidate" ] && pgx="$candidate"
done
if [ -z "$pgx" ]; then
    echo "no pgx binary (cargo build --release, or PGX_BIN): corpus/subset not seeded"
    exit 0
fi
subset="$corpus/subset"
mkdir -p "$subset"
split=$(mktemp -d)
trap 'rm -rf "$split"' EXIT
for file in "$repo"/values/*.yaml "$repo"/tests/fixtures/render/*.yaml; do
    # Values that do not render (a lint error) seed nothing.
    "$pgx" render -f "$file" 2>/dev/null |
        awk -v dir="$split" '$0 == "---" { n++; next } n { print > (dir "/" n) }' || true
    for document in "$split"/*; do
        [ -f "$document" ] && mv "$document" "$subset/seed-$(sha1sum "$document" | cut -c1-16)"
    done
done
echo "seeded $(find "$subset" -type f | wc -l) rendered documents into $subset"
