// Reads rendered manifests (YAML, several documents) on stdin and validates every object against
// the schema of its apiVersion and kind, from kubernetes-models (generated from the Kubernetes
// OpenAPI spec and the Prometheus Operator's CRDs). Exits 1 naming each invalid object.
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import * as core from 'kubernetes-models/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as policy from 'kubernetes-models/policy/v1';
import * as monitoring from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';

const models = {
  'v1/Namespace': core.Namespace,
  'v1/ConfigMap': core.ConfigMap,
  'v1/Secret': core.Secret,
  'v1/Service': core.Service,
  'v1/PersistentVolumeClaim': core.PersistentVolumeClaim,
  'apps/v1/Deployment': apps.Deployment,
  'apps/v1/StatefulSet': apps.StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': autoscaling.HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': policy.PodDisruptionBudget,
  'monitoring.coreos.com/v1/ServiceMonitor': monitoring.ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': monitoring.PrometheusRule,
};

let failures = 0;
let count = 0;
for (const object of yaml.loadAll(readFileSync(0, 'utf8'))) {
  if (!object) continue;
  const key = `${object.apiVersion}/${object.kind}`;
  const name = `${key} ${object.metadata?.name}`;
  const Model = models[key];
  count++;
  if (!Model) {
    console.error(`${name}: no schema known for this kind`);
    failures++;
    continue;
  }
  try {
    new Model(object).validate();
    console.log(`valid: ${name}`);
  } catch (e) {
    console.error(`${name}: ${e.message}`);
    failures++;
  }
}
console.log(`${count - failures} of ${count} objects valid`);
process.exit(failures === 0 && count > 0 ? 0 : 1);
