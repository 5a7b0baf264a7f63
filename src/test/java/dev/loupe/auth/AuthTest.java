package dev.loupe.auth;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.loupe.record.InspectionRecorder;
import dev.loupe.testing.ApiKeysOn;
import dev.loupe.testing.InjectWireMock;
import dev.loupe.testing.Metrics;
import dev.loupe.testing.TestImages;
import dev.loupe.testing.WireMockBackend;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Keys and roles as production runs them: each role against each group of endpoints, refusals, rates. */
@QuarkusTest
@TestProfile(ApiKeysOn.class)
@WithTestResource(WireMockBackend.class)
class AuthTest {

    /** One call of each group, with the role it needs ({@code any}: every key's roles will do). */
    private record Call(String role, String method, String path) {}

    private static final String ANY = "any";

    private static final List<Call> CALLS = List.of(
            new Call(Roles.INSPECT, "POST", "/v1/inspections"),
            new Call(ANY, "GET", "/v1/profiles/microstructure/variants"), // the page's review view lists them too
            new Call(Roles.REVIEW, "GET", "/v1/inspections"),
            new Call(Roles.REVIEW, "GET", "/v1/inspections/00000000-0000-0000-0000-000000000000"),
            new Call(Roles.REVIEW, "POST", "/v1/inspections/00000000-0000-0000-0000-000000000000/review"),
            new Call(Roles.REVIEW, "GET", "/v1/reviews/queue"),
            new Call(Roles.ADMIN, "GET", "/v1/exports/ms-swift?profile=microstructure"),
            new Call(Roles.ADMIN, "GET", "/v1/robustness-runs"),
            new Call(Roles.ADMIN, "POST", "/v1/robustness-runs"),
            new Call(Roles.ADMIN, "GET", "/v1/backends"),
            new Call(Roles.ADMIN, "POST", "/v1/profiles/microstructure/wordings/proposals"),
            new Call(Roles.ADMIN, "POST", "/v1/profiles/microstructure/wordings/sem-0000000000/keep"),
            new Call(Roles.ADMIN, "GET", "/v1/adapters"),
            new Call(Roles.ADMIN, "POST", "/v1/adapters"),
            new Call(Roles.ADMIN, "POST", "/v1/profiles/microstructure/promotions"));

    @InjectWireMock
    WireMockServer backend;

    @Inject
    InspectionRecorder recorder;

    private static RequestSpecification as(String key) {
        RequestSpecification request = given();
        return key == null ? request : request.header("Authorization", "Bearer " + key);
    }

    private static Response call(RequestSpecification request, Call call) {
        return call.method().equals("GET") ? request.get(call.path())
                : request.contentType("application/json").body("{}").post(call.path());
    }

    @Test
    void eachRoleReachesItsOwnEndpointsAndNoOthers() {
        for (String role : List.of(Roles.INSPECT, Roles.REVIEW, Roles.ADMIN)) {
            String key = "key-of-" + Map.of(Roles.INSPECT, "inspector", Roles.REVIEW, "reviewer", Roles.ADMIN, "admin").get(role);
            for (Call call : CALLS) {
                Response response = call(as(key), call);
                if (call.role().equals(role) || call.role().equals(ANY)) {
                    assertTrue(Set.of(200, 202, 400, 404).contains(response.statusCode()),
                            role + " " + call + " -> " + response.statusCode() + " " + response.asString());
                } else {
                    assertEquals(403, response.statusCode(), role + " " + call);
                    assertEquals("application/problem+json", response.contentType().split(";")[0]);
                    assertEquals("urn:loupe:problem:forbidden", response.jsonPath().getString("type"));
                }
            }
        }
    }

    @Test
    void noKeyAndAWrongKeyGetTheSameAnswerAndAreCounted() {
        double missing = Metrics.value("loupe_auth_failures_total", "reason", "missing");
        double unknown = Metrics.value("loupe_auth_failures_total", "reason", "unknown");
        for (Call call : CALLS) {
            Response none = call(as(null), call);
            Response wrong = call(as("not-a-key"), call);
            Response header = call(given().header("X-API-Key", "also-not-a-key"), call);
            for (Response refused : List.of(none, wrong, header)) {
                assertEquals(401, refused.statusCode(), call.toString());
                assertEquals("application/problem+json", refused.contentType().split(";")[0]);
                assertEquals("Bearer", refused.header("WWW-Authenticate"));
            }
            assertEquals(none.asString(), wrong.asString(), "a caller learns nothing about which keys exist");
        }
        assertEquals(missing + CALLS.size(), Metrics.value("loupe_auth_failures_total", "reason", "missing"));
        assertEquals(unknown + 2 * CALLS.size(), Metrics.value("loupe_auth_failures_total", "reason", "unknown"));
    }

    @Test
    void theHashIsNoKey() {
        as(ApiKeysOn.sha256("key-of-admin")).get("/v1/backends").then().statusCode(401);
        given().header("X-API-Key", "key-of-admin").get("/v1/backends").then().statusCode(200);
    }

    @Test
    void beyondItsRateAKeyIsToldWhenToComeBack() {
        as("key-of-limited").get("/v1/profiles").then().statusCode(200);
        Response refused = as("key-of-limited").get("/v1/profiles");
        assertEquals(429, refused.statusCode());
        assertEquals("urn:loupe:problem:rate-limited", refused.jsonPath().getString("type"));
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 1000, "Retry-After " + retryAfter);
        as("key-of-inspector").get("/v1/profiles").then().statusCode(200); // another key's bucket is its own
    }

    @Test
    void anIdempotencyKeyIsTheCallersOwn() {
        backend.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        String key = "shared-" + java.util.UUID.randomUUID();
        String mine = as("key-of-inspector").header("Idempotency-Key", key)
                .multiPart("image", "cell.png", TestImages.cellPng(), "image/png").multiPart("profile", "microstructure")
                .post("/v1/inspections").then().statusCode(200).extract().path("id");
        String theirs = as("key-of-station-2").header("Idempotency-Key", key)
                .multiPart("image", "cell.png", TestImages.cellPng(), "image/png").multiPart("profile", "microstructure")
                .post("/v1/inspections").then().statusCode(200).extract().path("id");
        assertNotEquals(mine, theirs, "another caller replaying the same request does not receive the first caller's envelope");
        assertEquals(mine, as("key-of-inspector").header("Idempotency-Key", key)
                .multiPart("image", "cell.png", TestImages.cellPng(), "image/png").multiPart("profile", "microstructure")
                .post("/v1/inspections").then().statusCode(200).extract().path("id"), "the caller's own retry gets its answer");
    }

    @Test
    void theReviewerOnRecordIsTheKeyNotWhatTheBodySays() {
        backend.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-violating.json")));
        String id = as("key-of-inspector").multiPart("image", "ihc.png", TestImages.ihcPng(), "image/png")
                .multiPart("profile", "microstructure").post("/v1/inspections").then().statusCode(200).extract().path("id");
        recorder.drain();
        as("key-of-reviewer").contentType("application/json").body(Map.of("decision", "NG", "defect_present", true,
                "reason", "层间剥离", "reviewer", "someone-else")).post("/v1/inspections/" + id + "/review").then().statusCode(200);
        as("key-of-reviewer").get("/v1/inspections/" + id).then().statusCode(200).body("review.reviewer", equalTo("reviewer"));
    }

    @Test
    void healthAndMetricsAreOpen() {
        given().get("/q/health/live").then().statusCode(200);
        assertNotEquals(401, given().get("/q/metrics").statusCode());
    }
}
