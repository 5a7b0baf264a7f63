package dev.loupe.dataset;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The ms-swift JSONL line Loupe writes (the training export) and reads (robustness datasets):
 * {@code {"messages": [{"role": "system", …}, {"role": "user", "content": "<image>…"}, {"role":
 * "assistant", "content": "…"}], "images": ["images/…"]}} — {@code images} a list, as ms-swift documents
 * it. A {@link #MANIFEST} beside the file whose {@code image} object says {@link #IMAGES_AS_SENT} marks
 * images that are already as the model is sent them: a run asks about them as they are, without
 * scaling or cropping them a second time.
 */
public final class MsSwiftDataset {

    /** The export's manifest, beside its JSONL files. */
    public static final String MANIFEST = "manifest.json";
    /** Key under the manifest's {@code image}: true when the images are exactly as they were sent to the model. */
    public static final String IMAGES_AS_SENT = "as_sent";

    private MsSwiftDataset() {}

    /** One example: the system text, the image and the question, and the answer to learn. */
    public static ObjectNode line(ObjectMapper json, String system, String prompt, String answer, String image) {
        ObjectNode line = json.createObjectNode();
        ArrayNode messages = line.putArray("messages");
        messages.addObject().put("role", "system").put("content", system);
        messages.addObject().put("role", "user").put("content", "<image>" + prompt);
        messages.addObject().put("role", "assistant").put("content", answer);
        line.putArray("images").add(image);
        return line;
    }
}
