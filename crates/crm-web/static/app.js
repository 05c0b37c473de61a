// crm-web glue: CSRF header for htmx, Bootstrap toasts, ECharts charts. No framework.
(function () {
  'use strict';
  function ready(fn) {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fn); else fn();
  }
  // (a) Send the CSRF token with every htmx request.
  document.addEventListener('htmx:configRequest', function (evt) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) evt.detail.headers['X-CSRF-Token'] = meta.content;
  });
  // (b) Toasts. kind: 'success' | 'danger' | 'info'.
  window.crmToast = function (message, kind) {
    if (['success', 'danger', 'info'].indexOf(kind) < 0) kind = 'info';
    var stack = document.querySelector('.toast-stack');
    if (!stack) { stack = document.body.appendChild(document.createElement('div')); stack.className = 'toast-stack'; }
    var toast = document.createElement('div');
    toast.className = 'toast align-items-center border-0 text-bg-' + kind;
    toast.setAttribute('role', kind === 'danger' ? 'alert' : 'status');
    toast.setAttribute('aria-atomic', 'true');
    toast.innerHTML = '<div class="d-flex"><div class="toast-body"></div><button type="button" ' +
      'class="btn-close me-2 m-auto' + (kind === 'info' ? '' : ' btn-close-white') + '" data-bs-dismiss="toast" aria-label="Close"></button></div>';
    toast.querySelector('.toast-body').textContent = String(message); // never parsed as HTML
    stack.appendChild(toast);
    toast.addEventListener('hidden.bs.toast', function () { toast.remove(); });
    bootstrap.Toast.getOrCreateInstance(toast, { delay: kind === 'danger' ? 8000 : 4000 }).show();
    return toast;
  };
  ready(function () {
    document.querySelectorAll('[data-toast]').forEach(function (el) {
      window.crmToast(el.textContent.trim(), el.getAttribute('data-toast'));
      el.remove();
    });
  });
  // (c) Failed htmx requests (4xx/5xx) show a danger toast.
  document.addEventListener('htmx:responseError', function (evt) {
    var xhr = evt.detail.xhr;
    window.crmToast((xhr.status + ' ' + (xhr.statusText || 'Request failed')).trim(), 'danger');
  });
  // (d) <div data-echart data-option='{...}'>: ECharts from inline JSON, also in htmx-swapped content.
  var charts = [];
  function initCharts(root) {
    var els = Array.prototype.slice.call(root.querySelectorAll('[data-echart]'));
    if (root.matches && root.matches('[data-echart]')) els.push(root);
    els.forEach(function (el) {
      if (!window.echarts || echarts.getInstanceByDom(el)) return;
      try { var option = JSON.parse(el.getAttribute('data-option') || '{}'); }
      catch (e) { console.error('data-option is not valid JSON', el, e); return; }
      var chart = echarts.init(el); chart.setOption(option); charts.push(chart);
    });
  }
  ready(function () { initCharts(document); });
  document.addEventListener('htmx:load', function (evt) { initCharts(evt.detail.elt || evt.target); });
  window.addEventListener('resize', function () { // resize live charts, drop ones swapped out
    charts = charts.filter(function (c) { return c.getDom().isConnected ? (c.resize(), true) : (c.dispose(), false); });
  });
})();
