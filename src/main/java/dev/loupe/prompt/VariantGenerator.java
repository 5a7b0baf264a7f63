package dev.loupe.prompt;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Rewordings of a base prompt that keep its meaning: the perturbations that flipped verdicts in the
 * field report. Each generated text depends only on the base text, the seed and the variant's name,
 * so the same profile gives the same variants on every machine (java.util.Random's sequence is
 * specified). Text is handled by code points: Chinese and emoji survive intact.
 */
public final class VariantGenerator {

    /** The kinds of perturbation, in the order they take turns. */
    public enum Kind {
        PUNCT, WIDTH, SPACE, SYNONYM, REORDER, DROP_FINAL;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    private static final int[][] PUNCTUATION = {{'。', '.'}, {'，', ','}, {'：', ':'}, {'；', ';'}, {'！', '!'}, {'？', '?'}};
    private static final int MAX_TRIES = 8;

    private final String base;
    private final long seed;
    private final List<List<String>> synonyms;

    /** @param synonyms groups of interchangeable words, e.g. [判断, 判定], from the profile */
    public VariantGenerator(String base, long seed, List<List<String>> synonyms) {
        this.base = base;
        this.seed = seed;
        this.synonyms = synonyms;
    }

    /** The first {@code count} distinct variants, kinds taking turns; each differs from the base and the others. */
    public List<Variant> generate(int count) {
        List<Variant> out = new ArrayList<>(count);
        Set<String> seen = new LinkedHashSet<>();
        seen.add(base);
        int[] index = new int[Kind.values().length];
        int stale = 0;
        for (int turn = 0; out.size() < count && stale < Kind.values().length * MAX_TRIES; turn++) {
            Kind kind = Kind.values()[turn % Kind.values().length];
            int n = ++index[kind.ordinal()];
            String text = apply(kind, new Random(mix(seed, kind.ordinal(), n)));
            if (seen.add(text)) {
                out.add(Variant.of("gen-" + kind.label() + "-" + n, Variant.Source.GENERATED, text));
                stale = 0;
            } else {
                stale++;
            }
        }
        return out;
    }

    String apply(Kind kind, Random random) {
        return switch (kind) {
            case PUNCT -> swapPunctuation(random);
            case WIDTH -> swapWidth(random);
            case SPACE -> changeSpace(random);
            case SYNONYM -> substitute(random);
            case REORDER -> reorder(random);
            case DROP_FINAL -> dropFinal();
        };
    }

    /** Some Chinese punctuation marks become their ASCII twins, or the reverse. */
    private String swapPunctuation(Random random) {
        return perInstructionLine(c -> {
            for (int[] pair : PUNCTUATION) {
                if ((c == pair[0] || c == pair[1]) && random.nextInt(3) == 0) {
                    return c == pair[0] ? pair[1] : pair[0];
                }
            }
            return c;
        });
    }

    /**
     * Some digits and ASCII signs become full-width, some full-width forms half-width. Letters stay:
     * they spell the schema's keys and values, which a rewording must not change.
     */
    private String swapWidth(Random random) {
        return perInstructionLine(c -> {
            if (c >= 0x21 && c <= 0x7E && !Character.isLetter(c) && random.nextInt(2) == 0) {
                return c + 0xFEE0;
            }
            if (c >= 0xFF01 && c <= 0xFF5E && !Character.isLetter(c - 0xFEE0) && random.nextInt(2) == 0) {
                return c - 0xFEE0;
            }
            return c;
        });
    }

    /** Maps the code points of every line except those holding a JSON template ({), which stay exact. */
    private String perInstructionLine(java.util.function.IntUnaryOperator change) {
        String[] lines = base.split("\n", -1);
        StringBuilder out = new StringBuilder(base.length());
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains("{")) {
                out.append(lines[i]);
            } else {
                lines[i].codePoints().map(change).forEach(out::appendCodePoint);
            }
            if (i < lines.length - 1) {
                out.append('\n');
            }
        }
        return out.toString();
    }

    /** A space after some punctuation, a blank line between lines, or trailing spaces. */
    private String changeSpace(Random random) {
        String[] lines = base.split("\n", -1);
        StringBuilder out = new StringBuilder(base.length() + 16);
        int mode = random.nextInt(3);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (mode == 0 && !line.contains("{")) {
                line = line.replace("，", "， ").replace("。", "。 ").stripTrailing();
            } else if (mode == 2) {
                line = line + "  ";
            }
            out.append(line);
            if (i < lines.length - 1) {
                out.append(mode == 1 ? "\n\n" : "\n");
            }
        }
        return out.toString();
    }

    /** One word of a synonym group is replaced by another of its group, in the instruction lines. */
    private String substitute(Random random) {
        String instructions = base.lines().filter(l -> !l.contains("{")).collect(java.util.stream.Collectors.joining("\n"));
        List<String[]> candidates = new ArrayList<>();
        for (List<String> group : synonyms) {
            for (String word : group) {
                if (instructions.contains(word)) {
                    for (String other : group) {
                        if (!other.equals(word)) {
                            candidates.add(new String[] {word, other});
                        }
                    }
                }
            }
        }
        if (candidates.isEmpty()) {
            return base;
        }
        String[] pick = candidates.get(random.nextInt(candidates.size()));
        String[] lines = base.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].contains("{")) {
                lines[i] = lines[i].replace(pick[0], pick[1]);
            }
        }
        return String.join("\n", lines);
    }

    /**
     * Two independent instruction lines change places. A line holding a JSON template ({) stays, and
     * so does a line ending in a colon, which introduces the line after it.
     */
    private String reorder(Random random) {
        String[] lines = base.split("\n", -1);
        List<Integer> movable = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].stripTrailing();
            if (!line.isBlank() && !line.contains("{") && !line.endsWith(":") && !line.endsWith("：")) {
                movable.add(i);
            }
        }
        if (movable.size() < 2) {
            return base;
        }
        int a = random.nextInt(movable.size());
        int b = (a + 1 + random.nextInt(movable.size() - 1)) % movable.size();
        String swap = lines[movable.get(a)];
        lines[movable.get(a)] = lines[movable.get(b)];
        lines[movable.get(b)] = swap;
        return String.join("\n", lines);
    }

    /** The final punctuation mark goes. */
    private String dropFinal() {
        String text = base.stripTrailing();
        if (text.isEmpty()) {
            return base;
        }
        int last = text.codePointBefore(text.length());
        boolean punctuation = Character.getType(last) == Character.OTHER_PUNCTUATION
                || Character.getType(last) == Character.END_PUNCTUATION;
        return punctuation ? text.substring(0, text.length() - Character.charCount(last)) : base;
    }

    private static long mix(long seed, int kind, int n) {
        long h = seed * 0x9E3779B97F4A7C15L + kind * 0xBF58476D1CE4E5B9L + n * 0x94D049BB133111EBL;
        return h ^ (h >>> 31);
    }
}
