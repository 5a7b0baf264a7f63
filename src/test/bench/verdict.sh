#!/usr/bin/env bash
# JMH benchmark of the verdict pipeline (extract + repair + validate) over the corpus, one thread.
# Usage: src/test/bench/verdict.sh [JMH options]
set -euo pipefail
cd "$(dirname "$0")/../../.."
mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null
java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" org.openjdk.jmh.Main VerdictBenchmark "$@"
