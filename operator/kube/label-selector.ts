// Kubernetes label-selector semantics (matchLabels AND every matchExpression), evaluated in
// process against the pod cache, so one cluster-wide pod watch serves every policy.

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }>;
}

export function matchesSelector(
  selector: LabelSelector,
  labels: Record<string, string> | undefined,
): boolean {
  const have = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (have[key] !== value) return false;
  }
  for (const expression of selector.matchExpressions ?? []) {
    const present = Object.prototype.hasOwnProperty.call(have, expression.key);
    const value = have[expression.key];
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
        if (!present || !values.includes(value!)) return false;
        break;
      case 'NotIn':
        // As in Kubernetes: a pod without the label matches NotIn.
        if (present && values.includes(value!)) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
    }
  }
  return true;
}

/** The selector in the API server's labelSelector query syntax (for logs, kubectl hints). */
export function selectorToString(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    if (e.operator === 'In') parts.push(`${e.key} in (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.join(',');
}
