// Kubernetes Events (core/v1) on the policy: compliance transitions and invalid specs show up in
// `kubectl describe` and `kubectl get events`. Failing to record an event never fails a reconcile.
import type { Logger } from 'pino';
import type { CarbonCompliancePolicy } from '../api/v1alpha1/types.js';
import type { KubeRestClient } from './kube-rest-client.js';

export interface EventRecorder {
  record(
    policy: CarbonCompliancePolicy,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): Promise<void>;
}

export class KubeEventRecorder implements EventRecorder {
  private sequence = 0;

  constructor(
    private readonly client: KubeRestClient,
    private readonly component: string,
    private readonly instance: string,
    private readonly logger?: Logger,
  ) {}

  async record(
    policy: CarbonCompliancePolicy,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): Promise<void> {
    const now = new Date().toISOString();
    const namespace = policy.metadata.namespace;
    const name = `${policy.metadata.name}.${Date.now().toString(16)}${(this.sequence++).toString(16)}`;
    try {
      await this.client.create(`/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: {
          apiVersion: policy.apiVersion,
          kind: policy.kind,
          name: policy.metadata.name,
          namespace,
          uid: policy.metadata.uid,
          resourceVersion: policy.metadata.resourceVersion,
        },
        type,
        reason,
        message: message.slice(0, 1024),
        source: { component: this.component },
        reportingComponent: this.component,
        reportingInstance: this.instance,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      });
    } catch (error) {
      this.logger?.warn(
        { namespace, name: policy.metadata.name, reason, err: (error as Error).message },
        'could not record event',
      );
    }
  }
}
