import { defineSoak, soakOptions } from './support/define-soak';

// The full soak (`npm run soak`): at least 200 cycles. SOAK_CYCLES, SOAK_SEED, SOAK_STUCK_SECONDS and
// SOAK_LATE_SECONDS override the defaults; figures land in test-artifacts/soak/soak-summary.md.
defineSoak(
  soakOptions({ label: 'soak', cycles: 200, seed: 20_240_601, stuckMs: 45_000, lateMs: 30_000, p95TargetMs: 5_000 }),
);
