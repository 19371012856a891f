// The page a scanned code opens on the customer's phone: the chosen staff member's add-friend QR
// to long-press, or a request for their location (store routing), or a polite "come back later".
// Plain server-rendered HTML: it must open fast inside WeChat's browser on any phone.
import type { ScanAnswer } from './landing.service.ts';

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(title)}</title><style>
body{margin:0;font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f3f7f4;color:#1f2d24;text-align:center}
main{max-width:420px;margin:0 auto;padding:32px 20px}
.card{background:#fff;border-radius:16px;padding:24px;box-shadow:0 2px 12px rgba(0,0,0,.06)}
h1{font-size:20px;margin:0 0 8px}p{color:#5b6b61;line-height:1.6;margin:8px 0}
img.qr{width:240px;height:240px;margin:16px auto;display:block;border-radius:8px;background:#eef}
a.btn{display:inline-block;margin-top:12px;padding:10px 20px;border-radius:20px;background:#2f9e5b;color:#fff;text-decoration:none}
small{color:#8a988f}
</style></head><body><main><div class="card">${body}</div></main></body></html>`;
}

export function renderLanding(answer: Exclude<ScanAnswer, { kind: 'redirect' }>): string {
  switch (answer.kind) {
    case 'not_found':
      return page('二维码已失效', '<h1>二维码已失效</h1><p>这个二维码已停用，请联系门店工作人员。</p><small>This code is no longer in use.</small>');
    case 'full':
      return page(answer.codeName, `<h1>${escape(answer.codeName)}</h1><p>今天添加的人太多啦，请明天再扫，或到店找店员添加。</p><small>Every advisor is fully booked today.</small>`);
    case 'ask_location':
      return page(answer.codeName, `<h1>${escape(answer.codeName)}</h1><p>正在为你查找最近的门店…</p>
<p id="msg"><small>需要你的位置，只用于分配门店。</small></p><a class="btn" href="?located=no">不提供位置，直接添加</a>
<script>
(function(){var go=function(q){location.replace(location.pathname+'?'+q)};
if(!navigator.geolocation){go('located=no');return}
navigator.geolocation.getCurrentPosition(function(p){go('lat='+p.coords.latitude.toFixed(5)+'&lng='+p.coords.longitude.toFixed(5))},function(){go('located=no')},{timeout:8000,maximumAge:600000});})();
</script>`);
    case 'staff': {
      const where = answer.storeName ? `<p>${escape(answer.storeName)}</p>` : '';
      return page(answer.codeName, `<h1>添加你的专属顾问 ${escape(answer.staff.name)}</h1>${where}
<img class="qr" src="${escape(answer.staff.qrUrl)}" alt="${escape(answer.staff.name)} 的企业微信二维码">
<p>长按识别二维码，添加企业微信好友</p><small>Long-press the code to add ${escape(answer.staff.name)} on WeCom.</small>`);
    }
  }
}
