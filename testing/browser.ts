// The one way tests and benches start a browser: Debian's chromium (installed by .ci/run), driven by playwright-core
// with no browser download, sandbox off (CI runs as root) and no background traffic to Google.
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Whether the browser tests run: chromium is here, or this is CI (where its absence must fail, not skip). */
export const haveChromium = existsSync(CHROMIUM) || !!process.env.CI;

export function launchChromium(executablePath = CHROMIUM): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-background-networking', '--headless', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}
