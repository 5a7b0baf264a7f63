package dev.loupe.robustness;

/**
 * One call of a run: one item, asked in one wording, one repeat.
 *
 * @param decision the verdict's decision, or {@code invalid} when there was none
 * @param status   accepted, needs_review, or error (no envelope: the backend failed)
 * @param outcome  valid_first_try, repaired, reasked, invalid, or the backend failure
 */
public record CallRecord(int item, String variant, int repeat, String imageSha256, String label, String decision,
        String status, String outcome, String repairs, double latencyMs) {

    public static final String INVALID = "invalid";

    public boolean correct() {
        return "accepted".equals(status) && decision.equals(label);
    }
}
