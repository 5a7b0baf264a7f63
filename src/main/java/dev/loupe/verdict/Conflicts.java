package dev.loupe.verdict;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every decision an answer names, wherever it hides, so that an answer naming two is a conflict and
 * no verdict. Looked for, in the answer with its think blocks dropped:
 * <ol>
 * <li>every object the extractor read, fenced or not, and every object nested in one, at any depth,
 * that holds the decision field (so {@code {"result": {"decision": "OK"}, "decision": "NG"}} names both);
 * <li>every {@code "<decision field>": "<value>"} pair in the text, parsed or not (a truncated object, or
 * one past the parser's bounds, still names its decision);
 * <li>in the prose outside those objects, an explicit statement of the part's decision: in English
 * {@code the part|sample|specimen|decision|verdict|result|answer is|: <value>}, {@code correction: <value>},
 * {@code should be <value>}; in Chinese {@code 判定|结论|结果|判断|答案|零件|样品 为|是|： <value>},
 * {@code 更正|修正|纠正： <value>}.
 * </ol>
 * A value is a decision of the schema or a synonym of one ({@code synonyms.yaml}), in any case or
 * width. A word standing alone in prose ("OK, here is the verdict") is not a statement of the decision.
 */
final class Conflicts {

    private static final String VALUE = "[\"“”'「」]?\\s*([\\p{L}\\p{N}_-]{1,20})";
    private static final Pattern ENGLISH = Pattern.compile("(?iu)\\b(?:(?:the\\s+)?(?:part|sample|specimen|decision|"
            + "verdict|result|answer)\\s*(?:is\\s*[:：]?|[:：=])|correction\\s*[:：]|should\\s+be)\\s*" + VALUE);
    private static final Pattern CHINESE = Pattern.compile("(?u)(?:判定|结论|结果|判断|答案|零件|样品|更正|修正|纠正)\\s*"
            + "(?:应为|为|是|[:：=])\\s*" + VALUE);

    /** The {@code "<field>": "<value>"} pattern per decision field: compiled once, not per answer. */
    private static final Map<String, Pattern> PAIRS = new java.util.concurrent.ConcurrentHashMap<>();

    private Conflicts() {}

    /** The decisions named in the answer beyond the top level of the objects read (which the caller checks). */
    static Set<String> named(JsonExtractor.Extraction extraction, VerdictContract contract) {
        Set<String> named = new LinkedHashSet<>();
        String field = contract.decisionField();
        for (JsonExtractor.Candidate candidate : extraction.found()) {
            nested(candidate.value(), field, contract, named, true);
        }
        Matcher pair = PAIRS.computeIfAbsent(field, f -> Pattern.compile("[\"“”']" + Pattern.quote(f)
                + "[\"“”']\\s*[:：]\\s*[\"“”']([^\"“”'\\n]{1,40})")).matcher(extraction.text());
        while (pair.find()) {
            contract.decisionOf(pair.group(1).strip()).ifPresent(named::add);
        }
        String prose = outsideObjects(extraction);
        if (prose.isBlank()) {
            return named; // an answer that is only JSON: no prose to search (the patterns would try every blank)
        }
        for (Pattern statement : new Pattern[] {ENGLISH, CHINESE}) {
            Matcher m = statement.matcher(prose);
            while (m.find()) {
                contract.decisionOf(m.group(1)).ifPresent(named::add);
            }
        }
        return named;
    }

    /** Decisions held by objects inside {@code node} (the node itself only when {@code top} is false). */
    private static void nested(JsonNode node, String field, VerdictContract contract, Set<String> named, boolean top) {
        if (node == null) {
            return;
        }
        if (node.isObject()) {
            JsonNode value = node.get(field);
            if (!top && value != null && value.isTextual()) {
                contract.decisionOf(value.textValue()).ifPresent(named::add);
            }
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                nested(fields.next().getValue(), field, contract, named, false);
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                nested(element, field, contract, named, false);
            }
        }
    }

    /** The answer with the objects read blanked out: the prose around them. */
    private static String outsideObjects(JsonExtractor.Extraction extraction) {
        StringBuilder prose = new StringBuilder(extraction.text());
        for (JsonExtractor.Candidate candidate : extraction.found()) {
            for (int i = candidate.start(); i < candidate.end() && i < prose.length(); i++) {
                prose.setCharAt(i, ' ');
            }
        }
        return prose.toString();
    }
}
