package dev.loupe.robustness;

import dev.loupe.config.LoupeConfig;
import dev.loupe.dataset.DatasetItem;
import dev.loupe.dataset.DatasetReader;
import dev.loupe.error.ProblemException;
import dev.loupe.inspect.InspectionService;
import dev.loupe.prompt.Profile;
import dev.loupe.prompt.ProfileCatalog;
import dev.loupe.prompt.Variant;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** What a run will ask: the spec checked, the dataset read, the wordings chosen, the size bounded. */
@ApplicationScoped
public class RunPlanner {

    private static final int MAX_REPEATS = 100;
    /** A dataset is named by a relative path; no file system takes longer ones. */
    static final int MAX_DATASET_NAME = 1024;
    private static final int MAX_CONCURRENCY = 32;
    private static final int MAX_GENERATED = 200;

    /** A checked run: every item of the dataset in every arm (wording, or model), {@code repeats} times. */
    record Plan(Profile profile, RunSpec spec, List<DatasetItem> items, List<Arm> arms, int repeats,
            int concurrency) {
        long total() {
            return (long) items.size() * arms.size() * repeats;
        }
    }

    /**
     * What one call of an item asks: a wording of the models in service, or a model in the base wording.
     *
     * @param name  what the statistics call it: the wording's name, or the model's
     * @param model the model the first step is asked for; null for the models in service
     */
    record Arm(String name, Variant variant, String model) {}

    private static final int MAX_MODELS = 8;
    private static final int MAX_MODEL_NAME = 200;

    private final ProfileCatalog profiles;
    private final InspectionService inspections;
    private final LoupeConfig.Robustness config;
    /** The application's mapper, which reads dataset lines. */
    private final com.fasterxml.jackson.databind.ObjectMapper json;

    public RunPlanner(ProfileCatalog profiles, InspectionService inspections, LoupeConfig config,
            com.fasterxml.jackson.databind.ObjectMapper json) {
        this.profiles = profiles;
        this.json = json;
        this.inspections = inspections;
        this.config = config.robustness();
    }

    /** The API's plan: the dataset under {@code loupe.robustness.datasets-root}, checked on real paths. */
    Plan underDatasetsRoot(RunSpec spec) {
        return plan(spec, labels -> DatasetReader.readUnder(Path.of(config.datasetsRoot()), spec.dataset(), labels, json));
    }

    /** The command line's plan: any dataset the user can read, relative to the working directory. */
    Plan onCommandLine(RunSpec spec, Path workingDir) {
        return plan(spec, labels -> DatasetReader.readAny(workingDir.resolve(spec.dataset()), labels, json));
    }

    private Plan plan(RunSpec spec, Function<Function<String, Optional<String>>, List<DatasetItem>> read) {
        if (spec == null || spec.profile() == null || spec.dataset() == null) {
            throw ProblemException.badRequest("'profile' and 'dataset' are required");
        }
        if (spec.dataset().length() > MAX_DATASET_NAME || spec.dataset().chars().anyMatch(Character::isISOControl)) {
            throw ProblemException.badRequest("'dataset' must be a path of at most " + MAX_DATASET_NAME
                    + " characters, without control characters");
        }
        Profile profile = profiles.get(spec.profile());
        int generated = spec.generated() == null ? profile.variantPolicy().generated() : spec.generated();
        int repeats = spec.repeats() == null ? 1 : spec.repeats();
        int concurrency = spec.concurrency() == null ? config.concurrency() : spec.concurrency();
        if (generated < 0 || generated > MAX_GENERATED || repeats < 1 || repeats > MAX_REPEATS
                || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
            throw ProblemException.badRequest("'generated' must be 0.." + MAX_GENERATED + ", 'repeats' 1.." + MAX_REPEATS
                    + ", 'concurrency' 1.." + MAX_CONCURRENCY);
        }
        List<Variant> variants = spec.comparesModels() ? List.of(profile.variants().get(0))
                : variants(profile, spec.variants(), generated);
        List<Arm> arms = spec.comparesModels() ? models(spec.models(), variants.get(0))
                : variants.stream().map(v -> new Arm(v.name(), v, null)).toList();
        // Labels are read the way answers are: the schema's decisions, in any case or width, or a synonym.
        List<DatasetItem> items = read.apply(word -> inspections.decisionOf(profile.name(), word));
        checkGates(spec.gates());
        RunSpec resolved = new RunSpec(profile.name(), spec.dataset(), variants.stream().map(Variant::name).toList(),
                generated, repeats, concurrency, spec.gates(), spec.comparesModels() ? List.copyOf(spec.models()) : null);
        Plan plan = new Plan(profile, resolved, items, arms, repeats, concurrency);
        if (plan.total() > config.maxCalls()) {
            throw ProblemException.badRequest(String.format("the run would make %d calls (%d items × %d %s × %d "
                    + "repeats); at most %d are allowed (loupe.robustness.max-calls)", plan.total(), items.size(),
                    arms.size(), spec.comparesModels() ? "models" : "wordings", repeats, config.maxCalls()));
        }
        return plan;
    }

    /** A comparison's arms: two or more distinct model names, each asked in the base wording. */
    private static List<Arm> models(List<String> models, Variant base) {
        if (models.size() < 2 || models.size() > MAX_MODELS || models.stream().distinct().count() != models.size()
                || models.stream().anyMatch(m -> m == null || m.isBlank() || m.length() > MAX_MODEL_NAME
                        || m.chars().anyMatch(Character::isISOControl))) {
            throw ProblemException.badRequest("'models' must name 2.." + MAX_MODELS + " distinct models (at most "
                    + MAX_MODEL_NAME + " characters each), the baseline first, e.g. [\"qc-lora\", \"qc-lora-v2\"]");
        }
        return models.stream().map(m -> new Arm(m, base, m)).toList();
    }

    /** Every gate a share from 0 to 1 (kappa from -1). */
    private static void checkGates(Gates gates) {
        if (gates == null) {
            return;
        }
        java.util.Map<String, Double> shares = new java.util.LinkedHashMap<>();
        shares.put("min_accuracy", gates.minAccuracy());
        shares.put("max_flip_rate", gates.maxFlipRate());
        shares.put("max_error_rate", gates.maxErrorRate());
        shares.put("max_escape_rate", gates.maxEscapeRate());
        shares.put("max_overkill_rate", gates.maxOverkillRate());
        shares.forEach((name, value) -> {
            if (value != null && !(value >= 0 && value <= 1)) {
                throw ProblemException.badRequest("'gates." + name + "' must be between 0 and 1");
            }
        });
        if (gates.minKappa() != null && !(gates.minKappa() >= -1 && gates.minKappa() <= 1)) {
            throw ProblemException.badRequest("'gates.min_kappa' must be between -1 and 1");
        }
    }

    private List<Variant> variants(Profile profile, List<String> names, int generated) {
        List<Variant> available = profiles.variants(profile.name(), generated);
        if (names == null || names.isEmpty() || names.contains("all")) {
            return available;
        }
        List<Variant> variants = new ArrayList<>();
        variants.add(available.get(0)); // the base, which flip rates compare against
        for (String name : names) {
            Variant variant = available.stream().filter(v -> v.name().equals(name)).findFirst()
                    .orElseThrow(() -> ProblemException.badRequest("profile '" + profile.name() + "' has no variant '"
                            + name + "' (with " + generated + " generated)"));
            if (!variants.contains(variant)) {
                variants.add(variant);
            }
        }
        return variants;
    }
}
