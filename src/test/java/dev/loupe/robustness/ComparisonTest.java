package dev.loupe.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A comparison's verdicts and coverages, on calls whose figures are known: 80 items (70 labelled OK, 10 NG), the
 * serving model answering OK to all of them (its 10 escapes with its highest scores: confidently wrong), the
 * challenger right on every item.
 */
class ComparisonTest {

    private static final Comparison.Policy POLICY = new Comparison.Policy("p-1", 0.05, 0.05);

    private static List<CallRecord> calls(String challengerOnNg) {
        List<CallRecord> calls = new ArrayList<>();
        for (int item = 0; item < 80; item++) {
            String label = item < 70 ? "OK" : "NG";
            // Scores: the serving model is surest on the defective ones, the challenger spreads 0.50..0.99 over OK items.
            double servingScore = item < 70 ? 0.60 + item * 0.004 : 0.99;
            double challengerScore = 0.50 + (item % 70) * 0.007;
            calls.add(new CallRecord(item, "qc-lora", 1, "h" + item, label, "OK", "accepted", "valid_first_try", "", 10,
                    servingScore));
            String decided = item < 70 ? "OK" : challengerOnNg;
            calls.add(new CallRecord(item, "qc-lora-v2", 1, "h" + item, label, decided, "accepted", "valid_first_try", "", 10,
                    decided.equals("OK") ? challengerScore : 0.9));
        }
        return calls;
    }

    private static Comparison compare(List<CallRecord> calls) {
        List<String> models = List.of("qc-lora", "qc-lora-v2");
        return Comparison.of(Statistics.of(calls, models, "OK"), models, calls, "OK", POLICY);
    }

    @Test
    void aChallengerRightWhereTheBaselineLetDefectsThroughIsBetterAndCertifies() {
        Comparison.Verdict v = compare(calls("NG")).of("qc-lora-v2").orElseThrow();
        assertEquals(Comparison.BETTER, v.verdict());
        // statsmodels.stats.contingency_tables.mcnemar([[70, 10], [0, 0]], exact=True).pvalue = 0.001953125 (2 / 2^10)
        assertEquals(0.002, v.mcnemarP(), 1e-9, "rounded to 4 places");
        assertEquals(10, v.discordant());
        assertEquals(0, v.escapes().count());
        assertEquals(10, v.baselineEscapes().count());

        // The challenger's 70 OK verdicts are all right: 0/70, scipy.stats.beta.ppf(0.95, 1, 70) = 0.04190 <= 0.05, so
        // its lowest score is certified and it would accept all of its OK verdicts unreviewed.
        Comparison.Coverage c = v.coverage();
        assertEquals(0.50, c.threshold(), 1e-9);
        assertEquals(1.0, c.coverage(), 1e-9);
        assertEquals(70, c.n());
        assertEquals(0.041893, c.upperBound(), 1e-6);
        // The baseline's surest 59 (the fewest that can certify 0.05 at 95%: ceil(ln 0.05 / ln 0.95)) hold its 10
        // escapes: scipy.stats.beta.ppf(0.95, 11, 49) = 0.27052 > 0.05, so nothing is certified.
        Comparison.Coverage b = v.baselineCoverage();
        assertNull(b.threshold());
        assertEquals(0.0, b.coverage(), 1e-9);
        assertEquals(59, b.n());
        assertEquals(10, b.escapes());
        assertEquals(0.27052, b.upperBound(), 1e-5);
        assertTrue(v.says().startsWith("qc-lora-v2 is better than qc-lora: accuracy 1.000 vs 0.875 on the same 80 items"),
                v.says());
        assertTrue(v.says().contains("it would accept 1.000 (threshold 0.5000) of its OK verdicts unreviewed, against none"),
                v.says());
    }

    @Test
    void aChallengerNoDifferentIsNotShownAndWithoutAPolicyNoCoverageIsClaimed() {
        List<CallRecord> same = calls("OK");
        Comparison.Verdict v = compare(same).of("qc-lora-v2").orElseThrow();
        assertEquals(Comparison.NOT_SHOWN, v.verdict(), "no discordant item: exact McNemar p = 1");
        assertTrue(v.says().startsWith("The evidence does not show that qc-lora-v2 differs from qc-lora"), v.says());
        List<String> models = List.of("qc-lora", "qc-lora-v2");
        Comparison none = Comparison.of(Statistics.of(same, models, "OK"), models, same, "OK", null);
        assertNull(none.of("qc-lora-v2").orElseThrow().coverage());
    }
}
