package dev.loupe.robustness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatisticsTest {

    private static CallRecord call(int item, String variant, int repeat, String label, String decision) {
        boolean invalid = decision.equals(CallRecord.INVALID);
        return new CallRecord(item, variant, repeat, "h" + item, label, decision, invalid ? "needs_review" : "accepted",
                invalid ? "invalid" : "valid_first_try", "", 100 * repeat);
    }

    /**
     * 3 items × 3 variants × 2 repeats, written out by hand:
     * <pre>
     * item 0 (label OK): base OK OK | a OK OK      | b OK NG
     * item 1 (label NG): base NG NG | a NG invalid | b NG NG
     * item 2 (label NG): base OK OK | a OK OK      | b NG NG
     * </pre>
     */
    @Test
    void aSmallRunComputedByHand() {
        List<CallRecord> calls = new ArrayList<>();
        String[][][] decisions = {
            {{"OK", "OK"}, {"OK", "OK"}, {"OK", "NG"}},
            {{"NG", "NG"}, {"NG", "invalid"}, {"NG", "NG"}},
            {{"OK", "OK"}, {"OK", "OK"}, {"NG", "NG"}}};
        String[] labels = {"OK", "NG", "NG"};
        String[] variants = {"base", "a", "b"};
        for (int item = 0; item < 3; item++) {
            for (int v = 0; v < 3; v++) {
                for (int r = 0; r < 2; r++) {
                    calls.add(call(item, variants[v], r + 1, labels[item], decisions[item][v][r]));
                }
            }
        }
        Statistics.Summary s = Statistics.of(calls, List.of(variants));

        // accuracy: base 4/6 (items 0, 1 right; item 2 wrong), a 3/6 (invalid is wrong), b 5/6
        Map<String, Statistics.VariantStats> by = new java.util.HashMap<>();
        s.variants().forEach(v -> by.put(v.variant(), v));
        assertEquals(0.6667, by.get("base").accuracy());
        assertEquals(0.5, by.get("a").accuracy());
        assertEquals(0.8333, by.get("b").accuracy());
        // flip rate against base, per (item, repeat): a differs once (item 1 r2), b three times (item 0 r2, item 2 r1, r2)
        assertEquals(0.0, by.get("base").flipRate());
        assertEquals(0.1667, by.get("a").flipRate());
        assertEquals(0.5, by.get("b").flipRate());
        // needs review: a 1/6
        assertEquals(0.1667, by.get("a").needsReview());
        assertEquals(0.8333, by.get("a").validFirstTry());
        // latency: repeats 1 and 2 took 100 and 200 ms: mean 150, p95 (nearest rank) 200
        assertEquals(150.0, by.get("base").meanLatencyMs());
        assertEquals(200.0, by.get("base").p95LatencyMs());
        // overall: 12 of 18 right; spread 0.8333 - 0.5
        assertEquals(0.6667, s.accuracy());
        assertEquals(0.3333, s.accuracySpread());
        // item agreement: item 0 5/6 OK, item 1 5/6 NG, item 2 4/6 OK: all three unstable
        assertEquals(3, s.unstableItems().size());
        assertEquals(0.8333, s.unstableItems().get(0).agreement());
        assertEquals(0.6667, s.unstableItems().get(2).agreement());
        // variant agreement with the item's majority: base 6/6, a 5/6, b 3/6
        assertEquals(1.0, by.get("base").agreement());
        assertEquals(0.8333, by.get("a").agreement());
        assertEquals(0.5, by.get("b").agreement());
        // Fleiss' kappa: counts (OK, NG, invalid) per item: [5,1,0], [0,5,1], [4,2,0]; n = 6
        // P_i = (25+1-6)/30 = 0.6667, (25+1-6)/30 = 0.6667, (16+4-6)/30 = 0.4667; P̄ = 0.6
        // p = (9/18, 8/18, 1/18); P̄e = 0.25 + 0.1975 + 0.0031 = 0.4506; κ = (0.6 - 0.4506)/(1 - 0.4506) = 0.2719
        assertEquals(0.2719, s.kappa());
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
        Statistics.Summary s = Statistics.of(calls, List.of("base", "a"));
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
        Statistics.Summary some = Statistics.of(calls, List.of("base", "a"));
        assertEquals(0.75, some.errorRate());
        assertEquals(1.0, some.variants().get(1).flipRate(), "1 flip of the 1 pair answered by both");
        assertEquals(0.5, some.accuracy());
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
        Statistics.Summary s = Statistics.of(calls, List.of("base", "a", "b"));
        assertEquals(0.0078, s.variants().get(1).mcnemarP()); // 2 × 0.5^8
        assertTrue(s.variants().get(1).significant());
        assertEquals(0.5, s.variants().get(2).mcnemarP()); // 2 × 0.5^2
        assertTrue(!s.variants().get(2).significant());
        assertNull(s.variants().get(0).mcnemarP(), "the base is not tested against itself");
        assertEquals(List.of(0.7225, 1.0), s.variants().get(0).accuracyCi(), "10 of 10: Wilson (0.7225, 1.0)");
        assertTrue(s.precision().contains("too small"), s.precision());
    }
}
