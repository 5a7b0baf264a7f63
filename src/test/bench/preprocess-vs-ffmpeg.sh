#!/usr/bin/env bash
# Image preprocessing benchmark: Loupe's pipeline against one ffmpeg process per image, the way the
# field report preprocessed, on the same 20-megapixel JPEGs and 16-bit TIFFs.
# Needs Debian's ffmpeg (apt-get install ffmpeg). Usage: src/test/bench/preprocess-vs-ffmpeg.sh [COUNT]
set -euo pipefail
cd "$(dirname "$0")/../../.."
count=${1:-6}
work=target/bench-images
mkdir -p "$work/ffmpeg-out"

if ! built=$(mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath 2>&1); then
  echo "$built" | tail -40 >&2; echo "the build failed" >&2; exit 1
fi
cp="target/test-classes:target/classes:$(cat target/bench.classpath)"

[ -f "$work/frame-00.jpg" ] || java -cp "$cp" dev.loupe.bench.BenchImages "$work" "$count"

turbo=/usr/share/java/turbojpeg.jar   # Debian: apt-get install libturbojpeg-java libturbojpeg0-dev
for decoder in none "$turbo"; do
  echo "== Loupe (one JVM, -Xmx300m, images one at a time), TurboJPEG: $decoder"
  java -Xmx300m -Dloupe.turbojpeg="$decoder" -cp "$cp" dev.loupe.bench.PreprocessBenchmark "$work" 3
  echo "== Loupe, two images at a time (default heap), TurboJPEG: $decoder"
  java -Dloupe.turbojpeg="$decoder" -cp "$cp" dev.loupe.bench.PreprocessBenchmark "$work" 1 pairs
done

per_image() { # FILTER EXT: wall-clock ms per image, one ffmpeg process each
  local filter=$1 ext=$2 n=0 start end
  start=$(date +%s%N)
  for f in "$work"/*"$ext"; do
    ffmpeg -loglevel error -y -i "$f" -vf "$filter" -q:v 2 "$work/ffmpeg-out/$(basename "$f").jpg"
    n=$((n + 1))
  done
  end=$(date +%s%N)
  echo "$(( (end - start) / n / 1000000 )) ms per image ($n images)"
}

parallel_per_image() { # FILTER EXT: the same, two processes at a time
  local filter=$1 ext=$2 n start end
  n=$(ls "$work"/*"$ext" | wc -l)
  start=$(date +%s%N)
  ls "$work"/*"$ext" | xargs -P 2 -I{} ffmpeg -loglevel error -y -i {} -vf "$filter" -q:v 2 {}.p.jpg
  end=$(date +%s%N)
  rm -f "$work"/*.p.jpg
  echo "$(( (end - start) / n / 1000000 )) ms per image, two at a time ($n images)"
}

echo "== ffmpeg, one process per image"
echo "jpg, scale to the same 1204x812 (area): $(per_image 'scale=1204:812:flags=area' .jpg)"
echo "tif, scale to the same 1204x812 (area): $(per_image 'scale=1204:812:flags=area' .tif)"
echo "jpg, two at a time: $(parallel_per_image 'scale=1204:812:flags=area' .jpg)"
echo "tif, two at a time: $(parallel_per_image 'scale=1204:812:flags=area' .tif)"
echo "jpg, the field report's filter scale=iw*0.5:ih*0.5,crop=500:500:0:0: $(per_image 'scale=iw*0.5:ih*0.5,crop=500:500:0:0' .jpg)"
