package dev.loupe.robustness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import dev.loupe.stats.Confidence;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatisticsTest {

    private static CallRecord call(int item, String variant, int repeat, String label, String decision) {
        boolean invalid = decision.equals(CallRecord.INVALID);
        return new CallRecord(item, variant, repeat, "h" + item, label, decision, invalid ? "needs_review" : "accepted",
                invalid ? "invalid" : "valid_first_try", "", 100 * repeat);
    }

    private static final String[] LABELS = {"OK", "OK", "OK", "OK", "OK", "OK", "OK", "NG", "NG", "NG", "NG", "NG", "NG"};

    /**
     * 13 items (7 labelled OK, 6 NG), 3 wordings, 3 repeats each, at temperature 0 (repeats alike but
     * where written). Per item, each wording's three answers:
     * <pre>
     * item:  0  1  2  3  4        5             6  7  8 .. 12
     * base   OK OK NG OK OK       OK            OK OK NG ..     (item 2 overkill, item 7 an escape)
     * w1     NG NG NG NG OK       OK            OK OK NG ..     (differs from base on items 0, 1, 3)
     * w2     OK OK NG OK OK/NG/OK OK/NG/invalid OK NG NG ..     (item 4 unstable; item 5 a tie: no decision)
     * </pre>
     */
    private static List<CallRecord> thirteenItems() {
        String[] base = {"OK", "OK", "NG", "OK", "OK", "OK", "OK", "OK", "NG", "NG", "NG", "NG", "NG"};
        String[] w1 = {"NG", "NG", "NG", "NG", "OK", "OK", "OK", "OK", "NG", "NG", "NG", "NG", "NG"};
        String[] w2 = {"OK", "OK", "NG", "OK", "OK", "OK", "OK", "NG", "NG", "NG", "NG", "NG", "NG"};
        List<CallRecord> calls = new ArrayList<>();
        for (int item = 0; item < 13; item++) {
            for (int r = 1; r <= 3; r++) {
                calls.add(call(item, "base", r, LABELS[item], base[item]));
                calls.add(call(item, "w1", r, LABELS[item], w1[item]));
                String third = item == 4 && r == 2 ? "NG" : item == 5 && r == 2 ? "NG" : item == 5 && r == 3 ? "invalid"
                        : w2[item];
                calls.add(call(item, "w2", r, LABELS[item], third));
            }
        }
        return calls;
    }

    /**
     * Every figure of the run above against statsmodels 0.13.5 and scipy 1.10.1 (Debian 12), computed
     * from the same answers by a script of their own, item by item:
     * <pre>
     * proportion_confint(k, n, alpha=0.05, method="wilson")   accuracy, flip rate, unstable repeats
     * proportion_confint(k, n, alpha=0.05, method="beta")     escape and overkill rates (Clopper-Pearson)
     * mcnemar([[0, b], [c, 0]], exact=True).pvalue           against the base, on discordant items
     * </pre>
     * Repeats are not evidence: w1 differs from the base on 3 items (9 discordant calls); the exact test
     * on the items gives p = 0.25 (on the calls it would give 0.0039 and call the difference significant).
     */
    @Test
    void itemLevelFiguresMatchStatsmodels() {
        Statistics.Summary s = Statistics.of(thirteenItems(), List.of("base", "w1", "w2"), "OK");
        Map<String, Statistics.VariantStats> by = Statistics.byName(s);
        // variant: accuracy, wilson lo, hi | escapes k, n, cp lo, hi | overkill k, n, cp lo, hi | mcnemar p | flip, lo, hi | unstable, lo, hi
        Object[][] expected = {
            {"base", 0.8462, 0.5777, 0.9567, 1, 6, 0.0042, 0.6412, 1, 7, 0.0036, 0.5787, null, 0.0, 0.0, 0.2281, 0.0, 0.0, 0.2281},
            {"w1", 0.6154, 0.3552, 0.8229, 1, 6, 0.0042, 0.6412, 4, 7, 0.1841, 0.9010, 0.25, 0.2308, 0.0818, 0.5026, 0.0, 0.0, 0.2281},
            {"w2", 0.8462, 0.5777, 0.9567, 0, 6, 0.0, 0.4593, 1, 7, 0.0036, 0.5787, 1.0, 0.1538, 0.0433, 0.4223, 0.1538, 0.0433, 0.4223},
        };
        for (Object[] row : expected) {
            Statistics.VariantStats v = by.get((String) row[0]);
            String at = (String) row[0];
            assertEquals(13, v.items(), at + ": items, not calls");
            assertEquals((double) row[1], v.accuracy(), 1e-4, at);
            assertEquals((double) row[2], v.accuracyCi().get(0), 1e-4, at);
            assertEquals((double) row[3], v.accuracyCi().get(1), 1e-4, at);
            assertEquals((int) row[4], v.escapes().count(), at);
            assertEquals((int) row[5], v.escapes().of(), at);
            assertEquals((double) row[6], v.escapes().ci().get(0), 1e-4, at);
            assertEquals((double) row[7], v.escapes().ci().get(1), 1e-4, at);
            assertEquals((int) row[8], v.overkill().count(), at);
            assertEquals((int) row[9], v.overkill().of(), at);
            assertEquals((double) row[10], v.overkill().ci().get(0), 1e-4, at);
            assertEquals((double) row[11], v.overkill().ci().get(1), 1e-4, at);
            if (row[12] == null) {
                assertNull(v.mcnemarP(), "the base is not tested against itself");
            } else {
                assertEquals((double) row[12], v.mcnemarP(), 1e-4, at);
            }
            assertEquals((double) row[13], v.flipRate(), 1e-4, at);
            assertEquals((double) row[14], v.flipRateCi().get(0), 1e-4, at);
            assertEquals((double) row[15], v.flipRateCi().get(1), 1e-4, at);
            assertEquals((double) row[16], v.unstableRepeats(), 1e-4, at);
            assertEquals((double) row[17], v.unstableRepeatsCi().get(0), 1e-4, at);
            assertEquals((double) row[18], v.unstableRepeatsCi().get(1), 1e-4, at);
        }
        assertEquals(3, by.get("w1").discordant(), "3 discordant items, not 9 discordant calls");
        assertTrue(!by.get("w1").significant());
        // Overall: each item's decision over every wording and repeat: as the base's here.
        assertEquals(13, s.items());
        assertEquals(0.8462, s.accuracy(), 1e-4);
        assertEquals(List.of(0.5777, 0.9567), s.accuracyCi());
        assertEquals(1, s.escapes().count());
        assertEquals(List.of(0.0042, 0.6412), s.escapes().ci());
        assertNull(s.best(), "no wording is significantly better than the base");
        assertTrue(s.precision().contains("cannot be told apart"), s.precision());
        assertTrue(by.get("w2").says().get(0).startsWith("escape rate 0/6, upper bound 0.46: too few items labelled with"
                + " a fail value to show ≤ 0.05 (that takes at least 72 of them with none wrong)"), by.get("w2").says().get(0));
    }

    /** Without a pass value the profile's decisions cannot be told good from bad: no escape or overkill, and it says so. */
    @Test
    void withoutAPassValueNoEscapesAreCounted() {
        Statistics.Summary s = Statistics.of(thirteenItems(), List.of("base", "w1"), null);
        assertNull(s.escapes());
        assertNull(s.variants().get(0).overkill());
        assertTrue(s.variants().get(0).says().get(0).contains("no pass-value"));
    }

    /**
     * scipy.stats.beta.ppf(0.95, 1, 12) = 0.2209 (one-sided 95% upper bound of 0 of 12),
     * beta.ppf(0.95, 2, 199) = 0.023498 (1 of 200), proportion_confint(0, 12, method="beta") = (0, 0.2646);
     * items to show 0.05 with none wrong, two-sided 95%: 72; fewest to certify alpha 0.005 at delta 0.05: 598.
     */
    @Test
    void exactBoundsMatchScipy() {
        assertEquals(0.2209, Confidence.upperBound(0, 12, 0.95), 1e-4);
        assertEquals(0.023498, Confidence.upperBound(1, 200, 0.95), 1e-6);
        assertArrayEquals(new double[] {0, 0.2646}, Confidence.clopperPearson(0, 12, 0.95), 1e-4);
        assertEquals(72, Confidence.itemsToShow(0.05, 0.95));
        assertEquals(598, Confidence.fewestToCertify(0.005, 0.05));
        assertEquals(1.0, Confidence.upperBound(3, 3, 0.95));
    }

    /** The worked example of Fleiss (1971) as Wikipedia gives it: 10 subjects, 14 raters, 5 categories, κ = 0.210. */
    @Test
    void fleissKappaOfThePublishedWorkedExample() {
        List<int[]> table = List.of(
                new int[] {0, 0, 0, 0, 14},
                new int[] {0, 2, 6, 4, 2},
                new int[] {0, 0, 3, 5, 6},
                new int[] {0, 3, 9, 2, 0},
                new int[] {2, 2, 8, 1, 1},
                new int[] {7, 7, 0, 0, 0},
                new int[] {3, 2, 6, 3, 0},
                new int[] {2, 5, 3, 2, 2},
                new int[] {6, 5, 2, 1, 0},
                new int[] {0, 2, 2, 3, 7});
        assertEquals(0.210, Statistics.fleissKappa(table), 0.0005);
    }

    @Test
    void kappaIsUndefinedWithOneCategoryOrNoDataNeverOne() {
        assertNull(Statistics.fleissKappa(List.of(new int[] {3, 0, 0}, new int[] {3, 0, 0})));
        assertNull(Statistics.fleissKappa(List.of()));
        assertNull(Statistics.fleissKappa(List.of(new int[] {1, 0, 0})), "one rater per subject says nothing");
    }

    /**
     * A backend that is down answers nothing: every call is an error, no statistic of stability
     * exists, and nothing says the wordings agree.
     */
    @Test
    void failedCallsAreErrorsNotDecisions() {
        List<CallRecord> calls = new ArrayList<>();
        for (int item = 0; item < 3; item++) {
            for (String variant : List.of("base", "a")) {
                calls.add(CallRecord.error(item, variant, 1, "h", "OK", "unreachable", "connection refused", 3));
            }
        }
        Statistics.Summary s = Statistics.of(calls, List.of("base", "a"), "OK");
        assertEquals(1.0, s.errorRate());
        assertEquals(0, s.answered());
        assertNull(s.accuracy());
        assertNull(s.kappa());
        assertNull(s.variants().get(1).flipRate(), "no flip without answers");
        assertTrue(s.unstableItems().isEmpty());
        assertTrue(s.precision().startsWith("No call was answered"));

        // One answered pair among errors: the errors neither flip nor agree.
        calls.add(call(0, "base", 2, "OK", "OK"));
        calls.add(call(0, "a", 2, "OK", "NG"));
        Statistics.Summary some = Statistics.of(calls, List.of("base", "a"), "OK");
        assertEquals(0.75, some.errorRate());
        assertEquals(1.0, some.variants().get(1).flipRate(), "1 flip of the 1 pair answered by both");
        assertEquals(0.0, some.accuracy(), "one item answered, OK by base and NG by a: a tie over all, no decision");
        assertEquals(1, some.items());
    }

    /**
     * Reference values from statsmodels for worked examples: proportion_confint(9, 10, method="wilson")
     * = (0.5958, 0.9821), proportion_confint(0, 10, method="wilson") = (0.0, 0.2775),
     * proportion_confint(45, 50, method="wilson") = (0.7864, 0.9565); mcnemar([[a, 1], [6, d]],
     * exact=True).pvalue = 0.125 (2 × P(X ≤ 1), X ~ Bin(7, ½) = 2 × 8/128), [[a, 0], [5, d]] → 0.0625,
     * [[a, 2], [8, d]] → 0.109375, [[a, 3], [3, d]] → 1.0, no discordant pair → 1.0.
     */
    @Test
    void wilsonIntervalsAndExactMcNemarMatchTheReference() {
        assertArrayEquals(new double[] {0.5958, 0.9821}, Confidence.wilson(9, 10), 0.0001);
        assertArrayEquals(new double[] {0.0, 0.2775}, Confidence.wilson(0, 10), 0.0001);
        assertArrayEquals(new double[] {0.7864, 0.9565}, Confidence.wilson(45, 50), 0.0001);
        assertEquals(0.125, Confidence.mcnemarExact(1, 6), 1e-12);
        assertEquals(0.0625, Confidence.mcnemarExact(0, 5), 1e-12);
        assertEquals(0.109375, Confidence.mcnemarExact(2, 8), 1e-12);
        assertEquals(1.0, Confidence.mcnemarExact(3, 3), 1e-12);
        assertEquals(1.0, Confidence.mcnemarExact(0, 0));
        assertEquals(2 * Math.pow(0.5, 2000), Confidence.mcnemarExact(0, 2000), 1e-300, "large samples do not underflow to NaN");
    }

    @Test
    void aVariantWrongWhereTheBaseIsRightIsSignificantOnlyWithEnoughPairs() {
        List<CallRecord> calls = new ArrayList<>();
        for (int item = 0; item < 10; item++) {
            calls.add(call(item, "base", 1, "OK", "OK"));
            calls.add(call(item, "a", 1, "OK", item < 8 ? "NG" : "OK")); // wrong on 8 of 10 where base is right
            calls.add(call(item, "b", 1, "OK", item < 2 ? "NG" : "OK")); // wrong on 2 of 10
        }
        Statistics.Summary s = Statistics.of(calls, List.of("base", "a", "b"), "OK");
        assertEquals(0.0078, s.variants().get(1).mcnemarP()); // 2 × 0.5^8
        assertTrue(s.variants().get(1).significant());
        assertEquals(0.5, s.variants().get(2).mcnemarP()); // 2 × 0.5^2
        assertTrue(!s.variants().get(2).significant());
        assertNull(s.variants().get(0).mcnemarP(), "the base is not tested against itself");
        assertEquals(List.of(0.7225, 1.0), s.variants().get(0).accuracyCi(), "10 of 10: Wilson (0.7225, 1.0)");
        assertTrue(s.precision().contains("cannot be told apart"), s.precision());
    }
}
