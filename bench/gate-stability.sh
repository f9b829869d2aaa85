#!/usr/bin/env bash
# Checks the gate itself: N unchanged runs against the baseline must all pass, and one run with an
# injected regression (test-only switch) must fail. Prints one line per run with the largest change.
#   bench/gate-stability.sh [N=10] [baseline=bench/baseline.json] [threshold=25%]
# Timed gate: the injection is a 25 % slowdown of every gated call (CROWD_DISPATCH_BENCH_SLOWDOWN).
# Instruction gate (baseline bench/baseline.instructions.json): INJECT=component:units picks the
# regression (CROWD_DISPATCH_BENCH_INJECT; the self-test prints the units that make 10 %).
set -u
cd "$(dirname "$0")/.."
n=${1:-10}
baseline=${2:-bench/baseline.json}
threshold=${3:-25%}
inject=${INJECT:-scoring:120}
out=bench/results
summary() {
  node -e "const r=require('./$1');const w=r.comparisons.reduce((a,c)=>c.change>a.change?c:a);console.log((r.passed?'PASS':'FAIL')+' worst '+w.suite+'/'+w.scenario+'/'+w.method+' '+(w.change*100).toFixed(1)+' % ('+r.comparisons.filter(c=>c.attempts>1).length+' re-run)')"
}
passed=0
for i in $(seq 1 "$n"); do
  npm run -s bench:check -- --baseline "$baseline" --threshold "$threshold" --out "$out/stability-unchanged-$i.json" >/dev/null 2>&1
  code=$?
  [ "$code" -eq 0 ] && passed=$((passed + 1))
  echo "unchanged run $i: exit $code, $(summary "$out/stability-unchanged-$i.json")"
done
if grep -q instruction-report "$baseline"; then
  CROWD_DISPATCH_BENCH_INJECT=$inject npm run -s bench:check -- --baseline "$baseline" --threshold "$threshold" --out "$out/stability-slowdown.json" >/dev/null 2>&1
else
  CROWD_DISPATCH_BENCH_SLOWDOWN=0.25 npm run -s bench:check -- --baseline "$baseline" --threshold "$threshold" --out "$out/stability-slowdown.json" >/dev/null 2>&1
fi
code=$?
echo "injected regression: exit $code, $(summary "$out/stability-slowdown.json")"
echo "unchanged: $passed/$n passed; injected regression: $([ "$code" -ne 0 ] && echo caught || echo MISSED)"
[ "$passed" -eq "$n" ] && [ "$code" -ne 0 ]
