package dev.loupe.config;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * The one place where the application's {@code ObjectMapper} learns how long a JSON string may be:
 * an image sent as base64 may be as large as {@code loupe.image.max-upload-size} allows (4/3 of it
 * in characters, plus a {@code data:} prefix), where Jackson's default would stop near 15 MiB.
 */
@Singleton
public class JsonLimits implements ObjectMapperCustomizer {

    /** Room for a {@code data:image/...;base64,} prefix and line breaks in MIME base64. */
    private static final long SLACK = 1 << 20;

    private final long maxUploadBytes;

    public JsonLimits(LoupeConfig config) {
        this.maxUploadBytes = config.image().maxUploadSize().asLongValue();
    }

    /** Characters of the longest string the mapper reads. */
    public static int maxStringLength(long maxUploadBytes) {
        return (int) Math.min(Integer.MAX_VALUE, (maxUploadBytes + 2) / 3 * 4 + SLACK);
    }

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(maxStringLength(maxUploadBytes))
                .build());
    }
}
