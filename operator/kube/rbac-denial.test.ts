import { forbiddenMessage, requestAttributes } from './rbac-denial.js';

describe('requestAttributes', () => {
  it.each([
    ['GET', '/api/v1/pods?limit=500', 'list', 'pods', undefined],
    ['GET', '/api/v1/namespaces/a/pods?watch=true&resourceVersion=5', 'watch', 'pods', 'a'],
    ['GET', '/api/v1/namespaces/a/pods/p', 'get', 'pods', 'a'],
    [
      'PATCH',
      '/apis/carbon-aware.dev/v1alpha1/namespaces/ai-team/carboncompliancepolicies/x/status',
      'patch',
      'carboncompliancepolicies.carbon-aware.dev/status',
      'ai-team',
    ],
    [
      'GET',
      '/apis/carbon-aware.dev/v1alpha1/carboncompliancepolicies',
      'list',
      'carboncompliancepolicies.carbon-aware.dev',
      undefined,
    ],
    [
      'POST',
      '/apis/coordination.k8s.io/v1/namespaces/op/leases',
      'create',
      'leases.coordination.k8s.io',
      'op',
    ],
    [
      'PUT',
      '/apis/coordination.k8s.io/v1/namespaces/op/leases/l',
      'update',
      'leases.coordination.k8s.io',
      'op',
    ],
    ['POST', '/api/v1/namespaces/a/events', 'create', 'events', 'a'],
    ['GET', '/apis/apps/v1/namespaces/a/replicasets/r', 'get', 'replicasets.apps', 'a'],
    ['DELETE', '/api/v1/namespaces/a/pods', 'deletecollection', 'pods', 'a'],
    ['GET', '/api/v1/namespaces/a', 'get', 'namespaces', undefined],
  ])('%s %s → %s %s in %s', (method, path, verb, resource, namespace) => {
    expect(requestAttributes(method, path)).toEqual({ verb, resource, namespace });
  });
});

describe('forbiddenMessage', () => {
  it('names verb, resource and namespace, and keeps the API server detail', () => {
    expect(
      forbiddenMessage(requestAttributes('GET', '/apis/batch/v1/namespaces/a/jobs/j'), 'User "x" cannot get'),
    ).toBe(
      'forbidden: cannot get jobs.batch in namespace "a": check the operator\'s RBAC (User "x" cannot get)',
    );
    expect(forbiddenMessage(requestAttributes('GET', '/api/v1/pods?watch=true'))).toBe(
      "forbidden: cannot watch pods cluster-wide: check the operator's RBAC",
    );
  });
});
