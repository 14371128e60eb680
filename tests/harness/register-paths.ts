// Jest's global setup runs outside the test runtime, where moduleNameMapper does not apply:
// map the @caravan/* aliases of tsconfig.json for it here (imported first by the setup files).
import { join } from 'node:path';
import { register } from 'tsconfig-paths';

register({ baseUrl: join(__dirname, '..', '..'), paths: { '@caravan/*': ['libs/*/src'] } });
