#!/usr/bin/env bash
# Checks the gate itself: N unchanged quick runs against the baseline must all pass, and one run
# with an injected 25 % slowdown (test-only switch) must fail. Prints one line per run with the
# largest change. Works with either gate: bench/gate-stability.sh [N=10] [baseline=bench/baseline.json],
# or bench/gate-stability.sh 10 bench/baseline.instructions.json for the instruction gate.
set -u
cd "$(dirname "$0")/.."
n=${1:-10}
baseline=${2:-bench/baseline.json}
out=bench/results
summary() {
  node -e "const r=require('./$1');const w=r.comparisons.reduce((a,c)=>c.change>a.change?c:a);console.log((r.passed?'PASS':'FAIL')+' worst '+w.suite+'/'+w.scenario+'/'+w.method+' '+(w.change*100).toFixed(1)+' % ('+r.comparisons.filter(c=>c.attempts>1).length+' re-run)')"
}
passed=0
for i in $(seq 1 "$n"); do
  npm run -s bench:check -- --baseline "$baseline" --out "$out/stability-unchanged-$i.json" >/dev/null 2>&1
  code=$?
  [ "$code" -eq 0 ] && passed=$((passed + 1))
  echo "unchanged run $i: exit $code, $(summary "$out/stability-unchanged-$i.json")"
done
CROWD_DISPATCH_BENCH_SLOWDOWN=0.25 npm run -s bench:check -- --baseline "$baseline" --out "$out/stability-slowdown.json" >/dev/null 2>&1
code=$?
echo "injected 25 % slowdown: exit $code, $(summary "$out/stability-slowdown.json")"
echo "unchanged: $passed/$n passed; slowdown: $([ "$code" -ne 0 ] && echo caught || echo MISSED)"
[ "$passed" -eq "$n" ] && [ "$code" -ne 0 ]
