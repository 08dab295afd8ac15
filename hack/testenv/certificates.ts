// Real X.509 material for tests, made with the openssl CLI at test time (Node has no certificate
// builder). Each CA and certificate lives in a directory the caller owns and removes.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CertificateAuthority {
  certPath: string;
  keyPath: string;
  certPem: string;
  keyPem: string;
  dir: string;
}

export interface IssuedCertificate {
  certPath: string;
  keyPath: string;
  certPem: string;
  keyPem: string;
}

export interface CertificateRequest {
  commonName: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  organization?: string;
  usage: 'server' | 'client' | 'both';
  days?: number;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim() || String(error)}`);
  }
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

export function makeCertificateAuthority(dir: string, commonName: string): CertificateAuthority {
  mkdirSync(dir, { recursive: true });
  const base = safeName(commonName);
  const keyPath = join(dir, `${base}-ca.key`);
  const certPath = join(dir, `${base}-ca.crt`);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyPath], dir);
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      keyPath,
      '-sha256',
      '-days',
      '2',
      '-subj',
      `/CN=${commonName}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      certPath,
    ],
    dir,
  );
  return {
    dir,
    keyPath,
    certPath,
    keyPem: readFileSync(keyPath, 'utf8'),
    certPem: readFileSync(certPath, 'utf8'),
  };
}

export function issueCertificate(ca: CertificateAuthority, request: CertificateRequest): IssuedCertificate {
  const base = safeName(`${request.commonName}-${request.usage}`);
  const keyPath = join(ca.dir, `${base}.key`);
  const csrPath = join(ca.dir, `${base}.csr`);
  const certPath = join(ca.dir, `${base}.crt`);
  const extPath = join(ca.dir, `${base}.ext`);
  const subject = `${request.organization ? `/O=${request.organization}` : ''}/CN=${request.commonName}`;
  const altNames = [
    ...(request.dnsNames ?? []).map((d) => `DNS:${d}`),
    ...(request.ipAddresses ?? []).map((ip) => `IP:${ip}`),
  ];
  const extendedUsage = { server: 'serverAuth', client: 'clientAuth', both: 'serverAuth,clientAuth' }[
    request.usage
  ];
  writeFileSync(
    extPath,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      `extendedKeyUsage=${extendedUsage}`,
      ...(altNames.length > 0 ? [`subjectAltName=${altNames.join(',')}`] : []),
    ].join('\n') + '\n',
  );
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyPath], ca.dir);
  openssl(['req', '-new', '-key', keyPath, '-subj', subject, '-out', csrPath], ca.dir);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      csrPath,
      '-CA',
      ca.certPath,
      '-CAkey',
      ca.keyPath,
      '-CAcreateserial',
      '-days',
      String(request.days ?? 2),
      '-sha256',
      '-extfile',
      extPath,
      '-out',
      certPath,
    ],
    ca.dir,
  );
  return {
    keyPath,
    certPath,
    keyPem: readFileSync(keyPath, 'utf8'),
    certPem: readFileSync(certPath, 'utf8'),
  };
}

/** An RSA key pair for signing service-account tokens (kube-apiserver needs one). */
export function makeServiceAccountKeyPair(dir: string): { privateKeyPath: string; publicKeyPath: string } {
  mkdirSync(dir, { recursive: true });
  const privateKeyPath = join(dir, 'sa.key');
  const publicKeyPath = join(dir, 'sa.pub');
  openssl(['genrsa', '-out', privateKeyPath, '2048'], dir);
  openssl(['rsa', '-in', privateKeyPath, '-pubout', '-out', publicKeyPath], dir);
  return { privateKeyPath, publicKeyPath };
}
