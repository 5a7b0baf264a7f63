package dev.loupe.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * All of Loupe's own settings, under {@code loupe.*}. Every key can also be set as an
 * environment variable ({@code loupe.backends.vllm.url} is {@code LOUPE_BACKENDS_VLLM_URL}).
 */
@ConfigMapping(prefix = "loupe")
public interface LoupeConfig {

    /**
     * Folder of profiles, one sub-folder per profile. Relative paths resolve against the working
     * directory; when the folder does not exist, the copy packaged in the jar is used.
     */
    @WithDefault("prompts")
    String promptsDir();

    /** Folder of verdict JSON Schemas ({@code <name>.schema.json}); same fallback as prompts-dir. */
    @WithDefault("schemas")
    String schemasDir();

    /** Named OpenAI-compatible backends a profile can send to: {@code loupe.backends.<name>.*}. */
    Map<String, Backend> backends();

    /** How old a backend's list of served models may be before readiness asks again ({@code GET /models}). */
    @WithDefault("30s")
    Duration modelsCheckInterval();

    Inspection inspection();

    Store store();

    Records records();

    Http http();

    Image image();

    Robustness robustness();

    Simulator simulator();

    Auth auth();

    Policies policies();

    Wordings wordings();

    /**
     * Rephrasings of a profile's prompt by a text model ({@code wordings generate}, through LangChain4j): which
     * model when the command or request does not say, and how it is asked. Off the inspection path.
     */
    interface Wordings {
        /** A backend under {@code loupe.backends}: its URL and key are used. */
        Optional<String> backend();

        /** The text model asked, e.g. {@code qwen-plus} on DashScope or a text model vLLM serves. */
        Optional<String> model();

        /** Sampling temperature: rephrasings should differ from one another. */
        @WithDefault("0.8")
        double temperature();

        /** LangChain4j's retries of a failed call (429, 5xx, connection), each within the backend's timeout. */
        @WithDefault("2")
        int maxRetries();

        /** The most rephrasings one request may ask for. */
        @WithDefault("50")
        int maxCount();
    }

    /** Certified auto-acceptance policies: how each replica learns which is active, and watches its guarantee. */
    interface Policies {
        /**
         * How often the active policies and their gauges ({@code loupe_policy_*}) are read from the store:
         * a policy activated on one replica holds on every replica within this.
         */
        @WithDefault("5s")
        Duration refreshInterval();

        /** Keep them current; the robustness command turns this off (it serves no inspection). */
        @WithDefault("true")
        boolean watch();
    }

    interface Backend {
        /** {@code openai} for vLLM, SGLang, Ollama or any OpenAI-compatible server; {@code dashscope}. */
        @WithDefault("openai")
        String kind();

        /** Base URL of the OpenAI-compatible API, including {@code /v1}. For dashscope, wins over region. */
        Optional<String> url();

        /** DashScope region: cn-beijing, ap-southeast-1 or us-east-1; picks the compatible-mode URL. */
        @WithDefault("cn-beijing")
        String region();

        /** Bearer token; none is sent when empty (a vLLM started without --api-key needs none). Never logged. */
        Optional<String> apiKey();

        /** How long one chat completion may take, connection included. */
        @WithDefault("60s")
        Duration timeout();

        /**
         * The most calls in flight at once; more wait in a queue. The default is vLLM's own
         * {@code --max-num-seqs}: its throughput comes from batching that many sequences. With
         * adaptive-concurrency it is the ceiling of the learnt limit, without it the limit.
         */
        @WithDefault("256")
        int maxConcurrent();

        /**
         * Learn the limit from the backend's latency (Netflix's gradient algorithm): it grows while
         * latency holds within 1.5x its baseline, and shrinks when latency grows, on a timeout or on a 429.
         */
        @WithDefault("true")
        boolean adaptiveConcurrency();

        /** The floor of the learnt limit. */
        @WithDefault("4")
        int minConcurrent();

        /** How long a call waits for a free slot before Loupe answers 429. */
        @WithDefault("10s")
        Duration queueTimeout();

        /**
         * Ask for the probability of every generated token ({@code logprobs: true} and {@code top_logprobs}),
         * from which an inspection's score is the probability of its decision. Default: on for
         * {@code openai} (vLLM returns them), off for {@code dashscope} (its vision models do not).
         */
        Optional<Boolean> logprobs();

        /**
         * The longest answer body Loupe reads from this backend; a longer one (a runaway generation, a proxy's
         * error page) is not read and the call fails as a bad response (502).
         */
        @WithDefault("4M")
        MemorySize maxAnswerSize();

        /** How many alternatives per token to ask for ({@code top_logprobs}); vLLM's default limit is 20. */
        @WithDefault("5")
        int topLogprobs();

        Retry retry();

        Circuit circuit();

        /** Retries on 429, 5xx and connection failures, with exponential backoff and jitter. */
        interface Retry {
            /** Calls per request at most, the first included; 1 turns retries off. */
            @WithDefault("3")
            int maxAttempts();

            @WithDefault("250ms")
            Duration initialBackoff();

            @WithDefault("8s")
            Duration maxBackoff();

            /**
             * Retry budget: each first call earns this many retry tokens (up to {@code budget-max-tokens});
             * each retry spends one. An outage drains the budget, so retries stop multiplying the load.
             */
            @WithDefault("0.2")
            double budgetRatio();

            @WithDefault("10")
            int budgetMaxTokens();
        }

        /** Stops calling a backend that keeps failing, and probes it again later. */
        interface Circuit {
            /** Consecutive failed calls (timeouts, connection failures, 5xx, garbage) that open the circuit. */
            @WithDefault("5")
            int failureThreshold();

            /** How long the circuit stays open before one probe call is let through. */
            @WithDefault("30s")
            Duration openDuration();
        }
    }

    /** Limits on one inspection, so that none can hold the service. */
    interface Inspection {
        /**
         * The longest one inspection may take, from the image received to the envelope: retries,
         * re-asks and escalation included. After it Loupe answers 504 and every backend slot the
         * inspection held is free again. The default covers the shipped chain's first step at its
         * worst (a 10 s queue, then an answer and one re-ask at 60 s each) with a margin; an escalation
         * gets what is left. Graceful shutdown waits this long for inspections in flight.
         */
        @WithDefault("150s")
        Duration deadline();

        /**
         * Wordings of consensus inspections in flight at once, across all requests; beyond it a
         * consensus inspection gets 503 with Retry-After.
         */
        @WithDefault("96")
        int maxConsensusWordings();

        /** Longest accepted traceability value (line, station, lot, serial), in characters. */
        @WithDefault("256")
        int maxTraceLength();
    }

    /**
     * Who may call what: API keys with roles ({@code inspect}, {@code review}, {@code admin}) and
     * an optional rate each. A key is configured only by the hex SHA-256 of its value
     * ({@code loupe.auth.keys.line-3.sha256}), never in clear.
     */
    interface Auth {
        /** {@code keys}: every {@code /v1} call needs a key; {@code off}: all open (the dev and test profiles). */
        @WithDefault("keys")
        AuthMode mode();

        /** {@code keys}: {@code /q/metrics} needs a key with the {@code admin} role; {@code open}: Prometheus scrapes freely. */
        @WithDefault("open")
        MetricsAccess metrics();

        /**
         * Requests without a valid key that one address may send at once ({@code failure-burst}), and
         * then a second ({@code failures-per-second}); beyond them its requests without a valid key get 429.
         */
        @WithDefault("20")
        int failureBurst();

        @WithDefault("1")
        double failuresPerSecond();

        /** The keys by name; the name is what records show as reviewer or exporter. */
        Map<String, Key> keys();

        interface Key {
            /** Hex SHA-256 of the key ({@code printf %s "$KEY" | sha256sum}). */
            String sha256();

            /** Roles: inspect, review, admin. */
            List<String> roles();

            /** Requests per second (a token bucket holding one second's worth); none: unlimited. */
            Optional<Double> rate();
        }

        enum AuthMode { KEYS, OFF }

        enum MetricsAccess { OPEN, KEYS }
    }

    /**
     * Loupe's limits on a request's head, answered with problem documents (414, 431). The HTTP
     * layer's own limits are set far above them, so that they only stop the absurd.
     */
    interface Http {
        /** Longest request URI, path and query, in characters. */
        @WithDefault("4096")
        int maxUrlLength();

        /** Largest sum of request header names and values. */
        @WithDefault("20K")
        MemorySize maxHeaderSize();

        /**
         * Largest request body declaring its length: a 32 MiB image as base64 in JSON is 43 MiB.
         * Checked before anything is read.
         */
        @WithDefault("48M")
        MemorySize maxBodySize();

        /**
         * Longest a request body may take to arrive, from the head on; a client trickling its upload
         * gets 408 and its connection is closed.
         */
        @WithDefault("60s")
        Duration bodyTimeout();

        /**
         * Largest body of every route but an inspection's upload (reviews, run specs, policies): they are
         * small JSON documents. Such a body must declare its length (411 otherwise), so that it is refused
         * before it is read.
         */
        @WithDefault("1M")
        MemorySize maxJsonBodySize();

        /**
         * Request body bytes held at once across all requests: a request whose body would pass it gets 503
         * with Retry-After before its body is read. A body of declared length counts its length; a chunked
         * one the HTTP layer's limit (quarkus.http.limits.max-body-size), the most it may become. Reading a
         * JSON inspection takes about four times its body (buffer, bytes, base64 text, image), so the
         * default is an eighth of the heap (-Xmx), and never less than one body of max-body-size.
         */
        Optional<MemorySize> maxBodiesInFlight();
    }

    /**
     * The one store of everything that must outlive a process: inspection records, reviews,
     * robustness runs. An embedded H2 file for one replica; PostgreSQL for more (they share it).
     */
    interface Store {
        /** JDBC URL: an H2 file by default, or e.g. jdbc:postgresql://db:5432/loupe. */
        @WithDefault("jdbc:h2:file:./data/loupe")
        String jdbcUrl();

        Optional<String> username();

        Optional<String> password();

        /** Connections in the pool. */
        @WithDefault("16")
        int maxConnections();
    }

    /** Every inspection on record, and the uploaded images for a while. */
    interface Records {
        /** Folder of the kept images, content-addressed by SHA-256. */
        @WithDefault("data/images")
        String imagesDir();

        /** How long an uploaded image is kept; its record stays after. */
        @WithDefault("30d")
        Duration imageRetention();

        /** How often images past their retention are deleted. */
        @WithDefault("1h")
        Duration purgeInterval();

        /**
         * Inspections waiting to be recorded; beyond it one is refused (503 record-unavailable), counted
         * as a failure and logged, never blocks.
         */
        @WithDefault("1000")
        int queueCapacity();

        /**
         * An answer waits for its record to be committed: no 200 leaves Loupe without its record. Off,
         * an inspection whose record cannot be committed is answered anyway (logged with its verdict and
         * counted): the audit trail loses it. On by default.
         */
        @WithDefault("true")
        boolean required();

        /**
         * The longest an answer waits for its record to be committed; past it the inspection is answered
         * 503 record-unavailable with Retry-After (its verdict logged with its id).
         */
        @WithDefault("10s")
        Duration commitTimeout();
    }

    /** Limits on what an upload may cost before and while it is decoded. */
    interface Image {
        /** Largest accepted upload; larger ones get 413 before any decoding. */
        @WithDefault("32M")
        MemorySize maxUploadSize();

        /** Largest accepted image (width × height, read from the header); larger ones get 413. */
        @WithDefault("100000000")
        long maxPixels();

        /**
         * Memory for images being decoded at once across all requests, counted as what decoding
         * costs: width × height × (bytes per pixel of the decoded raster, 16-bit and alpha counted,
         * + 4 for the 8-bit copy). An upload waits for room, so parallel huge frames cannot exhaust the
         * heap; one image dearer than the whole budget waits until it has all of it. Sized for the 3 GiB
         * pod of deploy/k8s (a 2.25 GiB heap).
         */
        @WithDefault("1G")
        MemorySize maxDecodingMemory();

        /**
         * Images that cost at most this to decode (a few megapixels) go through a lane of their own,
         * four of them at once, and never wait behind large ones.
         */
        @WithDefault("64M")
        MemorySize smallImageMemory();

        /** Longest one image may take to decode; past it the decoder is stopped and the upload refused (413). */
        @WithDefault("20s")
        Duration decodeTimeout();

        /** How long an upload waits for decoding room before it gets 503. */
        @WithDefault("30s")
        Duration decodeWait();

        /**
         * Debian's libturbojpeg-java jar (apt-get install libturbojpeg-java libturbojpeg0-dev). When it
         * loads, JPEGs are shrunk in the DCT domain while decoded, several times faster; else they are
         * decoded at full size.
         */
        @WithDefault("/usr/share/java/turbojpeg.jar")
        Optional<String> turbojpegJar();

        /** 16-bit images are stretched to 8 bits between these percentiles of their histogram. */
        Stretch stretch();

        interface Stretch {
            @WithDefault("0.5")
            double lowPercentile();

            @WithDefault("99.5")
            double highPercentile();
        }
    }

    /** Robustness runs: where datasets may be read and where results are kept. */
    interface Robustness {
        /** Datasets (and their images) must lie under this folder; the API refuses paths that leave it. */
        @WithDefault("datasets")
        String datasetsRoot();

        /** Calls in flight per run when the request does not say. */
        @WithDefault("4")
        int concurrency();

        /**
         * Take part in the store's runs: resume at start-up what is left, and every poll-interval pick
         * up items of runs other replicas started or left behind (the CLI turns this off).
         */
        @WithDefault("true")
        boolean resumeAtStartup();

        /** How often a replica looks for run items to claim. */
        @WithDefault("5s")
        Duration pollInterval();

        /**
         * How long a claimed item stays a replica's without a stored call; a replica that dies leaves
         * its items to others after this.
         */
        @WithDefault("2m")
        Duration lease();

        /**
         * The share of each backend's concurrency limit runs may hold at once; the rest is
         * the line's. At least one slot.
         */
        @WithDefault("0.5")
        double maxBackendShare();

        /** Runs executing at once; a further start is refused with 429. */
        @WithDefault("2")
        int maxConcurrentRuns();

        /** Largest plan (items × wordings × repeats); a larger one is refused with 400. */
        @WithDefault("1000000")
        long maxCalls();
    }

    interface Simulator {
        /**
         * Serve the simulated model at {@code /sim/v1}. A stand-in for a GPU during development and
         * integration tests, never a model: on in the dev profile only.
         */
        @WithDefault("false")
        boolean enabled();

        /** Model names the simulator answers to and lists at /sim/v1/models, as vLLM lists LoRA adapters. */
        @WithDefault("qc-lora")
        List<String> models();

        /**
         * For images near its contrast threshold, let the wording decide the answer (deterministically),
         * so robustness runs show flips, unstable items and significance without a GPU. On in dev mode.
         */
        @WithDefault("false")
        boolean wordingSensitive();
    }
}
