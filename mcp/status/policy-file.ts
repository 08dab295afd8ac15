// A file of CarbonCompliancePolicy objects (YAML or JSON: a list, or a v1 List with items), for
// --status-file. Checked for the fields the front end relies on; status is kept as written.
import { z } from 'zod';

const policyObject = z.looseObject({
  apiVersion: z.literal('carbon-aware.dev/v1alpha1'),
  kind: z.literal('CarbonCompliancePolicy'),
  metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().min(1) }),
  spec: z.looseObject({ language: z.enum(['ko', 'en']).optional() }).default({}),
  status: z
    .looseObject({
      workloads: z.array(z.looseObject({ workload: z.string(), namespace: z.string() })).optional(),
    })
    .optional(),
});

export const policyListSchema = z.union([
  z.array(policyObject),
  z.looseObject({ items: z.array(policyObject) }).transform((list) => list.items),
]);
