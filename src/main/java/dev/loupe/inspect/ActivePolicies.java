package dev.loupe.inspect;

import java.util.Optional;

/**
 * The certified auto-acceptance policy in force for a profile, if any: a verdict with the pass value
 * whose score is below its threshold (or has none) is held for review. Read on every inspection, so
 * from memory: whoever keeps policies (the policy package) refreshes what this answers.
 */
public interface ActivePolicies {

    Optional<Envelope.PolicyRef> active(String profile);
}
