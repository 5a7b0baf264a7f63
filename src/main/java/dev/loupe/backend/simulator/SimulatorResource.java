package dev.loupe.backend.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.config.LoupeConfig;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * A stand-in for a vision model, speaking the OpenAI chat-completions API at {@code /sim/v1}, so
 * Loupe runs end to end without a GPU or an API key. It judges nothing: its decision comes from
 * the image's contrast. Off unless {@code loupe.simulator.enabled} (on in the dev profile).
 */
@Path("/sim/v1")
@Tag(name = "Simulator", description = "Simulated OpenAI-compatible vision model for development; off in production")
public class SimulatorResource {

    static final String MODEL = "loupe-simulator";

    private static final String DATA_URL_PREFIX = "data:";

    private final LoupeConfig config;
    private final ObjectMapper json;

    public SimulatorResource(LoupeConfig config, ObjectMapper json) {
        this.config = config;
        this.json = json;
    }

    @GET
    @Path("/models")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "List the simulated model")
    public Response models() {
        if (!config.simulator().enabled()) {
            return off();
        }
        ObjectNode list = json.createObjectNode().put("object", "list");
        var data = list.putArray("data");
        data.addObject().put("id", MODEL).put("object", "model").put("owned_by", "loupe");
        config.simulator().models().forEach(id -> data.addObject().put("id", id).put("object", "model")
                .put("owned_by", "loupe").put("parent", MODEL));
        return Response.ok(list).build();
    }

    @POST
    @Path("/chat/completions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Answer a chat completion about an image, deterministically")
    public Response chatCompletions(JsonNode request) {
        if (!config.simulator().enabled()) {
            return off();
        }
        if (request == null || !request.path("messages").isArray()) {
            return error(400, "'messages' must be an array");
        }
        String imageUrl = null;
        StringBuilder text = new StringBuilder();
        for (JsonNode message : request.path("messages")) {
            JsonNode content = message.path("content");
            if (content.isTextual()) {
                text.append(content.asText()).append('\n');
            }
            for (JsonNode part : content) {
                if ("image_url".equals(part.path("type").asText()) && imageUrl == null) {
                    imageUrl = part.path("image_url").path("url").asText(null);
                } else if ("text".equals(part.path("type").asText())) {
                    text.append(part.path("text").asText()).append('\n');
                }
            }
        }
        if (imageUrl == null || !imageUrl.startsWith(DATA_URL_PREFIX) || !imageUrl.contains(";base64,")) {
            return error(400, "the simulator needs one image as a base64 data URL");
        }
        String data = imageUrl.substring(imageUrl.indexOf(";base64,") + ";base64,".length());
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(data)));
        } catch (IllegalArgumentException | IOException e) {
            image = null;
        }
        if (image == null) {
            return error(400, "the image data URL does not decode to an image");
        }
        boolean constrained = request.path("response_format").path("type").asText("").startsWith("json");
        String answer = SimulatedAnswer.answer(image, data, text.toString(), constrained,
                config.simulator().wordingSensitive());
        return Response.ok(completion(answer, image, text.length())).build();
    }

    private ObjectNode completion(String answer, BufferedImage image, int promptChars) {
        ObjectNode body = json.createObjectNode()
                .put("id", "chatcmpl-sim-" + Integer.toHexString(answer.hashCode()))
                .put("object", "chat.completion")
                .put("created", Instant.now().getEpochSecond())
                .put("model", MODEL);
        ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", answer);
        choice.put("finish_reason", "stop");
        // Rough counts in the model's terms: one token per 28×28 pixels, about two characters per text token.
        int promptTokens = (image.getWidth() / 28) * (image.getHeight() / 28) + promptChars / 2;
        int completionTokens = answer.length() / 2;
        body.putObject("usage")
                .put("prompt_tokens", promptTokens)
                .put("completion_tokens", completionTokens)
                .put("total_tokens", promptTokens + completionTokens);
        return body;
    }

    private Response off() {
        return error(404, "the simulated model is off (loupe.simulator.enabled=false)");
    }

    /** Errors in vLLM's shape, so the client code under test sees what a real server sends. */
    private Response error(int status, String message) {
        ObjectNode body = json.createObjectNode()
                .put("object", "error")
                .put("message", message)
                .put("type", status == 404 ? "NotFoundError" : "BadRequestError")
                .put("code", status);
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(body).build();
    }
}
