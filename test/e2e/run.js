#!/usr/bin/env node
// Browser tests: a real `onegrid serve --demo` (fresh data dir, simulation on) driven through
// Debian's chromium with playwright-core. `npm run test:e2e`. Screenshots go to docs/screenshots/.
//
// E2E_BASE_URL=http://127.0.0.1:8080 reuses a running demo server instead of starting one;
// E2E_HEADED=1 shows the browser; E2E_ONLY=<substring> runs the matching tests only.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { chromium } from 'playwright-core'
import { Api, assert, runTests, sleep, startServer, waitFor, withTimeout } from './harness.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const SHOTS = 'docs/screenshots'
const WALL = { width: 1920, height: 1080 }
const DESK = { width: 1600, height: 1000 }
/** 西城区: where the test cases happen (the responsibility list sends 道路不洁 E0103 here to 110102-hw) */
const XICHENG = { lon: 116.3849, lat: 39.9405 }
const HANDLER_UNIT = '110102-hw'
const OPEN_STAGES = ['reported', 'accepted', 'registered', 'dispatched', 'handling', 'handled', 'closed']

const stamp = Date.now().toString(36).slice(-5)
let server
let browser
let api
let leader // the leader's cockpit page, shared by the cockpit tests

async function main() {
  const watchdog = setTimeout(() => {
    console.log('✗ the whole run took longer than 8 minutes: giving up')
    void cleanup().finally(() => process.exit(1))
  }, 8 * 60_000)
  watchdog.unref()
  const t0 = Date.now()
  let failed = 1
  try {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk (never downloaded)`)
    }
    mkdirSync(SHOTS, { recursive: true })
    let base = process.env.E2E_BASE_URL
    if (!base) {
      execFileSync(process.execPath, ['bin/build-web.js'], { stdio: 'inherit' })
      server = await startServer()
      base = server.base
      console.log(`server ready at ${base} after ${(server.readyAfterMs / 1000).toFixed(0)} s`)
    }
    api = new Api(base)
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: !process.env.E2E_HEADED,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    })
    const only = process.env.E2E_ONLY
    const tests = TESTS(base).filter((t) => !only || t.name.includes(only))
    failed = await runTests(tests)
  } catch (e) {
    console.log(`✗ setup: ${e instanceof Error ? e.message : String(e)}`)
    console.log('0 passed, 1 failed')
  } finally {
    await cleanup()
    console.log(`e2e run took ${((Date.now() - t0) / 1000).toFixed(0)} s`)
  }
  process.exit(failed ? 1 : 0)
}

async function cleanup() {
  await withTimeout(browser?.close() ?? Promise.resolve(), 10_000, 'browser close').catch(() => undefined)
  browser = undefined
  if (server && process.env.E2E_SERVER_LOG) console.log(server.log.join('\n'))
  await server?.stop()
  server = undefined
}

// ---------------------------------------------------------------------------------------------
// page helpers

/** A fresh browser context (its own session storage) logged in as `username`. */
async function loginAs(base, username, { viewport = DESK, lang } = {}) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  context.setDefaultTimeout(15_000)
  if (lang) await context.addInitScript((l) => localStorage.setItem('onegrid.lang', l), lang)
  const page = await context.newPage()
  const errors = []
  page.on('pageerror', (e) => errors.push(e.message))
  page.errors = errors
  await page.goto(base + '/')
  await page.getByLabel('用户名').fill(username)
  await page.getByLabel('密码').fill('demo')
  await page.getByRole('button', { name: '登录', exact: true }).click()
  await page.getByRole('navigation', { name: '主导航' }).waitFor()
  return page
}

async function leaderCockpit(base) {
  if (leader && !leader.isClosed()) return leader
  leader = await loginAs(base, 'leader', { viewport: WALL })
  await leader.getByRole('heading', { name: '北京城市运行态势' }).waitFor()
  return leader
}

/** Lets ECharts finish its entry animations before a screenshot. */
async function settle(page, ms = 1_200) {
  await page.waitForLoadState('networkidle', { timeout: 3_000 }).catch(() => undefined)
  await sleep(ms)
}

/** Opens an action form in the case detail, fills it, submits, and waits for the success banner. */
async function act(page, action, fill, expectStage) {
  await page.getByRole('button', { name: action, exact: true }).click()
  const form = page.getByRole('form', { name: action })
  await form.waitFor()
  const unnamed = await unnamedControls(page, '.action-form')
  assert(!unnamed.length, `the ${action} form has controls without a name: ${unnamed.join(' ; ')}`)
  if (fill) await fill(form)
  await form.getByRole('button', { name: `确认${action}` }).click()
  const banner = page.getByRole('status').filter({ hasText: `已${action}，当前环节：${expectStage}` })
  const problem = page.getByRole('alert')
  await Promise.race([
    banner.waitFor({ timeout: 15_000 }),
    problem
      .first()
      .waitFor({ timeout: 15_000 })
      .then(async () => {
        throw new Error(`${action} failed in the UI: ${await problem.first().innerText()}`)
      }),
  ])
}

/**
 * A report time the demo simulation will not touch: it moves some of the 40 newest open cases
 * every second, so a test case is reported just before the 100th newest and only the test moves it.
 */
async function quietReportedAt() {
  const q = OPEN_STAGES.map((s) => `stage=${s}`).join('&')
  const open = await api.as('admin', 'GET', `/api/v1/cases?${q}&limit=100`)
  assert(open.items.length === 100, `the demo city has only ${open.items.length} open cases`)
  return open.items[99].times.reportedAt - 60_000
}

/** Inputs, selects and textareas in `scope` that have no accessible name. */
async function unnamedControls(page, scope = 'body') {
  return page.evaluate((sel) => {
    const root = document.querySelector(sel)
    if (!root) return [`${sel} not found`]
    const out = []
    for (const el of root.querySelectorAll('input, select, textarea')) {
      if (el.type === 'hidden' || el.closest('[hidden]')) continue
      const byLabel = el.labels && [...el.labels].some((l) => l.textContent.trim())
      const byAria =
        el.getAttribute('aria-label')?.trim() ||
        (el.getAttribute('aria-labelledby') ?? '')
          .split(/\s+/)
          .some((id) => id && document.getElementById(id)?.textContent.trim())
      if (!byLabel && !byAria && !el.title) out.push(el.outerHTML.slice(0, 120))
    }
    return out
  }, scope)
}

// ---------------------------------------------------------------------------------------------
// the tests

const TESTS = (base) => [
  {
    name: 'login as leader shows the cockpit with its title and KPI numbers',
    fn: async () => {
      const context = await browser.newContext({ viewport: WALL, locale: 'zh-CN' })
      const page = await context.newPage()
      await page.goto(base + '/')
      await page.getByRole('heading', { name: '一网统管' }).waitFor()
      await settle(page, 300)
      await page.screenshot({ path: `${SHOTS}/login.png` })
      await context.close()

      const p = await leaderCockpit(base)
      const tiles = p.getByRole('list', { name: '城市运行核心指标' }).getByRole('listitem')
      await waitFor(async () => (await tiles.count()) === 7, { what: '7 KPI tiles' })
      const numbers = await waitFor(
        async () => {
          const values = await tiles.locator('.kpi-value').allInnerTexts()
          return values.filter((v) => /\d/.test(v)).length >= 4 ? values : undefined
        },
        { timeoutMs: 20_000, what: 'KPI tiles with numbers' },
      )
      const today = Number((await tiles.first().locator('.kpi-value').innerText()).replace(/\D/g, ''))
      assert(today > 0, `今日案件 should count today's cases, got ${numbers.join(' | ')}`)
      assert(!p.errors.length, `page errors: ${p.errors.join('; ')}`)
    },
  },

  {
    name: 'a case reported through the API appears in the live feed without a reload',
    fn: async () => {
      const p = await leaderCockpit(base)
      await p.evaluate(() => {
        window.__marker = 'still-here'
      })
      await p.getByRole('status').filter({ hasText: '实时' }).first().waitFor({ timeout: 15_000 })
      const text = `e2e直播${stamp} 新街口路边暴露垃圾`
      const c = await api.as('operator', 'POST', '/api/v1/cases', {
        channel: 'patrol',
        text,
        classId: 'E0101',
        location: XICHENG,
        address: '西城区新街口北大街',
      })
      const feed = p.getByRole('region', { name: '实时动态' })
      await feed.getByText(text.slice(0, 12)).first().waitFor({ timeout: 15_000 })
      assert(
        (await p.evaluate(() => window.__marker)) === 'still-here',
        'the page reloaded (window.__marker is gone)',
      )
      const link = feed.getByRole('link', { name: new RegExp(text.slice(0, 12)) }).first()
      assert((await link.getAttribute('href')) === `#/desk/${c.id}`, 'the feed line should link to the case')
      await settle(p, 2_000)
      await p.screenshot({ path: `${SHOTS}/cockpit.png` })
    },
  },

  {
    name: 'the map drills down district → street → grid (canvas click and region picker)',
    fn: async () => {
      const p = await leaderCockpit(base)
      const map = p.getByRole('region', { name: '全市案件分布' })
      const crumbs = map.getByRole('navigation', { name: '地图层级' })
      const current = crumbs.locator('[aria-current="location"]')
      await p.getByRole('img', { name: /北京市案件热力地图/ }).waitFor()
      await settle(p, 800)

      // A click on the canvas: the middle of the city's bounding box lies inside some district.
      const canvas = map.getByRole('img', { name: /案件热力地图/ })
      const box = await canvas.boundingBox()
      assert(box, 'the map has no box')
      await p.mouse.click(box.x + box.width / 2, box.y + box.height * 0.52)
      await waitFor(async () => /区$/.test(await current.innerText()), {
        timeoutMs: 10_000,
        what: 'a district in the breadcrumb after clicking the map',
      })
      const clicked = await current.innerText()
      await crumbs.getByText('街道乡镇').waitFor()
      await crumbs.getByRole('button', { name: '北京市' }).click()
      await waitFor(async () => (await current.innerText()) === '北京市', { what: 'back at the city level' })

      // The same drill-down through the keyboard-reachable picker.
      await crumbs.getByLabel('下钻到').selectOption({ label: '西城区' })
      await waitFor(async () => (await current.innerText()) === '西城区', {
        what: '西城区 in the breadcrumb',
      })
      await p.getByRole('img', { name: '西城区案件热力地图' }).waitFor()
      await settle(p, 1_000)
      await p.screenshot({ path: `${SHOTS}/cockpit-drilldown.png` })
      await crumbs.getByLabel('下钻到').selectOption({ label: '德胜街道' })
      await waitFor(async () => (await current.innerText()) === '德胜街道', {
        what: '德胜街道 in the breadcrumb',
      })
      await crumbs.getByText('网格').waitFor()
      await p.getByRole('img', { name: '德胜街道案件热力地图' }).waitFor()
      const trail = await crumbs.innerText()
      assert(/北京市[\s\S]*西城区[\s\S]*德胜街道/.test(trail), `breadcrumb reads "${trail}"`)
      await crumbs.getByRole('button', { name: '北京市' }).click()
      console.log(`    (canvas click drilled into ${clicked})`)
    },
  },

  {
    name: 'a case travels accept → register → dispatch → receive → report → verify in the workbench',
    fn: async () => {
      const owner = await api.as(
        'dispatcher',
        'GET',
        `/api/v1/duty-rules/resolve?class=E0103&lon=${XICHENG.lon}&lat=${XICHENG.lat}`,
      )
      assert(owner.responsibleUnitId === HANDLER_UNIT, `E0103 in 西城 goes to ${owner.responsibleUnitId}`)

      const reportedAt = await quietReportedAt()
      const text = `e2e流程${stamp} 德胜门内大街路面不洁，落叶和泥土堆积`
      const c = await api.as('operator', 'POST', '/api/v1/cases', {
        channel: 'hotline',
        text,
        location: XICHENG,
        address: '西城区德胜门内大街',
        reporter: { name: '测试市民', phone: '13800000000' },
        receivedAt: new Date(reportedAt).toISOString(),
      })
      assert(c.stage === 'reported', `a hotline case waits for the operator, got ${c.stage}`)

      let op, dp, hp, ip
      try {
        // operator: accept
        op = await loginAs(base, 'operator')
        await op.goto(`${base}/#/desk/${c.id}`)
        await op.getByRole('heading', { name: c.title }).first().waitFor()
        await act(op, '受理', (f) => f.getByLabel('说明').fill('e2e：来电核实，予以受理'), '待立案')

        // dispatcher: find it in the queue, register, dispatch
        dp = await loginAs(base, 'dispatcher')
        await dp.getByLabel('搜索').fill(`e2e流程${stamp}`)
        await dp.getByRole('link', { name: new RegExp(`e2e流程${stamp}`) }).click()
        await dp.getByRole('heading', { name: c.title }).first().waitFor()
        await act(dp, '立案', (f) => f.getByLabel('案件小类').selectOption('E0103'), '待派遣')
        await act(dp, '派遣', (f) => f.getByLabel('处置单位').selectOption(HANDLER_UNIT), '待签收')

        // handler of 110102-hw: receive, report
        hp = await loginAs(base, 'handler')
        await hp.goto(`${base}/#/tasks/${c.id}`)
        await hp.getByRole('heading', { name: c.title }).first().waitFor()
        await act(hp, '签收', undefined, '处置中')
        await act(hp, '处置反馈', (f) => f.getByLabel('说明').fill('e2e：已清扫干净，路面恢复'), '待核查')

        // inspector: verify
        ip = await loginAs(base, 'inspector')
        await ip.goto(`${base}/#/verify/${c.id}`)
        await ip.getByRole('heading', { name: c.title }).first().waitFor()
        await act(
          ip,
          '核查',
          async (f) => {
            await f.getByRole('radio', { name: '通过，结案' }).check()
            await f.getByLabel('说明').fill('e2e：现场核查通过')
          },
          '已结案',
        )

        // the timeline, as the operator sees it now (with the callback actions offered)
        await op.reload()
        const timeline = op.getByRole('region', { name: '办理过程' })
        const steps = ['受理', '立案', '派遣', '签收', '处置反馈', '核查']
        await waitFor(
          async () => {
            const actions = await timeline.locator('.tl-action').allInnerTexts()
            return steps.every((s) => actions.includes(s))
          },
          { what: `the timeline to list ${steps.join(', ')}` },
        )
        const tl = await timeline.innerText()
        for (const who of ['话务员', '派遣员', '处置人员', '监督员'])
          assert(tl.includes(who), `timeline lacks ${who}`)
        // tall enough to show the actions, the facts and the whole timeline at once
        await op.setViewportSize({ width: 1600, height: 1900 })
        await op.getByRole('button', { name: '回访评价', exact: true }).click()
        await settle(op, 800)
        await op.screenshot({ path: `${SHOTS}/workbench.png` })

        const after = await api.as('operator', 'GET', `/api/v1/cases/${c.id}`)
        assert(after.stage === 'closed', `the server says ${after.stage}`)
        const tlApi = await api.as('operator', 'GET', `/api/v1/cases/${c.id}/timeline`)
        const roles = tlApi.items.map((e) => `${e.action}:${e.role}`)
        for (const want of [
          'accept:operator',
          'register:dispatcher',
          'dispatch:dispatcher',
          'receive:handler',
          'report:handler',
          'verify:inspector',
        ]) {
          assert(roles.includes(want), `server timeline lacks ${want}: ${roles.join(', ')}`)
        }
      } catch (e) {
        // say what happened to the case, so a failure tells a UI problem from someone else moving it
        const tl = await api.as('operator', 'GET', `/api/v1/cases/${c.id}/timeline`).catch(() => undefined)
        const steps = tl?.items.map((x) => `${x.action}(${x.role})`).join(' → ')
        const shot = `${tmpdir()}/onegrid-e2e-workbench-failure.png`
        await (ip ?? hp ?? dp ?? op)?.screenshot({ path: shot }).catch(() => undefined)
        throw new Error(`${e.message}\n    case ${c.id}: ${steps ?? '?'}\n    screenshot: ${shot}`)
      } finally {
        for (const p of [op, dp, hp, ip]) await p?.context().close()
      }
    },
  },

  {
    name: 'one click into emergency command mode, an instruction, and back',
    fn: async () => {
      const p = await leaderCockpit(base)
      const title = `e2e西城区强降雨积水${stamp}`
      try {
        await p.getByRole('button', { name: '一键应急' }).click()
        const dialog = p.getByRole('dialog', { name: '切换为应急指挥模式' })
        await dialog.waitFor()
        await dialog.getByLabel('事件名称').fill(title)
        await dialog.getByLabel('事发区域').selectOption({ label: '西城区' })
        await dialog.getByRole('button', { name: '确认启动' }).click()

        const heading = p.getByRole('heading', { name: new RegExp(`应急指挥模式 · ${title}`) })
        await heading.waitFor({ timeout: 15_000 })
        const red = await heading.evaluate((el) => {
          const banner = el.closest('.em-banner') ?? el
          return [
            getComputedStyle(el).color,
            getComputedStyle(banner).backgroundImage,
            getComputedStyle(banner).borderColor,
          ]
        })
        assert(red.some(isReddish), `the incident banner should be red, got ${red.join(' / ')}`)
        const state = await api.as('leader', 'GET', '/api/v1/emergency')
        assert(
          state.active && state.title === title,
          `server emergency: ${JSON.stringify(state).slice(0, 200)}`,
        )
        assert(state.area?.code === '110102', `server area: ${JSON.stringify(state.area)}`)
        await p.getByText('西城区').first().waitFor()
        await settle(p, 1_500)
        await p.screenshot({ path: `${SHOTS}/cockpit-emergency.png` })

        // an instruction to the district's sanitation centre
        const box = p.getByRole('region', { name: '下达指令' })
        await box.getByLabel('筛选单位').fill('西城区环境卫生')
        const unit = box.getByRole('checkbox').first()
        const unitName = (await unit.locator('xpath=..').innerText()).trim()
        await unit.check()
        const order = `e2e：${stamp} 立即组织排水抢险`
        await box.getByLabel('指令内容').fill(order)
        await box.getByRole('button', { name: '发送给 1 个单位' }).click()
        await box.getByRole('status').filter({ hasText: '指令已下达' }).waitFor()
        await p.getByRole('region', { name: '指挥日志' }).getByText(order).waitFor()
        const withLog = await api.as('leader', 'GET', '/api/v1/emergency')
        const sent = JSON.stringify(withLog)
        assert(sent.includes(order), `the server log lacks the instruction (to ${unitName})`)
        await p.screenshot({ path: `${SHOTS}/cockpit-emergency.png` })

        // and back
        await p.getByRole('button', { name: '结束应急，返回常态' }).click()
        const confirm = p.getByRole('dialog', { name: '结束应急指挥模式' })
        await confirm.getByRole('button', { name: '结束应急，返回常态' }).click()
        await p.getByRole('heading', { name: '北京城市运行态势' }).waitFor({ timeout: 15_000 })
        const back = await api.as('leader', 'GET', '/api/v1/emergency')
        assert(back.active === false, `the server still says active: ${JSON.stringify(back).slice(0, 200)}`)
      } finally {
        const s = await api.as('leader', 'GET', '/api/v1/emergency').catch(() => undefined)
        if (s?.active)
          await api.as('leader', 'POST', '/api/v1/emergency', { action: 'stop' }).catch(() => undefined)
      }
    },
  },

  {
    name: 'accessibility: named inputs, visible focus, language switch',
    fn: async () => {
      // login page
      const context = await browser.newContext({ viewport: DESK, locale: 'zh-CN' })
      const page = await context.newPage()
      await page.goto(base + '/')
      await page.getByLabel('用户名').waitFor()
      let bad = await unnamedControls(page)
      assert(!bad.length, `login page controls without a name: ${bad.join(' ; ')}`)

      // keyboard focus is visible: Tab until a button has focus
      await page.locator('body').click({ position: { x: 5, y: 5 } })
      let ring
      for (let i = 0; i < 15 && !ring; i++) {
        await page.keyboard.press('Tab')
        ring = await page.evaluate(() => {
          const el = document.activeElement
          if (!el || el.tagName !== 'BUTTON' || !el.matches(':focus-visible')) return undefined
          const s = getComputedStyle(el)
          const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
          const shadow = s.boxShadow && s.boxShadow !== 'none'
          return outline || shadow
            ? `${el.textContent.trim()}: ${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`
            : `none on ${el.textContent.trim()}`
        })
        if (ring?.startsWith('none')) throw new Error(`no focus ring: ${ring}`)
      }
      assert(ring, 'Tab never reached a button with :focus-visible')

      // the language switch
      await page.getByRole('button', { name: 'English' }).click()
      await page.getByLabel('Username').fill('operator')
      await page.getByLabel('Password').fill('demo')
      await page.getByRole('button', { name: 'Sign in', exact: true }).click()
      const nav = page.getByRole('navigation', { name: 'Main navigation' })
      await nav.getByRole('link', { name: 'Case desk' }).waitFor()
      await page.getByRole('button', { name: 'Sign out' }).waitFor()
      await page.getByLabel('Search').waitFor()
      assert((await page.evaluate(() => document.documentElement.lang)) === 'en', 'html lang should be en')
      await page.getByRole('button', { name: '切换到中文' }).click()
      await page
        .getByRole('navigation', { name: '主导航' })
        .getByRole('link', { name: '案件工作台' })
        .waitFor()

      // the case desk, the intake dialog and every action form on a case waiting for the operator
      bad = await unnamedControls(page)
      assert(!bad.length, `case desk controls without a name: ${bad.join(' ; ')}`)
      await page.getByRole('button', { name: '登记诉求' }).click()
      const intake = page.getByRole('dialog', { name: '登记诉求' })
      await intake.waitFor()
      bad = await unnamedControls(page, 'dialog[open]')
      assert(!bad.length, `intake form controls without a name: ${bad.join(' ; ')}`)
      await intake.getByRole('button', { name: '取消' }).click()

      const probe = await api.as('operator', 'POST', '/api/v1/cases', {
        channel: 'hotline',
        text: `e2e无障碍${stamp} 西城区路灯不亮`,
        location: XICHENG,
        receivedAt: new Date(await quietReportedAt()).toISOString(),
      })
      await page.goto(`${base}/#/desk/${probe.id}`)
      const actions = page.getByRole('region', { name: '可执行操作' })
      await actions.getByRole('button').first().waitFor()
      const names = await actions.getByRole('button').allInnerTexts()
      for (const name of names) {
        await actions.getByRole('button', { name, exact: true }).click()
        await page.getByRole('form', { name }).waitFor()
        bad = await unnamedControls(page, '.action-form')
        assert(!bad.length, `"${name}" form controls without a name: ${bad.join(' ; ')}`)
        await page.getByRole('form', { name }).getByRole('button', { name: '取消' }).click()
      }
      // and the dispatcher's forms (class and unit pickers)
      await context.close()
      await api.as('operator', 'POST', `/api/v1/cases/${probe.id}/actions/accept`, {})
      const dp = await loginAs(base, 'dispatcher')
      await dp.goto(`${base}/#/desk/${probe.id}`)
      const dActions = dp.getByRole('region', { name: '可执行操作' })
      await dActions.getByRole('button').first().waitFor()
      for (const name of await dActions.getByRole('button').allInnerTexts()) {
        await dActions.getByRole('button', { name, exact: true }).click()
        await dp.getByRole('form', { name }).waitFor()
        bad = await unnamedControls(dp, '.action-form')
        assert(!bad.length, `dispatcher's "${name}" form controls without a name: ${bad.join(' ; ')}`)
      }
      await dp.context().close()
    },
  },
]

function isReddish(css) {
  const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(css ?? '')
  if (!m) return false
  const [r, g, b] = m.slice(1).map(Number)
  return r > 150 && r > g * 1.6 && r > b * 1.3
}

await main()
