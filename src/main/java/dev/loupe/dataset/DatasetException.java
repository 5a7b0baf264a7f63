package dev.loupe.dataset;

import java.util.List;

/** A dataset that cannot be run, with every problem found and its line. */
public class DatasetException extends RuntimeException {

    private final List<String> problems;

    public DatasetException(String file, List<String> problems) {
        super(file + ": " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
