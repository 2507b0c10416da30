/*
 * report_style.h - the inline style sheet of report.html and index.html.
 * The pages need no other asset and no JavaScript.
 */
#ifndef HITO_CHECKPOINT_REPORT_STYLE_H
#define HITO_CHECKPOINT_REPORT_STYLE_H

#define REPORT_STYLE \
    ":root{--pass:#1a7f37;--pass-bg:#dafbe1;--fail:#cf222e;--fail-bg:#ffebe9;" \
    "--skip:#9a6700;--skip-bg:#fff8c5;--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;" \
    "--panel:#f6f8fa}" \
    "*{box-sizing:border-box}" \
    "body{margin:0;font:15px/1.5 -apple-system,'Segoe UI',Helvetica,Arial,sans-serif;" \
    "color:var(--ink);background:#fff}" \
    "main{max-width:1100px;margin:0 auto;padding:0 24px 48px}" \
    "header.banner{padding:28px 24px;color:#fff}" \
    "header.banner .inner{max-width:1100px;margin:0 auto;padding:0 24px}" \
    "header.passed{background:var(--pass)}header.failed{background:var(--fail)}" \
    "header.skipped{background:var(--skip)}header.neutral{background:#24292f}" \
    "header h1{margin:0 0 4px;font-size:26px}" \
    "header p{margin:0;opacity:.92}" \
    ".verdict{display:inline-block;margin-bottom:8px;padding:2px 10px;border-radius:12px;" \
    "background:rgba(255,255,255,.22);font-weight:600;letter-spacing:.04em;font-size:13px}" \
    "dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;" \
    "margin:20px 0;padding:16px;background:var(--panel);border:1px solid var(--line);" \
    "border-radius:8px}" \
    "dl.meta dt{color:var(--muted)}dl.meta dd{margin:0;font-family:ui-monospace,monospace}" \
    ".counts{display:flex;gap:12px;margin:16px 0 24px}" \
    ".count{flex:1;padding:12px 16px;border-radius:8px;border:1px solid var(--line)}" \
    ".count b{display:block;font-size:28px;line-height:1.2}" \
    ".count.passed{background:var(--pass-bg);color:var(--pass)}" \
    ".count.failed{background:var(--fail-bg);color:var(--fail)}" \
    ".count.skipped{background:var(--skip-bg);color:var(--skip)}" \
    ".count.total{background:var(--panel)}" \
    "details.scenario{border:1px solid var(--line);border-left:6px solid var(--line);" \
    "border-radius:8px;margin:0 0 12px;background:#fff}" \
    "details.scenario.passed{border-left-color:var(--pass)}" \
    "details.scenario.failed{border-left-color:var(--fail)}" \
    "details.scenario.skipped{border-left-color:var(--skip)}" \
    "details.scenario>summary{display:flex;align-items:center;gap:12px;padding:12px 16px;" \
    "cursor:pointer;list-style:none}" \
    "details.scenario>summary::-webkit-details-marker{display:none}" \
    ".badge{min-width:64px;text-align:center;padding:2px 8px;border-radius:12px;" \
    "font-size:12px;font-weight:700;letter-spacing:.05em}" \
    ".badge.passed{background:var(--pass-bg);color:var(--pass)}" \
    ".badge.failed{background:var(--fail-bg);color:var(--fail)}" \
    ".badge.skipped{background:var(--skip-bg);color:var(--skip)}" \
    ".title{flex:1;font-weight:600}.title code{font-weight:400;color:var(--muted);" \
    "margin-left:8px;font-size:13px}" \
    ".dur{color:var(--muted);font-variant-numeric:tabular-nums}" \
    ".body{padding:0 16px 12px}" \
    ".problem{margin:0 0 12px;padding:10px 14px;border-radius:6px;white-space:pre-wrap;" \
    "word-break:break-word}" \
    ".problem.failed{background:var(--fail-bg);color:#82071e;border:1px solid #ffcecb}" \
    ".problem.skipped{background:var(--skip-bg);color:#7d4e00;border:1px solid #f5e0a0}" \
    ".problem small{display:block;color:var(--muted);margin-top:4px}" \
    "ol.steps{margin:0;padding:0;list-style:none;counter-reset:step}" \
    "ol.steps>li{counter-increment:step;padding:8px 0 8px 36px;position:relative;" \
    "border-top:1px solid #eef1f4}" \
    "ol.steps>li::before{content:counter(step);position:absolute;left:0;top:9px;" \
    "width:24px;height:24px;border-radius:50%;background:var(--panel);" \
    "border:1px solid var(--line);text-align:center;font-size:12px;line-height:22px}" \
    "ol.steps>li.failed::before{background:var(--fail);color:#fff;border-color:var(--fail)}" \
    ".step-head{display:flex;gap:12px}.step-head span:first-child{flex:1}" \
    "ul.events{margin:4px 0 0;padding:0;list-style:none;font-size:14px}" \
    "ul.events li{padding:2px 0}" \
    ".ok{color:var(--pass)}.ko{color:var(--fail);font-weight:600}.note{color:var(--muted)}" \
    ".ev-vals{color:var(--muted);font-family:ui-monospace,monospace;font-size:13px}" \
    "details.exchange summary{cursor:pointer;font-family:ui-monospace,monospace;" \
    "font-size:13px;color:#0550ae}" \
    "pre{margin:6px 0;padding:10px;background:var(--panel);border:1px solid var(--line);" \
    "border-radius:6px;overflow-x:auto;white-space:pre-wrap;word-break:break-all;" \
    "font-size:12px;max-height:360px;overflow-y:auto}" \
    ".label{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.05em}" \
    "table.index{width:100%;border-collapse:collapse;margin-top:20px}" \
    "table.index th,table.index td{text-align:left;padding:8px 12px;" \
    "border-bottom:1px solid var(--line)}" \
    "table.index th{background:var(--panel);font-size:13px;color:var(--muted)}" \
    "table.index td+td{white-space:nowrap}table.index a{color:#0550ae}" \
    "table.figures{border-collapse:collapse;margin:0 0 12px;font-size:14px}" \
    "table.figures th,table.figures td{text-align:left;padding:4px 12px;" \
    "border-bottom:1px solid var(--line)}" \
    "table.figures th{background:var(--panel);font-size:13px;color:var(--muted)}" \
    "table.figures td.num{text-align:right;font-variant-numeric:tabular-nums;" \
    "font-family:ui-monospace,monospace}" \
    "footer{margin-top:32px;color:var(--muted);font-size:13px}"

#endif
