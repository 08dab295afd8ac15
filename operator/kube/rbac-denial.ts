// Turns an API server 403 into a message an admin can act on: which verb on which resource in
// which namespace the operator was denied, in the words of RBAC rules and `kubectl auth can-i`
// (verb, resource.group/subresource), so the missing rule can be read off the log or condition.

export interface RequestAttributes {
  verb: string;
  /** `resource[.group][/subresource]`, as `kubectl auth can-i` takes it. */
  resource: string;
  /** Undefined for cluster-scoped requests and requests across all namespaces. */
  namespace: string | undefined;
}

/** The RBAC request attributes of a REST call, derived the way the API server derives them. */
export function requestAttributes(method: string, pathWithQuery: string): RequestAttributes {
  const url = new URL(pathWithQuery, 'http://api.invalid');
  const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let group = '';
  let rest: string[];
  if (segments[0] === 'api') rest = segments.slice(2);
  else {
    group = segments[1] ?? '';
    rest = segments.slice(3);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource = '', name, subresource] = rest;
  const verb = verbOf(method.toUpperCase(), name !== undefined, url.searchParams.get('watch'));
  const qualified = `${resource}${group ? `.${group}` : ''}${subresource ? `/${subresource}` : ''}`;
  return { verb, resource: qualified, namespace };
}

function verbOf(method: string, named: boolean, watch: string | null): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (watch === 'true' || watch === '1') return 'watch';
      return named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

/** `forbidden: cannot patch carboncompliancepolicies.carbon-aware.dev/status in namespace "ai-team": check the operator's RBAC (<API server message>)`. */
export function forbiddenMessage(attributes: RequestAttributes, detail?: string): string {
  const where =
    attributes.namespace === undefined ? 'cluster-wide' : `in namespace "${attributes.namespace}"`;
  const text = `forbidden: cannot ${attributes.verb} ${attributes.resource} ${where}: check the operator's RBAC`;
  return detail ? `${text} (${detail})` : text;
}
