package dev.loupe.verdict;

/**
 * One thing still wrong with an answer.
 *
 * @param path    JSON Pointer of the offending value ({@code ""} for the whole answer)
 * @param keyword the schema keyword that failed ({@code enum}, {@code required}, ...), or
 *                {@code json} when no JSON object could be read at all
 */
public record Violation(String path, String keyword, String message) {

    static Violation unreadable(String message) {
        return new Violation("", "json", message);
    }
}
