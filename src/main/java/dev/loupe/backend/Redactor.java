package dev.loupe.backend;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Blanks secrets out of text that came from a backend before it goes anywhere else (envelope,
 * raw output, logs, problem details): every configured key and URL password, as it is and
 * URL-encoded, since a model or proxy may echo a request header or URL back in what it says.
 */
public final class Redactor {

    static final String BLANK = "***";
    /** Shorter values could be common words; a key this short is no key worth hiding. */
    private static final int MIN_SECRET = 6;

    private final List<String> secrets;

    Redactor(Collection<String> secrets) {
        Set<String> forms = new LinkedHashSet<>();
        for (String secret : secrets) {
            if (secret != null && secret.strip().length() >= MIN_SECRET) {
                String s = secret.strip();
                forms.add(s);
                forms.add(URLEncoder.encode(s, StandardCharsets.UTF_8));
                forms.add(URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"));
            }
        }
        // Longest first, so a key that contains another is blanked whole.
        this.secrets = forms.stream().sorted((a, b) -> b.length() - a.length()).toList();
    }

    public String redact(String text) {
        if (text == null || secrets.isEmpty()) {
            return text;
        }
        String out = text;
        for (String secret : secrets) {
            if (out.contains(secret)) {
                out = out.replace(secret, BLANK);
            }
        }
        return out;
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
