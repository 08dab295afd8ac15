// Input fields several tools share, validated as Kubernetes names.
import { z } from 'zod';

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const workloadNameField = z
  .string()
  .min(1)
  .max(253)
  .regex(dns1123Subdomain, 'a Kubernetes object name (lower-case letters, digits, "-", ".")')
  .describe('workload name: the Deployment, StatefulSet, DaemonSet, Job or CronJob (or bare Pod) name');

export const namespaceField = z
  .string()
  .min(1)
  .max(63)
  .regex(dns1123Label, 'a Kubernetes namespace name (lower-case letters, digits, "-")')
  .describe('Kubernetes namespace');

export const standardField = z
  .string()
  .regex(/^[A-Z0-9_]+$/, 'a standard code such as KR_CARBON_2050')
  .max(64)
  .describe("standard code, e.g. KR_CARBON_2050 (default: the policy's standard)");

/**
 * The one zone code form used everywhere (CRD spec.site.zone, tools, resources, completion):
 * Electricity Maps zone keys, i.e. an ISO 3166-1 alpha-2 country code with optional sub-zones.
 * Tools also accept lower case and upper-case it.
 */
export const ZONE_CODE_PATTERN = /^[A-Z]{2}(-[A-Z0-9]+)*$/;

export const zoneField = z
  .string()
  .max(32)
  .regex(
    new RegExp(ZONE_CODE_PATTERN.source, 'i'),
    'a grid zone code: ISO 3166-1 alpha-2 with optional sub-zone, e.g. KR, JP, AU-NSW',
  )
  .describe(
    "grid zone: ISO 3166-1 alpha-2 country code with optional sub-zone (KR, JP, AU-NSW); complete with carbon://grid/{zone}. Default: the workload's policy site, else KR",
  );
