#!/usr/bin/env bash
# Times the whole pgx binary (issue #7): `bash tests/bench/run.sh`.
#
# For `pgx render` and `pgx lint` on the production example, the production case of the
# compatibility suite and generated fleets of 100, 1,000 and 10,000 clusters: wall time,
# throughput and peak memory; then the ratios t(10,000)/t(1,000) and t(1,000)/t(100), the
# time of spawning /bin/true measured in the same run with render(production)/true, and
# `helm template` on the same production values when helm and the chart are at hand.
# Figures are printed, never asserted: the machine decides what they are.
#
# Needs: cargo, awk, GNU time at /usr/bin/time for peak memory (Debian: `apt-get install
# time`). Uses hyperfine when it is on PATH (Debian: `apt-get install hyperfine`), else a
# loop over `date +%s%N`. Optional: PGX_SHARED (default ../shared beside the repository)
# for the compatibility case; helm on PATH and PGX_HELM_CHART=<chart directory> for Helm.
# BENCH_QUICK=1 takes fewer runs.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
work=${BENCH_DIR:-$root/target/bench}
mkdir -p "$work"

if [[ ! -x /usr/bin/time ]]; then
  echo "error: peak memory needs GNU time at /usr/bin/time (Debian: apt-get install time)" >&2
  exit 2
fi

echo "== building (release)"
cargo build --release --quiet --bin pgx --example generate-fleet
pgx=$root/target/release/pgx
generate=$root/target/release/examples/generate-fleet

# The image's binary (Dockerfile): statically linked, on a linux-gnu host. Loading shared
# libraries is much of a small render's time, so production is timed with both.
host=$(rustc -vV | sed -n 's/^host: //p')
static=
if [[ ${BENCH_STATIC:-1} == 1 && $host == *-linux-gnu ]]; then
  echo "== building (release, statically linked as the Dockerfile does; BENCH_STATIC=0 skips)"
  RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --quiet --bin pgx \
    --target "$host" --target-dir "$root/target/static"
  static=$root/target/static/$host/release/pgx
fi

for n in 100 1000 10000; do
  "$generate" "$n" "$work/fleet-$n.yaml"
done

# name | values file | extra arguments
cases=("production|values/production.yaml|")
shared=${PGX_SHARED:-$root/../shared}
compat=$shared/compat/current/production.values.yaml
if [[ -f $compat ]]; then
  cases+=("compat-production|$compat|--ignore PGX204")
else
  echo "note: no compatibility case ($compat not found; set PGX_SHARED)"
fi
for n in 100 1000 10000; do
  cases+=("fleet-$n|$work/fleet-$n.yaml|")
done

runs_for() { # warm-up and runs by size of the case
  local quick=${BENCH_QUICK:-0}
  case $1 in
    fleet-10000) echo "1 $([[ $quick == 1 ]] && echo 3 || echo 5)" ;;
    fleet-1000) echo "3 $([[ $quick == 1 ]] && echo 10 || echo 20)" ;;
    *) echo "20 $([[ $quick == 1 ]] && echo 50 || echo 200)" ;;
  esac
}

# time_cmd NAME WARMUP RUNS CMD... -> prints "mean median min stddev cpu" in seconds, cpu
# being the mean user + system time (hyperfine only; "nan" from the fallback loop)
time_cmd() {
  local name=$1 warmup=$2 runs=$3
  shift 3
  if command -v hyperfine >/dev/null; then
    local csv=$work/$name.csv
    hyperfine -N --style none --warmup "$warmup" --runs "$runs" --export-csv "$csv" \
      --output null -- "$(printf '%q ' "$@")" >/dev/null 2>&1
    # command,mean,stddev,median,user,system,min,max
    awk -F, 'NR==2 {print $2, $4, $7, $3, $5 + $6}' "$csv"
  else
    local i t0 t1
    for ((i = 0; i < warmup; i++)); do "$@" >/dev/null 2>&1 || true; done
    for ((i = 0; i < runs; i++)); do
      t0=$(date +%s%N)
      "$@" >/dev/null 2>&1 || true
      t1=$(date +%s%N)
      echo $(((t1 - t0)))
    done | sort -n | awk '{t[NR] = $1 / 1e9; s += t[NR]; q += t[NR] * t[NR]}
      END {m = s / NR; v = q / NR - m * m; if (v < 0) v = 0
           printf "%.9f %.9f %.9f %.9f nan\n", m, t[int((NR + 1) / 2)], t[1], sqrt(v)}'
  fi
}

peak_kib() { # the smallest peak RSS of three runs, in KiB
  local i kib best=
  for i in 1 2 3; do
    /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>&1 || true
    kib=$(tail -n 1 "$work/rss")
    if [[ -z $best || $kib -lt $best ]]; then best=$kib; fi
  done
  echo "$best"
}

declare -A median cpu minimum
echo
echo "timer: $(command -v hyperfine >/dev/null && hyperfine --version || echo 'date +%s%N loop')"
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
read -r _ true_median true_min _ true_cpu <<<"$(time_cmd true 50 500 /bin/true)"
printf '/bin/true: median %.2f ms, min %.2f ms, cpu %.2f ms\n\n' \
  "$(awk "BEGIN {print $true_median * 1000}")" "$(awk "BEGIN {print $true_min * 1000}")" \
  "$(awk "BEGIN {print $true_cpu * 1000}")"

printf '%-18s %-7s %10s %10s %10s %9s %9s %9s %9s\n' \
  case command "mean ms" "median ms" "min ms" "±σ ms" "cpu ms" "MB/s" "peak MiB"
for entry in "${cases[@]}"; do
  IFS='|' read -r name file extra <<<"$entry"
  read -r warmup runs <<<"$(runs_for "$name")"
  # shellcheck disable=SC2206
  extra_args=($extra)
  in_bytes=$(wc -c <"$file")
  for command in render lint; do
    args=("$pgx" "$command" -f "$file" "${extra_args[@]}")
    "${args[@]}" >"$work/$name.$command.out" 2>"$work/$name.$command.err" || {
      echo "error: pgx $command failed on $name:" >&2
      cat "$work/$name.$command.err" >&2
      exit 1
    }
    out_bytes=$(wc -c <"$work/$name.$command.out")
    read -r mean med min sd cpu_s <<<"$(time_cmd "$name.$command" "$warmup" "$runs" "${args[@]}")"
    kib=$(peak_kib "${args[@]}")
    median[$name.$command]=$med
    minimum[$name.$command]=$min
    cpu[$name.$command]=$cpu_s
    # render: manifests written per second; lint: values read per second.
    bytes=$([[ $command == render ]] && echo "$out_bytes" || echo "$in_bytes")
    awk -v n="$name" -v c="$command" -v mean="$mean" -v med="$med" -v min="$min" -v sd="$sd" \
      -v cpu="$cpu_s" -v b="$bytes" -v k="$kib" 'BEGIN {
        printf "%-18s %-7s %10.2f %10.2f %10.2f %9.2f %9.2f %9.1f %9.1f\n",
          n, c, mean * 1e3, med * 1e3, min * 1e3, sd * 1e3, cpu * 1e3, b / med / 1e6, k / 1024 }'
  done
done
echo "(MB/s at the median: render counts the manifests written, lint the values read."
echo " cpu: mean user + system time of all threads. lint runs on one thread; render renders"
echo " fleets of 128 clusters and more on up to one thread per core (--jobs), so its cpu can"
echo " exceed its wall time.)"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }
ratios() { # KEY_A KEY_B: the ratio by median, min and cpu
  echo "$(ratio "${median[$1]}" "${median[$2]}") (min $(ratio "${minimum[$1]}" "${minimum[$2]}"), cpu $(ratio "${cpu[$1]}" "${cpu[$2]}"))"
}
echo
for command in render lint; do
  echo "$command: t(10,000)/t(1,000) = $(ratios "fleet-10000.$command" "fleet-1000.$command"); " \
    "t(1,000)/t(100) = $(ratios "fleet-1000.$command" "fleet-100.$command")"
done

# Start-up against /bin/true, in alternating rounds: the machine's speed drifts by a third
# over the minutes the fleets take, so one round's ratio compares runs seconds apart, and
# the median round is reported with the spread of all of them.
rounds=$([[ ${BENCH_QUICK:-0} == 1 ]] && echo 5 || echo 15)
labels=("/bin/true" "render(production)")
if [[ -n $static ]]; then labels+=("render(production), statically linked"); fi
for ((r = 0; r < rounds; r++)); do
  line=
  for i in "${!labels[@]}"; do
    case $i in
      0) cmd=(/bin/true) ;;
      1) cmd=("$pgx" render -f values/production.yaml) ;;
      2) cmd=("$static" render -f values/production.yaml) ;;
    esac
    read -r _ med _ _ _ <<<"$(time_cmd "startup.$i" 5 40 "${cmd[@]}")"
    line+="$med "
  done
  echo "$line"
done >"$work/startup"
rounds_stats() { # AWK_EXPR: its median over the rounds (the middle one), min and max
  awk "{ print $1 }" "$work/startup" | sort -g |
    awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)], v[1], v[NR] }'
}
echo "start-up, $rounds rounds of 40 runs each, every round timing each command in turn:"
for i in "${!labels[@]}"; do
  read -r med _ _ <<<"$(rounds_stats "\$$((i + 1))")"
  if ((i == 0)); then
    printf '  %-40s median %.2f ms\n' "${labels[$i]}" "$(awk "BEGIN {print $med * 1000}")"
  else
    read -r ratio lo hi <<<"$(rounds_stats "\$$((i + 1)) / \$1")"
    printf '  %-40s median %.2f ms; / /bin/true: median round %.2f (%.2f to %.2f)\n' \
      "${labels[$i]}" "$(awk "BEGIN {print $med * 1000}")" "$ratio" "$lo" "$hi"
  fi
done

echo
if ! command -v helm >/dev/null; then
  echo "helm: not on PATH, so no side-by-side Helm figure in this run"
elif [[ -z ${PGX_HELM_CHART:-} || ! -f ${PGX_HELM_CHART:-}/Chart.yaml ]]; then
  echo "helm: on PATH ($(helm version --short 2>/dev/null)), but no chart: set PGX_HELM_CHART to the chart directory"
else
  read -r _ helm_med _ _ <<<"$(time_cmd helm.production 3 30 helm template pg "$PGX_HELM_CHART" -f values/production.yaml)"
  helm_kib=$(peak_kib helm template pg "$PGX_HELM_CHART" -f values/production.yaml)
  printf 'helm template (production): median %.2f ms, peak %.1f MiB; helm / pgx render (medians) = %s\n' \
    "$(awk "BEGIN {print $helm_med * 1000}")" "$(awk "BEGIN {print $helm_kib / 1024}")" \
    "$(ratio "$helm_med" "${median[production.render]}")"
fi
