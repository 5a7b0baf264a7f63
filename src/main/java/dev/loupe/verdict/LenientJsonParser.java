package dev.loupe.verdict;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.EnumSet;
import java.util.Set;

/**
 * Reads one JSON value the way models write it, and names every liberty it takes: single or curly
 * quotes, unquoted keys, comments, Python literals, full-width punctuation, raw newlines in strings,
 * NaN/Infinity (read as null: JSON has no such numbers), missing or trailing commas, and output cut
 * off mid-way (open strings, arrays and objects are closed; a member whose value never came is
 * dropped, never filled). Duplicate keys are an error: which one the model meant is unknowable.
 * Nesting is bounded, so hostile input costs linear time and no deep stack.
 */
final class LenientJsonParser {

    static final int MAX_DEPTH = 32;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** @param end index just after the value */
    record Result(JsonNode value, int end, Set<Repair> repairs) {}

    /** Why the text at a position is not a JSON value, even leniently. */
    static final class SyntaxError extends Exception {
        SyntaxError(String message) {
            super(message, null, false, false); // no stack trace: garbage is common and must be cheap
        }
    }

    /** The text ended inside a value. */
    private static final class EndOfInput extends Exception {
        private static final EndOfInput INSTANCE = new EndOfInput();

        private EndOfInput() {
            super(null, null, false, false);
        }
    }

    private final String s;
    private int pos;
    private int depth;
    private final EnumSet<Repair> repairs = EnumSet.noneOf(Repair.class);

    private LenientJsonParser(String s, int start) {
        this.s = s;
        this.pos = start;
    }

    /** Parses the value starting at {@code start} (an opening brace or bracket). */
    static Result parse(String text, int start) throws SyntaxError {
        LenientJsonParser parser = new LenientJsonParser(text, start);
        try {
            JsonNode value = parser.value();
            return new Result(value, parser.pos, parser.repairs);
        } catch (EndOfInput e) {
            throw new SyntaxError("the answer ends before any value");
        }
    }

    private JsonNode value() throws SyntaxError, EndOfInput {
        skipSpace();
        if (pos >= s.length()) {
            throw EndOfInput.INSTANCE;
        }
        char c = s.charAt(pos);
        switch (c) {
            case '{', '｛' -> {
                return object();
            }
            case '[', '［' -> {
                return array();
            }
            case '"' -> {
                pos++;
                return NODES.textNode(string('"'));
            }
            case '\'' -> {
                repairs.add(Repair.SINGLE_QUOTES);
                pos++;
                return NODES.textNode(string('\''));
            }
            case '“' -> {
                repairs.add(Repair.CURLY_QUOTES);
                pos++;
                return NODES.textNode(string('”'));
            }
            case '‘' -> {
                repairs.add(Repair.CURLY_QUOTES);
                pos++;
                return NODES.textNode(string('’'));
            }
            default -> {
                if (c == '-' || c == '+' || (c >= '0' && c <= '9') || c == '.') {
                    return number();
                }
                if (Character.isLetter(c)) {
                    return word();
                }
                throw new SyntaxError("unexpected '" + c + "' at character " + pos);
            }
        }
    }

    private ObjectNode object() throws SyntaxError, EndOfInput {
        if (s.charAt(pos) == '｛') {
            repairs.add(Repair.FULLWIDTH_PUNCTUATION);
        }
        pos++;
        enter();
        ObjectNode object = NODES.objectNode();
        while (true) {
            skipSpace();
            if (pos >= s.length()) {
                return truncated(object);
            }
            char c = s.charAt(pos);
            if (c == '}' || c == '｝') {
                closing(c);
                break;
            }
            if (c == ',' || c == '，') {
                // a comma where a member should start: "{, ..." or ",,"
                separator(c);
                repairs.add(Repair.TRAILING_COMMA);
                continue;
            }
            String key = key();
            skipSpace();
            if (pos >= s.length()) {
                return truncated(object);
            }
            char colon = s.charAt(pos);
            if (colon != ':' && colon != '：') {
                throw new SyntaxError("expected ':' after key '" + key + "' at character " + pos);
            }
            if (colon == '：') {
                repairs.add(Repair.FULLWIDTH_PUNCTUATION);
            }
            pos++;
            JsonNode value;
            try {
                value = value();
            } catch (EndOfInput e) {
                return truncated(object); // the member never got its value: dropped, not filled
            }
            if (object.has(key)) {
                throw new SyntaxError("duplicate key '" + key + "'");
            }
            object.set(key, value);
            skipSpace();
            if (pos >= s.length()) {
                return truncated(object);
            }
            c = s.charAt(pos);
            if (c == ',' || c == '，') {
                separator(c);
                skipSpace();
                if (pos < s.length() && (s.charAt(pos) == '}' || s.charAt(pos) == '｝')) {
                    repairs.add(Repair.TRAILING_COMMA);
                }
            } else if (c == '}' || c == '｝') {
                closing(c);
                break;
            } else if (startsKey(c)) {
                repairs.add(Repair.MISSING_COMMA);
            } else {
                throw new SyntaxError("expected ',' or '}' at character " + pos);
            }
        }
        depth--;
        return object;
    }

    private ArrayNode array() throws SyntaxError, EndOfInput {
        if (s.charAt(pos) == '［') {
            repairs.add(Repair.FULLWIDTH_PUNCTUATION);
        }
        pos++;
        enter();
        ArrayNode array = NODES.arrayNode();
        while (true) {
            skipSpace();
            if (pos >= s.length()) {
                return truncated(array);
            }
            char c = s.charAt(pos);
            if (c == ']' || c == '］') {
                closing(c);
                break;
            }
            JsonNode value;
            try {
                value = value();
            } catch (EndOfInput e) {
                return truncated(array);
            }
            array.add(value);
            skipSpace();
            if (pos >= s.length()) {
                return truncated(array);
            }
            c = s.charAt(pos);
            if (c == ',' || c == '，') {
                separator(c);
                skipSpace();
                if (pos < s.length() && (s.charAt(pos) == ']' || s.charAt(pos) == '］')) {
                    repairs.add(Repair.TRAILING_COMMA);
                }
            } else if (c == ']' || c == '］') {
                closing(c);
                break;
            } else if (startsValue(c)) {
                repairs.add(Repair.MISSING_COMMA);
            } else {
                throw new SyntaxError("expected ',' or ']' at character " + pos);
            }
        }
        depth--;
        return array;
    }

    private <T extends JsonNode> T truncated(T container) {
        repairs.add(Repair.TRUNCATED);
        depth--;
        return container;
    }

    private void enter() throws SyntaxError {
        if (++depth > MAX_DEPTH) {
            throw new SyntaxError("nested deeper than " + MAX_DEPTH + " levels");
        }
    }

    private void separator(char c) {
        if (c == '，') {
            repairs.add(Repair.FULLWIDTH_PUNCTUATION);
        }
        pos++;
    }

    private void closing(char c) {
        if (c == '｝' || c == '］') {
            repairs.add(Repair.FULLWIDTH_PUNCTUATION);
        }
        pos++;
    }

    private String key() throws SyntaxError, EndOfInput {
        char c = s.charAt(pos);
        switch (c) {
            case '"' -> {
                pos++;
                return string('"');
            }
            case '\'' -> {
                repairs.add(Repair.SINGLE_QUOTES);
                pos++;
                return string('\'');
            }
            case '“' -> {
                repairs.add(Repair.CURLY_QUOTES);
                pos++;
                return string('”');
            }
            case '‘' -> {
                repairs.add(Repair.CURLY_QUOTES);
                pos++;
                return string('’');
            }
            default -> {
                if (!isWordChar(c)) {
                    throw new SyntaxError("expected a key at character " + pos);
                }
                int start = pos;
                while (pos < s.length() && isWordChar(s.charAt(pos))) {
                    pos++;
                }
                repairs.add(Repair.UNQUOTED_KEYS);
                return s.substring(start, pos);
            }
        }
    }

    private String string(char close) throws SyntaxError {
        StringBuilder out = null;
        int runStart = pos;
        while (true) {
            if (pos >= s.length()) {
                repairs.add(Repair.TRUNCATED); // an answer cut off inside a string: close it
                return out == null ? s.substring(runStart) : out.append(s, runStart, pos).toString();
            }
            char c = s.charAt(pos);
            if (c == close) {
                String result = out == null ? s.substring(runStart, pos) : out.append(s, runStart, pos).toString();
                pos++;
                return result;
            }
            if (c == '\\' || c < 0x20) {
                if (out == null) {
                    out = new StringBuilder(Math.max(16, (pos - runStart) * 2));
                }
                out.append(s, runStart, pos);
                if (c == '\\') {
                    escape(out);
                } else {
                    repairs.add(Repair.RAW_NEWLINE); // raw line breaks and tabs: JSON wants them escaped
                    out.append(c);
                    pos++;
                }
                runStart = pos;
                continue;
            }
            pos++;
        }
    }

    private void escape(StringBuilder out) throws SyntaxError {
        if (pos + 1 >= s.length()) {
            pos = s.length();
            return;
        }
        char e = s.charAt(pos + 1);
        pos += 2;
        switch (e) {
            case '"', '\\', '/', '\'' -> out.append(e);
            case 'n' -> out.append('\n');
            case 't' -> out.append('\t');
            case 'r' -> out.append('\r');
            case 'b' -> out.append('\b');
            case 'f' -> out.append('\f');
            case 'u' -> {
                if (pos + 4 > s.length()) {
                    pos = s.length();
                    return;
                }
                try {
                    out.append((char) Integer.parseInt(s, pos, pos + 4, 16));
                } catch (NumberFormatException bad) {
                    throw new SyntaxError("bad \\u escape at character " + (pos - 2));
                }
                pos += 4;
            }
            default -> throw new SyntaxError("bad escape '\\" + e + "' at character " + (pos - 2));
        }
    }

    private JsonNode number() throws SyntaxError, EndOfInput {
        int start = pos;
        if (s.charAt(pos) == '-' || s.charAt(pos) == '+') {
            pos++;
            if (pos < s.length() && Character.isLetter(s.charAt(pos))) {
                return word(); // -Infinity
            }
        }
        while (pos < s.length() && "0123456789.eE+-".indexOf(s.charAt(pos)) >= 0) {
            pos++;
        }
        String text = s.substring(start, pos);
        try {
            BigDecimal value = new BigDecimal(text.startsWith("+") ? text.substring(1) : text);
            if (pos >= s.length()) {
                throw EndOfInput.INSTANCE; // a number at the very end may have been cut short
            }
            if (value.scale() <= 0 && value.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) < 0) {
                long whole = value.longValueExact();
                return whole == (int) whole ? NODES.numberNode((int) whole) : NODES.numberNode(whole);
            }
            return NODES.numberNode(value.doubleValue());
        } catch (NumberFormatException e) {
            if (pos >= s.length()) {
                throw EndOfInput.INSTANCE;
            }
            throw new SyntaxError("bad number '" + text + "' at character " + start);
        }
    }

    private JsonNode word() throws SyntaxError, EndOfInput {
        int start = pos;
        while (pos < s.length() && Character.isLetter(s.charAt(pos))) {
            pos++;
        }
        String word = s.substring(start, pos);
        switch (word) {
            case "true" -> {
                return NODES.booleanNode(true);
            }
            case "false" -> {
                return NODES.booleanNode(false);
            }
            case "null" -> {
                return NODES.nullNode();
            }
            case "True", "False", "None" -> {
                repairs.add(Repair.PYTHON_LITERALS);
                return word.equals("None") ? NODES.nullNode() : NODES.booleanNode(word.equals("True"));
            }
            case "NaN", "Infinity" -> {
                repairs.add(Repair.NAN_INFINITY);
                return NODES.nullNode();
            }
            default -> {
                if (pos >= s.length()) {
                    throw EndOfInput.INSTANCE; // "tr" at the end of a cut-off answer
                }
                throw new SyntaxError("unexpected word '" + word + "' at character " + start);
            }
        }
    }

    /** Skips white space and comments (// line, /* block *\/, # line). */
    private void skipSpace() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\u3000' || c == '\uFEFF') {
                pos++;
            } else if (c == '/' && pos + 1 < s.length() && s.charAt(pos + 1) == '/' || c == '#') {
                repairs.add(Repair.COMMENTS);
                int end = s.indexOf('\n', pos);
                pos = end < 0 ? s.length() : end + 1;
            } else if (c == '/' && pos + 1 < s.length() && s.charAt(pos + 1) == '*') {
                repairs.add(Repair.COMMENTS);
                int end = s.indexOf("*/", pos + 2);
                pos = end < 0 ? s.length() : end + 2;
            } else {
                return;
            }
        }
    }

    private static boolean startsKey(char c) {
        return c == '"' || c == '\'' || c == '“' || c == '‘' || isWordChar(c);
    }

    private static boolean startsValue(char c) {
        return startsKey(c) || c == '{' || c == '[' || c == '｛' || c == '［' || c == '-' || Character.isDigit(c);
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '$';
    }
}
