package dev.loupe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Images read the way ms-swift reads a dataset's images: Pillow opens the path relative to the working
 * directory and converts it to RGB ({@code swift/template/vision_utils.py}: {@code load_image}). Debian's
 * python3 and python3-pil, which .ci/run installs.
 */
public final class Pillow {

    private static final String SCRIPT = """
            import json, os, sys
            from PIL import Image
            out = []
            for path in json.load(sys.stdin):
                rgb = Image.open(path).convert('RGB')
                extrema = rgb.getextrema()
                out.append({"path": path, "width": rgb.size[0], "height": rgb.size[1],
                            "min": min(e[0] for e in extrema), "max": max(e[1] for e in extrema)})
            print(json.dumps(out))
            """;

    /** One image as Pillow read it: its size and the smallest and largest sample of its RGB form. */
    public record Read(String path, int width, int height, int min, int max) {}

    /** Debian's python3, the one python3-pil installs into (not whichever python3 comes first on the PATH). */
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    private Pillow() {}

    public static List<Read> readAsRgb(Path workingDirectory, List<String> paths) throws Exception {
        RequiredTools.assume(Files.isExecutable(PYTHON), "Debian's python3 is not installed (apt-get install python3 python3-pil)");
        Processes.Result probe = Processes.run(List.of(PYTHON.toString(), "-c", "import PIL"), null, Duration.ofSeconds(30));
        RequiredTools.assume(probe.exitCode() == 0, "Pillow is not installed for Debian's python3 (apt-get install python3-pil)");
        Processes.Result result = Processes.run(List.of(PYTHON.toString(), "-c",
                "import os; os.chdir(" + TestJson.MAPPER.writeValueAsString(workingDirectory.toAbsolutePath().toString())
                        + ")\n" + SCRIPT), TestJson.MAPPER.writeValueAsString(paths), Duration.ofMinutes(1));
        if (result.exitCode() != 0) {
            throw new AssertionError("Pillow could not read the images: " + result.all());
        }
        List<Read> read = new ArrayList<>();
        for (JsonNode image : TestJson.MAPPER.readTree(result.output())) {
            read.add(new Read(image.path("path").asText(), image.path("width").asInt(), image.path("height").asInt(),
                    image.path("min").asInt(), image.path("max").asInt()));
        }
        return read;
    }
}
