package dev.loupe.inspect;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.loupe.testing.InjectWireMock;
import dev.loupe.testing.WireMockBackend;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

@QuarkusTest
@WithTestResource(WireMockBackend.class)
class ServiceEndpointsTest {

    @Test
    void profilesAreListed() {
        given().when().get("/v1/profiles").then()
                .statusCode(200)
                .body("name", hasItem("microstructure"))
                .body("find { it.name == 'microstructure' }.chain[0].model", equalTo("qc-lora"))
                .body("find { it.name == 'microstructure' }.chain[0].backend", equalTo("vllm"));
    }

    @Test
    void aProfileComesWithItsTextsSettingsAndSchema() {
        given().when().get("/v1/profiles/microstructure").then()
                .statusCode(200)
                .body("system", equalTo("You are a helpful assistant."))
                .body("prompt", containsString("形状、位置、结构、材质、堆叠"))
                .body("decoding.temperature", equalTo(0.0f))
                .body("decoding.max_tokens", equalTo(512))
                .body("image.max_pixels", equalTo(1003520))
                .body("json_schema.required", hasItem("decision"))
                .body("json_schema.properties.decision.enum", hasItem("NG"));
    }

    @Test
    void variantsAreListedWithTheirHashesAndTheGeneratedCountIsAParameter() {
        given().when().get("/v1/profiles/microstructure/variants").then()
                .statusCode(200)
                .body("size()", equalTo(13))
                .body("[0].name", equalTo("base"))
                .body("[0].source", equalTo("base"))
                .body("[1].name", equalTo("gen-punct-1"))
                .body("[1].source", equalTo("generated"))
                .body("[1].sha256.size()", equalTo(64));
        given().queryParam("generated", 30).when().get("/v1/profiles/microstructure/variants").then()
                .statusCode(200)
                .body("size()", equalTo(31))
                .body("[1].text", equalTo(given().get("/v1/profiles/microstructure/variants").jsonPath().getString("[1].text")));
        given().queryParam("generated", -1).when().get("/v1/profiles/microstructure/variants").then().statusCode(400);
    }

    @Test
    void unknownProfileIs404Problem() {
        given().when().get("/v1/profiles/nope").then()
                .statusCode(404)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:loupe:problem:unknown-profile"));
    }

    @InjectWireMock
    WireMockServer backend;

    private void serving(String... models) {
        StringBuilder data = new StringBuilder();
        for (String model : models) {
            data.append(data.length() == 0 ? "" : ",").append("{\"id\":\"").append(model).append("\",\"object\":\"model\"}");
        }
        backend.stubFor(get(urlEqualTo("/v1/models")).willReturn(okJson("{\"object\":\"list\",\"data\":[" + data + "]}")));
    }

    @Test
    void readinessNamesAnAdapterThatVllmDoesNotServe() {
        // vllm serve ... --lora-modules lora=/ckpt, while the profile asks for qc-lora
        serving("Qwen/Qwen2.5-VL-7B-Instruct", "lora");
        given().when().get("/q/health/ready").then()
                .statusCode(503)
                .body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'models served' }.data.microstructure",
                        containsString("no usable step: vllm/qc-lora: model 'qc-lora' is not served by backend 'vllm' "
                                + "(served: Qwen/Qwen2.5-VL-7B-Instruct, lora); a LoRA adapter is served once it is loaded "
                                + "(vLLM's --lora-modules, or POST /v1/load_lora_adapter with runtime LoRA updating); "
                                + "dashscope/qwen-vl-max-2025-08-13: backend 'dashscope' has no API key"));
        given().when().get("/q/health/live").then().statusCode(200);
        given().when().get("/v1/backends").then().statusCode(200)
                .body("find { it.name == 'vllm' }.served_models", hasItem("lora"))
                .body("find { it.name == 'vllm' }.models.qc-lora", equalTo(false))
                .body("find { it.name == 'dashscope' }.usable", equalTo(false))
                .body("find { it.name == 'dashscope' }.kind", equalTo("dashscope"))
                .body("find { it.name == 'vllm' }.circuit", equalTo("closed"));
    }

    @Test
    void readinessSaysProfilesAreLoaded() {
        serving("Qwen/Qwen2.5-VL-7B-Instruct", "qc-lora");
        given().when().get("/q/health/ready").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'profiles loaded' }.data.profiles", equalTo("microstructure,microstructure-qwen3"))
                // The Qwen3-VL profile is optional: its adapter not served here keeps Loupe ready, and readiness says so.
                .body("checks.find { it.name == 'models served' }.data.'microstructure-qwen3'",
                        org.hamcrest.Matchers.startsWith("optional, no usable step: vllm/qc-lora-qwen3: model 'qc-lora-qwen3' is "
                                + "not served"));
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void swaggerUiExamplesRunAsGiven() {
        io.restassured.path.json.JsonPath api = given().queryParam("format", "json").when().get("/q/openapi").jsonPath();
        String form = "paths.'/v1/inspections'.post.requestBody.content.'multipart/form-data'.schema";
        String ref = api.getString(form + ".$ref");
        String schema = ref == null ? form : "components.schemas." + ref.substring(ref.lastIndexOf('/') + 1);
        Map<String, Object> properties = api.getMap(schema + ".properties");
        // variant and consensus are pre-filled with values that go together (base, 1): Swagger UI would send
        // "string" and 0 otherwise (theApiDescriptionsExamplesMakeAnInspectionAsGiven sends them).
        org.junit.jupiter.api.Assertions.assertEquals(List.of("base"), ((Map<?, ?>) properties.get("variant")).get("examples"));
        org.junit.jupiter.api.Assertions.assertEquals(List.of(1), ((Map<?, ?>) properties.get("consensus")).get("examples"));
        Object profileExample = ((Map<?, ?>) properties.get("profile")).get("examples");
        org.junit.jupiter.api.Assertions.assertEquals(List.of("microstructure"), profileExample, "no quotes in the value");
        org.junit.jupiter.api.Assertions.assertTrue(api.getList(schema + ".required").containsAll(List.of("image", "profile")));
        org.junit.jupiter.api.Assertions.assertTrue(((Map<?, ?>) properties.get("image")).get("description").toString()
                .contains("WebP"));
    }

    @Test
    void openApiDescribesEveryEndpointWithExamples() {
        given().queryParam("format", "json").when().get("/q/openapi").then()
                .statusCode(200)
                .body("paths.'/v1/inspections'.post.requestBody.content.'multipart/form-data'", org.hamcrest.Matchers.notNullValue())
                .body("paths.'/v1/inspections'.post.requestBody.content.'application/json'", org.hamcrest.Matchers.notNullValue())
                .body("paths.'/v1/inspections'.post.responses.'200'.content.'application/json'.examples.accepted.value.status",
                        equalTo("accepted"))
                .body("paths.'/v1/profiles'.get.responses.'200'.content.'application/json'.examples", org.hamcrest.Matchers.notNullValue())
                .body("paths.'/v1/profiles/{name}'.get", org.hamcrest.Matchers.notNullValue());
        given().when().get("/q/swagger-ui/").then().statusCode(200);
    }

    @Test
    void theSimulatorIsOffUnlessEnabled() {
        given().when().get("/sim/v1/models").then().statusCode(404);
    }

    @Test
    void unknownRouteIsAProblemToo() {
        given().when().get("/v1/nothing-here").then()
                .statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void malformedJsonBodyIs400Problem() {
        given().contentType("application/json").body("{not json").when().post("/v1/inspections").then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("not valid JSON"));
    }

    @Test
    void thePageIsRevalidatedByContentSoAnUpgradeReachesTheBrowser() {
        for (String asset : new String[] {"/", "/index.html", "/loupe.js", "/loupe.css"}) {
            io.restassured.response.Response first = given().get(asset).then().statusCode(200)
                    .header("Cache-Control", equalTo("no-cache"))
                    .header("Content-Security-Policy", containsString("default-src 'self'")).extract().response();
            String etag = first.header("ETag");
            org.junit.jupiter.api.Assertions.assertTrue(etag != null && etag.matches("\"[0-9a-f]{32}\""), asset + ": " + etag);
            given().header("If-None-Match", etag).get(asset).then().statusCode(304);
            given().header("If-None-Match", "\"0123\"").get(asset).then().statusCode(200);
        }
        org.junit.jupiter.api.Assertions.assertNotEquals(given().get("/loupe.js").header("ETag"),
                given().get("/loupe.css").header("ETag"), "the tag is the content's");
    }

    /**
     * What Swagger UI's "Try it out" sends as given for POST /v1/inspections: every field's example from the
     * API description (multipart: with an image file; JSON: the example base64 image), answered 200.
     */
    @Test
    void theApiDescriptionsExamplesMakeAnInspectionAsGiven() throws Exception {
        backend.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(urlEqualTo("/v1/chat/completions"))
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(200)
                        .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        com.fasterxml.jackson.databind.JsonNode schemas = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                given().get("/q/openapi?format=json").then().statusCode(200).extract().asString()).path("components").path("schemas");
        com.fasterxml.jackson.databind.node.ObjectNode json = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        schemas.path("InspectionJson").path("properties").properties().forEach(field -> {
            com.fasterxml.jackson.databind.JsonNode example = field.getValue().path("examples").path(0);
            org.junit.jupiter.api.Assertions.assertFalse(example.isMissingNode(), "InspectionJson." + field.getKey() + " has an example");
            json.set(field.getKey(), example);
        });
        given().contentType("application/json").body(json.toString()).post("/v1/inspections").then().statusCode(200);

        var form = given().multiPart("image", "cell.png", dev.loupe.testing.TestImages.cellPng(), "image/png");
        for (var field : (Iterable<java.util.Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>>)
                () -> schemas.path("InspectionForm").path("properties").properties().iterator()) {
            if (!field.getKey().equals("image")) {
                com.fasterxml.jackson.databind.JsonNode example = field.getValue().path("examples").path(0);
                org.junit.jupiter.api.Assertions.assertFalse(example.isMissingNode(), "InspectionForm." + field.getKey() + " has an example");
                form.multiPart(field.getKey(), example.asText());
            }
        }
        form.post("/v1/inspections").then().statusCode(200);
    }
}
