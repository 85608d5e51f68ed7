// When a stored server (or token) has expired. Its own module so the auth layer can ask without loading the
// management layer (service/manage.ts and what it imports), which the bin's start-up would otherwise pay for.

export function isExpired(r: { expires_at: number | null }, now: number): boolean {
  return r.expires_at !== null && r.expires_at <= now;
}
