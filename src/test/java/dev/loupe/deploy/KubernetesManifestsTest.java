package dev.loupe.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.testing.RequiredTools;
import dev.loupe.config.LoupeConfig;
import dev.loupe.testing.Processes;
import dev.loupe.testing.TestJson;
import io.smallrye.config.WithDefault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        Processes.Result rendered = Tools.run(List.of(Tools.require("kubectl").toString(), "kustomize", "deploy/k8s"), null);
        assertEquals(0, rendered.exitCode(), rendered.all());
        String yaml = rendered.output();
        assertTrue(yaml.contains("kind: PrometheusRule") && yaml.contains("kind: ServiceMonitor")
                && yaml.contains("kind: HorizontalPodAutoscaler") && yaml.contains("kind: PodDisruptionBudget"));
        assertTrue(yaml.contains("path: /q/health/ready") && yaml.contains("readOnlyRootFilesystem: true")
                && yaml.contains("runAsNonRoot: true") && yaml.contains("nvidia.com/gpu"));
        assertTrue(yaml.contains("name: loupe-profile-microstructure-") && yaml.contains("verdict-v1.schema.json"),
                "the profile and schema ConfigMaps are generated from prompts/ and schemas/");
        // Every profile folder and the model families its profiles name are mounted where Loupe reads them.
        for (String folder : List.of("microstructure", "microstructure-qwen3", "families")) {
            assertTrue(yaml.contains("mountPath: /deployments/config/prompts/" + folder + "\n"), folder + " is mounted");
        }
        assertTrue(yaml.contains("qwen3-vl.yaml: |"), "the families ConfigMap holds the family files");

        assertGracePeriodCoversTheShutdown(yaml);
        assertVllmIsPinnedAndSizedForLoupe(yaml);
        assertItStartsOnADefaultCluster(yaml);
        validate(yaml);
    }

    /** The ModelScope overlay: the same objects, vLLM fetching the model from ModelScope. */
    @Test
    void theModelScopeOverlayRendersAndValidates() throws Exception {
        Processes.Result rendered = Tools.run(List.of(Tools.require("kubectl").toString(), "kustomize",
                "deploy/overlays/modelscope"), null);
        assertEquals(0, rendered.exitCode(), rendered.all());
        String yaml = rendered.output();
        assertTrue(yaml.contains("name: VLLM_USE_MODELSCOPE\n          value: \"True\""), yaml);
        assertTrue(yaml.contains("name: MODELSCOPE_CACHE\n          value: /models/modelscope"), yaml);
        assertItStartsOnADefaultCluster(yaml);
        validate(yaml);
    }

    /**
     * What a default cluster (EKS, GKE, AKS with kube-prometheus-stack) needs: vLLM starts with no adapter
     * in place and takes adapters at runtime, every claim is ReadWriteOnce, the monitors carry the label
     * the stack selects by, vLLM tolerates GPU nodes' taint.
     */
    private static void assertItStartsOnADefaultCluster(String yaml) {
        assertFalse(yaml.contains("- --lora-modules"), "no adapter must exist for vLLM to start");
        assertTrue(yaml.contains("name: VLLM_ALLOW_RUNTIME_LORA_UPDATING\n          value: \"True\""), "runtime LoRA updating");
        assertTrue(yaml.contains("/v1/load_lora_adapter"), "the adapter-loader loads what is on the volume");
        assertFalse(yaml.contains("ReadWriteMany"), "no claim needs a ReadWriteMany class");
        assertTrue(Pattern.compile("kind: PersistentVolumeClaim\nmetadata:\n(  .*\n)*?  name: loupe-images\n"
                + "(.*\n)*?spec:\n  accessModes:\n  - ReadWriteOnce").matcher(yaml).find(), "the images claim is ReadWriteOnce");
        assertTrue(yaml.contains("topologyKey: kubernetes.io/hostname"), "the replicas share the images volume's node");
        assertEquals(3, yaml.split("release: kube-prometheus-stack").length - 1,
                "both ServiceMonitors and the PrometheusRule carry kube-prometheus-stack's release label");
        assertTrue(yaml.contains("key: nvidia.com/gpu\n        operator: Exists"), "GPU tolerations");
    }

    private static void validate(String yaml) throws Exception {
        RequiredTools.assume(Files.isDirectory(VALIDATOR.resolve("node_modules")),
                "npm install --prefix deploy/k8s/validate (.ci/run does) to validate the objects");
        Processes.Result validated = Tools.run(List.of(Tools.require("node").toString(),
                VALIDATOR.resolve("validate.mjs").toString()), yaml);
        assertEquals(0, validated.exitCode(), validated.all());
        assertTrue(validated.output().contains("19 of 19 objects valid"), validated.all());
    }

    /**
     * vLLM: the release whose metrics the dashboard uses, a startup probe for model load, the model
     * cache on a volume claim, LoRA ranks up to 64, and one image of at most the pixels Loupe sends.
     */
    private static void assertVllmIsPinnedAndSizedForLoupe(String yaml) throws Exception {
        VllmRelease release = VllmRelease.pinned();
        assertTrue(yaml.contains("image: " + release.image()), "k8s runs " + release.image());
        assertTrue(Files.readString(Path.of("deploy/compose/compose.yml")).contains("image: " + release.image()),
                "compose runs " + release.image());
        String vllm = yaml.substring(yaml.indexOf("image: " + release.image()));
        vllm = vllm.substring(0, vllm.indexOf("volumes:", vllm.indexOf("volumeMounts:") + 13) + 200);
        assertTrue(vllm.contains("startupProbe:"), "a startup probe sized for model load");
        assertTrue(yaml.contains("claimName: vllm-models"), "the model cache survives a reschedule");
        assertTrue(Integer.parseInt(find(yaml, "- --max-lora-rank\\s*\\n\\s*- \"(\\d+)\"")) >= 64);
        assertTrue(yaml.contains("- --max-loras"));
        assertTrue(yaml.contains("'{\"image\": 1}'"), "one image per prompt");
        long maxPixels = dev.loupe.prompt.ProfileLoader.load(new dev.loupe.config.DataFolder(Path.of("prompts"), "prompts"), TestJson.MAPPER)
                .get("microstructure").chain().get(0).image().maxPixels();
        assertEquals(String.valueOf(maxPixels), find(yaml, "\"max_pixels\": (\\d+)"),
                "vLLM's processor budget is the pixel budget of the profile's vLLM step");
        assertTrue(yaml.contains("medium: Memory"), "shared memory for PyTorch's workers");
    }

    /** The pod's grace period holds the preStop pause, Loupe's shutdown delay and an inspection's deadline. */
    private static void assertGracePeriodCoversTheShutdown(String yaml) throws Exception {
        long grace = Long.parseLong(find(yaml, "terminationGracePeriodSeconds: (\\d+)"));
        long preStop = Long.parseLong(find(yaml, "- sleep\\s*\\n\\s*- \"?(\\d+)"));
        Properties properties = new Properties();
        try (var in = Files.newBufferedReader(Path.of("src/main/resources/application.properties"))) {
            properties.load(in);
        }
        long delay = Duration.parse("PT" + properties.getProperty("quarkus.shutdown.delay").toUpperCase(Locale.ROOT)).toSeconds();
        String deadline = LoupeConfig.Inspection.class.getMethod("deadline").getAnnotation(WithDefault.class).value();
        long inspection = Duration.parse("PT" + deadline.toUpperCase(Locale.ROOT)).toSeconds();
        assertTrue(grace >= preStop + delay + inspection, "terminationGracePeriodSeconds " + grace + " < preStop "
                + preStop + " + shutdown delay " + delay + " + inspection deadline " + inspection);
        String compose = Files.readString(Path.of("deploy/compose/compose.yml"));
        assertTrue(Long.parseLong(find(compose, "stop_grace_period: (\\d+)s")) >= delay + inspection, "compose stop_grace_period");
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex);
        return m.group(1);
    }
}
