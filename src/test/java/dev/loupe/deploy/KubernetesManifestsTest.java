package dev.loupe.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * `kubectl kustomize deploy/k8s` renders, and every object validates against the JSON schema of its
 * kind (kubernetes-models from npm: schemas generated from the Kubernetes OpenAPI spec and the
 * Prometheus Operator's CRDs).
 */
class KubernetesManifestsTest {

    private static final Path VALIDATOR = Path.of("deploy/k8s/validate");

    @Test
    void theManifestsRenderAndValidate() throws Exception {
        Tools.Result rendered = Tools.run(List.of(Tools.require("kubectl").toString(), "kustomize", "deploy/k8s"), null);
        assertEquals(0, rendered.exitCode(), rendered.all());
        String yaml = rendered.output();
        assertTrue(yaml.contains("kind: PrometheusRule") && yaml.contains("kind: ServiceMonitor")
                && yaml.contains("kind: HorizontalPodAutoscaler") && yaml.contains("kind: PodDisruptionBudget"));
        assertTrue(yaml.contains("path: /q/health/ready") && yaml.contains("readOnlyRootFilesystem: true")
                && yaml.contains("runAsNonRoot: true") && yaml.contains("nvidia.com/gpu"));
        assertTrue(yaml.contains("name: loupe-profile-microstructure-") && yaml.contains("verdict-v1.schema.json"),
                "the profile and schema ConfigMaps are generated from prompts/ and schemas/");

        assumeTrue(Files.isDirectory(VALIDATOR.resolve("node_modules")),
                "npm install --prefix deploy/k8s/validate (.ci/run does) to validate the objects");
        Tools.Result validated = Tools.run(List.of(Tools.require("node").toString(),
                VALIDATOR.resolve("validate.mjs").toString()), yaml);
        assertEquals(0, validated.exitCode(), validated.all());
        assertTrue(validated.output().contains("13 of 13 objects valid"), validated.all());
    }
}
