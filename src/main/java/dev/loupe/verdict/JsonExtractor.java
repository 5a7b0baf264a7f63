package dev.loupe.verdict;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the JSON object in what a model said: inside a markdown code fence, or amid prose.
 * Each step that removed something is named, so the envelope shows what was done to the answer.
 */
final class JsonExtractor {

    static final String STRIP_CODE_FENCE = "strip_code_fence";
    static final String STRIP_PROSE = "strip_prose";

    /** @param json the candidate object text, or null when the answer holds no '{' at all */
    record Extraction(String json, List<String> repairs) {}

    private JsonExtractor() {}

    static Extraction extract(String raw) {
        List<String> repairs = new ArrayList<>(2);
        String text = raw;
        String fenced = fencedBlock(text);
        if (fenced != null) {
            text = fenced;
            repairs.add(STRIP_CODE_FENCE);
        }
        int start = text.indexOf('{');
        if (start < 0) {
            return new Extraction(null, repairs);
        }
        int end = matchingBrace(text, start);
        String json = end < 0 ? text.substring(start) : text.substring(start, end + 1);
        boolean proseBefore = !text.substring(0, start).isBlank();
        boolean proseAfter = end >= 0 && !text.substring(end + 1).isBlank();
        if (proseBefore || proseAfter) {
            repairs.add(STRIP_PROSE);
        }
        return new Extraction(json, repairs);
    }

    /** The body of the first ``` or ~~~ fence (any info string), or null when there is none. */
    private static String fencedBlock(String text) {
        for (String marker : new String[] {"```", "~~~"}) {
            int open = text.indexOf(marker);
            if (open < 0) {
                continue;
            }
            int bodyStart = text.indexOf('\n', open);
            if (bodyStart < 0) {
                continue;
            }
            int close = text.indexOf(marker, bodyStart + 1);
            // An unclosed fence is still a fence: the model ran out of tokens or forgot to close it.
            return close < 0 ? text.substring(bodyStart + 1) : text.substring(bodyStart + 1, close);
        }
        return null;
    }

    /** Index of the '}' closing the '{' at start, skipping braces inside strings; -1 if never closed. */
    private static int matchingBrace(String text, int start) {
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }
}
