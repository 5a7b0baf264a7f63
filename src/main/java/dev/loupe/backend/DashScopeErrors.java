package dev.loupe.backend;

import java.util.Map;
import java.util.Optional;

/**
 * DashScope's error codes, as they appear in an error body's {@code code} (or {@code type}), with the
 * outcome each stands for and what an operator should do. Codes are matched ignoring case and
 * punctuation, so {@code DataInspectionFailed} and {@code data_inspection_failed} are one code.
 */
final class DashScopeErrors {

    record Meaning(BackendFailure failure, String advice) {}

    private static final Map<String, Meaning> CODES = Map.ofEntries(
            Map.entry("limitrequests", new Meaning(BackendFailure.RATE_LIMITED,
                    "DashScope's request rate limit was reached (limit_requests); slow down or raise the quota")),
            Map.entry("insufficientquota", new Meaning(BackendFailure.QUOTA_EXHAUSTED,
                    "the DashScope account's quota or balance is used up (insufficient_quota); top it up or raise the quota")),
            Map.entry("throttlingratequota", new Meaning(BackendFailure.RATE_LIMITED,
                    "DashScope's request rate limit for this model was reached (Throttling.RateQuota); slow down or raise the quota")),
            Map.entry("throttlingallocationquota", new Meaning(BackendFailure.RATE_LIMITED,
                    "DashScope's token quota for this model is used up (Throttling.AllocationQuota); wait or raise the quota")),
            Map.entry("throttling", new Meaning(BackendFailure.RATE_LIMITED,
                    "DashScope throttled the request (Throttling)")),
            Map.entry("datainspectionfailed", new Meaning(BackendFailure.CLIENT_ERROR,
                    "DashScope's content inspection refused the image or text (DataInspectionFailed)")),
            Map.entry("invalidapikey", new Meaning(BackendFailure.CLIENT_ERROR,
                    "DashScope rejected the API key (InvalidApiKey); check DASHSCOPE_API_KEY and the region")),
            Map.entry("arrearage", new Meaning(BackendFailure.QUOTA_EXHAUSTED,
                    "the Alibaba Cloud account is in arrears (Arrearage); top it up in the billing console")));

    private DashScopeErrors() {}

    static Optional<Meaning> of(String code) {
        if (code == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(CODES.get(code.replaceAll("[^A-Za-z]", "").toLowerCase(java.util.Locale.ROOT)));
    }
}
