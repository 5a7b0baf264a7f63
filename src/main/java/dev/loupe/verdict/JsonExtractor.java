package dev.loupe.verdict;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Finds the JSON values in what a model said: reasoning in {@code <think>} blocks is dropped, code
 * fences (``` or ~~~, any info string) are looked into first, and every object or array standing in
 * the text is read leniently, in order. The work is bounded: only the first {@link #MAX_CHARS}
 * characters are searched, and at most {@link #MAX_ATTEMPTS} starting points are tried.
 */
final class JsonExtractor {

    static final int MAX_CHARS = 64 * 1024;
    static final int MAX_ATTEMPTS = 32;
    static final int MAX_CANDIDATES = 8;

    /** One value found, with the repairs reading it took, and whether text stood around it. */
    record Candidate(JsonNode value, Set<Repair> repairs, boolean prose) {}

    /**
     * @param found       the values, in the order they stand in the answer
     * @param repairs     what finding them took (think blocks, fences)
     * @param firstError  why the first attempt failed, when nothing was found
     */
    record Extraction(List<Candidate> found, Set<Repair> repairs, String firstError) {}

    private JsonExtractor() {}

    static Extraction extract(String raw) {
        Set<Repair> repairs = EnumSet.noneOf(Repair.class);
        String text = raw.length() > MAX_CHARS ? raw.substring(0, MAX_CHARS) : raw;
        text = stripThink(text, repairs);
        List<String> regions = fencedBlocks(text);
        if (regions.isEmpty()) {
            regions = List.of(text);
        } else {
            repairs.add(Repair.STRIP_CODE_FENCE);
        }
        List<Candidate> found = new ArrayList<>(2);
        String firstError = null;
        int attempts = 0;
        for (String region : regions) {
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
                    found.add(new Candidate(result.value(), result.repairs(), prose));
                    pos = result.end();
                } catch (LenientJsonParser.SyntaxError e) {
                    if (firstError == null) {
                        firstError = e.getMessage();
                    }
                    pos = start + 1;
                }
            }
        }
        return new Extraction(found, repairs, firstError);
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

    /** The bodies of all ``` or ~~~ fences; an unclosed fence runs to the end. */
    private static List<String> fencedBlocks(String text) {
        List<String> blocks = new ArrayList<>(1);
        int pos = 0;
        while (true) {
            int open = indexOfFence(text, pos);
            if (open < 0) {
                return blocks;
            }
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
            blocks.add(close < 0 ? text.substring(bodyStart) : text.substring(bodyStart, close));
            if (close < 0) {
                return blocks;
            }
            pos = close + 3;
        }
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
