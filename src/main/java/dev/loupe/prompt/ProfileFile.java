package dev.loupe.prompt;

import java.util.List;

/** The shape of {@code profile.yaml}; absent optional settings are null until defaults apply. */
record ProfileFile(String description, String schema, String decisionField, String passValue, String decodingSchema,
        String backend, String model, String structured, List<Step> chain, Boolean escalateOnReview, Decoding decoding,
        Image image, Repair repair, Variants variants, Consensus consensus, Review review, Training training,
        Shadow shadow, Boolean optional) {

    record Shadow(String model, Double share, Integer maxConcurrent) {}

    record Training(String baseModel) {}

    record Review(Double sampleRate) {}

    record Variants(Long seed, Integer generated) {}

    record Consensus(Integer variants, Double minAgreement) {}

    record Step(String backend, String model, String structured, Boolean vlHighResolutionImages, Decoding decoding,
            Image image) {}

    record Repair(Integer reask) {}

    record Decoding(Double temperature, Integer seed, Integer maxTokens, Double topP, Integer topK,
            Double repetitionPenalty, Double presencePenalty, Double frequencyPenalty, List<String> stop) {}

    record Image(String family, Double scale, Crop crop, Integer factor, Long minPixels, Long maxPixels,
            String encoding, Integer jpegQuality) {}

    /** {@code families/<name>.yaml}. */
    record Family(String description, Integer factor, Long minPixels, Long maxPixels, String processorKwargs) {}

    record Crop(Integer x, Integer y, Integer width, Integer height) {}
}
