// A leader-election candidate process for leader-election.itest.ts: campaigns for a Lease with
// the real LeaderElector and prints LEADING / STOPPED lines; SIGTERM releases the Lease.
import { KubeConfig } from '@kubernetes/client-node';
import { KubeRestClient } from '../../operator/kube/kube-rest-client.js';
import { LeaderElector } from '../../operator/kube/leader-election.js';

const [kubeconfig, namespace, name, identity] = process.argv.slice(2);
const kc = new KubeConfig();
kc.loadFromFile(kubeconfig!);
const elector = new LeaderElector(new KubeRestClient(kc), {
  namespace: namespace!,
  name: name!,
  identity: identity!,
  leaseDurationSeconds: 3,
  renewDeadlineSeconds: 2,
  retryPeriodSeconds: 0.5,
  onStartedLeading: () => process.stdout.write(`LEADING ${identity}\n`),
  onStoppedLeading: () => process.stdout.write(`STOPPED ${identity}\n`),
});
elector.start();
process.stdout.write(`CANDIDATE ${identity}\n`);
process.on('SIGTERM', () => {
  void elector.stop().then(() => process.exit(0));
});
