// Public API of the identity layer: pure normalization, device ids, link tokens, block lists.
export { normalizeEmail, type EmailOptions, type NormalizedEmail } from './email.js';
export { normalizePhone, nationalNumberOf, isValidDefaultCountry, PHONE_CACHE_SIZE } from './phone.js';
export {
  normalizeDeviceId,
  composeDeviceId,
  mapToDeviceId,
  tenantNamespace,
  PROJECT_NAMESPACE,
  MAX_FOREIGN_DEVICE_ID_LENGTH,
} from './device.js';
export {
  validateDeviceComponents,
  canonicalComponents,
  type DeviceComponents,
  type DeviceExtraValue,
  MAX_COMPONENT_STRING_LENGTH,
  MAX_EXTRA_DEPTH,
  MAX_EXTRA_ENTRIES,
} from './device-components.js';
export { uuidV5 } from './uuid.js';
export {
  signLinkToken,
  verifyLinkToken,
  addTokenToUrl,
  LINK_TOKEN_PARAM,
  MIN_SECRET_BYTES,
  type LinkTokenPayload,
  type LinkTokenClaims,
  type LinkSecret,
  type LinkSecrets,
} from './link-token.js';
export {
  BLOCK_SECTIONS,
  createBlockList,
  type BlockList,
  type BlockReason,
  type TenantBlockConfig,
  MAX_BLOCKED_VALUES_PER_TYPE,
  MAX_BLOCKED_PATTERNS_PER_TYPE,
  MAX_BLOCKED_VALUE_LENGTH,
} from './blocked.js';
export { MAX_PATTERN_LENGTH } from './safe-pattern.js';
