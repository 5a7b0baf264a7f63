package dev.loupe.backend;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Blanks secrets out of text that came from a backend before it goes anywhere else (envelope,
 * raw output, logs, problem details): every configured key and URL password, since a model or proxy
 * may echo a request header or URL back in what it says. A secret is found in every form it can take
 * in such text, character by character and in any mix: as it is, percent-encoded (either case of
 * hex, {@code +} for a space), and JSON-escaped ({@code \/}, {@code \u002f} in either case), so that
 * a key written with escapes inside the model's JSON is blanked before the JSON is parsed.
 */
public final class Redactor {

    static final String BLANK = "***";
    /** Shorter values could be common words; a key this short is no key worth hiding. */
    private static final int MIN_SECRET = 6;

    private final List<Pattern> secrets;

    Redactor(Collection<String> secrets) {
        Set<String> distinct = new LinkedHashSet<>();
        for (String secret : secrets) {
            if (secret != null && secret.strip().length() >= MIN_SECRET) {
                distinct.add(secret.strip());
            }
        }
        // Longest first, so a key that contains another is blanked whole.
        this.secrets = distinct.stream().sorted((a, b) -> b.length() - a.length()).map(Redactor::anyEncoding).toList();
    }

    public String redact(String text) {
        if (text == null || text.isEmpty() || secrets.isEmpty()) {
            return text;
        }
        String out = text;
        for (Pattern secret : secrets) {
            out = secret.matcher(out).replaceAll(BLANK);
        }
        return out;
    }

    /** Each character as itself, as %XX of its UTF-8 bytes, as a JSON escape; hex digits in either case. */
    private static Pattern anyEncoding(String secret) {
        StringBuilder regex = new StringBuilder(secret.length() * 48);
        secret.codePoints().forEach(c -> {
            String self = new String(Character.toChars(c));
            regex.append("(?:").append(Pattern.quote(self));
            StringBuilder percent = new StringBuilder();
            for (byte b : self.getBytes(StandardCharsets.UTF_8)) {
                percent.append('%').append(hex(String.format(Locale.ROOT, "%02x", b & 0xff)));
            }
            regex.append('|').append(percent);
            if (c == ' ') {
                regex.append("|\\+");
            }
            for (char unit : Character.toChars(c)) {
                regex.append("|\\\\u").append(hex(String.format(Locale.ROOT, "%04x", (int) unit)));
            }
            if (c == '/' || c == '"' || c == '\\') {
                regex.append("|\\\\").append(Pattern.quote(self));
            }
            regex.append(')');
        });
        return Pattern.compile(regex.toString());
    }

    /** Hex digits matching either case. */
    private static String hex(String digits) {
        StringBuilder out = new StringBuilder();
        for (char d : digits.toCharArray()) {
            out.append(Character.isLetter(d) ? "[" + d + Character.toUpperCase(d) + "]" : String.valueOf(d));
        }
        return out.toString();
    }

    /** A URL fit to show: any user-info ({@code user:password@}) blanked. */
    public static String maskUserInfo(String url) {
        try {
            URI uri = URI.create(url);
            if (uri.getRawUserInfo() == null) {
                return url;
            }
            return url.replace(uri.getRawUserInfo() + "@", BLANK + "@");
        } catch (IllegalArgumentException notAUri) {
            return url.replaceAll("//[^/@]*@", "//" + BLANK + "@");
        }
    }

    /** The password of a URL's user-info, if it has one: a secret to blank like a key. */
    static String passwordOf(String url) {
        try {
            String userInfo = URI.create(url).getUserInfo();
            return userInfo == null || !userInfo.contains(":") ? userInfo : userInfo.substring(userInfo.indexOf(':') + 1);
        } catch (IllegalArgumentException notAUri) {
            return null;
        }
    }
}
