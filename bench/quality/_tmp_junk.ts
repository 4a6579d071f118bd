import { JUNK_EMAILS, JUNK_PHONES } from './variants.js';
import { createBlockList } from '../../host/identity/index.js';
import { normalizeIdentifier } from '../../host/service/events.js';
import { DEFAULT_CONFIG } from '../../host/service/config.js';
const bl = createBlockList({});
for (const [v] of JUNK_EMAILS) { const n = normalizeIdentifier('email', v, DEFAULT_CONFIG); console.log('email', v, n?.value ?? 'INVALID', bl.isBlocked('email', n?.value ?? null, v)); }
for (const [v] of JUNK_PHONES) { const n = normalizeIdentifier('phone', v, DEFAULT_CONFIG); console.log('phone', v, n?.value ?? 'INVALID', bl.isBlocked('phone', n?.value ?? null, v)); }
