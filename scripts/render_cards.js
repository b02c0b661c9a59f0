// make cards: render every bound card in var/gallery/*.json to docs/cards/<name>.png, with the npm
// adaptivecards renderer and a Teams-like host config, in Debian's headless Chromium.
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const root = path.resolve(__dirname, '..');
const gallery = path.join(root, 'var', 'gallery');
const out = path.join(root, 'docs', 'cards');
const lib = fs.readFileSync(path.join(root, 'node_modules/adaptivecards/dist/adaptivecards.min.js'), 'utf8');
const md = fs.readFileSync(path.join(root, 'node_modules/markdown-it/dist/markdown-it.min.js'), 'utf8');
const hostConfig = fs.readFileSync(path.join(__dirname, 'teams-host-config.json'), 'utf8');

(async () => {
  fs.mkdirSync(out, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = await browser.newPage({ viewport: { width: 560, height: 900 }, deviceScaleFactor: 1 });
  await page.setContent(`<html><body style="margin:0;background:#F5F5F5;font-family:Segoe UI,Helvetica,Arial,sans-serif">
    <div id="card" style="width:520px;margin:16px;background:#fff;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.2)"></div>
    <script>${md}</script><script>${lib}</script></body></html>`);
  const names = fs.readdirSync(gallery).filter(f => f.endsWith('.json')).sort();
  for (const file of names) {
    const card = fs.readFileSync(path.join(gallery, file), 'utf8');
    await page.evaluate(([cardJson, config]) => {
      const AC = window.AdaptiveCards;
      AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
        result.outputHtml = window.markdownit().render(text); result.didProcess = true; };
      const adaptive = new AC.AdaptiveCard();
      adaptive.hostConfig = new AC.HostConfig(JSON.parse(config));
      adaptive.parse(JSON.parse(cardJson), new AC.SerializationContext(new AC.Version(1, 5)));
      const host = document.getElementById('card');
      host.innerHTML = '';
      host.appendChild(adaptive.render());
    }, [card, hostConfig]);
    const element = await page.$('#card');
    await element.screenshot({ path: path.join(out, file.replace('.json', '.png')) });
    console.log(`rendered ${file}`);
  }
  await browser.close();
})().catch(error => { console.error(error); process.exit(1); });
