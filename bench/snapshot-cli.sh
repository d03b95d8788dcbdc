#!/usr/bin/env bash
# Record what the CLI prints on the bundles under traces/, for a byte-for-byte diff across a refactor:
#   bench/snapshot-cli.sh OUT            record every bundle under traces/ into OUT (OUT/bundles lists them)
#   bench/snapshot-cli.sh OUT BASE       record the bundles BASE/bundles lists into OUT (bundles added since
#                                        are left out), then diff OUT against BASE (exit 1 on any difference)
#   SNAP_ONLY=REGEX bench/snapshot-cli.sh OUT BASE
#                                        the same for the bundles of BASE/bundles that match REGEX (grep -E),
#                                        e.g. SNAP_ONLY=kho for the KHO bundles only (a quicker check)
# SNAP_SET picks the variants recorded per bundle:
#   replay (default)  `replay --json` and `compare --json` under every strategy, --deferred, --restore and
#                     --reserved variant that exists (the replay core's refactors, issue 10)
#   load              `parse --json`, `parse`, `replay --json`, `replay` (what loadBundle() and crossCheck()
#                     decide, issue 12's split of them)
# Each run leaves OUT/<bundle with / as __>/<variant>.{out,err,rc}. Needs a build (dist/).
set -u
out=$1
base=${2:-}
set_=${SNAP_SET:-replay}
case "$set_" in replay | load) ;; *)
  echo "SNAP_SET must be replay or load, not $set_" >&2
  exit 2
  ;;
esac
mkdir -p "$out"
cli="node bin/kexec-replay.js"
if [ -n "$base" ]; then
  grep -E "${SNAP_ONLY:-.}" "$base/bundles" >"$out/bundles"
else
  # a bundle is a directory with a file other than README.md/INDEX.md, or with a kho/ folder
  find traces -type d | sort | while read -r d; do
    case "$d" in */kho | */kho/*) continue ;; esac
    if [ -d "$d/kho" ] || find "$d" -maxdepth 1 -type f ! -name README.md ! -name INDEX.md | grep -q .; then
      echo "$d"
    fi
  done >"$out/bundles"
fi
run() { # run <dir> <variant> <args...>
  local d=$1 v=$2
  shift 2
  $cli "$@" >"$d/$v.out" 2>"$d/$v.err"
  echo $? >"$d/$v.rc"
}
while read -r b; do
  d="$out/${b//\//__}"
  mkdir -p "$d"
  if [ "$set_" = load ]; then
    run "$d" parse-json parse "$b" --json
    run "$d" parse parse "$b"
    run "$d" replay-json replay "$b" --json
    run "$d" replay-text replay "$b"
    continue
  fi
  run "$d" replay replay "$b" --json
  run "$d" replay-deferred-on replay "$b" --json --deferred on
  run "$d" replay-deferred-off replay "$b" --json --deferred off
  run "$d" replay-memblock-log replay "$b" --json --reserved memblock-log
  if [ -f "$b/kho/fdt" ]; then
    for s in none init-deferred-page init-page-from-nid lazy-tail zone-walk; do
      run "$d" "replay-$s" replay "$b" --json --strategy "$s"
      run "$d" "replay-$s-deferred-on" replay "$b" --json --strategy "$s" --deferred on
    done
    run "$d" replay-restore-none replay "$b" --json --restore none
    run "$d" replay-restore-folio replay "$b" --json --restore folio
    run "$d" compare compare "$b" --json
    run "$d" compare-deferred-on compare "$b" --json --deferred on
    run "$d" compare-deferred-off compare "$b" --json --deferred off
    run "$d" compare-restore-none compare "$b" --json --restore none
  fi
done <"$out/bundles"
if [ -n "$base" ]; then
  same=1
  while read -r b; do
    diff -r -q "$base/${b//\//__}" "$out/${b//\//__}" || same=0
  done <"$out/bundles"
  if [ $same = 1 ]; then
    echo "snapshot: identical to $base ($(wc -l <"$out/bundles") bundles, set $set_)"
  else
    exit 1
  fi
fi
