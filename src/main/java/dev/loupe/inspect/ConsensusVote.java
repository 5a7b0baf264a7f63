package dev.loupe.inspect;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The vote of a consensus, pure: each wording's decision in, the majority and its share out. An
 * answer that is no verdict (invalid, conflicting, failed) votes {@code invalid} and counts against
 * the agreement; a tie between decisions is no majority.
 */
final class ConsensusVote {

    /** The vote of a wording whose answer is not a valid verdict. */
    static final String INVALID = "invalid";

    /** One wording's answer: its decision, or null when it gave none, and how the answer ended. */
    record Ballot(String variant, String decision, String result) {}

    /**
     * @param winner    the majority decision, or null when there is none (no valid answer, or a tie)
     * @param shortfall why the vote does not stand (no majority, or agreement below the minimum); null when it does
     */
    record Tally(String winner, double agreement, Map<String, Integer> votes, List<Envelope.VariantResult> results,
            String shortfall) {

        boolean stands() {
            return shortfall == null;
        }
    }

    private ConsensusVote() {}

    static Tally count(List<Ballot> ballots, double minAgreement) {
        Map<String, Integer> votes = new TreeMap<>();
        for (Ballot ballot : ballots) {
            votes.merge(ballot.decision() == null ? INVALID : ballot.decision(), 1, Integer::sum);
        }
        String majority = null;
        int top = 0;
        boolean tie = false;
        for (Map.Entry<String, Integer> entry : votes.entrySet()) {
            if (entry.getKey().equals(INVALID)) {
                continue;
            }
            if (entry.getValue() > top) {
                majority = entry.getKey();
                top = entry.getValue();
                tie = false;
            } else if (entry.getValue() == top) {
                tie = true;
            }
        }
        double agreement = ballots.isEmpty() ? 0 : Math.round(1000.0 * top / ballots.size()) / 1000.0;
        String winner = tie ? null : majority;
        String shortfall = winner == null
                ? "the wordings reached no majority: " + votes
                : agreement < minAgreement
                        ? String.format(Locale.ROOT, "the wordings agree %.3f on %s, below the profile's %.2f: %s",
                                agreement, winner, minAgreement, votes)
                        : null;
        List<Envelope.VariantResult> results = ballots.stream()
                .map(b -> new Envelope.VariantResult(b.variant(), b.decision(), b.result()))
                .toList();
        return new Tally(winner, agreement, votes, results, shortfall);
    }
}
