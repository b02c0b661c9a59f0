// The Teams tab in headless Chromium (Debian's), as several people: each page opens, shows what
// that person may see and nothing more, the filters and links work from the keyboard, axe-core
// finds no serious or critical accessibility problem, and screenshots are kept.
// Usage: node scripts/tab_browser.js OUTDIR ROLE=PORT [ROLE=PORT ...]
// ROLE is one of business, head, author, qpp (what the checks expect of that person).
const path = require('path');
const { chromium } = require('playwright-core');

const AXE = require('fs').readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const [outDir, ...pairs] = process.argv.slice(2);
const failures = [];

function check(ok, what) {
  if (!ok) failures.push(what);
}

async function axe(page, what) {
  // evaluated by the browser's debugger, not as a page script: the page's CSP stays as served
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    const found = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] });
    return found.violations.map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help }));
  });
  for (const v of result) {
    if (v.impact === 'serious' || v.impact === 'critical') {
      failures.push(`${what}: axe ${v.impact} ${v.id} (${v.help}) on ${v.nodes} element(s)`);
    }
  }
  return result;
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  for (const pair of pairs) {
    const [role, port] = pair.split('=');
    const base = `http://127.0.0.1:${port}`;
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    const problems = [];
    let refusalExpected = false;  // the browser logs the refused review's 404 as an error
    page.on('console', m => {
      if (m.type() === 'error' && !(refusalExpected && m.text().includes('404'))) problems.push(m.text());
    });
    page.on('pageerror', e => problems.push(String(e)));

    // the board
    await page.goto(`${base}/tab/board`);
    await page.locator('#board-table table').waitFor({ timeout: 15000 });
    const who = await page.locator('#who').innerText();
    check(who.includes('Local mode'), `${role}: the page says it is in local mode (${who})`);
    const rows = await page.locator('#board-table tbody tr').count();
    const links = await page.locator('#board-table tbody a').count();
    check(rows > 0, `${role}: the board lists reviews`);
    if (role === 'author') check(links > 0 && links < rows, `${role}: links only to the reviews they are on (${links} of ${rows})`);
    else check(links === rows, `${role}: a link to every review (${links} of ${rows})`);
    const rag = await page.locator('#board-table .rag').first().innerText();
    check(/Red|Amber|Green|On hold|No date/.test(rag), `${role}: RAG in words (${rag})`);
    check(await page.locator('#timeline svg').count() === 1, `${role}: the timeline is drawn`);
    const perfLink = page.locator('[data-nav="performance"]');
    check(await perfLink.isVisible() === (role !== 'author'), `${role}: the Performance link is shown only to whom it is for`);
    await axe(page, `${role} board`);
    await page.screenshot({ path: path.join(outDir, `tab-board-${role}.png`), fullPage: false });

    // the filters, from the keyboard
    await page.locator('#f-overdue').focus();
    await page.keyboard.press('Space');
    const overdue = await page.locator('#board-table tbody tr').count();
    const redOnly = await page.locator('#board-table tbody .rag-red').count();
    check(overdue === redOnly, `${role}: "Only overdue" leaves the red ones (${overdue}, ${redOnly})`);
    await page.keyboard.press('Space');
    await page.locator('#f-mine').check();
    const mine = await page.locator('#board-table tbody tr').count();
    check(mine <= rows, `${role}: "Only mine" narrows the board`);
    if (role === 'author') check(mine > 0 && mine < rows, `${role}: the author has some reviews of their own (${mine})`);
    await page.locator('#f-mine').uncheck();
    const stage = await page.locator('#f-stage option').nth(1).getAttribute('value');
    await page.locator('#f-stage').selectOption(stage);
    const ofStage = await page.locator('#board-table tbody tr').count();
    check(ofStage > 0 && ofStage <= rows, `${role}: the stage filter`);
    await page.locator('#f-stage').selectOption('');

    // a link from the board to one review, opened with the keyboard
    const first = page.locator('#board-table tbody a').first();
    const reference = await first.innerText();
    await first.focus();
    await page.keyboard.press('Enter');
    await page.locator('h1', { hasText: `Review ${reference}` }).waitFor({ timeout: 15000 });
    check(await page.locator('#plan svg').count() === 1, `${role}: the plan is drawn`);
    check(await page.getByText('People on this review').count() === 1, `${role}: the people are listed`);
    await axe(page, `${role} review`);
    await page.screenshot({ path: path.join(outDir, `tab-review-${role}.png`), fullPage: false });

    // a review they may not see says no more than a review that does not exist
    if (role === 'author') {
      refusalExpected = true;
      await page.goto(`${base}/tab/review?ref=OTHER%2F2026%2F001`);
      await page.locator('#message').waitFor({ timeout: 15000 });
      check((await page.locator('#message').innerText()).includes('no review with that reference'), `${role}: refused like a missing review`);
      check(await page.locator('#content table').count() === 0, `${role}: nothing of the review is shown`);
      refusalExpected = false;
    }

    // performance
    await page.goto(`${base}/tab/performance`);
    if (role === 'author') {
      await page.locator('#message').waitFor({ timeout: 15000 });
      check(await page.locator('#content table').count() === 0, `${role}: no performance figures`);
    } else {
      await page.locator('#chart-forecast svg').waitFor({ timeout: 15000 });
      check(await page.locator('#content table').count() === 6, `${role}: six tables of figures`);
      check(await page.locator('button[data-csv]').count() === 6, `${role}: six .csv downloads`);
      const slip = await page.locator('.slip').count();
      check(slip > 0, `${role}: the forecast flags a review that will slip`);
      const [download] = await Promise.all([page.waitForEvent('download'),
        page.locator('button[data-csv$="forecast.csv"]').click()]);
      check(download.suggestedFilename() === 'forecast.csv', `${role}: the forecast downloads as .csv`);
      await axe(page, `${role} performance`);
      await page.screenshot({ path: path.join(outDir, `tab-performance-${role}.png`), fullPage: true });
    }
    check(problems.length === 0, `${role}: no errors in the console: ${problems.join(' | ')}`);
    await page.close();
  }
  await browser.close();
  if (failures.length) {
    console.log(failures.join('\n'));
    process.exit(1);
  }
  console.log('ok');
})().catch(e => { console.log(e.stack || String(e)); process.exit(2); });
