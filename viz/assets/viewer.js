// calm html: the page's script (hand-written, no dependencies; embedded into every
// report at build time, see viz/CMakeLists.txt).
//
// Per program a viewer: the views' SVGs (the same diagram with clusters expanded or
// modules collapsed, each laid out by Graphviz) on a stage that pans (drag, arrow keys)
// and zooms (wheel, +/-, Fit, 1:1); clicking a collection, cluster or module shows its
// neighbourhood (k hops in and out; the rest dims) and fills the panel with its rules,
// points of order, cluster, label and causes; double-clicking a cluster or module
// expands or collapses it in place; a search box finds collections and rules. The
// lists of the report (points of order, causes, clusters) highlight their element in
// the current view. A URL hash drives the same actions (tests, links):
//   #view=PROGRAM&focus=COLLECTION&depth=2&cluster=CLUSTER_ID&module=M&rule=ID
//    &search=TEXT&v=VIEW_INDEX&zoom=1.5
// Attributes on each viewer tell tests what is shown: data-view, data-zoom,
// data-selection, data-lit (nodes not dimmed). data-calm-ready on <html> is "ok" once
// the script ran and every link found its element; the document then gets a
// `calm-ready` event. The views after the first come deflated (data-packed) and are
// inflated first, so that happens after the load event.
(function () {
  'use strict';

  var MIN_K = 0.05, MAX_K = 8;
  // The focused view never zooms out below this: 12 pt labels stay >= 12 px.
  var READABLE_K = 0.75;

  function esc(t) {
    return String(t).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }
  function all(root, sel) { return Array.prototype.slice.call(root.querySelectorAll(sel)); }
  function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }

  /// The page's data names elements without their view's prefix (it is most of an id):
  /// put it back.
  function withPrefixes(data) {
    data.views.forEach(function (v) {
      var p = v.prefix, nodes = {}, edges = {}, groups = {}, k;
      function id(key) { return key ? p + key : ''; }
      for (k in v.nodes) nodes[p + k] = v.nodes[k];
      for (k in v.edges) edges[p + k] = [id(v.edges[k][0]), id(v.edges[k][1]), v.edges[k][2]];
      for (k in v.groups) groups[p + k] = v.groups[k];
      v.nodes = nodes;
      v.edges = edges;
      v.groups = groups;
    });
    data.points.forEach(function (pt) {
      pt.targets = pt.targets.map(function (t, i) { return t ? data.views[i].prefix + t : ''; });
    });
    return data;
  }

  function Viewer(root) {
    this.root = root;
    this.data = withPrefixes(JSON.parse(root.querySelector('script.calm-data').textContent));
    this.stage = root.querySelector('.stage');
    this.canvas = root.querySelector('.canvas');
    this.panel = root.querySelector('.panel');
    this.viewEls = all(root, '.canvas > .view');  // not g.view: a collection of kind view
    this.search = root.querySelector('.search');
    this.results = root.querySelector('.results');
    this.depthSel = root.querySelector('.depth');
    this.viewSel = root.querySelector('.view-select');
    this.zoomLabel = root.querySelector('.zoom-level');
    this.view = 0;
    this.t = {x: 0, y: 0, k: 1};
    this.selection = null;
    this.marked = [];
    this.init();
  }

  Viewer.prototype.init = function () {
    var self = this;
    this.data.views.forEach(function (v, i) {
      var o = document.createElement('option');
      o.value = String(i);
      o.textContent = v.name;
      o.disabled = !self.available(i);
      self.viewSel.appendChild(o);
    });
    this.viewSel.addEventListener('change', function () {
      self.setView(Number(self.viewSel.value), null);
    });
    this.depthSel.addEventListener('change', function () { self.refresh(true); });
    all(this.root, '.toolbar button[data-act]').forEach(function (b) {
      b.addEventListener('click', function () { self.act(b.getAttribute('data-act')); });
    });
    // Pan by dragging; a drag is not a click.
    var drag = null;
    this.stage.addEventListener('pointerdown', function (e) {
      if (e.button !== 0 || e.target.closest('.key')) return;
      drag = {x: e.clientX, y: e.clientY, tx: self.t.x, ty: self.t.y, moved: false};
    });
    window.addEventListener('pointermove', function (e) {
      if (!drag) return;
      var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
      drag.moved = true;
      self.stage.classList.add('dragging');
      self.t.x = drag.tx + dx;
      self.t.y = drag.ty + dy;
      self.apply();
    });
    window.addEventListener('pointerup', function () {
      if (drag && drag.moved) self.justDragged = true;
      drag = null;
      self.stage.classList.remove('dragging');
      setTimeout(function () { self.justDragged = false; }, 0);
    });
    this.stage.addEventListener('wheel', function (e) {
      e.preventDefault();
      var r = self.stage.getBoundingClientRect();
      var f = Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015));
      self.zoomAt(f, e.clientX - r.left, e.clientY - r.top);
    }, {passive: false});
    this.stage.addEventListener('keydown', function (e) {
      var step = 60;
      if (e.key === '+' || e.key === '=') self.act('in');
      else if (e.key === '-') self.act('out');
      else if (e.key === '0') self.act('fit');
      else if (e.key === 'ArrowLeft') self.t.x += step;
      else if (e.key === 'ArrowRight') self.t.x -= step;
      else if (e.key === 'ArrowUp') self.t.y += step;
      else if (e.key === 'ArrowDown') self.t.y -= step;
      else if (e.key === 'Escape') self.act('clear');
      else return;
      e.preventDefault();
      self.apply();
    });
    this.stage.addEventListener('click', function (e) {
      if (self.justDragged || e.target.closest('.key')) return;
      var hit = self.hit(e.target);
      if (!hit) return;
      e.preventDefault();
      if (hit.type === 'node') self.selectNode(hit.id);
      else if (hit.type === 'edge') self.selectEdge(hit.id);
      else if (hit.type === 'group') self.select({type: 'cluster', id: hit.cluster}, true);
    });
    this.stage.addEventListener('dblclick', function (e) {
      var hit = self.hit(e.target);
      if (!hit) return;
      e.preventDefault();
      var v = self.data.views[self.view];
      if (hit.type === 'group') { self.toggleCluster(hit.cluster); return; }
      if (hit.type !== 'node') return;
      var n = v.nodes[hit.id];
      if (n.k === 'cluster') self.toggleCluster(n.id);
      else if (n.k === 'module') self.toggleModule(n.id.slice('module:'.length));
    });
    // Search.
    this.search.addEventListener('input', function () { self.showResults(); });
    this.search.addEventListener('keydown', function (e) {
      if (e.key === 'Enter') {
        e.preventDefault();
        var first = self.results.querySelector('button');
        if (first) first.click();
      } else if (e.key === 'Escape') {
        self.results.hidden = true;
      }
    });
    this.panel.addEventListener('click', function (e) {
      var t = e.target.closest('[data-target]');
      if (t) { e.preventDefault(); self.showTarget(self.targetsOf(t)); return; }
      var a = e.target.closest('[data-go]');
      if (!a) return;
      e.preventDefault();
      self.go(a.getAttribute('data-go'));
    });
    window.addEventListener('resize', function () { self.apply(); });
    this.fit();
    this.mark();
  };

  /// What an element of the active SVG stands for.
  Viewer.prototype.hit = function (target) {
    var v = this.data.views[this.view];
    var g = target.closest('g.node, g.edge, g.cluster');  // an octagon is g.node.cluster
    if (!g || !this.viewEls[this.view].contains(g)) return null;
    if (g.classList.contains('node') && v.nodes[g.id]) return {type: 'node', id: g.id};
    if (g.classList.contains('edge') && v.edges[g.id]) return {type: 'edge', id: g.id};
    if (g.classList.contains('cluster') && v.groups[g.id]) return {type: 'group', id: g.id, cluster: v.groups[g.id]};
    return null;
  };

  Viewer.prototype.size = function () {
    var el = this.viewEls[this.view];
    return {w: el.offsetWidth || 1, h: el.offsetHeight || 1};
  };

  Viewer.prototype.apply = function () {
    this.canvas.style.transform = 'translate(' + this.t.x + 'px,' + this.t.y + 'px) scale(' + this.t.k + ')';
    this.zoomLabel.textContent = Math.round(this.t.k * 100) + '%';
    this.root.setAttribute('data-zoom', this.t.k.toFixed(2));
  };

  Viewer.prototype.zoomAt = function (f, cx, cy) {
    var k = clamp(this.t.k * f, MIN_K, MAX_K);
    this.t.x = cx - (cx - this.t.x) * (k / this.t.k);
    this.t.y = cy - (cy - this.t.y) * (k / this.t.k);
    this.t.k = k;
    this.apply();
  };

  Viewer.prototype.fit = function () {
    var W = this.stage.clientWidth, H = this.stage.clientHeight, s = this.size();
    var k = clamp(Math.min(W / s.w, H / s.h) * 0.98, MIN_K, 1.5);
    this.t = {k: k, x: (W - s.w * k) / 2, y: Math.max(0, (H - s.h * k) / 2)};
    this.apply();
  };

  Viewer.prototype.act = function (what) {
    var W = this.stage.clientWidth, H = this.stage.clientHeight;
    if (what === 'fit') this.fit();
    else if (what === 'one') this.zoomAt(1 / this.t.k, W / 2, H / 2);
    else if (what === 'in') this.zoomAt(1.25, W / 2, H / 2);
    else if (what === 'out') this.zoomAt(0.8, W / 2, H / 2);
    else if (what === 'full') {
      this.root.classList.toggle('full');
      this.fit();
    } else if (what === 'clear') { this.selection = null; this.refresh(false); this.panelHint(); }
  };

  /// Rectangle of elements of the active view, in unscaled canvas coordinates.
  Viewer.prototype.box = function (els) {
    var c = this.canvas.getBoundingClientRect(), k = this.t.k, b = null;
    els.forEach(function (el) {
      var r = el.getBoundingClientRect();
      if (!r.width && !r.height) return;
      var x0 = (r.left - c.left) / k, y0 = (r.top - c.top) / k;
      var x1 = x0 + r.width / k, y1 = y0 + r.height / k;
      b = b ? {x0: Math.min(b.x0, x0), y0: Math.min(b.y0, y0), x1: Math.max(b.x1, x1), y1: Math.max(b.y1, y1)}
            : {x0: x0, y0: y0, x1: x1, y1: y1};
    });
    return b;
  };

  /// Zooms to `els` at a readable scale; when they do not fit at that scale, centres
  /// on `centre` (the selected nodes) instead.
  Viewer.prototype.zoomTo = function (els, centre) {
    var b = this.box(els);
    if (!b) return;
    var W = this.stage.clientWidth, H = this.stage.clientHeight;
    var bw = b.x1 - b.x0 + 40, bh = b.y1 - b.y0 + 40;
    var k = clamp(Math.min(W / bw, H / bh), READABLE_K, 1.5);
    if (bw * k > W || bh * k > H) {
      var c = this.box(centre && centre.length ? centre : els);
      if (c) b = c;
    }
    this.t.k = k;
    this.t.x = W / 2 - (b.x0 + b.x1) / 2 * k;
    this.t.y = H / 2 - (b.y0 + b.y1) / 2 * k;
    this.apply();
  };

  /// Whether view `i` is on the page: every view is, once unpacked (a browser without
  /// DecompressionStream shows the first view only).
  Viewer.prototype.available = function (i) {
    return i >= 0 && i < this.viewEls.length && !this.viewEls[i].hasAttribute('data-packed');
  };

  /// Shows view `i`; `anchor` (a function view -> element) keeps that element where it
  /// was on the screen, so expanding or collapsing happens in place.
  Viewer.prototype.setView = function (i, anchor) {
    if (!this.available(i)) return;
    var before = anchor ? anchor(this.view) : null;
    var r0 = before ? before.getBoundingClientRect() : null;
    this.viewEls.forEach(function (el, j) { el.hidden = j !== i; });
    this.view = i;
    this.viewSel.value = String(i);
    this.root.setAttribute('data-view', String(i));
    var after = anchor ? anchor(i) : null;
    if (r0 && after) {
      var s = this.stage.getBoundingClientRect(), c = this.canvas.getBoundingClientRect();
      var r1 = after.getBoundingClientRect(), k = this.t.k;
      var px = (r1.left + r1.width / 2 - c.left) / k, py = (r1.top + r1.height / 2 - c.top) / k;
      this.t.x = r0.left + r0.width / 2 - s.left - px * k;
      this.t.y = r0.top + r0.height / 2 - s.top - py * k;
      this.apply();
    }
    this.mark();
    this.refresh(false);
  };

  /// The element of view `i` that shows cluster `id` (octagon or box).
  Viewer.prototype.clusterEl = function (i, id) {
    var v = this.data.views[i], key;
    for (key in v.nodes) if (v.nodes[key].id === id) return document.getElementById(key);
    for (key in v.groups) if (v.groups[key] === id) return document.getElementById(key);
    return null;
  };

  Viewer.prototype.findView = function (pred) {
    for (var i = 0; i < this.data.views.length; ++i)
      if (this.available(i) && pred(this.data.views[i])) return i;
    return -1;
  };

  Viewer.prototype.isExpanded = function (i, id) {
    var v = this.data.views[i];
    return v.expanded || v.expand.indexOf(id) >= 0;
  };

  Viewer.prototype.toggleCluster = function (id) {
    var self = this, target;
    if (this.isExpanded(this.view, id)) {
      target = this.findView(function (v) { return !v.expanded && v.expand.indexOf(id) < 0 && !v.collapse.length; });
    } else {
      target = this.findView(function (v) { return v.expand.length === 1 && v.expand[0] === id; });
      if (target < 0) target = this.findView(function (v) { return v.expanded; });
    }
    if (target >= 0) this.setView(target, function (i) { return self.clusterEl(i, id); });
  };

  Viewer.prototype.toggleModule = function (m) {
    var self = this;
    var collapsed = this.data.views[this.view].collapse.indexOf(m) >= 0;
    var target = collapsed ? 0 : this.findView(function (v) { return v.collapse.length === 1 && v.collapse[0] === m; });
    if (target < 0) return;
    var anchor = function (i) {
      var v = self.data.views[i];
      for (var key in v.nodes) {
        var n = v.nodes[key];
        if (n.id === 'module:' + m || (n.k === 'collection' && self.data.collections[n.id].module === m))
          return document.getElementById(key);
      }
      return null;
    };
    this.setView(target, anchor);
  };

  /// Marks the key's rows that the active view draws.
  Viewer.prototype.mark = function () {
    var svg = this.viewEls[this.view];
    var has = {
      'collapsed-cluster': !!svg.querySelector('g.node.temporal-cluster'),
      'expanded-cluster': !!svg.querySelector('g.cluster.temporal-cluster:not(.node)'),
      'collapsed-module': !!svg.querySelector('g.node.collapsed-module'),
      'underspecified': !!svg.querySelector('g.node.underspecified')
    };
    all(this.root, '.key-row[data-when]').forEach(function (row) {
      row.hidden = !has[row.getAttribute('data-when')];
    });
  };

  /// The collections within `depth` hops of `seeds`, in either direction.
  Viewer.prototype.around = function (seeds, depth) {
    var cs = this.data.collections, seen = {}, frontier = seeds.slice();
    seeds.forEach(function (s) { seen[s] = true; });
    for (var d = 0; d < depth; ++d) {
      var next = [];
      frontier.forEach(function (n) {
        var c = cs[n];
        if (!c) return;
        c.out.concat(c['in']).forEach(function (m) {
          if (!seen[m]) { seen[m] = true; next.push(m); }
        });
      });
      frontier = next;
    }
    return seen;
  };

  /// Dims what the selection does not reach, in the active view; zooms to it.
  Viewer.prototype.refresh = function (zoom) {
    var self = this, v = this.data.views[this.view], svg = this.viewEls[this.view];
    all(this.root, '.dim, .lit, .focus-node').forEach(function (el) {
      el.classList.remove('dim'); el.classList.remove('lit'); el.classList.remove('focus-node');
    });
    this.unmark();
    var sel = this.selection;
    this.root.setAttribute('data-selection', sel ? sel.type + ':' + sel.id : '');
    if (!sel) { this.root.setAttribute('data-lit', ''); return; }
    var depth = Number(this.depthSel.value) || 1;
    var seeds = this.seeds(sel), rules = null, lit = {};
    if (sel.type === 'rule') rules = [Number(sel.id)];
    var reach = rules ? {} : this.around(seeds, depth);
    if (rules) seeds.forEach(function (s) { reach[s] = true; });
    var focus = [], litEls = [];
    Object.keys(v.nodes).forEach(function (key) {
      var n = v.nodes[key];
      var on = n.c.some(function (c) { return reach[c]; });
      var isFocus = n.c.some(function (c) { return seeds.indexOf(c) >= 0; });
      if (on) lit[key] = true;
      if (isFocus) focus.push(key);
    });
    // S, T and ?? follow what they are attached to; with a rule, only its edges.
    Object.keys(v.edges).forEach(function (key) {
      var e = v.edges[key];
      if (rules) return;
      if (v.nodes[e[0]] && v.nodes[e[0]].k === 'pseudo' && lit[e[1]]) lit[e[0]] = 'pseudo';
      if (v.nodes[e[1]] && v.nodes[e[1]].k === 'pseudo' && lit[e[0]]) lit[e[1]] = 'pseudo';
    });
    all(svg, 'g.node').forEach(function (g) {
      if (!v.nodes[g.id]) return;
      g.classList.add(lit[g.id] ? 'lit' : 'dim');
      if (lit[g.id]) litEls.push(g);
    });
    all(svg, 'g.edge').forEach(function (g) {
      var e = v.edges[g.id], on;
      if (!e) return;
      if (rules) on = e[2].indexOf(rules[0]) >= 0;
      else on = !!(lit[e[0]] && lit[e[1]]);
      g.classList.add(on ? 'lit' : 'dim');
    });
    all(svg, 'g.cluster:not(.node)').forEach(function (g) {
      g.classList.add(v.groups[g.id] && self.seedsCluster(sel) === v.groups[g.id] ? 'lit' : 'dim');
    });
    var focusEls = focus.map(function (k) { return document.getElementById(k); }).filter(Boolean);
    focusEls.forEach(function (el) { el.classList.add('focus-node'); });
    this.root.setAttribute('data-lit', String(litEls.length));
    if (zoom) this.zoomTo(litEls, focusEls);
  };

  Viewer.prototype.seedsCluster = function (sel) {
    return sel.type === 'cluster' ? sel.id : null;
  };

  Viewer.prototype.seeds = function (sel) {
    var d = this.data;
    if (sel.type === 'collection') return [sel.id];
    if (sel.type === 'cluster') {
      for (var i = 0; i < d.clusters.length; ++i) if (d.clusters[i].id === sel.id) return d.clusters[i].members.slice();
      return [];
    }
    if (sel.type === 'module') {
      return Object.keys(d.collections).filter(function (n) { return d.collections[n].module === sel.id; });
    }
    if (sel.type === 'rule') {
      var r = d.rules[Number(sel.id)], out = r ? [r.lhs] : [];
      Object.keys(d.collections).forEach(function (n) {
        if (d.collections[n].reads.indexOf(Number(sel.id)) >= 0 && out.indexOf(n) < 0) out.push(n);
      });
      return out;
    }
    return [];
  };

  Viewer.prototype.select = function (sel, zoom) {
    // A collection inside a collapsed cluster: show the view that expands that cluster.
    if (sel.type === 'collection' && this.data.collections[sel.id]) {
      var ci = this.data.collections[sel.id].cluster;
      if (ci >= 0) {
        var id = this.data.clusters[ci].id, self = this;
        if (!this.isExpanded(this.view, id)) {
          var target = this.findView(function (v) { return v.expand.length === 1 && v.expand[0] === id; });
          if (target < 0) target = this.findView(function (v) { return v.expanded; });
          if (target >= 0) this.setView(target, function (i) { return self.clusterEl(i, id); });
        }
      }
    }
    this.selection = sel;
    this.results.hidden = true;
    this.refresh(zoom);
    this.fill();
  };

  Viewer.prototype.selectNode = function (key) {
    var n = this.data.views[this.view].nodes[key];
    if (n.k === 'collection') this.select({type: 'collection', id: n.id}, true);
    else if (n.k === 'cluster') this.select({type: 'cluster', id: n.id}, true);
    else if (n.k === 'module') this.select({type: 'module', id: n.id.slice('module:'.length)}, true);
    else this.act('clear');
  };

  Viewer.prototype.selectEdge = function (key) {
    var e = this.data.views[this.view].edges[key];
    if (!e || !e[2].length) return;
    this.select({type: 'edge', id: key}, false);
    var g = document.getElementById(key);
    if (g) { g.classList.add('highlight'); this.marked.push(g); }
    // The matching entry of the list of points of order.
    var self = this, section = this.root.closest('section.program') || document;
    all(section, 'li.point[data-target]').forEach(function (li) {
      li.classList.remove('selected');
      if (self.targetsOf(li).indexOf(key) >= 0) li.classList.add('selected');
    });
  };

  /// "collection:NAME", "cluster:ID", "module:NAME", "rule:ID", "point:INDEX".
  Viewer.prototype.go = function (what) {
    var at = what.indexOf(':'), type = what.slice(0, at), id = what.slice(at + 1);
    if (type === 'point') { this.showTarget(this.data.points[Number(id)].targets); return; }
    if (type === 'expand') { this.toggleCluster(id); this.fill(); return; }
    if (type === 'module-toggle') { this.toggleModule(id); this.fill(); return; }
    this.select({type: type, id: id}, true);
  };

  Viewer.prototype.unmark = function () {
    this.marked.forEach(function (el) { el.classList.remove('highlight'); });
    this.marked = [];
  };

  /// Highlights the element that `targets` (one svg id per view) names in the active
  /// view, switching to the first view when the active one does not draw it.
  Viewer.prototype.showTarget = function (targets) {
    var id = targets[this.view];
    if (!id || id === '-' || !document.getElementById(id)) {
      if (targets[0] && targets[0] !== '-' && this.view !== 0) this.setView(0, null);
      id = targets[0];
    }
    var el = id && document.getElementById(id);
    this.unmark();
    if (!el) return null;
    el.classList.add('highlight');
    this.marked.push(el);
    var b = this.box([el]), W = this.stage.clientWidth, H = this.stage.clientHeight;
    if (b) {
      var k = Math.max(this.t.k, READABLE_K);
      this.t.k = k;
      this.t.x = W / 2 - (b.x0 + b.x1) / 2 * k;
      this.t.y = H / 2 - (b.y0 + b.y1) / 2 * k;
      this.apply();
    }
    return el;
  };

  Viewer.prototype.panelHint = function () {
    this.panel.innerHTML = '<p class="hint">Click a collection, a cluster or a module, or search, ' +
        'to see its neighbourhood, rules, points of order and causes here.</p>';
  };

  function link(go, text) {
    return '<a href="#" data-go="' + esc(go) + '"><code>' + esc(text) + '</code></a>';
  }
  function names(list) {
    return list.length ? list.map(function (n) { return link('collection:' + n, n); }).join(', ')
                       : '<span class="none">none</span>';
  }

  Viewer.prototype.rulesHtml = function (ids, title) {
    var d = this.data;
    if (!ids.length) return '';
    return '<h5>' + esc(title) + ' (' + ids.length + ')</h5>' + ids.map(function (id) {
      var r = d.rules[id];
      return r ? '<div class="rule" data-rule="' + id + '"><span class="where">' + esc(r.at) +
                 '</span> ' + link('rule:' + id, 'rule ' + id) + r.html + '</div>' : '';
    }).join('');
  };

  Viewer.prototype.pointsHtml = function (ids) {
    var d = this.data;
    if (!ids.length) return '';
    return '<h5>Points of order (' + ids.length + ')</h5><ul class="panel-points">' + ids.map(function (i) {
      var p = d.points[i];
      return '<li><a href="#" data-go="point:' + i + '"><span class="kind">' + esc(p.kind) +
             '</span> <code>' + p.html + '</code></a> <span class="why">' + esc(p.reason) + '</span></li>';
    }).join('') + '</ul>';
  };

  Viewer.prototype.clusterLine = function (ci) {
    var c = this.data.clusters[ci];
    var expanded = this.isExpanded(this.view, c.id);
    return '<p class="panel-cluster">temporal cluster ' + link('cluster:' + c.id, c.label) +
           ' <button type="button" data-go="expand:' + esc(c.id) + '">' +
           (expanded ? 'collapse' : 'expand') + '</button></p>';
  };

  /// The panel for the current selection.
  Viewer.prototype.fill = function () {
    var d = this.data, sel = this.selection, h = '', self = this;
    var depth = Number(this.depthSel.value) || 1;
    if (!sel) { this.panelHint(); return; }
    if (sel.type === 'collection') {
      var c = d.collections[sel.id];
      if (!c) return;
      h += '<h4><code>' + esc(sel.id) + '</code></h4><p class="meta">' + esc(c.kind) +
           (c.schema ? ' <code>' + esc(c.schema) + '</code>' : '') +
           (c.module ? ' &middot; module ' + link('module:' + c.module, c.module) : '') +
           (c.at ? ' &middot; ' + esc(c.at) : '') + '</p>';
      if (c.label) {
        h += '<p>output label <span class="badge label-' + esc(c.label) + '">' + esc(c.label) +
             '</span> <span class="why">' + esc(c.why) + '</span></p>';
        h += '<p>inputs: ' + names(c.inputs) + '</p>';
        var row = this.labelRow(sel.id);
        if (row) h += '<div class="panel-causes">causes: ' + row.lastElementChild.innerHTML + '</div>';
      }
      if (c.cluster >= 0) h += this.clusterLine(c.cluster);
      h += '<p>reads from: ' + names(c['in']) + '<br>feeds: ' + names(c.out) + '</p>';
      h += this.pointsHtml(c.points);
      h += this.rulesHtml(c.writes, 'Rules writing it');
      h += this.rulesHtml(c.reads, 'Rules reading it');
    } else if (sel.type === 'cluster') {
      var ci = -1;
      d.clusters.forEach(function (x, i) { if (x.id === sel.id) ci = i; });
      if (ci < 0) return;
      var cl = d.clusters[ci];
      h += '<h4>temporal cluster <code>' + esc(cl.label) + '</code></h4>' + this.clusterLine(ci);
      h += '<p>cycle: <code>' + esc(cl.cycle) + '</code></p><p>' + cl.members.length +
           ' members: ' + names(cl.members) + '</p>';
      var pts = [];
      d.points.forEach(function (p, i) { if (p.cluster === cl.id) pts.push(i); });
      h += this.pointsHtml(pts);
    } else if (sel.type === 'module') {
      var members = this.seeds(sel);
      var collapsed = d.views[this.view].collapse.indexOf(sel.id) >= 0;
      var can = collapsed || this.findView(function (v) { return v.collapse.length === 1 && v.collapse[0] === sel.id; }) >= 0;
      h += '<h4>module <code>' + esc(sel.id) + '</code></h4>' +
           (can ? '<p><button type="button" data-go="module-toggle:' + esc(sel.id) + '">' +
                  (collapsed ? 'expand' : 'collapse') + '</button></p>' : '') +
           '<p>' + members.length + ' collections: ' + names(members) + '</p>';
    } else if (sel.type === 'rule') {
      h += this.rulesHtml([Number(sel.id)], 'Rule');
      var r = d.rules[Number(sel.id)];
      if (r) h += '<p>writes ' + link('collection:' + r.lhs, r.lhs) + '</p>';
    } else if (sel.type === 'edge') {
      var e = d.views[this.view].edges[sel.id];
      h += '<h4>edge</h4>' + this.rulesHtml(e[2], 'Rules');
      var pts2 = [];
      d.points.forEach(function (p, i) { if (p.targets[self.view] === sel.id) pts2.push(i); });
      h += this.pointsHtml(pts2);
    }
    if (sel.type !== 'edge' && sel.type !== 'rule')
      h = '<p class="hops">showing ' + depth + (depth === 1 ? ' hop' : ' hops') + ' around it</p>' + h;
    this.panel.innerHTML = h;
    all(this.panel, 'details').forEach(function (x) { x.open = true; });
  };

  /// The row of the report's table of output labels for `output`.
  Viewer.prototype.labelRow = function (output) {
    var section = this.root.closest('section.program');
    if (!section) return null;
    var rows = section.querySelectorAll('tr.output-label');
    for (var i = 0; i < rows.length; ++i) if (rows[i].getAttribute('data-output') === output) return rows[i];
    return null;
  };

  Viewer.prototype.showResults = function () {
    var q = this.search.value.trim().toLowerCase(), d = this.data, self = this;
    this.results.innerHTML = '';
    if (!q) { this.results.hidden = true; return; }
    var hits = [];
    Object.keys(d.collections).forEach(function (n) {
      if (n.toLowerCase().indexOf(q) >= 0) hits.push({go: 'collection:' + n, text: n, kind: d.collections[n].kind, exact: n.toLowerCase() === q});
    });
    d.clusters.forEach(function (c) {
      if (c.label.toLowerCase().indexOf(q) >= 0) hits.push({go: 'cluster:' + c.id, text: c.label, kind: 'cluster'});
    });
    d.rules.forEach(function (r) {
      if (r.text.toLowerCase().indexOf(q) >= 0 || ('rule ' + r.id) === q)
        hits.push({go: 'rule:' + r.id, text: r.text.split('\n')[0].slice(0, 70), kind: 'rule ' + r.id + ', ' + r.at});
    });
    hits.sort(function (a, b) { return (b.exact ? 1 : 0) - (a.exact ? 1 : 0); });
    hits.slice(0, 30).forEach(function (hit) {
      var b = document.createElement('button');
      b.type = 'button';
      b.setAttribute('data-go', hit.go);
      b.innerHTML = '<code>' + esc(hit.text) + '</code> <span class="why">' + esc(hit.kind) + '</span>';
      b.addEventListener('click', function () { self.go(hit.go); self.search.blur(); });
      self.results.appendChild(b);
    });
    if (!hits.length) this.results.innerHTML = '<span class="none">no collection or rule matches</span>';
    this.results.hidden = false;
    this.root.setAttribute('data-results', String(hits.length));
  };

  /// The element an item of the report (a point of order, a cause, a cluster) names in
  /// each view: data-target in the first view; the same id after each view's prefix,
  /// unless data-alt says otherwise ("2:edge-a-b 3:-").
  Viewer.prototype.targetsOf = function (item) {
    var views = this.data.views, t0 = item.getAttribute('data-target') || '';
    // The per-path table names elements of the first view only.
    if (item.closest('details.paths')) return [t0];
    var p0 = views[0].prefix, key = t0.indexOf(p0) === 0 ? t0.slice(p0.length) : null;
    var alt = {};
    (item.getAttribute('data-alt') || '').split(' ').forEach(function (a) {
      var at = a.indexOf(':');
      if (at > 0) alt[a.slice(0, at)] = a.slice(at + 1);
    });
    var self = this;
    return views.map(function (v, i) {
      if (i === 0) return t0;
      if (!self.available(i)) return '';
      if (alt[i] !== undefined) return alt[i] === '-' ? '' : v.prefix + alt[i];
      return key === null ? '' : v.prefix + key;
    });
  };

  // ----- unpacking: the views after the first come deflated and base64-encoded -----
  function unpack(el) {
    var bin = atob(el.getAttribute('data-packed')), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; ++i) bytes[i] = bin.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
    return new Response(stream).text().then(function (svg) {
      el.innerHTML = svg;
      el.removeAttribute('data-packed');
    }, function () {});
  }
  var packed = all(document, '.canvas > .view[data-packed]');
  var unpacking = typeof DecompressionStream === 'function' && packed.length
    ? Promise.all(packed.map(unpack)) : Promise.resolve();
  unpacking.then(start, start);

  function start() {
  // ----- the report's lists: points of order, causes, clusters -----
  var viewers = all(document, '.viewer').map(function (root) { return new Viewer(root); });
  function viewerOf(el) {
    var section = el.closest('section.program');
    for (var i = 0; i < viewers.length; ++i) if (section && section.contains(viewers[i].root)) return viewers[i];
    return null;
  }
  var selectedItems = [];
  function selectItem(item) {
    selectedItems.forEach(function (el) { el.classList.remove('selected'); });
    selectedItems = [item];
    item.classList.add('selected');
    var v = viewerOf(item);
    if (!v) return;
    v.showTarget(v.targetsOf(item));
    v.stage.scrollIntoView({block: 'nearest', inline: 'nearest'});
  }
  var items = all(document, '[data-target]');
  var missing = [];
  items.forEach(function (item) {
    var v = viewerOf(item);
    (v ? v.targetsOf(item) : [item.getAttribute('data-target')]).forEach(function (t) {
      if (t && !document.getElementById(t)) missing.push(t);
    });
    item.addEventListener('click', function (e) { e.preventDefault(); selectItem(item); });
    item.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); selectItem(item); }
    });
  });
  window.addEventListener('beforeprint', function () {
    all(document, 'details').forEach(function (d) { d.open = true; });
  });

  // ----- the URL hash -----
  function fromHash() {
    var h = location.hash.replace(/^#/, '');
    if (h.indexOf('=') < 0) return;
    var p = {};
    h.split('&').forEach(function (kv) {
      var at = kv.indexOf('=');
      if (at > 0) p[decodeURIComponent(kv.slice(0, at))] = decodeURIComponent(kv.slice(at + 1));
    });
    var v = viewers[0];
    viewers.forEach(function (x) { if (p.view && x.data.program === p.view) v = x; });
    if (!v) return;
    if (p.full === '1') v.root.classList.add('full');
    if (p.v) v.setView(Number(p.v), null);
    if (p.depth) v.depthSel.value = p.depth;
    if (p.focus) v.go('collection:' + p.focus);
    if (p.cluster) v.go('cluster:' + p.cluster);
    if (p.module) v.go('module:' + p.module);
    if (p.rule) v.go('rule:' + p.rule);
    if (p.expand) v.toggleCluster(p.expand);
    if (p.collapse) v.toggleModule(p.collapse);
    if (p.zoom) { var W = v.stage.clientWidth, H = v.stage.clientHeight; v.zoomAt(Number(p.zoom) / v.t.k, W / 2, H / 2); }
    if (p.search) { v.search.value = p.search; v.showResults(); }
    if (p.full === '1') {
      v.root.classList.add('full');
      window.scrollTo(0, 0);
      if (v.selection) v.refresh(true); else v.fit();
    } else {
      v.root.scrollIntoView({block: 'start'});
    }
  }
  window.addEventListener('hashchange', fromHash);
  fromHash();

  document.documentElement.setAttribute('data-calm-ready', missing.length ? 'missing:' + missing.join(',') : 'ok');
  document.dispatchEvent(new Event('calm-ready'));
  }
})();
