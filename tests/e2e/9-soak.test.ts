import { defineSoak, soakOptions } from '../soak/support/define-soak';

// The soak's short version ("Soak" in tests/e2e/README.md): 20 cycles, every fault kind at
// least twice, the same cycle engine as `npm run soak`. SOAK_* variables override it as they do the full one.
defineSoak(soakOptions({ label: '9-soak', cycles: 20, seed: 9, stuckMs: 45_000, lateMs: 0, p95TargetMs: 5_000 }));
