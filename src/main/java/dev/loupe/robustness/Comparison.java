package dev.loupe.robustness;

import java.util.List;
import java.util.Locale;

/**
 * What a comparison run says of each challenger against the baseline (the first model), on the same items: better
 * only when its correctness differs significantly (the exact McNemar test, 0.05) in its favour and it lets no more
 * defective parts through; worse when significantly less accurate; otherwise the evidence does not show a
 * difference, however the point estimates look. A promotion needs "better" (or is forced, and says so).
 */
public record Comparison(String baseline, List<Verdict> models) {

    public static final String BETTER = "better";
    public static final String WORSE = "worse";
    public static final String NOT_SHOWN = "not-shown";

    /**
     * @param verdict better, worse or not-shown
     * @param says    the verdict in a sentence, with the figures it stands on
     */
    public record Verdict(String model, String verdict, Double accuracy, Double baselineAccuracy, Double mcnemarP,
            Integer discordant, Statistics.Rate escapes, Statistics.Rate baselineEscapes, String says) {}

    /** @param models the run's models, baseline first */
    static Comparison of(Statistics.Summary summary, List<String> models) {
        String baseline = models.get(0);
        Statistics.VariantStats base = stats(summary, baseline);
        List<Verdict> verdicts = models.subList(1, models.size()).stream().map(model -> {
            Statistics.VariantStats v = stats(summary, model);
            if (v == null || base == null || v.accuracy() == null || base.accuracy() == null) {
                return new Verdict(model, NOT_SHOWN, null, null, null, null, null, null,
                        model + ": no answered items to compare yet");
            }
            boolean moreEscapes = v.escapes() != null && base.escapes() != null && v.escapes().count() > base.escapes().count();
            String verdict = !v.significant() ? NOT_SHOWN
                    : v.accuracy() > base.accuracy() ? (moreEscapes ? NOT_SHOWN : BETTER) : WORSE;
            String figures = String.format(Locale.ROOT, "accuracy %.3f vs %.3f on the same %d items, exact McNemar p = %s "
                    + "(%d discordant)%s", v.accuracy(), base.accuracy(), v.items(),
                    v.mcnemarP() == null ? "n/a" : String.format(Locale.ROOT, "%.4f", v.mcnemarP()),
                    v.discordant() == null ? 0 : v.discordant(), v.escapes() == null || base.escapes() == null ? ""
                            : String.format(Locale.ROOT, ", escapes %d/%d vs %d/%d", v.escapes().count(), v.escapes().of(),
                                    base.escapes().count(), base.escapes().of()));
            String says = switch (verdict) {
                case BETTER -> model + " is better than " + baseline + ": " + figures + ".";
                case WORSE -> model + " is worse than " + baseline + ": " + figures + ".";
                default -> moreEscapes && v.significant()
                        ? model + " is more accurate than " + baseline + " but lets more defective parts through: " + figures
                                + ". Not better."
                        : "The evidence does not show that " + model + " differs from " + baseline + ": " + figures
                                + ". Add reviewed items before deciding.";
            };
            return new Verdict(model, verdict, v.accuracy(), base.accuracy(), v.mcnemarP(), v.discordant(), v.escapes(),
                    base.escapes(), says);
        }).toList();
        return new Comparison(baseline, verdicts);
    }

    private static Statistics.VariantStats stats(Statistics.Summary summary, String arm) {
        return summary.variants().stream().filter(v -> v.variant().equals(arm)).findFirst().orElse(null);
    }

    /** The verdict for one model, if the run compared it. */
    public java.util.Optional<Verdict> of(String model) {
        return models.stream().filter(v -> v.model().equals(model)).findFirst();
    }
}
