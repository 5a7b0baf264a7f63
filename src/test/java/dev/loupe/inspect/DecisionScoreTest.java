package dev.loupe.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.backend.VisionReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The decision's probability read from the answer's tokens, as vLLM returns them. */
class DecisionScoreTest {

    private static final List<String> VALUES = List.of("OK", "NG");

    /** Tokens spelling the pieces, each with no alternatives but those given for the piece {@code at}. */
    private static List<VisionReply.Token> tokens(List<String> pieces, int at, List<VisionReply.Alternative> top) {
        List<VisionReply.Token> tokens = new ArrayList<>();
        for (int i = 0; i < pieces.size(); i++) {
            double own = i == at ? top.get(0).logprob() : -0.01;
            tokens.add(new VisionReply.Token(pieces.get(i), own, i == at ? top : List.of()));
        }
        return tokens;
    }

    private static VisionReply.Alternative alt(String token, double p) {
        return new VisionReply.Alternative(token, Math.log(p));
    }

    @Test
    void theChosenValuesFirstTokenNormalisedOverTheDecisionsValues() {
        // {"decision": "NG", ...}: the value's first token "NG" after the token holding the opening quote.
        List<String> pieces = List.of("{\"", "decision", "\":", " \"", "NG", "\",", " \"reason\": \"x\"}");
        String text = String.join("", pieces);
        // At that place: NG 0.6, OK 0.3, and "N" 0.05 (also the start of NG), "maybe" 0.05 (no value).
        List<VisionReply.Token> tokens = tokens(pieces, 4, List.of(alt("NG", 0.6), alt("OK", 0.3), alt("N", 0.05),
                alt("maybe", 0.05)));
        assertEquals(0.65 / 0.95, DecisionScore.of(tokens, text, "decision", VALUES, "NG").orElseThrow(), 1e-9);
    }

    @Test
    void aTokenHoldingTheOpeningQuoteIsComparedAfterIt() {
        // Some tokenizers join the quote and the value's start: ' "N' then 'G'.
        List<String> pieces = List.of("{\"decision\":", " \"N", "G\", \"reason\": \"x\"}");
        String text = String.join("", pieces);
        List<VisionReply.Token> tokens = tokens(pieces, 1, List.of(alt(" \"N", 0.9), alt(" \"O", 0.08), alt("\"", 0.02)));
        assertEquals(0.9 / 0.98, DecisionScore.of(tokens, text, "decision", VALUES, "NG").orElseThrow(), 1e-9);
    }

    @Test
    void aValueAbsentFromTheAlternativesCountsZero() {
        List<String> pieces = List.of("{\"decision\": \"", "OK", "\"}");
        List<VisionReply.Token> tokens = tokens(pieces, 1, List.of(alt("OK", 0.99), alt("Ok", 0.01)));
        assertEquals(1.0, DecisionScore.of(tokens, String.join("", pieces), "decision", VALUES, "OK").orElseThrow(), 1e-9);
    }

    @Test
    void noScoreWithoutTokensOrWhenTheyDoNotSpellTheAnswerOrTheValueIsASynonym() {
        assertEquals(Optional.empty(), DecisionScore.of(null, "{\"decision\": \"OK\"}", "decision", VALUES, "OK"));
        List<String> pieces = List.of("{\"decision\": \"", "OK", "\"}");
        List<VisionReply.Token> tokens = tokens(pieces, 1, List.of(alt("OK", 0.9)));
        assertTrue(DecisionScore.of(tokens, "something else entirely", "decision", VALUES, "OK").isEmpty());
        List<String> synonym = List.of("{\"decision\": \"", "合格", "\"}");
        assertTrue(DecisionScore.of(tokens(synonym, 1, List.of(alt("合格", 0.9))), String.join("", synonym), "decision",
                VALUES, "OK").isEmpty(), "a repaired synonym has no first token of a decision value");
    }
}
