// Kubernetes Events (core/v1) on a namespaced object (the operator records them on its policies:
// compliance transitions and invalid specs show up in `kubectl describe` and `kubectl get events`).
// Failing to record an event never fails a reconcile.
import type { Logger } from 'pino';
import type { KubeRestClient } from './kube-rest-client.js';

/** The namespaced object an Event is about (its involvedObject). */
export interface EventSubject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; uid?: string; resourceVersion?: string };
}

export interface EventRecorder {
  record(subject: EventSubject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void>;
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
    subject: EventSubject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): Promise<void> {
    const now = new Date().toISOString();
    const namespace = subject.metadata.namespace;
    const name = `${subject.metadata.name}.${Date.now().toString(16)}${(this.sequence++).toString(16)}`;
    try {
      await this.client.create(`/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: {
          apiVersion: subject.apiVersion,
          kind: subject.kind,
          name: subject.metadata.name,
          namespace,
          uid: subject.metadata.uid,
          resourceVersion: subject.metadata.resourceVersion,
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
        { namespace, name: subject.metadata.name, reason, err: (error as Error).message },
        'could not record event',
      );
    }
  }
}
