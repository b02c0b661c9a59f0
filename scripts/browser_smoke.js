// A person in front of the Playground, in headless Chromium: type commands, press a card button,
// and keep screenshots of what they see. Usage: node scripts/browser_smoke.js PORT OUTDIR
const path = require('path');
const { chromium } = require('playwright-core');

(async () => {
  const [port, outDir] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(`http://127.0.0.1:${port}/`);
  const box = page.locator('div[contenteditable="true"][role="textbox"]');
  await box.waitFor({ timeout: 20000 });
  async function type(text) {
    await box.click();
    await page.keyboard.type(text);
    await page.keyboard.press('Enter');
  }
  await type('imr plan 21/12/2026');
  await page.getByText('Wed 13 Jan 2027').first().waitFor({ timeout: 15000 });
  await page.screenshot({ path: path.join(outDir, 'playground-plan.png') });
  await type('imr new');
  await page.getByText('Log a new IMR commission').last().waitFor({ timeout: 15000 });
  await page.screenshot({ path: path.join(outDir, 'playground-new.png') });
  await page.locator('button[aria-label="Cancel"]').last().click();  // a card button
  await page.getByText('Cancelled: nothing was saved.').last().waitFor({ timeout: 15000 });
  await page.screenshot({ path: path.join(outDir, 'playground-cancelled.png') });
  await browser.close();
  console.log('browser smoke test passed');
})().catch(error => { console.error(error); process.exit(1); });
