import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

/**
 * A Chromium for browser tests: CHROME_PATH, else one of the usual paths; none found is one line
 * saying how to get one.
 */
export function chromiumPath(): string {
  const path = process.env.CHROME_PATH ?? CANDIDATES.find((p) => existsSync(p));
  if (!path || !existsSync(path)) {
    throw new Error(
      'no Chromium for the browser tests: apt-get install -y --no-install-recommends chromium (or set CHROME_PATH)',
    );
  }
  return path;
}

/** Launches that Chromium headless (without its sandbox, which root cannot use). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox'] });
}
