// Lighthouse (mobile) and axe-core over the pages of a running `proofless serve --demo`
// (issue #22, "Measured"). Uses Debian's Chromium (CHROME_PATH, default /usr/bin/chromium);
// never downloads a browser. Prints a Markdown table; `--json FILE` also writes the raw figures.
//
//   cd bench/lighthouse && npm ci && node run.mjs --base http://127.0.0.1:8080
//   node run.mjs --only 'portal|inbox'      # a subset, by page name (regular expression)
//
// Staff pages are measured logged in as the demo account named in the table; portal pages as
// 张三 (370322199001011238). Every demo account's password is Gaoqing2021 (README). Each
// account logs in once per run: the server counts 30 login attempts per client address in
// 15 minutes, so wait a quarter of an hour between two full runs against the same server.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import puppeteer from 'puppeteer-core';
import lighthouse from 'lighthouse';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : dflt;
};
const BASE = opt('base', process.env.PROOFLESS_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
const ONLY = opt('only', null);
const JSON_OUT = opt('json', null);
const PASSWORD = opt('password', 'Gaoqing2021');
const CITIZEN = opt('citizen', '370322199001011238');
const CHROME = process.env.CHROME_PATH || '/usr/bin/chromium';
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];

// The workbench of each role, logged in as the demo account that holds it.
const ROLES = [
  ['admin', '系统管理员'],
  ['joint', '联席会议办公室'],
  ['window', '投诉受理·窗口'],
  ['justice', '合法性审查'],
  ['justice_cp', '司法局投诉受理'],
  ['approver', '县政府审定'],
  ['hotline', '12345 热线'],
  ['credit', '信用办'],
  ['account', '责任追究'],
  ['ga_admin', '单位管理员'],
  ['ga_liaison', '联络员'],
  ['ga_proxy1', '代办员'],
  ['ga_clerk', '窗口人员'],
  ['sj_inspector', '核查人员'],
  ['wj_share', '数据共享专员'],
];

const userDataDir = mkdtempSync(join(tmpdir(), 'proofless-lh-'));
const browser = await puppeteer.launch({
  executablePath: CHROME,
  headless: true,
  userDataDir,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  defaultViewport: null,
});
const port = Number(new URL(browser.wsEndpoint()).port);

async function logout(page) {
  const client = await page.createCDPSession();
  await client.send('Network.clearBrowserCookies');
  await client.detach();
}

async function login(page, kind, who) {
  await logout(page);
  const path = kind === 'portal' ? '/portal/login' : '/login';
  await page.goto(BASE + path, { waitUntil: 'load' });
  await page.type('#login', who);
  await page.type('#password', PASSWORD);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('form.stack button[type=submit]')]);
  const url = page.url();
  if (url.includes('/login')) {
    const err = await page.$eval('.error', (e) => e.textContent).catch(() => '');
    throw new Error(`login as ${who} failed: ${err || url}`);
  }
}

// The first link on `path` whose href matches `re` (absolute URL), or null.
async function firstLink(page, path, re) {
  await page.goto(BASE + path, { waitUntil: 'load' });
  const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')));
  const h = hrefs.find((x) => re.test(x));
  return h ? new URL(h, BASE).href : null;
}

async function measure(page, name, who, url) {
  const row = { name, who, url: url.replace(BASE, '') };
  try {
    const r = await lighthouse(
      url,
      {
        port,
        output: 'json',
        logLevel: 'error',
        onlyCategories: CATEGORIES,
        disableStorageReset: true,
        formFactor: 'mobile',
      },
      undefined,
      page,
    );
    const lhr = r.lhr;
    for (const c of CATEGORIES) row[c] = Math.round((lhr.categories[c]?.score ?? 0) * 100);
    row.failed = Object.values(lhr.audits)
      .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== 'informative'
        && a.scoreDisplayMode !== 'manual' && a.scoreDisplayMode !== 'notApplicable')
      .filter((a) => CATEGORIES.some((c) => lhr.categories[c]?.auditRefs.some((ref) => ref.id === a.id && ref.weight > 0)))
      .map((a) => a.id);
    if (lhr.runtimeError) row.error = lhr.runtimeError.message;
  } catch (e) {
    row.error = String(e.message || e);
  }
  try {
    await page.setBypassCSP(true);
    await page.goto(url, { waitUntil: 'load' });
    await page.evaluate(AXE_SOURCE);
    const res = await page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const r = await axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
    });
    row.serious = res.filter((v) => v.impact === 'serious').length;
    row.critical = res.filter((v) => v.impact === 'critical').length;
    row.axe = res.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}(${v.nodes})`);
    row.axeMinor = res.filter((v) => v.impact !== 'serious' && v.impact !== 'critical').map((v) => `${v.id}(${v.nodes})`);
    await page.setBypassCSP(false);
  } catch (e) {
    row.error = (row.error ? row.error + '; ' : '') + 'axe: ' + String(e.message || e);
  }
  process.stderr.write(`${name}: ${CATEGORIES.map((c) => row[c]).join('/')} axe ${row.serious}/${row.critical} ${(row.failed || []).join(',')} ${(row.axe || []).join(',')}${row.error ? ' ERROR ' + row.error : ''}\n`);
  return row;
}

const want = (name) => !ONLY || new RegExp(ONLY).test(name);
const rows = [];
const page = await browser.newPage();
await page.setViewport({ width: 412, height: 823, isMobile: true, hasTouch: true });
try {
  // Anonymous pages.
  await logout(page);
  const item = await firstLink(page, '/proofs/results?q=%E6%88%B7%E7%B1%8D', /^\/proofs\/items\/\d+/);
  const service = await firstLink(page, item.replace(BASE, ''), /^\/proofs\/services\//);
  const list = await firstLink(page, '/proofs/versions', /^\/proofs\/versions\/\d+/);
  const anon = [
    ['首页', '/'],
    ['查询结果', '/proofs?q=%E6%88%B7%E7%B1%8D'],
    ['证明事项页', item],
    ['办事事项页', service],
    ['免提交清单（已发布）', list],
    ['群众登录', '/portal/login'],
    ['工作人员登录', '/login'],
  ];
  for (const [name, u] of anon) {
    if (want(name) && u) rows.push(await measure(page, name, '匿名', new URL(u, BASE).href));
  }

  // The citizen.
  if (['群众首页', '办件进度', '查阅记录', '承诺签署'].some(want)) {
    await login(page, 'portal', CITIZEN);
    let progress = await firstLink(page, '/portal/cases', /^\/portal\/cases\/\d+$/);
    if (!progress) {
      // No case yet: start one online, as a citizen does, from the item page of a proof
      // that commitment replaces (住所（经营场所）使用证明). This writes to the demo.
      const it = await firstLink(page, '/proofs/results?q=' + encodeURIComponent('住所（经营场所）使用证明'), /^\/proofs\/items\/\d+/);
      const start = it && (await firstLink(page, it.replace(BASE, ''), /^\/portal\/cases\/start/));
      if (start) {
        await page.goto(start, { waitUntil: 'load' });
        const btn = await page.$('#start-case');
        if (btn) await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), btn.click()]);
      }
      progress = await firstLink(page, '/portal/cases', /^\/portal\/cases\/\d+$/);
    }
    const sign = progress
      ? await firstLink(page, progress.replace(BASE, ''), /^\/portal\/commitments\/new\?/)
      : null;
    const signFallback = sign || (await firstLink(page, '/portal/commitments', /^\/portal\/commitments\/new\?/));
    const citizen = [
      ['群众首页', '/portal'],
      ['办件进度', progress],
      ['查阅记录', '/portal/access-log'],
      ['承诺签署', signFallback],
    ];
    for (const [name, u] of citizen) {
      if (!want(name)) continue;
      if (!u) {
        rows.push({ name, who: '张三', url: '', error: '演示数据中没有找到此页面的链接' });
        continue;
      }
      rows.push(await measure(page, name, '张三', new URL(u, BASE).href));
    }
  }

  // Staff: the workbench of each role; the inbox, a verification and the board.
  for (const [acct, role] of ROLES) {
    const extra = [];
    if (acct === 'ga_proxy1') extra.push(['核验收件箱', '/verifications']);
    if (acct === 'joint') extra.push(['逾期看板', '/verifications/board']);
    const names = [`工作台·${role}`, ...extra.map((e) => e[0]), acct === 'ga_proxy1' ? '核验单' : null].filter(Boolean);
    if (!names.some(want)) continue;
    await login(page, 'staff', acct);
    if (want(`工作台·${role}`)) rows.push(await measure(page, `工作台·${role}`, acct, BASE + '/workbench'));
    for (const [name, u] of extra) if (want(name)) rows.push(await measure(page, name, acct, BASE + u));
    if (acct === 'ga_proxy1' && want('核验单')) {
      const v = await firstLink(page, '/verifications', /^\/verifications\/\d+$/);
      if (v) rows.push(await measure(page, '核验单', acct, v));
      else rows.push({ name: '核验单', who: acct, url: '', error: '收件箱里没有核验单' });
    }
  }
} finally {
  await browser.close();
  rmSync(userDataDir, { recursive: true, force: true });
}

const ok = (r) => CATEGORIES.every((c) => r[c] >= 98) && r.serious === 0 && r.critical === 0 && !r.error;
const lines = [
  '| 页面 | 账号 | 地址 | 性能 | 无障碍 | 最佳实践 | SEO | axe 严重 | axe 危急 | 未通过 |',
  '|---|---|---|---:|---:|---:|---:|---:|---:|---|',
  ...rows.map((r) => `| ${r.name} | ${r.who} | \`${r.url || '—'}\` | ${CATEGORIES.map((c) => r[c] ?? '—').join(' | ')} | ${r.serious ?? '—'} | ${r.critical ?? '—'} | ${[...(r.failed || []), ...(r.axe || []).map((a) => 'axe:' + a), r.error ? 'ERROR: ' + r.error : ''].filter(Boolean).join(', ') || (ok(r) ? '' : '')} |`),
  '',
  `${rows.filter(ok).length} of ${rows.length} pages at ≥ 98 in all four categories with 0 serious/critical axe findings.`,
];
console.log(lines.join('\n'));
if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(rows, null, 2));
process.exit(rows.every(ok) ? 0 : 1);
