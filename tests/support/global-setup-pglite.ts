import { setupPglite } from './global-setup.ts';

/** The PGlite project's template (TEST_DRIVER=pglite is set for the test files, not for this setup). */
export default setupPglite;
