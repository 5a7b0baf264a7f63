package dev.loupe.hash;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The SHA-256 every content address, provenance hash and key digest in Loupe is: lower-case hex. */
public final class Sha256 {

    private Sha256() {}

    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    /** Of the text's UTF-8 bytes. */
    public static String hex(String text) {
        return hex(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The digest itself, of the text's UTF-8 bytes (a key compared in constant time, a seed). */
    public static byte[] bytes(String text) {
        return digest().digest(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A fresh digest, for hashing in parts. */
    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
