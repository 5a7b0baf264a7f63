#!/usr/bin/env bash
# Capacity: Loupe's packaged jar in front of a fake vLLM with a fixed latency, driven beside the fake by
# Debian's wrk (apt-get install wrk) at 8, 32 and 128 connections, then consensus K=5. Prints a table.
# Usage: src/test/bench/capacity.sh            the levels (about 6 minutes)
#        src/test/bench/capacity.sh soak        10 minutes at 32 connections; fails if the heap after GC grows > 10 %
# Options as -D...: capacity.latency=50ms capacity.duration=20s capacity.warm-up=90s capacity.levels=8,32,128 (empty: none) capacity.consensus=5 (0: none)
#   capacity.soak-minutes=10 capacity.loupe-opts="-Dloupe.backends.vllm.max-concurrent=8" (a setting to compare)
set -euo pipefail
cd "$(dirname "$0")/../../.."
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 2; }
props=(); args=()
for a in "$@"; do case $a in -D*) props+=("$a");; *) args+=("$a");; esac; done
if ! built=$(mvn -B -q package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/bench.classpath 2>&1); then
  echo "$built" | tail -40 >&2; echo "the build failed" >&2; exit 1
fi
java -Djava.util.logging.manager=org.jboss.logmanager.LogManager "${props[@]}" -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  dev.loupe.bench.CapacityHarness "${args[@]}"
