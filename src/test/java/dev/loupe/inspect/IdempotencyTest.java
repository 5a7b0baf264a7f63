package dev.loupe.inspect;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.loupe.store.StoreUnavailableException;
import dev.loupe.testing.InjectWireMock;
import dev.loupe.testing.TestImages;
import dev.loupe.testing.WireMockBackend;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Idempotency-Keys that cannot hang or leak: a claim whose replica died is taken over by the retry, a
 * failed inspection or an answer that cannot be kept frees its key, and a storm of duplicates neither
 * takes the workers nor stops other requests.
 */
@QuarkusTest
// A model slow enough for forty duplicates to arrive while the first waits on it, however loaded the machine,
// needs a backend timeout above the shared tests' two seconds (and an application of its own).
@WithTestResource(value = WireMockBackend.class, initArgs = @ResourceArg(name = "loupe.backends.vllm.timeout", value = "40s"))
class IdempotencyTest {

    private static final String CHAT = "/v1/chat/completions";

    @InjectWireMock
    WireMockServer backend;

    @Inject
    Idempotency store;

    @Inject
    IdempotentInspections inspections;

    private final ExecutorService clients = Executors.newFixedThreadPool(48);

    @BeforeEach
    void reset() {
        backend.resetAll();
        // vLLM lists the adapter, so that readiness is UP unless something else is wrong.
        backend.stubFor(get(urlEqualTo("/v1/models")).willReturn(okJson("{\"object\": \"list\", \"data\": "
                + "[{\"id\": \"qc-lora\", \"object\": \"model\"}]}")));
    }

    @AfterEach
    void stop() {
        clients.shutdownNow();
    }

    private static Response inspect(String key, String serial) {
        return given().header("Idempotency-Key", key).multiPart("image", "cell.png", TestImages.cellPng(), "image/png")
                .multiPart("profile", "microstructure").multiPart("serial", serial).when().post("/v1/inspections");
    }

    /** What {@link #inspect} asks, as the service reads it: for the fingerprint of its key. */
    private static InspectionInput upload(String serial) {
        return new InspectionInput(TestImages.cellPng(), "microstructure", null, null,
                Trace.checked(null, null, null, serial, 256));
    }

    private int chatCalls() {
        return backend.findAll(postRequestedFor(urlEqualTo(CHAT))).size();
    }

    @Test
    void aClaimLeftByADeadReplicaIsTakenOverByTheRetry() {
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        String key = "crashed-" + UUID.randomUUID();
        InspectionInput same = upload("SN-CRASH");
        // The first request's replica claimed the key and died: its claim ran out a second ago.
        assertTrue(store.claim("-", key, IdempotentInspections.fingerprint(same), Instant.now().minusSeconds(1))
                instanceof Idempotency.Claimed);
        String id = inspect(key, "SN-CRASH").then().statusCode(200).extract().path("id");
        assertEquals(1, chatCalls(), "inspected again, not waited on");
        assertEquals(id, inspect(key, "SN-CRASH").then().statusCode(200).extract().path("id"), "and kept for the next retry");
    }

    @Test
    void aFailedInspectionFreesItsKey() {
        // The model refuses the request (vLLM's answer for an unknown model): the inspection fails.
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json").withBodyFile("error-404-model.json")));
        String key = "failed-" + UUID.randomUUID();
        Response failed = inspect(key, "SN-FAILED");
        assertTrue(failed.statusCode() >= 400, failed.asString());
        assertEquals("application/problem+json", failed.contentType());
        // Freed, not left running until its claim runs out: the next request with the key holds it at once.
        InspectionInput same = upload("SN-FAILED");
        Idempotency.Claim next = store.claim("-", key, IdempotentInspections.fingerprint(same),
                Instant.now().plusSeconds(60));
        assertTrue(next instanceof Idempotency.Claimed, "the key is still held: " + next);
        store.abandon("-", key);

        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        int before = chatCalls();
        inspect(key, "SN-FAILED").then().statusCode(200);
        assertEquals(before + 1, chatCalls(), "the retry is inspected");
    }

    @Test
    void anAnswerThatCannotBeStoredUnderItsKeyFreesTheKey() {
        String key = "unstored-" + UUID.randomUUID();
        InspectionInput input = upload("SN-UNSTORED");
        // An envelope the store cannot keep (its verdict holds a value JSON cannot write), standing for any
        // failure to store the answer under the key.
        ObjectNode verdict = JsonNodeFactory.instance.objectNode();
        verdict.putPOJO("unwritable", new Object());
        Envelope unstorable = new Envelope("unstored", null, verdict, null, "microstructure", null, null, null, null,
                1, null, List.of(), List.of(), null, List.of(), null, null, null, null, null, null, null, null);
        CompletableFuture<Envelope> answer = inspections.inspect("-", key, input,
                () -> CompletableFuture.completedFuture(unstorable));
        ExecutionException failed = assertThrows(ExecutionException.class, () -> answer.get(30, TimeUnit.SECONDS));
        assertTrue(failed.getCause() instanceof StoreUnavailableException, failed.toString());
        Idempotency.Claim next = store.claim("-", key, IdempotentInspections.fingerprint(input),
                Instant.now().plusSeconds(60));
        assertTrue(next instanceof Idempotency.Claimed, "the key is still held: " + next);
    }

    @Test
    void aStormOfDuplicatesIsBoundedAndOtherRequestsAreServedMeanwhile() throws Exception {
        // The model takes long enough for all forty duplicates to arrive while the first still waits on it;
        // the test waits for events, not for this time.
        backend.stubFor(post(urlEqualTo(CHAT)).willReturn(aResponse().withFixedDelay(15_000).withStatus(200)
                .withHeader("Content-Type", "application/json").withBodyFile("chat-plain.json")));
        String key = "storm-" + UUID.randomUUID();
        CompletableFuture<Response> first = CompletableFuture.supplyAsync(() -> inspect(key, "SN-STORM"), clients);
        Awaitility.await("the first request reaches the model").atMost(Duration.ofSeconds(30)).until(() -> chatCalls() == 1);
        List<CompletableFuture<Response>> duplicates = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            duplicates.add(CompletableFuture.supplyAsync(() -> inspect(key, "SN-STORM"), clients));
        }
        // While the first waits on the model and forty duplicates on it, readiness, the records and a new upload answer.
        given().get("/q/health/ready").then().statusCode(200);
        given().queryParam("limit", 1).get("/v1/inspections").then().statusCode(200);
        Awaitility.await("refused duplicates").atMost(Duration.ofSeconds(60))
                .until(() -> duplicates.stream().filter(d -> d.isDone() && d.join().statusCode() == 409).count()
                        >= 40 - IdempotentInspections.MAX_WAITING);
        // Refusals can only come from a claim still running: once the first answers, a duplicate gets its envelope.

        String id = first.get(60, TimeUnit.SECONDS).then().statusCode(200).extract().path("id");
        int answered = 0;
        int refused = 0;
        for (CompletableFuture<Response> duplicate : duplicates) {
            Response response = duplicate.get(60, TimeUnit.SECONDS);
            if (response.statusCode() == 200) {
                assertEquals(id, response.jsonPath().getString("id"), "a duplicate gets the first answer");
                answered++;
            } else {
                assertEquals(409, response.statusCode(), response.asString());
                assertEquals("application/problem+json", response.contentType());
                long retryAfter = Long.parseLong(response.header("Retry-After"));
                assertTrue(retryAfter >= 1 && retryAfter <= 10, "Retry-After " + retryAfter);
                refused++;
            }
        }
        assertEquals(40, answered + refused);
        assertTrue(answered <= IdempotentInspections.MAX_WAITING, answered + " waited");
        assertEquals(1, chatCalls(), "one model call for the whole storm");
    }
}
