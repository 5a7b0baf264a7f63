package dev.loupe.testing;

import static io.restassured.RestAssured.given;

/**
 * Reads one series from {@code /q/metrics}. Loupe registers its known series at zero, so a test that
 * only asks whether a series exists proves nothing: tests read a value before and after.
 */
public final class Metrics {

    private Metrics() {}

    /**
     * The value of the series {@code name} whose labels include every {@code label, value} pair
     * given; 0 when there is none yet.
     */
    public static double value(String name, String... labels) {
        return read(name, labels, false);
    }

    /** The same, for a series that must exist (a gauge compared to 0 proves nothing if it is missing). */
    public static double present(String name, String... labels) {
        return read(name, labels, true);
    }

    private static double read(String name, String[] labels, boolean required) {
        String scrape = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        double sum = 0;
        boolean found = false;
        for (String line : scrape.split("\n")) {
            if (line.startsWith("#") || !line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            int close = line.lastIndexOf('}');
            String labelText = close < 0 ? "" : line.substring(name.length() + 1, close);
            boolean matches = true;
            for (int i = 0; i + 1 < labels.length; i += 2) {
                matches &= ("," + labelText + ",").contains("," + labels[i] + "=\"" + labels[i + 1] + "\",");
            }
            if (matches) {
                if (found) {
                    throw new AssertionError("more than one series of " + name + " matches; name every label");
                }
                found = true;
                sum = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        if (required && !found) {
            throw new AssertionError("no series " + name + " with " + String.join(",", labels) + " in /q/metrics");
        }
        return sum;
    }
}
