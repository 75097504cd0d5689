// A small SVG writer for the two plots the report needs: lines over a
// logarithmic x axis (latency CDFs) and grouped bars over a logarithmic y
// axis (latency by query class). No dependencies; text is XML-escaped.

export interface Series {
  name: string
  points: [number, number][]
}

export interface BarSeries {
  name: string
  /** One value per category; NaN leaves a gap. */
  values: number[]
}

const WIDTH = 900
const HEIGHT = 480
const MARGIN = { left: 70, right: 190, top: 40, bottom: 70 }
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f']

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
const fmt = (v: number): string => (Math.round(v * 10) / 10).toString()

function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${fmt(x)}" y="${fmt(y)}" ${attrs}>${escapeXml(content)}</text>`
}

/** Powers of ten covering [lo, hi], labelled with `unit`. */
function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = []
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) ticks.push(10 ** e)
  return ticks
}

function frame(title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    text(WIDTH / 2, 22, title, 'text-anchor="middle" font-size="15" font-weight="bold"'),
    ...body,
    '</svg>',
    '',
  ].join('\n')
}

function legend(names: string[]): string[] {
  return names.map((name, i) => {
    const y = MARGIN.top + 10 + i * 20
    const x = WIDTH - MARGIN.right + 15
    return `<rect x="${x}" y="${y - 9}" width="14" height="10" fill="${COLORS[i % COLORS.length]}"/>` + text(x + 20, y, name)
  })
}

/** Lines on a log-x, linear-y chart (e.g. latency CDF: x in µs, y in 0..1). */
export function lineChart(title: string, xLabel: string, yLabel: string, series: Series[]): string {
  const xs = series.flatMap((s) => s.points.map((p) => p[0])).filter((x) => x > 0)
  const lo = 10 ** Math.floor(Math.log10(Math.min(...xs)))
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...xs)))
  const plotW = WIDTH - MARGIN.left - MARGIN.right
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom
  const sx = (x: number): number => MARGIN.left + ((Math.log10(Math.max(x, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotW
  const sy = (y: number): number => MARGIN.top + (1 - y) * plotH
  const body: string[] = []
  for (const t of logTicks(lo, hi)) {
    body.push(`<line x1="${fmt(sx(t))}" x2="${fmt(sx(t))}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#ddd"/>`)
    body.push(text(sx(t), MARGIN.top + plotH + 16, formatMicros(t), 'text-anchor="middle"'))
  }
  for (const t of [0, 0.25, 0.5, 0.75, 0.9, 0.99, 1]) {
    body.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${fmt(sy(t))}" y2="${fmt(sy(t))}" stroke="#eee"/>`)
    body.push(text(MARGIN.left - 6, sy(t) + 4, String(t), 'text-anchor="end"'))
  }
  series.forEach((s, i) => {
    const d = s.points.map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${fmt(sx(x))},${fmt(sy(y))}`).join('')
    body.push(`<path d="${d}" fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="2"/>`)
  })
  body.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`)
  body.push(text(MARGIN.left + plotW / 2, HEIGHT - 30, xLabel, 'text-anchor="middle"'))
  body.push(text(18, MARGIN.top + plotH / 2, yLabel, `text-anchor="middle" transform="rotate(-90 18 ${MARGIN.top + plotH / 2})"`))
  return frame(title, [...body, ...legend(series.map((s) => s.name))])
}

/** Grouped bars on a log-y chart (e.g. p50 latency in µs per query class and engine). */
export function barChart(title: string, yLabel: string, categories: string[], series: BarSeries[]): string {
  const values = series.flatMap((s) => s.values).filter((v) => v > 0 && Number.isFinite(v))
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values)))
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values)))
  const plotW = WIDTH - MARGIN.left - MARGIN.right
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom
  const sy = (v: number): number => MARGIN.top + (1 - (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotH
  const groupW = plotW / categories.length
  const barW = (groupW * 0.8) / series.length
  const body: string[] = []
  for (const t of logTicks(lo, hi)) {
    body.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${fmt(sy(t))}" y2="${fmt(sy(t))}" stroke="#ddd"/>`)
    body.push(text(MARGIN.left - 6, sy(t) + 4, formatMicros(t), 'text-anchor="end"'))
  }
  categories.forEach((c, ci) => {
    const x0 = MARGIN.left + ci * groupW + groupW * 0.1
    series.forEach((s, si) => {
      const v = s.values[ci]
      if (!(v > 0 && Number.isFinite(v))) return
      body.push(`<rect x="${fmt(x0 + si * barW)}" y="${fmt(sy(v))}" width="${fmt(barW - 1)}" height="${fmt(MARGIN.top + plotH - sy(v))}" fill="${COLORS[si % COLORS.length]}"><title>${escapeXml(`${s.name} ${c}: ${formatMicros(v)}`)}</title></rect>`)
    })
    body.push(text(x0 + groupW * 0.4, MARGIN.top + plotH + 16, c, 'text-anchor="middle" font-size="11"'))
  })
  body.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`)
  body.push(text(18, MARGIN.top + plotH / 2, yLabel, `text-anchor="middle" transform="rotate(-90 18 ${MARGIN.top + plotH / 2})"`))
  return frame(title, [...body, ...legend(series.map((s) => s.name))])
}

/** 12 µs, 1.5 ms, 2 s. */
export function formatMicros(us: number): string {
  if (!Number.isFinite(us)) return '–'
  if (us < 1000) return `${us < 10 ? us.toFixed(1) : Math.round(us)} µs`
  if (us < 1e6) return `${(us / 1000).toFixed(us < 1e4 ? 2 : 1)} ms`
  return `${(us / 1e6).toFixed(2)} s`
}

/** The empirical CDF of samples as at most `maxPoints` points. */
export function cdfPoints(samples: readonly number[], maxPoints = 400): [number, number][] {
  const sorted = Float64Array.from(samples.filter((v) => Number.isFinite(v))).sort()
  const points: [number, number][] = []
  const step = Math.max(1, Math.floor(sorted.length / maxPoints))
  for (let i = 0; i < sorted.length; i += step) points.push([sorted[i], (i + 1) / sorted.length])
  if (sorted.length > 0) points.push([sorted[sorted.length - 1], 1])
  return points
}
