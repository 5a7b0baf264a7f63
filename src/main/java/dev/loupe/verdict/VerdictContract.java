package dev.loupe.verdict;

import java.util.Optional;

/** What an answer must satisfy, and the words that may stand for the schema's values. */
public record VerdictContract(VerdictSchema schema, Synonyms synonyms) {

    /** The schema's {@code decision} a word means (OK for ok, ＯＫ or 合格), if any. */
    public Optional<String> decisionOf(String word) {
        return SchemaCoercer.enumMatch(schema.document().path("properties").path("decision").path("enum"), word, synonyms);
    }
}
