package dev.loupe.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One inspection task, read from {@code prompts/<name>/}: what to ask, whom, and how the image
 * and the answer are handled.
 *
 * @param source  the profile's file as messages name it, e.g. {@code prompts/microstructure/profile.yaml}
 * @param schema  name of the verdict schema in {@code schemas/}
 * @param decisionField the schema's property holding the decision (a required enum of strings):
 *                what consensus votes on, dataset labels mean and metrics are labelled by
 * @param passValue the decision value meaning "no defect" ({@code OK}); every other value of the decision field
 *                is a fail value. Null when the profile names none: then no escape or overkill can be counted
 * @param decodingSchema the profile's own schema for grammar engines ({@code decoding-schema:}, a file
 *                in its folder), or null to derive one from the verdict schema
 * @param chain   where to ask, in order: the next step is tried when a step's backend fails
 * @param escalateOnReview also try the next step when a step's answer ends {@code needs_review}
 * @param system  system message, sent first
 * @param prompt  the base wording of the question, sent after the image
 * @param synonyms words the model may use for the schema's values, from {@code synonyms.yaml}
 * @param variants the wordings, in the order consensus takes them: base, files, generated
 * @param training how the next LoRA is trained from the reviews (the training export's command)
 * @param shadow  a challenger asked beside a share of live inspections, after their answers; null for none
 * @param optional whether readiness may stay up while no step of this profile is usable (a profile kept for a
 *                model not deployed everywhere, such as the shipped Qwen3-VL one); readiness still names it
 */
public record Profile(
        String name,
        String source,
        String description,
        String schema,
        String decisionField,
        String passValue,
        JsonNode decodingSchema,
        List<Step> chain,
        boolean escalateOnReview,
        String system,
        String prompt,
        Decoding decoding,
        ImagePolicy image,
        RepairPolicy repair,
        Synonyms synonyms,
        VariantPolicy variantPolicy,
        ConsensusPolicy consensus,
        ReviewPolicy review,
        List<Variant> variants,
        Training training,
        Shadow shadow,
        boolean optional) {

    /**
     * Shadow traffic: the challenger model asked (through the first step's backend, in the base wording) for a share
     * of live inspections once their answer is sent, never delaying or changing it, its verdict recorded beside them.
     *
     * @param share         of inspections, drawn from their ids (0..1]
     * @param maxConcurrent challenger calls in flight at most; beyond it an inspection is not shadowed (counted)
     */
    public record Shadow(String model, double share, int maxConcurrent) {}

    /**
     * How the profile's LoRA is trained.
     *
     * @param baseModel the model the adapter is trained on, {@code swift sft --model} (e.g.
     *                  Qwen/Qwen2.5-VL-7B-Instruct); null when the profile does not say
     */
    public record Training(String baseModel) {
        public static final Training NONE = new Training(null);
    }

    /**
     * The same profile with another chain: the models in service after a promotion, or the one model a
     * comparison run asks (without escalation).
     */
    public Profile withChain(List<Step> steps, boolean escalate) {
        return new Profile(name, source, description, schema, decisionField, passValue, decodingSchema, List.copyOf(steps),
                escalate, system, prompt, decoding, image, repair, synonyms, variantPolicy, consensus, review, variants,
                training, shadow, optional);
    }

    /** The wording of that name: base, a file variant or a generated one within the default count. */
    public Optional<Variant> variant(String name) {
        return variants.stream().filter(v -> v.name().equals(name)).findFirst();
    }

    /**
     * How rewordings are generated.
     *
     * @param seed      fixes the generated texts: same seed and base text, same variants
     * @param generated how many generated variants a profile offers by default
     * @param words     groups of interchangeable words for synonym substitution, from synonyms.yaml
     */
    public record VariantPolicy(long seed, int generated, List<List<String>> words) {}

    /**
     * Asking several wordings at once.
     *
     * @param variants     how many wordings an inspection asks when the request does not say (1: no consensus)
     * @param minAgreement the majority's share of the wordings below which the inspection needs review
     */
    public record ConsensusPolicy(int variants, double minAgreement) {}

    /**
     * What a person sees: every needs_review inspection, and this share of accepted ones, drawn
     * deterministically from their ids (an audit of verdicts the model was sure of).
     */
    public record ReviewPolicy(double sampleRate) {

        /** Whether an accepted inspection of this id is in the audit sample: the same answer on every replica. */
        public boolean samples(String id) {
            return sampleRate > 0 && Math.floorMod(id.hashCode(), 10_000) < sampleRate * 10_000;
        }
    }

    /**
     * One place to ask.
     *
     * @param backend    name of a backend under {@code loupe.backends}
     * @param model      the {@code model} field sent (with vLLM: the LoRA adapter's name)
     * @param structured decode-time JSON: {@code none}, {@code json_schema} (vLLM) or {@code json_object} (DashScope)
     * @param highResolutionImages DashScope's {@code vl_high_resolution_images}
     * @param decoding   the sampling this step sends: the profile's, with the step's own {@code decoding:} over it
     * @param image      how the image is prepared for this step: the step's own {@code image:}, else the profile's
     */
    public record Step(String backend, String model, String structured, boolean highResolutionImages,
            Decoding decoding, ImagePolicy image) {

        /** The same step asking another model (a promoted adapter, or one a comparison run asks). */
        public Step withModel(String other) {
            return other.equals(model) ? this : new Step(backend, other, structured, highResolutionImages, decoding, image);
        }
    }

    /**
     * Sampling settings, sent as the OpenAI-compatible fields vLLM and DashScope read. Temperature 0
     * and a fixed seed make answers repeatable only if nothing else samples: vLLM applies the model's
     * {@code generation_config.json} (Qwen2.5-VL: repetition_penalty 1.05, top_k, top_p) to every
     * field a request leaves out, so a profile that means greedy decoding says so. Null: not sent.
     */
    public record Decoding(double temperature, int seed, int maxTokens, Double topP, Integer topK,
            Double repetitionPenalty, Double presencePenalty, Double frequencyPenalty, List<String> stop) {

        /** Temperature, seed and token limit only; the server's defaults for the rest. */
        public static Decoding basic(double temperature, int seed, int maxTokens) {
            return new Decoding(temperature, seed, maxTokens, null, null, null, null, null, null);
        }
    }

    /**
     * What is done to the image, in order: scale, crop (in the scaled image's pixels), resize to the
     * model's pixel budget (Qwen2.5-VL: one visual token per factor×factor pixels), encode.
     *
     * @param crop     null for the whole image
     * @param encoding {@code jpeg} or {@code png}
     * @param family   the model family whose factor and processor bounds the budget lies within
     */
    public record ImagePolicy(double scale, Crop crop, int factor, long minPixels, long maxPixels,
            String encoding, int jpegQuality, ModelFamily family) {

        /** A policy of the default family (Qwen2.5-VL). */
        public ImagePolicy(double scale, Crop crop, int factor, long minPixels, long maxPixels, String encoding,
                int jpegQuality) {
            this(scale, crop, factor, minPixels, maxPixels, encoding, jpegQuality, ModelFamily.DEFAULT);
        }
    }

    /**
     * What happens to an answer that is not valid after repair.
     *
     * @param reask      how many times the violations are sent back for a corrected answer
     * @param correction the correction message ({@code correction.txt}), with {@code {violations}}
     *                   where the list goes; null for Loupe's default
     */
    public record RepairPolicy(int reask, String correction) {}

    /**
     * @param enumValues schema value → words meaning it (合格 → OK)
     * @param booleans   true / false → words meaning it (是 → true)
     */
    public record Synonyms(Map<String, List<String>> enumValues, Map<Boolean, List<String>> booleans) {
        public static final Synonyms NONE = new Synonyms(Map.of(), Map.of());
    }

    /** A box in pixels: left, top, width, height. */
    public record Crop(int x, int y, int width, int height) {}
}
