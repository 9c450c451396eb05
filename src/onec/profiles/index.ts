import type { Config } from '../../config/schema.js';
import type { Ut11Features } from './features.js';
import type { Profile, ProfileId } from './types.js';
import { ut11Profile } from './ut11.js';
import { erpProfile } from './erp.js';
import { unfProfile } from './unf.js';
import { bpProfile } from './bp.js';
import { roznicaProfile } from './roznica.js';

export * from './types.js';
export { requirements } from './requirements.js';
export { ut11Profile, UT11_SETS, EXT_ID, enumVatRate, commentMarker } from './ut11.js';
export { defaultFeatures, detectFeatures, type Ut11Features, type PublishedView } from './features.js';
export { erpProfile, erpDefaultFeatures } from './erp.js';
export { unfProfile, unfFeatures, unfLineVat, UNF_SETS, UNF_PREDEFINED } from './unf.js';
export { bpProfile, BP_LIMITS } from './bp.js';
export { roznicaProfile, ROZNICA_LIMITS } from './roznica.js';
export { selectProfile, familyOf, EXTENSION_PROFILES, CONFIGURATION_NAMES, UnknownConfiguration, type ProfileChoice, type SelectInput } from './select.js';

export const PROFILE_IDS: ProfileId[] = ['ut11.5', 'ut11.4', 'erp', 'unf', 'bp', 'roznica'];

/**
 * The profile for config.onec.profile (or an explicit id). УТ and ERP/КА refine themselves from the detected features;
 * УНФ, БП and Розница carry their own facts (their dumps), so `features` is not theirs. selectProfile (select.ts) says
 * which id a base needs.
 */
export function getProfile(id: ProfileId, config: Config, features?: Ut11Features): Profile {
  switch (id) {
    case 'ut11.5':
    case 'ut11.4':
      return ut11Profile(id, config, features);
    case 'erp':
      return erpProfile(config, features);
    case 'unf':
      // УНФ's own facts (no УТ feature detection applies): unf.ts.
      return unfProfile(config);
    case 'bp':
      return bpProfile(config);
    case 'roznica':
      return roznicaProfile(config);
    default:
      throw new Error(`Unknown 1C profile '${String(id)}' (known: ${PROFILE_IDS.join(', ')})`);
  }
}
