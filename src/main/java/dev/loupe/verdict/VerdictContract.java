package dev.loupe.verdict;

/** What an answer must satisfy, and the words that may stand for the schema's values. */
public record VerdictContract(VerdictSchema schema, Synonyms synonyms) {}
