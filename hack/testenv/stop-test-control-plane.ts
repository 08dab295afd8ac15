// jest globalTeardown: stop the control plane and remove its directory, whatever the tests did.
export default async function globalTeardown(): Promise<void> {
  const controlPlane = globalThis.__carbonKeplerControlPlane;
  globalThis.__carbonKeplerControlPlane = undefined;
  await controlPlane?.stop();
}
