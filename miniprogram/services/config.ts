/** GET /api/v1/client-config, fetched once per launch (a failed fetch is retried on the next call). */
import { api, type ClientConfig } from './api';

let pending: Promise<ClientConfig> | undefined;

export function loadClientConfig(): Promise<ClientConfig> {
  if (!pending) {
    pending = api.clientConfig().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
  }
  return pending;
}

/** For headers: the hospital's name when known, a neutral word otherwise (never blocks a page). */
export async function hospitalName(): Promise<string> {
  try {
    return (await loadClientConfig()).hospitalName;
  } catch {
    return '医院';
  }
}
