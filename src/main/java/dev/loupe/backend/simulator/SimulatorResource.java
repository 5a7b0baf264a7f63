package dev.loupe.backend.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
 * the image's contrast. Off unless {@code loupe.simulator.enabled} (on in the dev profile): off, its routes
 * are not there ({@link SimulatorRoutes}).
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
        ObjectNode completion = completion(answer, image, text.length());
        if (request.path("logprobs").asBoolean(false)) {
            logprobs(completion, answer, request.path("top_logprobs").asInt(0));
        }
        return Response.ok(completion).build();
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

    /**
     * Token probabilities as vLLM returns them, coarsely: the answer in three tokens (before the
     * decision's value, the value, after it), the value's probability the simulated confidence and the
     * other decision the rest; an answer without a decision value is one token.
     */
    private void logprobs(ObjectNode completion, String answer, int top) {
        ArrayNode content = ((ObjectNode) completion.path("choices").get(0)).putObject("logprobs").putArray("content");
        java.util.regex.Matcher value = java.util.regex.Pattern.compile("\"decision\"\\s*:\\s*\"(OK|NG)\"").matcher(answer);
        if (!value.find()) {
            content.addObject().put("token", answer).put("logprob", 0.0).putArray("top_logprobs");
            return;
        }
        double confidence = 0.9;
        java.util.regex.Matcher said = java.util.regex.Pattern.compile("\"confidence\"\\s*:\\s*([0-9.]+)").matcher(answer);
        if (said.find()) {
            confidence = Math.max(0.5, Math.min(0.999, Double.parseDouble(said.group(1))));
        }
        String decision = value.group(1);
        content.addObject().put("token", answer.substring(0, value.start(1))).put("logprob", 0.0).putArray("top_logprobs");
        ObjectNode token = content.addObject().put("token", decision).put("logprob", Math.log(confidence));
        ArrayNode alternatives = token.putArray("top_logprobs");
        if (top > 0) {
            alternatives.addObject().put("token", decision).put("logprob", Math.log(confidence));
            alternatives.addObject().put("token", decision.equals("OK") ? "NG" : "OK").put("logprob", Math.log(1 - confidence));
        }
        content.addObject().put("token", answer.substring(value.end(1))).put("logprob", 0.0).putArray("top_logprobs");
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
