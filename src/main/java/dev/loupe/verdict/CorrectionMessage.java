package dev.loupe.verdict;

import java.util.List;

/** The message that sends an invalid answer's violations back to the model for a corrected one. */
public final class CorrectionMessage {

    /** Where the violation list goes in a profile's {@code correction.txt}. */
    public static final String PLACEHOLDER = "{violations}";

    public static final String DEFAULT_TEMPLATE = """
            Your answer is not valid for the required JSON format:
            {violations}
            Reply with the corrected JSON object only, with no other text.""";

    private static final int MAX_LISTED = 10;

    private CorrectionMessage() {}

    public static String render(String template, List<Violation> violations) {
        StringBuilder list = new StringBuilder();
        violations.stream().limit(MAX_LISTED).forEach(v -> list.append("- ")
                .append(v.path().isEmpty() ? "(whole answer)" : v.path())
                .append(": ").append(v.message()).append('\n'));
        if (violations.size() > MAX_LISTED) {
            list.append("- … and ").append(violations.size() - MAX_LISTED).append(" more\n");
        }
        return template.replace(PLACEHOLDER, list.toString().stripTrailing());
    }
}
