package dev.loupe.inspect;

import dev.loupe.backend.VisionReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The probability of a verdict's decision, from the model's own token probabilities: at the token
 * where the decision field's value begins, the probability of the chosen value's first token,
 * normalised over the first tokens of the decision's values found among that place's alternatives
 * (a value absent there counts 0). Never the confidence a model writes into its JSON.
 *
 * <p>Where the value begins is found in the answer's text ({@code "decision": "NG"}), and the text is
 * cut into the tokens the server returned; a token may hold the value's opening quote before it
 * ({@code "NG} or {@code  "N}), so an alternative counts for a value when, after that same beginning,
 * it starts the value (or the value starts it). Empty when the server gave no token probabilities,
 * the tokens do not spell the answer, or the value as written is not one of the decisions (a synonym
 * that a repair mapped).
 */
public final class DecisionScore {

    private DecisionScore() {}

    /**
     * @param text    the answer as the model wrote it, which the tokens spell
     * @param field   the decision field, e.g. {@code decision}
     * @param values  the decision's values (OK, NG)
     * @param chosen  the verdict's decision
     */
    public static Optional<Double> of(List<VisionReply.Token> tokens, String text, String field, List<String> values,
            String chosen) {
        if (tokens == null || tokens.isEmpty() || text == null) {
            return Optional.empty();
        }
        int start = valueStart(text, field, chosen);
        if (start < 0) {
            return Optional.empty();
        }
        int at = 0;
        for (VisionReply.Token token : tokens) {
            int end = at + token.text().length();
            if (end > text.length() || !text.startsWith(token.text(), at)) {
                return Optional.empty(); // the tokens do not spell this answer
            }
            if (start < end) {
                return score(token, text.substring(at, start), values, chosen);
            }
            at = end;
        }
        return Optional.empty();
    }

    private static Optional<Double> score(VisionReply.Token token, String before, List<String> values, String chosen) {
        List<VisionReply.Alternative> alternatives = new ArrayList<>(token.top());
        if (alternatives.stream().noneMatch(a -> a.text().equals(token.text()))) {
            alternatives.add(new VisionReply.Alternative(token.text(), token.logprob()));
        }
        double forChosen = 0;
        double forAny = 0;
        for (VisionReply.Alternative alternative : alternatives) {
            if (!alternative.text().startsWith(before) || alternative.text().length() == before.length()) {
                continue;
            }
            String rest = alternative.text().substring(before.length());
            double p = Math.exp(alternative.logprob());
            boolean any = false;
            for (String value : values) {
                if (value.startsWith(rest) || rest.startsWith(value)) {
                    any = true;
                    forChosen += value.equals(chosen) ? p : 0;
                }
            }
            forAny += any ? p : 0;
        }
        return forAny > 0 ? Optional.of(Math.min(1, forChosen / forAny)) : Optional.empty();
    }

    /** Where the value of {@code "field": "value"} begins, for the first such pair with the chosen value; -1 if none. */
    private static int valueStart(String text, String field, String chosen) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(field) + "\"\\s*:\\s*\"").matcher(text);
        while (m.find()) {
            if (text.startsWith(chosen + "\"", m.end())) {
                return m.end();
            }
        }
        return -1;
    }
}
