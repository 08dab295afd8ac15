// Finds the kubeconfig the way kubectl does (KUBECONFIG, then ~/.kube/config, then the Pod's
// service account) and, when none is usable, says which file or variable is wrong. client-node's
// loadFromDefault falls back silently to http://localhost:8080, which later fails with "HTTP
// protocol is not allowed when skipTLSVerify is not set": a message no Claude Desktop user can act on.
import { KubeConfig } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface KubeconfigFound {
  ok: true;
  kubeConfig: KubeConfig;
  /** Where it came from: 'KUBECONFIG=/path', '/home/me/.kube/config' or 'in-cluster service account'. */
  origin: string;
  context: string;
  server: string;
  user: string;
}

export interface KubeconfigProblem {
  ok: false;
  /** What is wrong, naming the file or variable, and what to do. */
  problem: string;
}

export type KubeconfigResolution = KubeconfigFound | KubeconfigProblem;

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface KubeconfigEnvironment {
  env: NodeJS.ProcessEnv;
  home: string;
  fileExists: (path: string) => boolean;
}

const defaultEnvironment = (): KubeconfigEnvironment => ({
  env: process.env,
  home: process.env.HOME || homedir(),
  fileExists: existsSync,
});

function described(kubeConfig: KubeConfig, origin: string): KubeconfigResolution {
  const contextName = kubeConfig.getCurrentContext();
  if (!contextName) {
    return {
      ok: false,
      problem:
        `kubeconfig ${origin} has no current-context. Choose one with ` +
        '`kubectl config use-context NAME` (see `kubectl config get-contexts`).',
    };
  }
  const context = kubeConfig.getContextObject(contextName);
  if (!context) {
    return {
      ok: false,
      problem: `kubeconfig ${origin}: current-context "${contextName}" is not defined in its contexts list.`,
    };
  }
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster?.server) {
    return {
      ok: false,
      problem: `kubeconfig ${origin}: context "${contextName}" names cluster "${context.cluster}", which is not defined or has no server address.`,
    };
  }
  return {
    ok: true,
    kubeConfig,
    origin,
    context: contextName,
    server: cluster.server,
    user: context.user,
  };
}

/** Resolves the kubeconfig to use, or explains why there is none. Never throws. */
export function resolveKubeConfig(
  environment: KubeconfigEnvironment = defaultEnvironment(),
): KubeconfigResolution {
  const { env, home, fileExists } = environment;
  const kubeConfig = new KubeConfig();
  const variable = env.KUBECONFIG?.trim();
  if (variable) {
    const files = variable.split(delimiter).filter(Boolean);
    const missing = files.filter((f) => !fileExists(f));
    if (missing.length === files.length) {
      return {
        ok: false,
        problem:
          `KUBECONFIG names ${missing.join(', ')}, which does not exist. ` +
          'Set KUBECONFIG to the absolute path of an existing kubeconfig file ' +
          '(in Claude Desktop: the "env" of this server in claude_desktop_config.json).',
      };
    }
    const origin = `KUBECONFIG=${variable}`;
    try {
      const present = files.filter((f) => fileExists(f));
      kubeConfig.loadFromFile(present[0]!);
      for (const file of present.slice(1)) {
        const more = new KubeConfig();
        more.loadFromFile(file);
        kubeConfig.mergeConfig(more);
      }
    } catch (error) {
      return {
        ok: false,
        problem: `cannot read the kubeconfig named by KUBECONFIG (${variable}): ${(error as Error).message}`,
      };
    }
    return described(kubeConfig, origin);
  }
  const homeConfig = join(home, '.kube', 'config');
  if (fileExists(homeConfig)) {
    try {
      kubeConfig.loadFromFile(homeConfig);
    } catch (error) {
      return { ok: false, problem: `cannot read kubeconfig ${homeConfig}: ${(error as Error).message}` };
    }
    return described(kubeConfig, homeConfig);
  }
  if (env.KUBERNETES_SERVICE_HOST && fileExists(SERVICE_ACCOUNT_TOKEN)) {
    try {
      kubeConfig.loadFromCluster();
    } catch (error) {
      return {
        ok: false,
        problem: `cannot use the Pod's service account (${SERVICE_ACCOUNT_TOKEN}): ${(error as Error).message}`,
      };
    }
    return described(kubeConfig, 'in-cluster service account');
  }
  return {
    ok: false,
    problem:
      `no kubeconfig: KUBECONFIG is not set, ${homeConfig} does not exist, and this is not a Pod ` +
      '(KUBERNETES_SERVICE_HOST is not set). Set KUBECONFIG to your kubeconfig file ' +
      '(in Claude Desktop: "env": {"KUBECONFIG": "/absolute/path/to/config"}), ' +
      'or use --status-file to serve policies from a file.',
  };
}
