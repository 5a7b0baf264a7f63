#!/usr/bin/env bash
# What an H2 commit of inspection records costs, by the number of records it holds (decision 0005).
# Usage: src/test/bench/record-commit.sh [GROUPS] [ENVELOPE_CHARS]     e.g. 1,2,4,8,16 2500
set -euo pipefail
cd "$(dirname "$0")/../../.."
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null
rm -rf target/commit-bench
java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" dev.loupe.record.RecordCommitBenchmark \
  target/commit-bench "$@"
