import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Service } from 'kubernetes-models/v1/Service';
import type { KubeObject } from './rendered-manifests.js';

interface Validatable {
  validate(): void;
}

// The kinds deploy/k8s uses; any other kind fails the test instead of passing unchecked.
const models: Record<string, new (data: never) => Validatable> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'batch/v1/Job': Job,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

/**
 * Validates one object against the Kubernetes OpenAPI schema of its kind, as kubernetes-models
 * ships it. Like the API server's schema, it allows fields it does not know: the property tests
 * catch a misspelt field by its missing effect.
 */
export function schemaProblems(object: KubeObject): string | undefined {
  const Model = models[`${object.apiVersion}/${object.kind}`];
  if (Model === undefined) return `no schema known for ${object.apiVersion} ${object.kind}`;
  try {
    new Model(object as never).validate();
    return undefined;
  } catch (error) {
    return `${object.kind} ${object.metadata.name}: ${(error as Error).message}`;
  }
}
