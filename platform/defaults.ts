/** Build-time default for the Broker URL field; set `WXT_DEFAULT_BROKER_URL` when building. */
export const DEFAULT_BROKER_URL: string =
  (import.meta.env.WXT_DEFAULT_BROKER_URL as string | undefined) || 'http://localhost:9000';
