// Placeholder; replaced by the services check (PostgreSQL/Redis) in the integration harness.
export default async function globalSetup(): Promise<void> {}
