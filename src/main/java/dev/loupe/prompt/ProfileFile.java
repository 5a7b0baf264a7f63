package dev.loupe.prompt;

/** The shape of {@code profile.yaml}; absent optional settings are null until defaults apply. */
record ProfileFile(String description, String schema, String backend, String model, Decoding decoding, Image image) {

    record Decoding(Double temperature, Integer seed, Integer maxTokens) {}

    record Image(Double scale, Crop crop, Integer factor, Long minPixels, Long maxPixels, String encoding,
            Integer jpegQuality) {}

    record Crop(Integer x, Integer y, Integer width, Integer height) {}
}
