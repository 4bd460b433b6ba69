/**
 * The report's script, run by the browser: it draws the tables and SVG charts from the JSON
 * embedded in the page. Plain ES2017 in a string, so the page needs nothing from the network.
 * Every number cell carries its exact value in `data-value` next to the formatted text.
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var SVG = 'http://www.w3.org/2000/svg';
  var MODELS = ['first_touch', 'last_touch', 'linear', 'u_shaped', 'w_shaped', 'time_decay'];
  var whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  var two = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var RATIOS = { roi: true, ltv_cac: true };

  function fmt(field, value) {
    if (value === null || value === undefined || typeof value !== 'number' || !isFinite(value)) return '–';
    return RATIOS[field] ? two.format(value) : whole.format(value);
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function svgEl(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    for (var k in attrs) node.setAttribute(k, attrs[k]);
    return node;
  }
  function numberCell(field, value) {
    var td = el('td', { 'data-field': field, class: 'num' }, fmt(field, value));
    td.setAttribute('data-value', value === null || value === undefined ? '' : String(value));
    return td;
  }
  function table(name, headers) {
    var t = el('table', { 'data-table': name });
    var tr = el('tr');
    headers.forEach(function (h) { tr.appendChild(el('th', {}, h)); });
    t.appendChild(el('thead')).appendChild(tr);
    t.appendChild(el('tbody'));
    return t;
  }
  function modelsPresent(rows) {
    var seen = {};
    rows.forEach(function (r) { seen[r.model] = true; });
    return MODELS.filter(function (m) { return seen[m]; }).concat(Object.keys(seen).filter(function (m) { return MODELS.indexOf(m) < 0; }));
  }
  function modelSelect(id, models, onChange) {
    var select = el('select', { id: id });
    models.forEach(function (m) { select.appendChild(el('option', { value: m }, m.replace('_', '-'))); });
    select.addEventListener('change', function () { onChange(select.value); });
    return select;
  }
  function showModel(tableNode, model) {
    Array.prototype.forEach.call(tableNode.querySelectorAll('tbody tr'), function (tr) {
      tr.style.display = tr.getAttribute('data-model') === model ? '' : 'none';
    });
  }
  function bars(svgId, items, series, width) {
    // items: [{label, values: {series: number}}]; grouped vertical bars with a shared scale.
    var h = 220, pad = 40, n = items.length || 1;
    var max = 0;
    items.forEach(function (it) { series.forEach(function (s) { max = Math.max(max, it.values[s.key] || 0); }); });
    var svg = svgEl('svg', { id: svgId, viewBox: '0 0 ' + width + ' ' + (h + 50), width: '100%', role: 'img' });
    var slot = (width - pad) / n, bw = Math.max(2, slot / (series.length + 1));
    items.forEach(function (it, i) {
      series.forEach(function (s, j) {
        var v = it.values[s.key] || 0, bh = max ? (v / max) * h : 0;
        var rect = svgEl('rect', { x: pad + i * slot + j * bw, y: h - bh + 10, width: bw - 1, height: bh, fill: s.color, 'data-period': it.label, 'data-series': s.key, 'data-value': String(it.values[s.key] === undefined ? '' : it.values[s.key]) });
        var title = svgEl('title', {});
        title.textContent = it.label + ' ' + s.label + ': ' + fmt(s.key, v);
        rect.appendChild(title);
        svg.appendChild(rect);
      });
      if (n <= 16 || i % Math.ceil(n / 16) === 0) {
        var label = svgEl('text', { x: pad + i * slot, y: h + 28, 'font-size': 10 });
        label.textContent = it.label;
        svg.appendChild(label);
      }
    });
    var axis = svgEl('text', { x: 0, y: 20, 'font-size': 10 });
    axis.textContent = fmt('', max);
    svg.appendChild(axis);
    return svg;
  }
  function legend(series) {
    var p = el('p', { class: 'legend' });
    series.forEach(function (s) {
      var sw = el('span', { class: 'swatch' });
      sw.style.background = s.color;
      p.appendChild(sw);
      p.appendChild(document.createTextNode(' ' + s.label + '  '));
    });
    return p;
  }

  // Funnel
  var funnelSection = document.getElementById('funnel');
  var stages = ['leads', 'contacts', 'mqls', 'opportunities', 'won', 'iacv'].filter(function (f) { return data.funnel.some(function (r) { return f in r; }); });
  var all = data.funnel.filter(function (r) { return r.period_type === 'all' || r.period === 'all'; })[0];
  if (all) {
    var countStages = stages.filter(function (s) { return s !== 'iacv'; });
    var top = Math.max.apply(null, countStages.map(function (s) { return all[s] || 0; }).concat([1]));
    var fsvg = svgEl('svg', { id: 'funnel-chart', viewBox: '0 0 760 ' + (countStages.length * 34), width: '100%' });
    countStages.forEach(function (s, i) {
      var w = ((all[s] || 0) / top) * 560;
      var label = svgEl('text', { x: 0, y: i * 34 + 19, 'font-size': 13 });
      label.textContent = s + ': ' + fmt(s, all[s]);
      fsvg.appendChild(label);
      fsvg.appendChild(svgEl('rect', { x: 470 - w / 2, y: i * 34, width: w, height: 28, fill: '#4e79a7', 'data-stage': s, 'data-value': String(all[s]) }));
    });
    funnelSection.appendChild(fsvg);
  }
  var ft = table('funnel', ['period'].concat(stages));
  data.funnel.filter(function (r) { return r.period_type === 'all' || r.period_type === 'quarter' || r.period === 'all'; }).forEach(function (r) {
    var tr = el('tr', { 'data-period-type': r.period_type, 'data-period': r.period });
    tr.appendChild(el('td', {}, r.period));
    stages.forEach(function (s) { tr.appendChild(numberCell(s, r[s])); });
    ft.tBodies[0].appendChild(tr);
  });
  funnelSection.appendChild(ft);

  // Spend vs IACV per campaign over time (first touch)
  var timeSection = document.getElementById('spend-iacv');
  var campaigns = {};
  data.campaignsByQuarter.forEach(function (r) { campaigns[r.campaign_id] = r.campaign_name || r.campaign_id; });
  var series = [{ key: 'spend', label: 'spend', color: '#e15759' }, { key: 'iacv', label: 'IACV (first touch)', color: '#59a14f' }];
  var picker = el('select', { id: 'campaign-picker' });
  picker.appendChild(el('option', { value: '' }, 'All campaigns'));
  Object.keys(campaigns).sort(function (a, b) { return String(campaigns[a]).localeCompare(String(campaigns[b])); }).forEach(function (id) { picker.appendChild(el('option', { value: id }, campaigns[id])); });
  var chartHolder = el('div');
  function drawTime(campaignId) {
    var byPeriod = {};
    data.campaignsByQuarter.forEach(function (r) {
      if (campaignId && r.campaign_id !== campaignId) return;
      var p = byPeriod[r.period] || (byPeriod[r.period] = { label: r.period, values: { spend: 0, iacv: 0 } });
      p.values.spend += r.spend || 0;
      p.values.iacv += r.iacv || 0;
    });
    var items = Object.keys(byPeriod).sort().map(function (k) { return byPeriod[k]; });
    chartHolder.textContent = '';
    chartHolder.appendChild(bars('spend-iacv-chart', items, series, 900));
    chartHolder.setAttribute('data-campaign', campaignId || 'all');
  }
  // The campaign shown is also in the address (#campaign=<id>), so a view can be linked to and
  // opened without clicking.
  picker.addEventListener('change', function () { location.hash = picker.value ? 'campaign=' + encodeURIComponent(picker.value) : ''; drawTime(picker.value); });
  timeSection.appendChild(picker);
  timeSection.appendChild(legend(series));
  timeSection.appendChild(chartHolder);
  function linkedCampaign() {
    var m = /(?:^#|&)campaign=([^&]*)/.exec(location.hash), id;
    if (!m) return '';
    try { id = decodeURIComponent(m[1]); } catch (e) { return ''; }
    return Object.prototype.hasOwnProperty.call(campaigns, id) ? id : '';
  }
  picker.value = linkedCampaign();
  drawTime(picker.value);

  // CAC, LTV, ROI per campaign and per channel
  var FIELDS = ['spend', 'leads', 'cost_per_lead', 'customers', 'iacv', 'median_conversion_days', 'estimated_iacv', 'cac', 'ltv', 'roi'];
  var LABELS = ['spend', 'leads', 'cost / lead', 'customers', 'IACV', 'median days to IACV', 'estimated IACV', 'CAC', 'LTV', 'ROI'];
  var unitSection = document.getElementById('unit-economics');
  var models = modelsPresent(data.campaigns.concat(data.channels));
  var ct = table('campaigns', ['campaign', 'channel'].concat(LABELS));
  data.campaigns.forEach(function (r) {
    var tr = el('tr', { 'data-campaign': r.campaign_id, 'data-model': r.model });
    tr.appendChild(el('td', {}, r.campaign_name || r.campaign_id));
    tr.appendChild(el('td', {}, r.channel || '–'));
    FIELDS.forEach(function (f) { tr.appendChild(numberCell(f, r[f])); });
    ct.tBodies[0].appendChild(tr);
  });
  var cht = table('channels', ['channel'].concat(LABELS));
  data.channels.forEach(function (r) {
    var tr = el('tr', { 'data-channel': r.channel, 'data-model': r.model });
    tr.appendChild(el('td', {}, r.channel || '–'));
    FIELDS.forEach(function (f) { tr.appendChild(numberCell(f, r[f])); });
    cht.tBodies[0].appendChild(tr);
  });
  var select = modelSelect('model-picker', models, function (m) { showModel(ct, m); showModel(cht, m); });
  unitSection.appendChild(el('label', {}, 'Attribution model: ')).appendChild(select);
  unitSection.appendChild(el('h3', {}, 'Per channel'));
  unitSection.appendChild(cht);
  unitSection.appendChild(el('h3', {}, 'Per campaign'));
  unitSection.appendChild(ct);
  if (models.length) { showModel(ct, models[0]); showModel(cht, models[0]); }

  // Attribution models side by side: IACV credited to each campaign
  var attrSection = document.getElementById('attribution');
  var attrModels = modelsPresent(data.attribution);
  var names = {};
  data.campaigns.forEach(function (r) { names[r.campaign_id] = r.campaign_name; });
  var byCampaign = {};
  data.attribution.forEach(function (r) { (byCampaign[r.campaign_id] || (byCampaign[r.campaign_id] = {}))[r.model] = r.iacv_credit; });
  var at = table('attribution', ['campaign'].concat(attrModels.map(function (m) { return m.replace('_', '-'); })));
  Object.keys(byCampaign).sort(function (a, b) { return String(names[a] || a).localeCompare(String(names[b] || b)); }).forEach(function (id) {
    var tr = el('tr', { 'data-campaign': id });
    tr.appendChild(el('td', {}, names[id] || id));
    attrModels.forEach(function (m) { tr.appendChild(numberCell(m, byCampaign[id][m] === undefined ? null : byCampaign[id][m])); });
    at.tBodies[0].appendChild(tr);
  });
  var colors = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948'];
  var attrSeries = attrModels.map(function (m, i) { return { key: m, label: m.replace('_', '-'), color: colors[i % colors.length] }; });
  var topIds = Object.keys(byCampaign).sort(function (a, b) { return (byCampaign[b].first_touch || 0) - (byCampaign[a].first_touch || 0); }).slice(0, 12);
  attrSection.appendChild(legend(attrSeries));
  attrSection.appendChild(bars('attribution-chart', topIds.map(function (id) { return { label: String(names[id] || id).slice(0, 18), values: byCampaign[id] }; }), attrSeries, 900));
  attrSection.appendChild(at);
  document.body.setAttribute('data-rendered', 'true');
})();
`;
