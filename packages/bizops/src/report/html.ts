import { CLIENT_SCRIPT } from './client.js';
import type { ReportData } from './data.js';

const CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; color: #222; padding: 0 1rem; }
h1 { margin-bottom: 0; } .meta { color: #666; margin-top: .2rem; }
section { margin: 2rem 0; } table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: 12px; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 6px; text-align: left; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f4f4f4; position: sticky; top: 0; } .legend .swatch { display: inline-block; width: 10px; height: 10px; margin-left: 8px; }
select { margin: .3rem 0; } noscript { color: #a00; }
`;

/** JSON safe inside a <script> element: no `</script>` or `<!--` can close it early. */
function embeddedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** One self-contained page: inline CSS, data and script; nothing fetched when it is opened. */
export function renderReportHtml(data: ReportData): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>BizOps report</title>
<style>${CSS}</style>
</head>
<body>
<h1>BizOps: marketing and sales performance</h1>
<p class="meta">Generated ${escapeHtml(data.generatedAt)} from ${escapeHtml(data.warehouse)}, schema ${escapeHtml(data.schema)}.</p>
<noscript>This report draws its tables and charts with JavaScript; enable it to see them.</noscript>
<section id="funnel"><h2>Funnel</h2></section>
<section id="spend-iacv"><h2>Spend vs. IACV per campaign over time (by quarter, first-touch)</h2></section>
<section id="unit-economics"><h2>CAC, LTV and ROI per channel and campaign (all time)</h2></section>
<section id="attribution"><h2>Attribution models side by side (IACV credited per campaign)</h2></section>
<script id="report-data" type="application/json">${embeddedJson(data)}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}
