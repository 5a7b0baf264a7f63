package dev.loupe.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;

/** The vLLM release deploy/ pins, and the series it exports (test data taken from its source). */
record VllmRelease(String version, Set<String> series) {

    static VllmRelease pinned() {
        try (InputStream in = VllmRelease.class.getResourceAsStream("/deploy/vllm-metrics.txt")) {
            String version = null;
            Set<String> series = new TreeSet<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                if (line.startsWith("version:")) {
                    version = line.substring("version:".length()).strip();
                    continue;
                }
                String[] parts = line.strip().split("\\s+");
                switch (parts[1]) {
                    case "gauge" -> series.add(parts[0]);
                    case "counter" -> series.add(parts[0] + "_total");
                    case "histogram" -> {
                        series.add(parts[0] + "_bucket");
                        series.add(parts[0] + "_sum");
                        series.add(parts[0] + "_count");
                    }
                    default -> throw new IllegalStateException("unknown metric type in " + line);
                }
            }
            return new VllmRelease(version, Set.copyOf(series));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    String image() {
        return "vllm/vllm-openai:" + version;
    }
}
