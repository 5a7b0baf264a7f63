package dev.loupe.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * Packages by feature depend on each other one way: no cycle among {@code dev.loupe.*} packages, read from the
 * compiled classes by the JDK's own jdeps (so an import hidden in a fully qualified name counts too). A cycle
 * found is named with its packages.
 */
class PackageCyclesTest {

    @Test
    void noPackageDependsOnItselfThroughOthers() {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        StringWriter out = new StringWriter();
        int code = jdeps.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "-verbose:package",
                "target/classes");
        assertEquals(0, code, out.toString());
        Map<String, Set<String>> uses = new TreeMap<>();
        for (String line : out.toString().split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length >= 3 && parts[1].equals("->") && parts[0].startsWith("dev.loupe")
                    && parts[2].startsWith("dev.loupe") && !parts[0].equals(parts[2])) {
                uses.computeIfAbsent(parts[0], p -> new TreeSet<>()).add(parts[2]);
            }
        }
        assertTrue(uses.size() > 10, "jdeps read the packages: " + uses.keySet());
        assertEquals(List.of(), cycles(uses), "package cycles");
    }

    /** Tarjan's strongly connected components of more than one package. */
    private static List<Set<String>> cycles(Map<String, Set<String>> uses) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        List<Set<String>> found = new ArrayList<>();
        int[] next = {0};
        for (String p : uses.keySet()) {
            if (!index.containsKey(p)) {
                visit(p, uses, index, low, stack, found, next);
            }
        }
        return found;
    }

    private static void visit(String v, Map<String, Set<String>> uses, Map<String, Integer> index,
            Map<String, Integer> low, Deque<String> stack, List<Set<String>> found, int[] next) {
        index.put(v, next[0]);
        low.put(v, next[0]++);
        stack.push(v);
        for (String w : uses.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                visit(w, uses, index, low, stack, found, next);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (stack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                found.add(component);
            }
        }
    }
}
