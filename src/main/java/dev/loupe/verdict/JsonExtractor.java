package dev.loupe.verdict;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Finds the JSON values in what a model said: reasoning in {@code <think>} blocks is dropped, and every
 * object or array standing in the text, inside code fences (``` or ~~~, any info string) or outside
 * them, is read leniently, in the order they stand. The whole answer is searched (its size is bounded
 * where it is received, {@code max-answer-size}); the parsing is bounded: at most {@link #MAX_ATTEMPTS}
 * starting points are tried and {@link #MAX_CANDIDATES} values kept.
 */
final class JsonExtractor {

    static final int MAX_ATTEMPTS = 32;
    static final int MAX_CANDIDATES = 8;

    /**
     * One value found, with the repairs reading it took, whether text stood around it, and where it
     * stands in the answer (after think blocks were dropped).
     */
    record Candidate(JsonNode value, Set<Repair> repairs, boolean prose, int start, int end) {}

    /**
     * @param found       the values, in the order they stand in the answer
     * @param repairs     what finding them took (think blocks, fences)
     * @param firstError  why the first attempt failed, when nothing was found
     * @param text        the answer searched: think blocks dropped, fences left where they are
     */
    record Extraction(List<Candidate> found, Set<Repair> repairs, String firstError, String text) {}

    private JsonExtractor() {}

    static Extraction extract(String raw) {
        Set<Repair> repairs = EnumSet.noneOf(Repair.class);
        String text = stripThink(raw, repairs);
        List<int[]> segments = segments(text);
        if (segments.size() > 1 || segments.get(0)[0] != 0 || segments.get(0)[1] != text.length()) {
            repairs.add(Repair.STRIP_CODE_FENCE);
        }
        List<Candidate> found = new ArrayList<>(2);
        String firstError = null;
        int attempts = 0;
        for (int[] segment : segments) {
            String region = text.substring(segment[0], segment[1]);
            int pos = 0;
            while (found.size() < MAX_CANDIDATES && attempts < MAX_ATTEMPTS) {
                int start = nextOpening(region, pos);
                if (start < 0) {
                    break;
                }
                attempts++;
                try {
                    LenientJsonParser.Result result = LenientJsonParser.parse(region, start);
                    boolean prose = !region.substring(0, start).isBlank() || !region.substring(result.end()).isBlank();
                    found.add(new Candidate(result.value(), result.repairs(), prose, segment[0] + start,
                            segment[0] + result.end()));
                    pos = result.end();
                } catch (LenientJsonParser.SyntaxError e) {
                    if (firstError == null) {
                        firstError = e.getMessage();
                    }
                    pos = start + 1;
                }
            }
        }
        found.sort(java.util.Comparator.comparingInt(Candidate::start));
        return new Extraction(List.copyOf(found), repairs, firstError, text);
    }

    /**
     * Where to look, in this order: the bodies of the code fences (``` or ~~~; an unclosed one runs to
     * the end), then the text outside them. Without fences, the whole text.
     */
    private static List<int[]> segments(String text) {
        List<int[]> fenced = new ArrayList<>(1);
        List<int[]> outside = new ArrayList<>(2);
        int pos = 0;
        while (true) {
            int open = indexOfFence(text, pos);
            if (open < 0) {
                break;
            }
            outside.add(new int[] {pos, open});
            String marker = text.substring(open, open + 3);
            int bodyStart = text.indexOf('\n', open);
            if (bodyStart < 0) {
                // ```{"decision": ...}``` on one line
                bodyStart = open + 3;
                while (bodyStart < text.length() && Character.isLetter(text.charAt(bodyStart))) {
                    bodyStart++;
                }
            } else {
                bodyStart++;
            }
            int close = text.indexOf(marker, bodyStart);
            fenced.add(new int[] {bodyStart, close < 0 ? text.length() : close});
            if (close < 0) {
                pos = text.length();
                break;
            }
            pos = close + 3;
        }
        outside.add(new int[] {pos, text.length()});
        List<int[]> segments = new ArrayList<>(fenced);
        outside.stream().filter(range -> range[1] > range[0]).forEach(segments::add);
        return segments.isEmpty() ? List.of(new int[] {0, 0}) : segments;
    }

    /** Removes {@code <think>…</think>}; an unclosed block runs to the end (the model never finished thinking). */
    private static String stripThink(String text, Set<Repair> repairs) {
        int open = text.indexOf("<think>");
        int strayClose = text.indexOf("</think>");
        if (open < 0 && strayClose < 0) {
            return text;
        }
        repairs.add(Repair.STRIP_THINK);
        StringBuilder out = new StringBuilder(text.length());
        int pos = 0;
        if (strayClose >= 0 && (open < 0 || strayClose < open)) {
            // Some chat templates put <think> in the prompt, so the answer starts inside the block.
            pos = strayClose + "</think>".length();
            open = text.indexOf("<think>", pos);
        }
        while (open >= 0) {
            out.append(text, pos, open);
            int close = text.indexOf("</think>", open);
            if (close < 0) {
                return out.toString();
            }
            pos = close + "</think>".length();
            open = text.indexOf("<think>", pos);
        }
        return out.append(text, pos, text.length()).toString();
    }

    private static int indexOfFence(String text, int from) {
        int backticks = text.indexOf("```", from);
        int tildes = text.indexOf("~~~", from);
        if (backticks < 0) {
            return tildes;
        }
        return tildes < 0 ? backticks : Math.min(backticks, tildes);
    }

    private static int nextOpening(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{' || c == '[' || c == '｛' || c == '［') {
                return i;
            }
        }
        return -1;
    }
}
