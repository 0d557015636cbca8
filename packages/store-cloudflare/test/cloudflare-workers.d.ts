/** The part of workerd's `cloudflare:workers` module the tests use (`wrangler types` gives apps the full one). */
declare module 'cloudflare:workers' {
  export const env: Record<string, unknown>;
}
