export { hashPassword, verifyPassword } from './password.js';
export { resolveOptions, connectionString, connectionStringForShell, generatePassword, type InstallOptions, type InstallOs, type InstallTarget } from './options.js';
export { generateKit, writeKit, regateConfig, templateVars, type KitFile } from './generate.js';
export { readOdataComposition, COMPOSITION_FILE, type CompositionEntry } from './composition.js';
export { upsertUser } from './config-file.js';
export { render, xmlEscape, TEMPLATES_DIR } from './templates.js';
export { adoptFromBaseDump, EXTENSION_DIR, type AdoptResult } from './adopt.js';
