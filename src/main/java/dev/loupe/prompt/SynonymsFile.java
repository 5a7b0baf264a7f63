package dev.loupe.prompt;

import java.util.List;
import java.util.Map;

/** The shape of {@code synonyms.yaml}: words for the schema's values, and interchangeable prompt words. */
record SynonymsFile(Map<String, List<String>> enumValues, Map<String, List<String>> booleans,
        List<List<String>> promptWords) {}
