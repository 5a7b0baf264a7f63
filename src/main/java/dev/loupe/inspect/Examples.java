package dev.loupe.inspect;

/** Example bodies for the OpenAPI document. */
final class Examples {

    static final String ENVELOPE = """
            {"id": "1f0c9a4e-5d7b-4c1e-9a38-2f6d1c0b7e55", "status": "accepted",
             "verdict": {"decision": "NG", "defect_present": true, "confidence": 0.87,
                         "features": {"shape": "片状", "stacking": "多层错位"}, "reason": "可见明显的层间堆叠异常"},
             "profile": "microstructure", "schema": "verdict-v1", "backend": "vllm", "model": "qc-lora",
             "variant": "base", "attempts": 1, "outcome": "repaired", "repairs": ["strip_code_fence"], "violations": [],
             "raw_output": "```json\\n{...}\\n```",
             "steps": [{"backend": "vllm", "model": "qc-lora", "result": "repaired"}],
             "image": {"sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "format": "tiff",
                       "width": 4096, "height": 3072, "sent_width": 1148, "sent_height": 868, "visual_tokens": 1271},
             "usage": {"prompt_tokens": 1700, "completion_tokens": 80},
             "timings_ms": {"preprocess": 41.2, "model": 812.0, "total": 860.5},
             "trace": {"line": "L3", "station": "SEM-2", "lot": "2026-11-28-A", "serial": "SN0042"}}
            """;

    static final String PROBLEM_400 = """
            {"type": "urn:loupe:problem:empty-image", "title": "Empty image", "status": 400,
             "detail": "the image file is empty", "instance": "/v1/inspections"}
            """;

    static final String PROFILE = """
            {"name": "microstructure", "description": "Is the microstructure (defect) present in this micrograph?",
             "schema": "verdict-v1", "chain": [{"backend": "vllm", "model": "qc-lora", "structured": "json_schema",
             "high_resolution_images": false}]}
            """;

    static final String VARIANTS = """
            [{"name": "base", "source": "base", "text": "请判断这张显微图像中是否存在目标微观结构（缺陷）。…",
              "sha256": "4f0c…"},
             {"name": "gen-punct-1", "source": "generated", "text": "请判断这张显微图像中是否存在目标微观结构（缺陷）.…",
              "sha256": "9a1e…"}]
            """;

    private Examples() {}
}
