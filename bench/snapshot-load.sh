#!/usr/bin/env bash
# Record what loadBundle() and crossCheck() decide, through the CLI, on every bundle under traces/ (issue 12's
# split of loadBundle/crossCheck must change none of it): `parse --json`, `parse`, `replay --json` and `replay`
# (stdout, stderr, exit code) per bundle, malformed/ included.
#   bench/snapshot-load.sh OUT          record into OUT
#   bench/snapshot-load.sh OUT BASE     record into OUT, then diff OUT against BASE (exit 1 on any difference)
# Needs a build (dist/).
set -u
out=$1
base=${2:-}
mkdir -p "$out"
cli="node bin/kexec-replay.js"
find traces -mindepth 1 -type d | sort | while read -r d; do
  case "$d" in */kho | */kho/*) continue ;; esac
  if [ -d "$d/kho" ] || find "$d" -maxdepth 1 -type f ! -name README.md ! -name INDEX.md | grep -q .; then
    echo "$d"
  fi
done >"$out/bundles"
run() { # run <dir> <variant> <args...>
  local d=$1 v=$2
  shift 2
  $cli "$@" >"$d/$v.out" 2>"$d/$v.err"
  echo $? >"$d/$v.rc"
}
while read -r b; do
  d="$out/${b//\//__}"
  mkdir -p "$d"
  run "$d" parse-json parse "$b" --json
  run "$d" parse parse "$b"
  run "$d" replay-json replay "$b" --json
  run "$d" replay replay "$b"
done <"$out/bundles"
if [ -n "$base" ]; then
  if diff -r "$base" "$out" >"$out.diff"; then
    echo "identical: $(wc -l <"$out/bundles") bundles x 4 outputs"
  else
    echo "DIFFERENT: see $out.diff ($(grep -c '^diff' "$out.diff") files)"
    exit 1
  fi
fi
