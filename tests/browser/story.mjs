// The diploma story in a real browser (Debian's chromium, driven by Playwright) against the
// running stack: the registrar issues a diploma through the form (and prints its paper copy)
// and a class through a CSV upload; the student's wallet accepts the offer; the employer's
// page shows its QR code; the wallet presents; the page shows "Verified" with its checks; once
// revoked, the diploma shows as revoked, presented by keyboard alone, and so do both paper
// copies. Screenshots of the key pages, at desktop and phone sizes and in English and
// Chinese, go to $SIGIL_ARTIFACTS; each is checked with axe-core.
//
// Environment: SIGIL_REGISTRY, SIGIL_ISSUER, SIGIL_WALLET, SIGIL_VERIFIER (base URLs), SIGIL_REGISTRAR_PASSWORD,
// SIGIL_PASSPHRASE, SIGIL_ARTIFACTS, CHROMIUM (default /usr/bin/chromium).
// Exit 0 when every step passed; a failing step prints what it expected and exits 1.

import { chromium } from "playwright-core";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import jsQR from "jsqr";
import { PNG } from "pngjs";

// axe-core, the accessibility engine, run in each page the story shows. It is evaluated
// through the DevTools protocol: the pages' Content-Security-Policy allows no script of theirs.
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const registry = env("SIGIL_REGISTRY");
const issuer = env("SIGIL_ISSUER");
const wallet = env("SIGIL_WALLET");
const verifier = env("SIGIL_VERIFIER");
const registrarPassword = env("SIGIL_REGISTRAR_PASSWORD");
const passphrase = env("SIGIL_PASSPHRASE");
const artifacts = env("SIGIL_ARTIFACTS");
mkdirSync(artifacts, { recursive: true });

const browser = await chromium.launch({
  executablePath: env("CHROMIUM", "/usr/bin/chromium"),
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
// A reader whose browser asks for Chinese first (Accept-Language: zh-CN).
const chinese = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" });

// Every page is served with a Content-Security-Policy; whatever it blocks (a stylesheet, a QR
// code, a form) chromium reports on the console, and the story fails on it at the end.
const blocked = [];
for (const context of [desktop, phone, chinese]) {
  context.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy/i.test(message.text())) {
      blocked.push(`${message.location().url}: ${message.text()}`);
    }
  });
}

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

/** The text of the QR code image `selector` shows, read from a picture of it as a scanner
 * would: the image drawn large (a screen's pixels are coarser than a scanner's view of paper). */
async function scan(page, selector) {
  const src = await page.getAttribute(selector, "src");
  const camera = await page.context().newPage();
  await camera.setContent(`<img id="code" src="${src}" width="1200" height="1200">`);
  const png = PNG.sync.read(await camera.locator("#code").screenshot());
  await camera.close();
  const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  check(code !== null, `the QR code ${selector} on ${page.url()} could be read`);
  return code.data;
}

/** How many pages a PDF has. */
function pdfPages(pdf) {
  return (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
}

/** Every serious or critical accessibility violation axe finds on each page, by page. */
const inaccessible = [];

/** Checks the page with axe (WCAG 2.2 A and AA, and axe's best practices). */
async function accessible(page, name) {
  await page.evaluate(axeSource);
  const { violations } = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags } }), AXE_TAGS);
  for (const v of violations.filter((v) => v.impact === "serious" || v.impact === "critical")) {
    inaccessible.push(`${name} (${page.url()}): ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}: ${v.help}`);
  }
}

/** A screenshot of the page, which is also checked for accessibility — and the same page in
 * the other language: opened afresh beside it, as the visitor would after the switch (a GET of
 * the same address: a page a form led to shows what that address shows, and an address that
 * takes only the form's POST, the page the form was on). */
async function shot(page, name) {
  await page.screenshot({ path: `${artifacts}/${name}.png`, fullPage: true });
  await accessible(page, name);
  await inTheOtherLanguage(page, name);
}

/** The language a page is written in, from its `<html lang>`. */
const languageOf = (page) => page.evaluate(() => document.documentElement.lang);

/** Opens `page`'s address as the same visitor (a copy of its context's cookies, so a page a
 * copy loads cannot touch the original's — a sign-in form's token, say) with the other
 * language chosen, checks it is written in it, photographs it and checks it for accessibility. */
async function inTheOtherLanguage(page, name) {
  const shown = await languageOf(page);
  const other = shown === "zh-CN" ? "en" : "zh-CN";
  const visitor = await browser.newContext({
    viewport: page.viewportSize(),
    storageState: await page.context().storageState(),
  });
  try {
    await visitor.addCookies([{ name: "sigil_lang", value: other, url: new URL(page.url()).origin }]);
    const copy = await visitor.newPage();
    const response = await copy.goto(page.url());
    if (response?.status() === 405) {
      // An address that only takes a form's POST: the page the form was on.
      await copy.goto(page.url().replace(/\/[^/?]*(\?.*)?$/, ""));
    }
    check((await languageOf(copy)) === other, `${name} is written in ${other} when the visitor chooses it`);
    const text = await copy.innerText("main");
    check(/[\u4e00-\u9fff]/.test(text) === (other === "zh-CN"), `${name} in ${other} reads in ${other}:\n${text.slice(0, 300)}`);
    const suffix = other === "zh-CN" ? "zh" : "en";
    await copy.screenshot({ path: `${artifacts}/${name}-${suffix}.png`, fullPage: true });
    await accessible(copy, `${name}-${suffix}`);
  } finally {
    await visitor.close();
  }
}

/** Presses Tab until the focused element's text (or value) includes `text`, as a keyboard
 * user moves through a page, and checks the focus can be seen there; fails after `most`. */
async function tabTo(page, text, most = 60) {
  for (let i = 0; i < most; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const element = document.activeElement;
      if (!element || element === document.body) return null;
      const style = getComputedStyle(element);
      return {
        text: `${element.innerText ?? ""} ${element.value ?? ""}`,
        visible: style.outlineStyle !== "none" || style.boxShadow !== "none",
      };
    });
    if (focused?.text.includes(text)) {
      check(focused.visible, `the focus on "${text}" at ${page.url()} can be seen`);
      return;
    }
  }
  throw new Error(`check failed: "${text}" on ${page.url()} cannot be reached with the Tab key`);
}

/** Presses Enter on what has the focus and waits for the page it leads to. */
async function pressEnterAndWait(page) {
  const navigated = page.waitForEvent("framenavigated");
  await page.keyboard.press("Enter");
  await navigated;
  await page.waitForLoadState();
}

/** Reloads `url` in `page` until it shows `text`: waiting for a state, not for a time. */
async function reloadUntil(page, url, text, seconds = 30) {
  for (let i = 0; i < seconds * 4; i++) {
    await page.goto(url);
    if ((await page.content()).includes(text)) return;
    await page.waitForTimeout(250);
  }
  throw new Error(`check failed: ${url} never showed ${JSON.stringify(text)}`);
}

/** Clicks the link `again` ("Check for the answer") until the page shows `text`: pages that
 * wait for something reload only when asked. */
async function checkUntil(page, text, again = "Check for the answer", seconds = 30) {
  for (let i = 0; i < seconds * 2; i++) {
    if ((await page.content()).includes(text)) return;
    await page.click(`text=${again}`);
    await page.waitForLoadState();
    await page.waitForTimeout(500);
  }
  throw new Error(`check failed: ${page.url()} never showed ${JSON.stringify(text)}`);
}

/** Waits until a self-refreshing page shows `text` (the pages reload without JavaScript). */
async function waitForText(page, text, seconds = 30) {
  for (let i = 0; i < seconds * 2; i++) {
    // While a page reloads itself its content cannot be read; try again a moment later.
    const content = await page.content().catch(() => "");
    if (content.includes(text)) return;
    await page.waitForTimeout(500);
  }
  const shown = (await page.innerText("body").catch(() => "")).slice(0, 600);
  throw new Error(`"${text}" did not appear on ${page.url()}, which shows:\n${shown}`);
}

try {
  // 1. The registrar signs in and issues one diploma through the form.
  const portal = await desktop.newPage();
  await portal.goto(`${issuer}/portal`);
  await shot(portal, "01-portal-sign-in");
  await portal.fill("#username", "registrar");
  await portal.fill("#password", registrarPassword);
  await portal.click("button[type=submit]");
  await portal.waitForURL(`${issuer}/portal`);
  await shot(portal, "02-portal-dashboard");
  await portal.goto(`${issuer}/portal/issue?type=UniversityDegreeCredential`);
  await portal.fill("#name", "Ada Lovelace");
  await portal.fill("#studentId", "S-1815-042");
  await portal.fill("#dateOfBirth", "1815-12-10");
  await portal.selectOption('[id="degree.type"]', "BachelorDegree");
  await portal.fill('[id="degree.name"]', "Bachelor of Science in Mathematics");
  await portal.fill("#fieldOfStudy", "Mathematics");
  await portal.fill("#honours", "First Class");
  await portal.fill("#graduationDate", "2026-06-30");
  await portal.selectOption("#format", "dc+sd-jwt");
  await shot(portal, "03-portal-issue-form");
  await portal.click("text=Create offer");
  await portal.waitForSelector(".pin");
  const pin = (await portal.textContent(".pin")).trim();
  const offer = await portal.getAttribute("a.hash", "href");
  check(/^\d{6}$/.test(pin), `a six-digit PIN, got ${pin}`);
  check(offer.startsWith("openid-credential-offer://"), `an offer link, got ${offer}`);
  check(await portal.isVisible("img.qr"), "the offer's QR code");
  check(await portal.$eval("img.qr", (img) => img.naturalWidth > 0), "the offer's QR code was drawn");
  await shot(portal, "04-portal-offer");

  // 1b. The registrar prints the paper diploma from the offer (in a new tab, so the page with
  // the PIN stays open): one A4 page whose QR code holds a signed copy sharing the diploma's
  // status entry, which the verifier's page for paper checks.
  const [printout] = await Promise.all([
    desktop.waitForEvent("page"),
    portal.click("button:has-text('Print the paper diploma')"),
  ]);
  await printout.waitForSelector(".paper-qr img");
  await shot(printout, "04b-portal-print");
  const portalPdf = await printout.pdf({ preferCSSPageSize: true, printBackground: true });
  check(pdfPages(portalPdf) === 1, `the portal's diploma prints on one page, not ${pdfPages(portalPdf)}`);
  writeFileSync(`${artifacts}/04b-portal-print.pdf`, portalPdf);
  const portalPrinted = await scan(printout, ".paper-qr img");
  check(portalPrinted.startsWith(`${verifier}/P/`), `the portal's QR code leads to the verifier, got ${portalPrinted.slice(0, 60)}`);
  await printout.goto(portalPrinted);
  const portalPaper = await printout.content();
  check(portalPaper.includes("Verified") && portalPaper.includes("Ada Lovelace") && portalPaper.includes("Example University"),
    "the paper diploma the portal printed verifies");

  // 2. A graduating class from a CSV file.
  await portal.goto(`${issuer}/portal/upload`);
  await portal.selectOption("#type", "UniversityDegreeCredential");
  await portal.setInputFiles("#file", {
    name: "class-of-2026.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(
      "name,studentId,dateOfBirth,degree.type,degree.name,fieldOfStudy,honours,graduationDate\n" +
        "Grace Hopper,S-1906-001,1906-12-09,MasterDegree,MSc Mathematics,Mathematics,,2026-06-30\n" +
        "Emmy Noether,S-1882-002,1882-03-23,DoctoralDegree,PhD Mathematics,Mathematics,Summa cum laude,2026-06-30\n",
    ),
  });
  await portal.click("text=Check and issue");
  await checkUntil(portal, "All 2 offers are stored", "Refresh progress");
  await shot(portal, "05-portal-class-stored");

  // 3. The student's wallet accepts the offer.
  const student = await phone.newPage();
  await student.goto(`${wallet}/`);
  await student.fill("#passphrase", passphrase);
  await student.click("button:has-text('Unlock')");
  await student.waitForURL(`${wallet}/`);
  await student.goto(`${wallet}/receive`);
  await student.fill("#offer", offer);
  await student.fill("#pin", pin);
  await student.click("button:has-text('Receive')");
  await waitForText(student, "Ada Lovelace");
  await student.goto(`${wallet}/`);
  await waitForText(student, "Bachelor of Science in Mathematics");
  check((await student.content()).includes(">Valid<"), "the card says Valid");
  await shot(student, "06-wallet-cards-phone");

  // 4. The employer's page shows a QR code and a link.
  const employer = await desktop.newPage();
  await employer.goto(`${verifier}/`);
  await shot(employer, "07-verifier-home");
  await employer.click("button:has-text('Start')");
  await employer.waitForSelector("img.qr");
  const request = await employer.getAttribute("a.hash", "href");
  check(request.startsWith("openid4vp://"), `a request link, got ${request}`);
  await shot(employer, "08-verifier-qr");
  // The page does not reload itself unasked; the employer asks it to while the candidate scans.
  await employer.click("text=Check automatically every few seconds");

  // 5. The wallet shows what it would share, and shares.
  await student.goto(`${wallet}/present`);
  await student.fill("#request", request);
  await student.click("text=Continue");
  await waitForText(student, "Share with Example Employer?");
  check((await student.content()).includes("Ministry of Education"), "the consent names the verifier's accreditor");
  check((await student.content()).includes("Full name") && (await student.content()).includes("Graduation date"),
    "the consent labels the claims as the issuer's metadata names them");
  await shot(student, "09-wallet-consent-phone");
  await student.click("button[value=share]");
  // Same-device flow: the wallet then takes this browser on to the employer's result page.
  await waitForText(student, "Verified");
  check(student.url().startsWith(`${verifier}/requests/`), `on the employer's result page, got ${student.url()}`);

  // 6. The employer's page turns to Verified, with its checks.
  await waitForText(employer, "Verified");
  const result = await employer.content();
  for (const word of ["Ada Lovelace", "Bachelor of Science in Mathematics", "Signature", "Accreditation", "Revocation and suspension"]) {
    check(result.includes(word), `the result shows ${word}`);
  }
  check(!result.includes("S-1815-042"), "the student id was not shared");
  // Named as the registry records them: the university, and the ministry that accredits it.
  check(result.includes("Example University") && result.includes("Ministry of Education"),
    "the result names the university and its accreditor");
  check(!result.includes("self-asserted"), "the registry vouches for both names");
  check(result.includes("Full name") && result.includes("Degree level"), "the claims labelled as the type names them");
  await shot(employer, "10-verifier-verified");
  const employerPhone = await phone.newPage();
  await employerPhone.goto(employer.url());
  await shot(employerPhone, "11-verifier-verified-phone");
  // The same result for a reader of Chinese: the page follows the browser's language, and its
  // switch leads back to English.
  const employerChinese = await chinese.newPage();
  await employerChinese.goto(employer.url());
  const inChinese = await employerChinese.content();
  check(inChinese.includes('<html lang="zh-CN">') && inChinese.includes("验证通过") && inChinese.includes("签发机构"),
    "the result in Chinese");
  check(inChinese.includes("教育部") && inChinese.includes("示例大学"), "the names as recorded in Chinese");
  check(inChinese.includes("姓名") && inChinese.includes("学位"), "the claims labelled in Chinese");
  check(inChinese.includes("签名有效"), "the checks told in Chinese");
  await employerChinese.goto(`${verifier}/`);
  await employerChinese.click("text=English");
  check((await employerChinese.content()).includes('<html lang="en">'), "the switch turns the page to English");

  // 6b. The graduate prints the diploma: one A4 page whose QR code holds the signed diploma;
  // scanned, it opens the verifier's page for credentials on paper, which checks it.
  await student.goto(`${wallet}/`);
  await student.click("a.credential-card");
  await student.click("text=Print with a QR code");
  await student.waitForSelector(".paper-qr img");
  await shot(student, "11c-wallet-print-phone");
  const pdf = await student.pdf({ preferCSSPageSize: true, printBackground: true });
  check(pdfPages(pdf) === 1, `the diploma prints on one page, not ${pdfPages(pdf)}`);
  writeFileSync(`${artifacts}/11c-wallet-print.pdf`, pdf);
  const printed = await scan(student, ".paper-qr img");
  check(printed.startsWith(`${verifier}/P/`), `the QR code leads to the verifier, got ${printed.slice(0, 60)}`);
  const scanner = await phone.newPage();
  await scanner.goto(printed);
  const paperResult = await scanner.content();
  check(paperResult.includes("Verified") && paperResult.includes("Example University"), "the paper diploma verifies");
  await shot(scanner, "11d-verifier-paper-phone");

  // 7. The registrar revokes the diploma; the receipt is shown.
  await portal.goto(`${issuer}/portal/credentials?q=Lovelace`);
  await shot(portal, "12-portal-credentials");
  await portal.click("td a");
  await portal.click("button:has-text('Revoke')");
  await waitForText(portal, "now revoked");
  await shot(portal, "13-portal-revoked");
  // The paper, or a photocopy of it, scanned again: revoked — once the verifier has read the
  // registry's answer since the revocation (it keeps an answer for up to a second).
  await reloadUntil(scanner, printed, "Revoked by the issuer");
  await shot(scanner, "16-verifier-paper-revoked-phone");
  // The portal's paper copy shares the diploma's status entry: revoked with it.
  await printout.goto(portalPrinted);
  check((await printout.content()).includes("Revoked by the issuer"), "the portal's paper diploma says revoked too");

  // 8. Presented again, the diploma shows as revoked. This time both people use the keyboard
  // alone: the Tab key to move, Enter and Space to act.
  await employer.goto(`${verifier}/`);
  await tabTo(employer, "Start");
  await pressEnterAndWait(employer);
  await employer.waitForSelector("img.qr");
  const again = await employer.getAttribute("a.hash", "href");
  // The student reads Chinese, and turns the wallet to it with the switch on the page.
  await student.goto(`${wallet}/present?request=${encodeURIComponent(again)}`);
  await tabTo(student, "简体中文");
  await pressEnterAndWait(student);
  check((await languageOf(student)) === "zh-CN", "the wallet's switch turns it to Chinese, the request kept");
  await tabTo(student, "继续");
  await pressEnterAndWait(student);
  await waitForText(student, "分享吗？");
  check((await student.content()).includes("示例雇主"), "the consent names the employer as the registry records it in Chinese");
  await shot(student, "09b-wallet-consent-zh-phone");
  await tabTo(student, "分享");
  await student.keyboard.press("Enter");
  for (let i = 0; i < 60 && !(await employer.content()).includes("Not accepted"); i++) {
    await tabTo(employer, "Check for the answer");
    await pressEnterAndWait(employer);
  }
  check((await employer.content()).includes("Revoked by the issuer"), "the result says revoked");
  await shot(employer, "14-verifier-revoked");
  await student.goto(`${wallet}/?lang=en`);
  await waitForText(student, "Revoked");
  await shot(student, "15-wallet-revoked-phone");

  check(blocked.length === 0, `the pages' Content-Security-Policy blocked nothing:\n${blocked.join("\n")}`);
  // 9. The registry's explorer tells the story: found by name's DID, the university's page is
  // a timeline in words, and the revocation is a sentence on its block.
  const explorer = await desktop.newPage();
  await explorer.goto(`${registry}/explorer`);
  await shot(explorer, "17-explorer-blocks");
  const universityDid = (await employer.content()).match(/did:sigil:[1-9A-HJ-NP-Za-km-z]+/)[0];
  await explorer.fill("#q", universityDid);
  await explorer.click("button:has-text('Find')");
  const timeline = await explorer.content();
  check(timeline.includes("<h1>Example University</h1>") && timeline.includes("Example University was created"),
    "the university's page names it and tells its history");
  await shot(explorer, "18-explorer-university");
  await explorer.goto(`${registry}/explorer`);
  await explorer.click("tbody a >> nth=0");
  await waitForText(explorer, "What happened");
  await shot(explorer, "19-explorer-block");

  check(inaccessible.length === 0, `no serious accessibility violation:\n${inaccessible.join("\n")}`);
  console.log("browser story: every step passed");
} catch (error) {
  console.error(String(error.stack ?? error));
  process.exitCode = 1;
} finally {
  await browser.close();
}
