package dev.loupe.backend;

import java.util.Arrays;
import java.util.stream.Collectors;

/** DashScope's compatible-mode endpoints by region. */
enum DashScopeRegion {
    CN_BEIJING("cn-beijing", "https://dashscope.aliyuncs.com/compatible-mode/v1"),
    AP_SOUTHEAST_1("ap-southeast-1", "https://dashscope-intl.aliyuncs.com/compatible-mode/v1"),
    US_EAST_1("us-east-1", "https://dashscope-us.aliyuncs.com/compatible-mode/v1");

    private final String id;
    private final String url;

    DashScopeRegion(String id, String url) {
        this.id = id;
        this.url = url;
    }

    static String urlOf(String region, String backend) {
        return Arrays.stream(values()).filter(r -> r.id.equals(region.strip())).findFirst()
                .map(r -> r.url)
                .orElseThrow(() -> new IllegalArgumentException("loupe.backends." + backend + ".region '" + region
                        + "' is not one of " + Arrays.stream(values()).map(r -> r.id).collect(Collectors.joining(", "))));
    }
}
