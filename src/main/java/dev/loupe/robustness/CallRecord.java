package dev.loupe.robustness;

/**
 * One call of a run: one item, asked in one wording, one repeat.
 *
 * @param decision the verdict's decision; {@code invalid} when the answer was no verdict; {@code error}
 *                 when no answer came (backend down, timeout, image unreadable, a failure storing it)
 * @param status   accepted, needs_review, or error
 * @param outcome  valid_first_try, repaired, reasked, invalid, or why there was no answer
 * @param repairs  the repairs named, space-separated; for an error, what went wrong
 * @param score    the decision's probability (the envelope's score), or null without one
 */
public record CallRecord(int item, String variant, int repeat, String imageSha256, String label, String decision,
        String status, String outcome, String repairs, double latencyMs, Double score) {

    /** A call without a score. */
    public CallRecord(int item, String variant, int repeat, String imageSha256, String label, String decision,
            String status, String outcome, String repairs, double latencyMs) {
        this(item, variant, repeat, imageSha256, label, decision, status, outcome, repairs, latencyMs, null);
    }

    public static final String INVALID = "invalid";
    public static final String ERROR = "error";

    /** Whether the model answered at all: only answered calls say anything about the wording. */
    public boolean answered() {
        return !ERROR.equals(decision);
    }

    public boolean correct() {
        return "accepted".equals(status) && decision.equals(label);
    }

    static CallRecord error(int item, String variant, int repeat, String imageSha256, String label, String why,
            String detail, double latencyMs) {
        return new CallRecord(item, variant, repeat, imageSha256, label, ERROR, ERROR, why,
                detail == null ? "" : detail.length() > 500 ? detail.substring(0, 500) : detail, latencyMs);
    }
}
