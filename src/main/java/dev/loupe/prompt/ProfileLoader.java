package dev.loupe.prompt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.loupe.config.DataFolder;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Reads every profile folder of a prompts folder; the first broken file stops the load with its name. */
public final class ProfileLoader {

    static final String PROFILE_FILE = "profile.yaml";
    static final String SYSTEM_FILE = "system.txt";
    static final String PROMPT_FILE = "prompt.txt";
    static final String SYNONYMS_FILE = "synonyms.yaml";
    static final String CORRECTION_FILE = "correction.txt";
    static final String VIOLATIONS_PLACEHOLDER = "{violations}";
    /** Checked against the schema at start-up (StartupCheck), where both are loaded. */
    static final String DEFAULT_DECISION_FIELD = "decision";
    static final String VARIANTS_DIR = "variants";
    private static final int DEFAULT_GENERATED = 12;

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");

    /**
     * profile.yaml and synonyms.yaml: YAML, kebab-case keys, unknown keys refused. A format and mapping
     * of its own, not the API's JSON; JSON files in a profile are read by the application's mapper.
     */
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private ProfileLoader() {}

    /** @param json the application's mapper, which reads a profile's JSON files */
    public static Map<String, Profile> load(DataFolder prompts, ObjectMapper json) {
        List<Path> folders;
        try (Stream<Path> entries = Files.list(prompts.path())) {
            folders = entries.filter(Files::isDirectory)
                    .filter(f -> !f.getFileName().toString().equals(ModelFamily.FOLDER)).sorted().toList();
        } catch (IOException e) {
            throw new ProfileException(prompts.label() + ": cannot list profiles: " + e.getMessage(), e);
        }
        if (folders.isEmpty()) {
            throw new ProfileException(prompts.label() + ": no profile folders");
        }
        Map<String, ModelFamily> families = families(prompts);
        Map<String, Profile> profiles = new TreeMap<>();
        for (Path folder : folders) {
            Profile profile = loadOne(prompts, folder, json, families);
            profiles.put(profile.name(), profile);
        }
        return profiles;
    }

    /** {@code families/*.yaml}: each a model family profiles may name; Qwen2.5-VL's is there even without the folder. */
    static Map<String, ModelFamily> families(DataFolder prompts) {
        Map<String, ModelFamily> families = new TreeMap<>();
        families.put(ModelFamily.DEFAULT.name(), ModelFamily.DEFAULT);
        Path folder = prompts.path().resolve(ModelFamily.FOLDER);
        if (!Files.isDirectory(folder)) {
            return families;
        }
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().toList()) {
                String fileName = file.getFileName().toString();
                String name = fileName.substring(0, fileName.length() - ".yaml".length());
                String where = prompts.describe(file);
                check(NAME.matcher(name.replace(".", "")).matches(), where,
                        "a family's name must be lower-case letters, digits, '.', '-' or '_'");
                ProfileFile.Family f = readYaml(prompts, file, ProfileFile.Family.class);
                check(f.factor() != null && f.factor() > 0, where, "'factor' (pixels per visual token, per side) is required");
                check(f.minPixels() != null && f.maxPixels() != null && f.minPixels() >= (long) f.factor() * f.factor()
                        && f.maxPixels() >= f.minPixels(), where, "'min-pixels' and 'max-pixels' are required, "
                        + "min-pixels at least factor², max-pixels not below it");
                ModelFamily.ProcessorKwargs kwargs;
                try {
                    kwargs = f.processorKwargs() == null ? ModelFamily.ProcessorKwargs.PIXELS
                            : ModelFamily.ProcessorKwargs.parse(f.processorKwargs());
                } catch (IllegalArgumentException e) {
                    throw new ProfileException(where + ": processor-kwargs must be pixels, size or none", e);
                }
                families.put(name, new ModelFamily(name, f.description() == null ? name : f.description().strip(),
                        f.factor(), f.minPixels(), f.maxPixels(), kwargs));
            }
        } catch (IOException e) {
            throw new ProfileException(prompts.describe(folder) + ": " + e.getMessage(), e);
        }
        return families;
    }

    static Profile loadOne(DataFolder prompts, Path folder, ObjectMapper json, Map<String, ModelFamily> families) {
        String name = folder.getFileName().toString();
        if (!NAME.matcher(name).matches()) {
            throw new ProfileException(prompts.describe(folder)
                    + ": a profile folder's name must be lower-case letters, digits, '-' or '_'");
        }
        Path yamlFile = folder.resolve(PROFILE_FILE);
        ProfileFile file = readProfile(prompts, yamlFile);
        String where = prompts.describe(yamlFile);
        Profile.Decoding decoding = decoding(file.decoding());
        Profile.ImagePolicy image = image(file.image(), where, "image", families);
        String system = readText(prompts, folder.resolve(SYSTEM_FILE));
        String prompt = readText(prompts, folder.resolve(PROMPT_FILE));
        Path synonymsFile = folder.resolve(SYNONYMS_FILE);
        SynonymsFile synonyms = synonymsFile(prompts, synonymsFile);
        Profile.VariantPolicy variantPolicy = variantPolicy(file.variants(), synonyms, decoding.seed(), where);
        List<Variant> variants = variants(prompts, folder, prompt, variantPolicy);
        return new Profile(
                name,
                where,
                file.description() == null ? "" : file.description().strip(),
                required(file.schema(), "schema", where),
                file.decisionField() == null ? DEFAULT_DECISION_FIELD : required(file.decisionField(), "decision-field", where),
                file.passValue() == null ? null : required(file.passValue(), "pass-value", where),
                decodingSchema(prompts, folder, file.decodingSchema(), where, json),
                chain(file, system + "\n" + prompt, where, families),
                Boolean.TRUE.equals(file.escalateOnReview()),
                system,
                prompt,
                decoding,
                image,
                repair(file.repair(), prompts, folder, where),
                synonyms(synonyms, prompts.describe(synonymsFile)),
                variantPolicy,
                consensus(file.consensus(), variants.size(), where),
                review(file.review(), where),
                variants,
                file.training() == null || file.training().baseModel() == null ? Profile.Training.NONE
                        : new Profile.Training(required(file.training().baseModel(), "training.base-model", where)),
                shadow(file.shadow(), where),
                Boolean.TRUE.equals(file.optional()));
    }

    private static Profile.Shadow shadow(ProfileFile.Shadow s, String where) {
        if (s == null) {
            return null;
        }
        String model = required(s.model(), "shadow.model", where);
        double share = s.share() == null ? 0.1 : s.share();
        int max = s.maxConcurrent() == null ? 2 : s.maxConcurrent();
        return new Profile.Shadow(model, share, max);
    }

    private static Profile.VariantPolicy variantPolicy(ProfileFile.Variants v, SynonymsFile synonyms, int decodingSeed,
            String where) {
        long seed = v == null || v.seed() == null ? decodingSeed : v.seed();
        int generated = v == null || v.generated() == null ? DEFAULT_GENERATED : v.generated();
        List<List<String>> words = synonyms == null || synonyms.promptWords() == null ? List.of()
                : synonyms.promptWords().stream().map(List::copyOf).toList();
        return new Profile.VariantPolicy(seed, generated, words);
    }

    /**
     * Base first, then {@code variants/*.txt} by name (hand-written, or rephrasings a person kept), then the
     * generated ones. Proposals in {@code variants/proposed/} are not wordings until kept.
     */
    private static List<Variant> variants(DataFolder prompts, Path folder, String base, Profile.VariantPolicy policy) {
        List<Variant> variants = new ArrayList<>();
        variants.add(Variant.of(Variant.BASE, Variant.Source.BASE, base));
        Path dir = folder.resolve(VARIANTS_DIR);
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".txt")).sorted().toList()) {
                    String fileName = file.getFileName().toString();
                    String name = fileName.substring(0, fileName.length() - ".txt".length());
                    check(NAME.matcher(name).matches() && !name.equals(Variant.BASE) && !name.startsWith("gen-"),
                            prompts.describe(file), "a variant's name must be lower-case letters, digits, '-' or '_', "
                                    + "and neither 'base' nor start with 'gen-'");
                    WordingFile wording = WordingFile.parse(readText(prompts, file));
                    check(!wording.text().isBlank(), prompts.describe(file), "a wording's text is empty below its header");
                    variants.add(Variant.of(name, wording.semantic() ? Variant.Source.SEMANTIC : Variant.Source.FILE,
                            wording.text()));
                }
            } catch (IOException e) {
                throw new ProfileException(prompts.describe(dir) + ": " + e.getMessage(), e);
            }
        }
        variants.addAll(new VariantGenerator(base, policy.seed(), policy.words()).generate(policy.generated()));
        return List.copyOf(variants);
    }

    private static Profile.ConsensusPolicy consensus(ProfileFile.Consensus c, int available, String where) {
        int k = c == null || c.variants() == null ? 1 : c.variants();
        double min = c == null || c.minAgreement() == null ? 0.6 : c.minAgreement();
        check(k >= 1 && k <= available, where, "consensus.variants must be between 1 and the " + available
                + " variants the profile has");
        return new Profile.ConsensusPolicy(k, min);
    }

    /** The steps to ask, in order; {@code backend} + {@code model} is a chain of one. */
    private static List<Profile.Step> chain(ProfileFile file, String texts, String where,
            Map<String, ModelFamily> families) {
        List<ProfileFile.Step> steps;
        if (file.chain() != null) {
            check(file.backend() == null && file.model() == null && file.structured() == null, where,
                    "give either 'chain' or 'backend' and 'model', not both");
            steps = file.chain();
        } else {
            steps = List.of(new ProfileFile.Step(file.backend(), file.model(), file.structured(), null, null, null));
        }
        check(!steps.isEmpty(), where, "'chain' needs at least one step");
        List<Profile.Step> chain = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            ProfileFile.Step step = steps.get(i);
            String at = file.chain() == null ? "" : "chain[" + i + "].";
            String structured = step.structured() == null ? "none" : step.structured().strip().toLowerCase(Locale.ROOT);
            // DashScope refuses json_object unless the messages contain the word JSON.
            check(!structured.equals("json_object") || texts.toLowerCase(Locale.ROOT).contains("json"), where,
                    at + "structured: json_object needs the word JSON in system.txt or prompt.txt (DashScope rejects it otherwise)");
            chain.add(new Profile.Step(required(step.backend(), at + "backend", where),
                    required(step.model(), at + "model", where), structured,
                    Boolean.TRUE.equals(step.vlHighResolutionImages()),
                    decoding(over(file.decoding(), step.decoding())),
                    image(over(file.image(), step.image()), where, at + "image", families)));
        }
        return List.copyOf(chain);
    }

    private static Profile.ReviewPolicy review(ProfileFile.Review r, String where) {
        double rate = r == null || r.sampleRate() == null ? 0.02 : r.sampleRate();
        return new Profile.ReviewPolicy(rate);
    }

    private static Profile.RepairPolicy repair(ProfileFile.Repair r, DataFolder prompts, Path folder, String where) {
        int reask = r == null || r.reask() == null ? 1 : r.reask();
        Path correctionFile = folder.resolve(CORRECTION_FILE);
        String correction = null;
        if (Files.exists(correctionFile)) {
            correction = readText(prompts, correctionFile);
            check(correction.contains(VIOLATIONS_PLACEHOLDER), prompts.describe(correctionFile),
                    "must contain " + VIOLATIONS_PLACEHOLDER + " where the list of violations goes");
        }
        return new Profile.RepairPolicy(reask, correction);
    }

    private static SynonymsFile synonymsFile(DataFolder prompts, Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        String where = prompts.describe(file);
        try {
            return YAML.readValue(Files.readString(file), SynonymsFile.class);
        } catch (JsonProcessingException e) {
            throw new ProfileException(where + ": " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
        } catch (IOException e) {
            throw new ProfileException(where + ": " + e.getMessage(), e);
        }
    }

    private static Profile.Synonyms synonyms(SynonymsFile parsed, String where) {
        if (parsed == null) {
            return Profile.Synonyms.NONE;
        }
        Map<Boolean, List<String>> booleans = new TreeMap<>();
        if (parsed.booleans() != null) {
            parsed.booleans().forEach((key, words) -> {
                check(key.equals("true") || key.equals("false"), where, "booleans may only list true and false, not '" + key + "'");
                booleans.put(Boolean.valueOf(key), List.copyOf(words));
            });
        }
        return new Profile.Synonyms(parsed.enumValues() == null ? Map.of() : Map.copyOf(parsed.enumValues()),
                Map.copyOf(booleans));
    }


    /**
     * profile.yaml's JSON Schema (also what an editor completes from: the shipped profiles name it in a
     * {@code yaml-language-server} comment). Single-key rules live there; rules across keys are checked in code.
     */
    private static final Schema PROFILE_SCHEMA = profileSchema();

    private static Schema profileSchema() {
        try (java.io.InputStream in = ProfileLoader.class.getResourceAsStream("profile.schema.json")) {
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                    builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder().locale(Locale.ENGLISH)
                            .pathType(PathType.JSON_POINTER).build()))
                    .getSchema(new ObjectMapper().readTree(in));
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("profile.schema.json is missing from Loupe's classes", e);
        }
    }

    /** profile.yaml read as a tree, checked against its schema, then bound. */
    private static ProfileFile readProfile(DataFolder prompts, Path yamlFile) {
        String where = prompts.describe(yamlFile);
        if (!Files.isRegularFile(yamlFile)) {
            throw new ProfileException(where + ": missing");
        }
        JsonNode tree;
        try {
            tree = YAML.readTree(Files.readString(yamlFile));
        } catch (JsonProcessingException e) {
            throw new ProfileException(where + ": " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
        } catch (CharacterCodingException e) {
            throw new ProfileException(where + ": not UTF-8 text", e);
        } catch (IOException e) {
            throw new ProfileException(where + ": " + e.getMessage(), e);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            throw new ProfileException(where + ": empty");
        }
        List<com.networknt.schema.Error> problems = PROFILE_SCHEMA.validate(tree);
        if (!problems.isEmpty()) {
            throw new ProfileException(where + ": " + problems.stream().map(ProfileLoader::said).distinct().limit(3)
                    .collect(java.util.stream.Collectors.joining("; ")));
        }
        try {
            return YAML.treeToValue(tree, ProfileFile.class);
        } catch (JsonProcessingException e) {
            throw new ProfileException(where + ": " + e.getOriginalMessage(), e);
        }
    }

    /** A schema error in the file's own terms: {@code 'chain[0].model' is required}, {@code chain[0].decoding.top-p …}. */
    private static String said(com.networknt.schema.Error error) {
        String at = keyPath(error.getInstanceLocation().toString());
        String property = error.getProperty();
        return switch (error.getKeyword()) {
            case "required" -> "'" + join(at, property) + "' is required";
            // The property named is the one present; the first argument is the one it needs.
            case "dependentRequired" -> "'" + join(at, String.valueOf(error.getArguments()[0])) + "' is required";
            case "additionalProperties" -> "unknown key '" + join(at, property) + "'";
            default -> (at.isEmpty() ? "the profile" : at) + ": " + error.getMessage();
        };
    }

    private static String join(String at, String property) {
        return property == null ? at : at.isEmpty() ? property : at + "." + property;
    }

    /** {@code /chain/0/decoding/top-p} as {@code chain[0].decoding.top-p}. */
    private static String keyPath(String pointer) {
        StringBuilder path = new StringBuilder();
        for (String part : pointer.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (part.chars().allMatch(Character::isDigit)) {
                path.append('[').append(part).append(']');
            } else {
                path.append(path.length() == 0 ? "" : ".").append(part.replace("~1", "/").replace("~0", "~"));
            }
        }
        return path.toString();
    }

    private static <T> T readYaml(DataFolder prompts, Path yamlFile, Class<T> type) {
        String where = prompts.describe(yamlFile);
        if (!Files.isRegularFile(yamlFile)) {
            throw new ProfileException(where + ": missing");
        }
        try {
            T file = YAML.readValue(Files.readString(yamlFile), type);
            if (file == null) {
                throw new ProfileException(where + ": empty");
            }
            return file;
        } catch (JsonProcessingException e) {
            throw new ProfileException(where + ": " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
        } catch (CharacterCodingException e) {
            throw new ProfileException(where + ": not UTF-8 text", e);
        } catch (IOException e) {
            throw new ProfileException(where + ": " + e.getMessage(), e);
        }
    }

    private static String readText(DataFolder prompts, Path textFile) {
        String where = prompts.describe(textFile);
        if (!Files.isRegularFile(textFile)) {
            throw new ProfileException(where + ": missing");
        }
        try {
            String text = Files.readString(textFile).stripTrailing();
            if (text.isBlank()) {
                throw new ProfileException(where + ": empty");
            }
            return text;
        } catch (CharacterCodingException e) {
            throw new ProfileException(where + ": not UTF-8 text", e);
        } catch (IOException e) {
            throw new ProfileException(where + ": " + e.getMessage(), e);
        }
    }

    private static String required(String value, String key, String where) {
        if (value == null || value.isBlank()) {
            throw new ProfileException(where + ": '" + key + "' is required");
        }
        return value.strip();
    }

    /** A step's {@code decoding:} over the profile's, key by key. */
    private static ProfileFile.Decoding over(ProfileFile.Decoding profile, ProfileFile.Decoding step) {
        if (step == null || profile == null) {
            return step == null ? profile : step;
        }
        return new ProfileFile.Decoding(first(step.temperature(), profile.temperature()), first(step.seed(), profile.seed()),
                first(step.maxTokens(), profile.maxTokens()), first(step.topP(), profile.topP()),
                first(step.topK(), profile.topK()), first(step.repetitionPenalty(), profile.repetitionPenalty()),
                first(step.presencePenalty(), profile.presencePenalty()),
                first(step.frequencyPenalty(), profile.frequencyPenalty()), first(step.stop(), profile.stop()));
    }

    /** A step's {@code image:} over the profile's, key by key: a step may raise only the pixel budget. */
    private static ProfileFile.Image over(ProfileFile.Image profile, ProfileFile.Image step) {
        if (step == null || profile == null) {
            return step == null ? profile : step;
        }
        // A step of another family keeps none of the profile's sizing: it was for the other family's tokens.
        boolean otherFamily = step.family() != null && !step.family().equals(profile.family());
        return new ProfileFile.Image(first(step.family(), profile.family()), first(step.scale(), profile.scale()),
                first(step.crop(), profile.crop()),
                otherFamily ? step.factor() : first(step.factor(), profile.factor()),
                otherFamily ? step.minPixels() : first(step.minPixels(), profile.minPixels()),
                otherFamily ? step.maxPixels() : first(step.maxPixels(), profile.maxPixels()),
                first(step.encoding(), profile.encoding()), first(step.jpegQuality(), profile.jpegQuality()));
    }

    private static <T> T first(T preferred, T fallback) {
        return preferred != null ? preferred : fallback;
    }

    private static Profile.Decoding decoding(ProfileFile.Decoding d) {
        ProfileFile.Decoding f = d == null ? new ProfileFile.Decoding(null, null, null, null, null, null, null, null, null) : d;
        double temperature = f.temperature() == null ? 0.0 : f.temperature();
        int seed = f.seed() == null ? 0 : f.seed();
        int maxTokens = f.maxTokens() == null ? 512 : f.maxTokens();
        return new Profile.Decoding(temperature, seed, maxTokens, f.topP(), f.topK(), f.repetitionPenalty(),
                f.presencePenalty(), f.frequencyPenalty(), f.stop() == null ? null : List.copyOf(f.stop()));
    }

    /** The profile's own decoding schema, a JSON object in its folder; null when it names none. */
    private static JsonNode decodingSchema(DataFolder prompts, Path folder, String fileName, String where,
            ObjectMapper json) {
        if (fileName == null) {
            return null;
        }
        Path file = folder.resolve(fileName).normalize();
        check(file.startsWith(folder) && Files.isRegularFile(file), where,
                "decoding-schema '" + fileName + "' must be a file in the profile's folder");
        try {
            JsonNode schema = json.readTree(Files.readString(file));
            check(schema != null && schema.isObject(), prompts.describe(file), "a decoding schema must be a JSON object");
            return schema;
        } catch (JsonProcessingException e) {
            throw new ProfileException(prompts.describe(file) + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ProfileException(prompts.describe(file) + ": " + e.getMessage(), e);
        }
    }

    /**
     * The image policy: a named family's factor and processor bounds (Qwen2.5-VL's when none is named), the budget
     * within them (default: the family's bounds, but at most 1280 visual tokens).
     */
    private static Profile.ImagePolicy image(ProfileFile.Image i, String where, String key,
            Map<String, ModelFamily> families) {
        ProfileFile.Image image = i == null ? new ProfileFile.Image(null, null, null, null, null, null, null, null) : i;
        ModelFamily family = image.family() == null ? ModelFamily.DEFAULT : families.get(image.family().strip());
        check(family != null, where, key + ".family '" + image.family() + "' is not a file of prompts/families/ (known: "
                + String.join(", ", families.keySet()) + ")");
        double scale = image.scale() == null ? 1.0 : image.scale();
        int factor = image.factor() == null ? family.factor() : image.factor();
        long minPixels = image.minPixels() == null ? Math.max(family.minPixels(), 4L * factor * factor) : image.minPixels();
        long maxPixels = image.maxPixels() == null ? Math.min(family.maxPixels(), 1280L * factor * factor)
                : image.maxPixels();
        String encoding = image.encoding() == null ? "jpeg" : image.encoding().strip().toLowerCase(Locale.ROOT);
        int quality = image.jpegQuality() == null ? 95 : image.jpegQuality();
        check(image.family() == null || factor == family.factor(), where, key + ".factor " + factor + " is not family "
                + family.name() + "'s " + family.factor() + " pixels per visual token");
        check(minPixels >= (long) factor * factor, where, key + ".min-pixels must be at least factor²");
        check(maxPixels >= minPixels, where, key + ".max-pixels must not be below " + key + ".min-pixels");
        check(image.family() == null || (minPixels >= family.minPixels() && maxPixels <= family.maxPixels()), where,
                key + ".min-pixels and max-pixels must lie within family " + family.name() + "'s processor bounds "
                        + family.minPixels() + ".." + family.maxPixels() + ", or the server resizes the image again");
        return new Profile.ImagePolicy(scale, crop(image.crop(), where), factor, minPixels, maxPixels, encoding, quality,
                family);
    }

    private static Profile.Crop crop(ProfileFile.Crop c, String where) {
        if (c == null) {
            return null;
        }
        return new Profile.Crop(c.x(), c.y(), c.width(), c.height());
    }

    private static void check(boolean ok, String where, String problem) {
        if (!ok) {
            throw new ProfileException(where + ": " + problem);
        }
    }
}
