package dev.loupe.verdict;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * What became of one answer.
 *
 * @param verdict    the schema-valid object, or null when none could be had
 * @param repairs    what was done to the raw text to obtain it, in a fixed order
 * @param violations what is still wrong; empty exactly when {@code verdict} is present
 */
public record VerdictOutcome(ObjectNode verdict, List<Repair> repairs, List<Violation> violations) {

    public boolean valid() {
        return verdict != null;
    }
}
