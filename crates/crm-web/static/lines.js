// The product-line editor of quotes and orders (templates/_lines_editor.html): add and
// remove rows, default the unit price to the product's guide price, and show line totals
// while typing. Display only: the server validates and recomputes every total.
(function () {
  'use strict';
  if (window.crmLinesEditor) return; // included once per editor; wire up once
  window.crmLinesEditor = true;

  // "1,234.5" → integer scaled by 10^digits (BigInt), or null when not a plain decimal.
  function scaled(text, digits) {
    var t = String(text || '').replace(/[,，\s]/g, '').replace(/%$/, '');
    var m = /^(\d*)(?:\.(\d*))?$/.exec(t);
    if (!m || (m[1] === '' && !m[2])) return null;
    var frac = m[2] || '';
    if (frac.length > digits) return null;
    while (frac.length < digits) frac += '0';
    return BigInt((m[1] || '0') + frac);
  }

  function format(minor, digits) {
    var neg = minor < 0n;
    var s = (neg ? -minor : minor).toString();
    while (s.length <= digits) s = '0' + s;
    var whole = digits > 0 ? s.slice(0, s.length - digits) : s;
    var frac = digits > 0 ? '.' + s.slice(s.length - digits) : '';
    whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return (neg ? '-' : '') + whole + frac;
  }

  // round_half_up(qty(thousandths) × price(minor) × (10000 − bp) / 10^7), like the server.
  function lineTotal(row, digits) {
    var sel = row.querySelector('[data-line-product]');
    if (!sel || !sel.value) return null;
    var priceInput = row.querySelector('[data-line-price]');
    var qty = scaled(row.querySelector('[data-line-quantity]').value, 3);
    var price = scaled(priceInput.value.trim() || priceInput.placeholder, digits);
    var discText = row.querySelector('[data-line-discount]').value.trim();
    var bp = discText === '' ? 0n : scaled(discText, 2);
    if (qty === null || price === null || bp === null || bp > 10000n) return null;
    var net = qty * price * (10000n - bp);
    var den = 10000000n;
    return (net + den / 2n) / den;
  }

  function recompute(editor) {
    var digits = parseInt(editor.getAttribute('data-digits') || '2', 10);
    var sum = 0n, any = false;
    editor.querySelectorAll('[data-lines-body] [data-line]').forEach(function (row) {
      var total = lineTotal(row, digits);
      row.querySelector('[data-line-total]').textContent = total === null ? '' : format(total, digits);
      if (total !== null) { sum += total; any = true; }
    });
    var cell = editor.querySelector('[data-lines-total]');
    if (cell) cell.textContent = any ? format(sum, digits) : '';
  }

  function onProduct(row) {
    var sel = row.querySelector('[data-line-product]');
    var opt = sel.options[sel.selectedIndex];
    row.querySelector('[data-line-price]').placeholder = (opt && opt.getAttribute('data-price')) || '';
    var qty = row.querySelector('[data-line-quantity]');
    if (sel.value && !qty.value.trim()) qty.value = '1';
  }

  // The search box: products beyond those listed up front come from
  // GET /products/options?q= and are added to every product select of the editor.
  function label(p) { return p.code + ' · ' + p.name + (p.spec ? ' (' + p.spec + ')' : ''); }
  function wireSearch(editor) {
    var box = editor.querySelector('[data-lines-search-box]');
    var input = editor.querySelector('[data-lines-search]');
    var result = editor.querySelector('[data-lines-search-result]');
    if (!box || !input || !window.fetch) return;
    box.hidden = false;
    var timer = null;
    input.addEventListener('keydown', function (e) { if (e.key === 'Enter') e.preventDefault(); });
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (!q) { result.textContent = ''; return; }
        fetch('/products/options?q=' + encodeURIComponent(q), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) {
            var tpl = editor.querySelector('template[data-line-template]');
            var selects = Array.prototype.slice.call(editor.querySelectorAll('[data-lines-body] [data-line-product]'));
            if (tpl) selects = selects.concat(Array.prototype.slice.call(tpl.content.querySelectorAll('[data-line-product]')));
            items.forEach(function (p) {
              selects.forEach(function (sel) {
                if (sel.querySelector('option[value="' + p.id + '"]')) return;
                var opt = document.createElement('option');
                opt.value = String(p.id); opt.textContent = label(p); opt.setAttribute('data-price', p.guide_price);
                sel.appendChild(opt);
              });
            });
            result.textContent = String(items.length);
          })
          .catch(function () { result.textContent = '!'; });
      }, 300);
    });
  }

  function wire(editor) {
    wireSearch(editor);
    var body = editor.querySelector('[data-lines-body]');
    var tpl = editor.querySelector('template[data-line-template]');
    editor.querySelectorAll('[data-line-add], [data-line-remove]').forEach(function (b) { b.hidden = false; });
    editor.addEventListener('input', function () { recompute(editor); });
    editor.addEventListener('change', function (e) {
      var row = e.target.closest('[data-line]');
      if (row && e.target.matches('[data-line-product]')) onProduct(row);
      recompute(editor);
    });
    editor.addEventListener('click', function (e) {
      var add = e.target.closest('[data-line-add]');
      var remove = e.target.closest('[data-line-remove]');
      if (add && tpl) {
        var row = tpl.content.firstElementChild.cloneNode(true);
        row.querySelectorAll('[data-line-remove]').forEach(function (b) { b.hidden = false; });
        body.appendChild(row);
        row.querySelector('[data-line-product]').focus();
      } else if (remove) {
        var r = remove.closest('[data-line]');
        if (body.querySelectorAll('[data-line]').length > 1) {
          r.remove();
        } else { // keep one row: clear it instead
          r.querySelectorAll('input').forEach(function (i) { i.value = ''; i.classList.remove('is-invalid'); });
          r.querySelector('[data-line-product]').value = '';
          onProduct(r);
        }
        recompute(editor);
      }
    });
    recompute(editor);
  }

  function init() { document.querySelectorAll('[data-lines-editor]').forEach(wire); }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init); else init();
})();
