#include "frontend/bud/composer.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "base/limits.h"
#include "base/text.h"
#include "frontend/bud/reference_classifier.h"

namespace calm::bud {

namespace {

/// The last segment of "A::B::C".
std::string short_name(const std::string& n) {
  size_t p = n.rfind("::");
  return p == std::string::npos ? n : n.substr(p + 2);
}

Collection builtin(const std::string& name, CollectionKind kind, std::vector<std::string> keys,
                   std::vector<std::string> values) {
  Collection c;
  c.name = name;
  c.kind = kind;
  c.keys = std::move(keys);
  c.values = std::move(values);
  c.builtin = true;
  c.module = "Bud";
  return c;
}

/// Bud's built-in collections that programs may reference.
const std::vector<Collection>& builtins() {
  static const std::vector<Collection> b = {
      builtin("stdio", CollectionKind::Terminal, {"line"}, {}),
      builtin("halt", CollectionKind::Scratch, {"key"}, {}),
      builtin("localtick", CollectionKind::Scratch, {"col1"}, {}),
      builtin("periodics_tbl", CollectionKind::Table, {"pername"}, {"period"}),
      // Bud's meta-data about the program, which its own library modules (Validate,
      // GuardedAsync in bud/labeling) read.
      builtin("t_cycle", CollectionKind::Table, {"predicate", "via", "neg", "temporal"}, {}),
      builtin("t_depends", CollectionKind::Table, {"bud_obj", "rule_id", "lhs", "op", "body"},
              {"nm", "in_body"}),
      builtin("t_provides", CollectionKind::Table, {"interface"}, {"input"}),
      builtin("t_rule_stratum", CollectionKind::Table, {"bud_obj", "rule_id"}, {"stratum"}),
      builtin("t_rules", CollectionKind::Table, {"bud_obj", "rule_id"},
              {"lhs", "op", "src", "orig_src", "unsafe_funcs_called"}),
      builtin("t_stratum", CollectionKind::Table, {"predicate"}, {"stratum"}),
      builtin("t_table_info", CollectionKind::Table, {"tab_name", "tab_type"}, {}),
      builtin("t_table_schema", CollectionKind::Table, {"tab_name", "col_name", "ord", "loc"}, {}),
      builtin("t_underspecified", CollectionKind::Table, {"interface"}, {"input"}),
  };
  return b;
}

}  // namespace

// ---------------------------------------------------------------------------

struct Composer::Impl {
  /// Name resolution inside one instance (the program, or an imported copy).
  struct Scope {
    std::string prefix;                                     ///< "" or "kvs." ...
    std::map<std::string, std::string> names;               ///< local name -> program name
    std::map<std::string, std::unique_ptr<Scope>> imports;  ///< alias -> its scope
    std::map<std::string, std::string> import_module;       ///< alias -> module name
    /// Interface overriding: local name -> (overriding module, inner program name).
    struct Override {
      std::string overrider;
      std::string inner;
      std::set<std::string> below;  ///< modules the overrider includes (they see `inner`)
    };
    std::map<std::string, Override> overrides;
    std::set<std::string> methods;  ///< helper `def`s: not collections
  };

  Impl(Composer& c) : self(c) {}

  Composer& self;
  std::vector<Collection> collections;
  std::map<std::string, size_t> index;  ///< program name -> position in collections
  std::vector<Rule> rules;
  bool complete_program = false;  ///< rooted at a class that includes Bud
  bool in_bootstrap = false;      ///< Bud does not compile bootstrap blocks ahead of time
  std::map<const ModuleDef*, std::vector<const ModuleDef*>> ancestors_memo;
  std::set<const ModuleDef*> reported_cycles;
  bool reported_deep_include = false;
  size_t cuts = 0;  ///< chains cut short by a cycle or the depth limit (not memoised)
  /// Collections, rules and module instances made by imports so far: each `import`
  /// copies a module, so imports of imports multiply (a diamond of n levels makes 2^n
  /// copies, as in Bud). Bounded by kMaxImportedElements.
  size_t imported_elements = 0;
  bool import_budget_spent = false;

  const ModuleDef* find_module(const std::string& name, const SourceLocation& at, bool report) {
    // Indexed (by full name, then the first module with the same short name): a linear
    // scan per include made composing n modules O(n^2).
    if (auto it = self.by_name_.find(name); it != self.by_name_.end())
      return &self.merged_[it->second];
    const ModuleDef* found = nullptr;
    if (auto it = self.by_short_name_.find(short_name(name)); it != self.by_short_name_.end())
      found = &self.merged_[it->second];
    if (!found && report) {
      std::string msg =
          "unknown module or class '" + name + "'" + did_you_mean(name, self.module_names());
      self.diags_.error("calm-unknown-module", msg, at);
    }
    return found;
  }

  /// `include X` of a module no file read defines: its collections and rules are missing
  /// from the program. Ruby's and common gems' mixins (Enumerable, Anise, ...) are not
  /// Bloom modules and stay quiet.
  void report_unknown_include(const ModuleRef& inc) {
    static const std::set<std::string> ruby_modules = {"Enumerable",
                                                       "Comparable",
                                                       "Kernel",
                                                       "Singleton",
                                                       "Observable",
                                                       "MonitorMixin",
                                                       "Math",
                                                       "FileUtils",
                                                       "Timeout",
                                                       "Anise",
                                                       "Test::Unit::Assertions",
                                                       "MiniTest::Assertions",
                                                       "Minitest::Assertions",
                                                       "DRb::DRbUndumped",
                                                       "ObjectSpace"};
    if (ruby_modules.count(inc.name) || find_module(inc.name, inc.location, false)) return;
    std::string msg = "included module '" + inc.name +
                      "' is not defined in the files calm read (require it, or give its "
                      "directory with -I); its collections and rules are missing";
    std::string s = closest_name(inc.name, self.module_names());
    if (!s.empty())
      msg = "included module '" + inc.name + "' is unknown; did you mean '" + s +
            "'? Its collections and rules are missing";
    self.diags_.warning("calm-unknown-module", msg, inc.location);
  }

  /// Ruby's ancestor chain (most specific first) of one module or class. Memoised per
  /// module (a module included by many is linearised once), and bounded: an include or
  /// superclass chain deeper than kMaxNestingDepth is refused (model/limits.h).
  std::vector<const ModuleDef*> ancestors(const ModuleDef* m, std::vector<std::string>& stack) {
    if (auto it = ancestors_memo.find(m); it != ancestors_memo.end()) return it->second;
    std::vector<const ModuleDef*> chain{m};
    const size_t cuts_before = cuts;
    if (std::find(stack.begin(), stack.end(), m->name) != stack.end()) {
      ++cuts;
      if (reported_cycles.insert(m).second)
        self.diags_.error("calm-cyclic-include", "module '" + m->name + "' includes itself",
                          m->location);
      return chain;
    }
    if (stack.size() >= size_t(kMaxNestingDepth)) {
      ++cuts;
      if (!reported_deep_include) {
        reported_deep_include = true;
        self.diags_.error("calm-cyclic-include",
                          "modules include each other too deeply (a chain of more than " +
                              std::to_string(kMaxNestingDepth) + " modules, through '" + m->name +
                              "')",
                          m->location);
      }
      return chain;
    }
    stack.push_back(m->name);
    for (const auto& inc : m->includes) {
      const ModuleDef* im = find_module(inc.name, inc.location, false);
      if (!im) continue;  // a Ruby module outside the given files (e.g. Enumerable)
      std::vector<const ModuleDef*> ins;
      std::set<const ModuleDef*> have(chain.begin(), chain.end());
      for (const ModuleDef* a : ancestors(im, stack))
        if (!have.count(a)) ins.push_back(a);
      chain.insert(chain.begin() + 1, ins.begin(), ins.end());
    }
    if (m->is_class && !m->superclass.empty() && m->superclass != "Bud") {
      if (const ModuleDef* sup = find_module(m->superclass, m->location, false)) {
        std::set<const ModuleDef*> have(chain.begin(), chain.end());
        for (const ModuleDef* a : ancestors(sup, stack))
          if (!have.count(a)) chain.push_back(a);
      }
    }
    stack.pop_back();
    // Only a chain computed without meeting a cycle or the depth limit is final.
    if (cuts == cuts_before) ancestors_memo.emplace(m, chain);
    return chain;
  }

  std::vector<const ModuleDef*> linearize(const std::vector<const ModuleDef*>& roots) {
    // A synthetic class that includes each root in turn (later includes come first).
    std::vector<const ModuleDef*> chain;
    for (const ModuleDef* r : roots) {
      std::vector<std::string> stack;
      std::vector<const ModuleDef*> ins;
      for (const ModuleDef* a : ancestors(r, stack))
        if (std::find(chain.begin(), chain.end(), a) == chain.end()) ins.push_back(a);
      chain.insert(chain.begin(), ins.begin(), ins.end());
    }
    return chain;
  }

  void add_collection(Collection c) {
    if (!c.name.empty() && c.name.find('.') != std::string::npos) ++imported_elements;
    index[c.name] = collections.size();
    collections.push_back(std::move(c));
  }

  /// Builds one instance (the program or an imported copy) and returns its scope.
  std::unique_ptr<Scope> build(const std::vector<const ModuleDef*>& roots,
                               const std::string& prefix, std::vector<std::string>& import_stack) {
    auto scope = std::make_unique<Scope>();
    scope->prefix = prefix;
    std::vector<const ModuleDef*> chain = linearize(roots);
    for (const ModuleDef* m : chain) {
      scope->methods.insert(m->methods.begin(), m->methods.end());
      for (const Diagnostic& d : m->diagnostics) self.diags_.add(d);
      for (const ModuleRef& inc : m->includes) report_unknown_include(inc);
    }

    // State, base modules first.
    std::map<std::string, const ModuleDef*> declared_by;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      const ModuleDef* m = *it;
      for (const Collection& decl : m->state) declare(*scope, decl, m, declared_by);
    }

    // Effective rule blocks: named blocks are methods, overridden by name.
    // A plain `def` (its name is also among the module's methods) overrides a
    // `declare`d block of the same name further down the chain (2011 dialect: Ruby runs
    // the override); where nothing it includes declares the block, it is only a helper.
    auto undeclared = [](const ModuleDef* m, const RawBlock& b) {
      return !b.bootstrap && !b.name.empty() &&
             std::find(m->methods.begin(), m->methods.end(), b.name) != m->methods.end();
    };
    std::set<std::string> declared_names;
    for (const ModuleDef* m : chain)
      for (const RawBlock& b : m->blocks)
        if (!b.name.empty() && !b.bootstrap && !undeclared(m, b)) declared_names.insert(b.name);
    std::vector<std::pair<const ModuleDef*, const RawBlock*>> blocks;
    std::set<std::string> seen_named;
    for (const ModuleDef* m : chain)
      for (const RawBlock& b : m->blocks) {
        if (undeclared(m, b) && !declared_names.count(b.name)) continue;
        if (!b.name.empty() && !b.bootstrap) {
          if (seen_named.count(b.name)) continue;
          seen_named.insert(b.name);
        }
        blocks.push_back({m, &b});
      }
    // temps and views are program-wide scratches.
    for (auto& [m, b] : blocks)
      for (const Collection& t : b->temps) {
        if (scope->names.count(t.name)) continue;
        Collection c = t;
        c.name = prefix + t.name;
        scope->names[t.name] = c.name;
        add_collection(std::move(c));
      }

    // Imports: qualified copies.
    for (const ModuleDef* m : chain)
      for (const Import& imp : m->imports) {
        auto prev = scope->import_module.find(imp.alias);
        if (prev != scope->import_module.end()) {
          if (short_name(prev->second) != short_name(imp.module))
            self.diags_.error("calm-bad-import",
                              "conflicting imports: modules " + prev->second + " and " +
                                  imp.module + " both are imported as '" + imp.alias + "'",
                              imp.location);
          continue;
        }
        const ModuleDef* im = find_module(imp.module, imp.location, true);
        if (!im) continue;
        if (std::find(import_stack.begin(), import_stack.end(), im->name) != import_stack.end()) {
          self.diags_.error(
              "calm-cyclic-include",
              "module '" + im->name + "' imports itself (through '" + imp.alias + "')",
              imp.location);
          continue;
        }
        if (import_stack.size() > size_t(kMaxNestingDepth)) {
          self.diags_.error("calm-bad-import",
                            "imports nested too deeply (more than " +
                                std::to_string(kMaxNestingDepth) + " levels)",
                            imp.location);
          continue;
        }
        if (import_budget_spent) continue;
        if (++imported_elements > kMaxImportedElements) {
          import_budget_spent = true;
          self.diags_.error(
              "calm-bad-import",
              "importing '" + imp.module + "' as '" + imp.alias +
                  "' makes the program too large: its imports copy more than " +
                  std::to_string(kMaxImportedElements) +
                  " modules, collections and rules (each import is a separate copy, and "
                  "imports of imports multiply)",
              imp.location);
          continue;
        }
        scope->import_module[imp.alias] = imp.module;
        import_stack.push_back(im->name);
        scope->imports[imp.alias] = build({im}, prefix + imp.alias + ".", import_stack);
        import_stack.pop_back();
      }

    resolve_schemas(*scope);

    for (auto& [m, b] : blocks)
      for (const RawRule& rr : b->rules) add_rule(*scope, *m, rr);
    return scope;
  }

  void declare(Scope& scope, const Collection& decl, const ModuleDef* m,
               std::map<std::string, const ModuleDef*>& declared_by) {
    auto prev = scope.names.find(decl.name);
    if (prev == scope.names.end()) {
      Collection c = decl;
      c.name = scope.prefix + decl.name;
      scope.names[decl.name] = c.name;
      declared_by[decl.name] = m;
      add_collection(std::move(c));
      return;
    }
    Collection& old = collections[index[prev->second]];
    bool interfaces = (old.kind == CollectionKind::Input || old.kind == CollectionKind::Output) &&
                      old.kind == decl.kind;
    const ModuleDef* old_mod = declared_by[decl.name];
    std::vector<std::string> stack;
    std::set<std::string> below;
    for (const ModuleDef* a : ancestors(m, stack))
      if (a != m) below.insert(a->name);
    if (interfaces && old_mod != m && below.count(old_mod->name) &&
        !scope.overrides.count(decl.name)) {
      // Paper §3.4: the including module's declaration overrides the mixed-in
      // interface. The mixed-in copy becomes "Module::name".
      std::string inner = scope.prefix + old_mod->name + "::" + decl.name;
      size_t pos = index[prev->second];
      index.erase(prev->second);
      collections[pos].name = inner;
      index[inner] = pos;
      Collection outer = decl;
      outer.name = scope.prefix + decl.name;
      add_collection(std::move(outer));
      scope.overrides[decl.name] = {m->name, inner, below};
      declared_by[decl.name] = m;
      return;
    }
    if (old_mod == m && old.kind == decl.kind && old.keys == decl.keys &&
        old.values == decl.values && old.location == decl.location)
      return;  // the same declaration seen twice (module reopened)
    Diagnostic d{Severity::Error,
                 "calm-duplicate-collection",
                 "collection already exists: " + decl.name,
                 decl.location,
                 {}};
    d.notes.push_back({"first declared here", old.location});
    self.diags_.add(std::move(d));
  }

  /// Copies `x.schema` and expands "cols(x)" / "key_cols(x)[1..-1]" placeholders, in
  /// passes (schemas may chain: `b, a.schema` then `c, b.key_cols + [:z]`).
  void resolve_schemas(Scope& scope) {
    auto lookup = [&](const std::string& name) -> Collection* {
      auto pname = resolve(scope, name, "", false);
      if (!pname || !index.count(*pname)) return nullptr;
      return &collections[index[*pname]];
    };
    auto pending = [](const Collection& c) {
      if (!c.schema_from.empty()) return true;
      for (const auto* cols : {&c.keys, &c.values})
        for (const auto& col : *cols)
          if (placeholder(col)) return true;
      return false;
    };
    // Every source a collection's schema needs, or "" when all are ready.
    auto blocked_on = [&](const Collection& c) -> std::optional<std::string> {
      std::vector<std::string> sources;
      if (!c.schema_from.empty()) sources.push_back(c.schema_from);
      for (const auto* cols : {&c.keys, &c.values})
        for (const auto& col : *cols)
          if (auto p = placeholder(col)) sources.push_back(p->from);
      for (const auto& from : sources) {
        const Collection* src = lookup(from);
        if (!src) return from;                    // unknown: reported below
        if (pending(*src)) return std::string();  // not ready yet (or itself)
      }
      return std::nullopt;
    };
    bool progress = true;
    while (progress) {
      progress = false;
      for (auto& [local, pname] : scope.names) {
        Collection& c = collections[index[pname]];
        if (!pending(c) || blocked_on(c)) continue;
        expand(c, lookup);
        progress = true;
      }
    }
    for (auto& [local, pname] : scope.names) {
      Collection& c = collections[index[pname]];
      if (!pending(c)) continue;
      auto from = blocked_on(c);
      std::string what = from && !from->empty() ? "unknown collection '" + *from + "'"
                                                : "a schema that refers back to itself";
      self.diags_.error(
          "calm-unknown-collection",
          "schema of '" + c.name + "' copied from " + what + "; its columns are unknown",
          c.location);
      c.schema_from.clear();
      c.keys.clear();
      c.values.clear();
      c.schema_inferred = true;
    }
  }

  struct Placeholder {
    std::string what;   ///< cols, key_cols, val_cols
    std::string from;   ///< the collection as written
    std::string slice;  ///< "" or "1..-1", "0", ...
  };

  static std::optional<Placeholder> placeholder(const std::string& col) {
    size_t open = col.find('(');
    size_t close = col.find(')');
    if (open == std::string::npos || close == std::string::npos || close < open) return {};
    Placeholder p{col.substr(0, open), col.substr(open + 1, close - open - 1), ""};
    if (p.what != "cols" && p.what != "key_cols" && p.what != "val_cols") return {};
    if (close + 1 < col.size()) {
      if (col[close + 1] != '[' || col.back() != ']') return {};
      p.slice = col.substr(close + 2, col.size() - close - 3);
    }
    return p;
  }

  /// Ruby's Array#[] with a constant index or inclusive range ([] when out of range).
  static std::vector<std::string> slice(const std::vector<std::string>& cols,
                                        const std::string& spec) {
    long n = long(cols.size());
    size_t dots = spec.find("..");
    auto num = [](const std::string& t) { return std::stol(t); };
    long a = num(spec.substr(0, dots));
    if (a < 0) a += n;
    if (dots == std::string::npos) {
      if (a < 0 || a >= n) return {};
      return {cols[size_t(a)]};
    }
    bool exclusive = spec.compare(dots, 3, "...") == 0;
    long b = num(spec.substr(dots + (exclusive ? 3 : 2)));
    if (b < 0) b += n;
    if (exclusive) b -= 1;
    if (a < 0 || a > n) return {};
    std::vector<std::string> out;
    for (long i = a; i <= b && i < n; ++i) out.push_back(cols[size_t(i)]);
    return out;
  }

  template <class Lookup>
  void expand(Collection& c, Lookup& lookup) {
    if (!c.schema_from.empty()) {
      const Collection* src = lookup(c.schema_from);
      c.keys = src->keys;
      c.values = src->values;
      c.schema_inferred = src->schema_inferred;
      if (c.kind == CollectionKind::Channel && !src->location_column.empty())
        c.location_column = src->location_column;
      c.schema_from.clear();
    }
    for (auto* cols : {&c.keys, &c.values}) {
      std::vector<std::string> out;
      for (const auto& col : *cols) {
        auto p = placeholder(col);
        if (!p) {
          out.push_back(col);
          continue;
        }
        const Collection* src = lookup(p->from);
        std::vector<std::string> got;
        if (p->what != "val_cols") got.insert(got.end(), src->keys.begin(), src->keys.end());
        if (p->what != "key_cols") got.insert(got.end(), src->values.begin(), src->values.end());
        if (!p->slice.empty()) got = slice(got, p->slice);
        if (src->schema_inferred) c.schema_inferred = true;  // unknown columns stay unknown
        out.insert(out.end(), got.begin(), got.end());
      }
      *cols = std::move(out);
    }
  }

  /// Resolves a name as written in module `m` (lhs or rhs) to a program name.
  std::optional<std::string> resolve(const Scope& scope, const std::string& name,
                                     const std::string& m, bool lhs) {
    size_t dot = name.find('.');
    if (dot != std::string::npos) {
      auto it = scope.imports.find(name.substr(0, dot));
      if (it == scope.imports.end()) return std::nullopt;
      return resolve(*it->second, name.substr(dot + 1), "", lhs);
    }
    auto ov = scope.overrides.find(name);
    if (ov != scope.overrides.end()) {
      const auto& o = ov->second;
      if ((m == o.overrider && lhs) || o.below.count(m)) return o.inner;
      return scope.prefix + name;
    }
    auto it = scope.names.find(name);
    if (it != scope.names.end()) return it->second;
    for (const Collection& b : builtins())
      if (b.name == name) return name;  // added by compose(), global (never qualified)
    return std::nullopt;
  }

  std::vector<std::string> visible_names(const Scope& scope) {
    std::vector<std::string> out;
    for (auto& [n, _] : scope.names) out.push_back(n);
    for (auto& [a, s] : scope.imports)
      for (auto& [n, _] : s->names) out.push_back(a + "." + n);
    return out;
  }

  /// A rule names a collection the program does not declare. On a left-hand side,
  /// or in a complete program (a class), that is an error, as in Bud. A module may
  /// read collections that another module will provide once mixed in, so there it
  /// is a warning.
  void unknown(const Scope& scope, const std::string& name, const SourceLocation& at, bool lhs) {
    std::string msg =
        "unknown collection '" + name + "'" + did_you_mean(name, visible_names(scope));
    if ((lhs || complete_program) && !in_bootstrap)
      self.diags_.error("calm-unknown-collection", msg, at);
    else
      self.diags_.warning("calm-unknown-collection",
                          msg + " (no module of this program declares it)", at);
  }

  void add_rule(const Scope& scope, const ModuleDef& m, const RawRule& rr) {
    Rule r = rr.rule;
    in_bootstrap = rr.rule.bootstrap;
    auto lhs = resolve(scope, rr.rule.lhs, m.name, true);
    if (!lhs) {
      unknown(scope, rr.rule.lhs, rr.lhs_location, true);
      return;
    }
    r.lhs = *lhs;
    std::set<Reference> refs;
    std::vector<Reference> column_refs;  // kept only for collections not otherwise used
    for (const RawReference& raw : rr.refs) {
      auto name = resolve(scope, raw.name, m.name, false);
      if (!name) {
        if (raw.certain && !scope.methods.count(raw.name) && raw.name != "budtime" &&
            raw.name != "bud_clock" && raw.name.find('.') == std::string::npos)
          unknown(scope, raw.name, raw.location, false);
        continue;
      }
      const Collection& coll = collections[index[*name]];
      Classification cl = classify_reference(raw.chain, coll);
      Reference ref;
      ref.collection = *name;
      ref.context = cl.context;
      ref.method = cl.method;
      ref.negated = raw.negated;
      ref.in_block = raw.in_block;
      ref.location = raw.location;
      if (cl.column)
        column_refs.push_back(ref);
      else
        refs.insert(ref);
    }
    for (const Reference& ref : column_refs)
      if (std::none_of(refs.begin(), refs.end(),
                       [&](const Reference& x) { return x.collection == ref.collection; }))
        refs.insert(ref);
    r.refs.assign(refs.begin(), refs.end());
    rules.push_back(std::move(r));
    if (!scope.prefix.empty()) ++imported_elements;
  }
};

// ---------------------------------------------------------------------------

Composer::Composer(const std::vector<SourceFile>& files, Diagnostics& diags)
    : files_(files), diags_(diags) {
  std::map<std::string, size_t> pos;
  for (const SourceFile& f : files_)
    for (const ModuleDef& m : f.modules) {
      auto it = pos.find(m.name);
      if (it == pos.end()) {
        pos[m.name] = merged_.size();
        merged_.push_back(m);
        continue;
      }
      // A reopened module or class: Ruby merges the definitions.
      ModuleDef& into = merged_[it->second];
      into.includes_bud = into.includes_bud || m.includes_bud;
      if (into.superclass.empty()) into.superclass = m.superclass;
      into.includes.insert(into.includes.end(), m.includes.begin(), m.includes.end());
      into.imports.insert(into.imports.end(), m.imports.begin(), m.imports.end());
      into.state.insert(into.state.end(), m.state.begin(), m.state.end());
      into.methods.insert(into.methods.end(), m.methods.begin(), m.methods.end());
      for (const HelperMethod& h : m.helpers) {  // a later def replaces an earlier one
        std::erase_if(into.helpers, [&](const HelperMethod& x) { return x.name == h.name; });
        into.helpers.push_back(h);
      }
      into.constants.insert(into.constants.end(), m.constants.begin(), m.constants.end());
      // A later definition of a block with the same name replaces the earlier one.
      for (const RawBlock& b : m.blocks) {
        auto same = std::find_if(into.blocks.begin(), into.blocks.end(), [&](const RawBlock& x) {
          return !b.name.empty() && !b.bootstrap && x.name == b.name && !x.bootstrap;
        });
        if (same != into.blocks.end())
          *same = b;
        else
          into.blocks.push_back(b);
      }
    }
  // A module included twice counts once.
  for (ModuleDef& m : merged_) {
    std::vector<ModuleRef> uniq;
    std::set<std::string> names;
    for (const ModuleRef& r : m.includes)
      if (names.insert(r.name).second) uniq.push_back(r);
    m.includes = std::move(uniq);
  }
  for (size_t i = 0; i < merged_.size(); ++i) {
    by_name_.emplace(merged_[i].name, i);
    by_short_name_.emplace(short_name(merged_[i].name), i);  // keeps the first
  }
}

void Composer::report_unknown_root(const std::string& name) {
  std::vector<std::string> names = module_names();
  std::string msg = "unknown module or class '" + name + "'" + did_you_mean(name, names);
  if (names.empty()) {
    msg += " (the files given define no module or class)";
  } else {
    msg += " (the files given define: ";
    constexpr size_t kShown = 30;
    for (size_t i = 0; i < names.size() && i < kShown; ++i) msg += (i ? ", " : "") + names[i];
    if (names.size() > kShown) msg += ", and " + std::to_string(names.size() - kShown) + " more";
    msg += ")";
  }
  diags_.error("calm-unknown-module", msg, SourceLocation{"<command line>", 0, 0});
}

std::vector<std::string> Composer::module_names() const {
  std::vector<std::string> out;
  for (const auto& m : merged_) out.push_back(m.name);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> Composer::default_roots(const std::set<std::string>& candidates) const {
  Impl impl(const_cast<Composer&>(*this));
  std::vector<std::string> classes;
  for (const auto& m : merged_) {
    if (!m.is_class || !candidates.count(m.name)) continue;
    std::vector<std::string> stack;
    for (const ModuleDef* a : impl.ancestors(&m, stack))
      if (a->includes_bud) {
        classes.push_back(m.name);
        break;
      }
  }
  if (!classes.empty()) return classes;
  std::set<std::string> used;
  for (const auto& m : merged_) {
    for (const auto& i : m.includes) used.insert(short_name(i.name));
    for (const auto& i : m.imports) used.insert(short_name(i.module));
  }
  std::vector<std::string> roots;
  for (const auto& m : merged_)
    if (!used.count(short_name(m.name)) && !m.is_class && candidates.count(m.name))
      roots.push_back(m.name);
  return roots;
}

std::optional<Program> Composer::compose(const std::vector<std::string>& module_names) {
  Impl impl(*this);
  std::vector<const ModuleDef*> roots;
  for (const auto& n : module_names) {
    const ModuleDef* m = impl.find_module(n, SourceLocation{"<command line>", 0, 0}, false);
    if (!m) {
      report_unknown_root(n);
      return std::nullopt;
    }
    roots.push_back(m);
  }
  if (roots.empty()) return std::nullopt;
  std::vector<std::string> import_stack;
  for (const ModuleDef* r : roots) import_stack.push_back(r->name);
  for (const ModuleDef* m : impl.linearize(roots)) impl.complete_program |= m->includes_bud;
  for (const Collection& b : builtins()) impl.add_collection(b);
  impl.build(roots, "", import_stack);
  // Keep only the built-ins the program uses.
  std::set<std::string> used;
  for (const Rule& r : impl.rules) {
    used.insert(r.lhs);
    for (const Reference& ref : r.refs) used.insert(ref.collection);
  }
  std::set<std::string> declared;
  for (const Collection& c : impl.collections)
    if (!c.builtin) declared.insert(c.name);
  std::erase_if(impl.collections, [&](const Collection& c) {
    return c.builtin && (!used.count(c.name) || declared.count(c.name));
  });

  Program p;
  for (size_t i = 0; i < module_names.size(); ++i)
    p.name += (i ? "+" : "") + short_name(roots[i]->name);
  p.location = roots.front()->location;
  // The program's modules, then those its imports bring (transitively): a rule copied from
  // an imported module calls that module's helpers and reads its constants. A name the
  // program's own modules define wins.
  std::vector<const ModuleDef*> with_imports = impl.linearize(roots);
  size_t own = with_imports.size();
  for (size_t i = 0; i < with_imports.size() && with_imports.size() < 10'000; ++i)
    for (const Import& imp : with_imports[i]->imports)
      if (const ModuleDef* im = impl.find_module(imp.module, imp.location, false))
        for (const ModuleDef* a : impl.linearize({im}))
          if (std::find(with_imports.begin(), with_imports.end(), a) == with_imports.end())
            with_imports.push_back(a);
  for (size_t i = 0; i < with_imports.size(); ++i) {
    const ModuleDef* m = with_imports[i];
    if (i < own) p.modules.push_back(m->name);
    for (const HelperMethod& h : m->helpers)
      if (std::none_of(p.helpers.begin(), p.helpers.end(),
                       [&](const HelperMethod& x) { return x.name == h.name; }))
        p.helpers.push_back(h);
    for (const ModuleConstant& c : m->constants)
      if (std::none_of(p.constants.begin(), p.constants.end(),
                       [&](const ModuleConstant& x) { return x.name == c.name; }))
        p.constants.push_back(c);
  }
  // Then the top-level constants of the files read (Object's, found last by Ruby).
  for (const SourceFile& f : files_)
    for (const ModuleConstant& c : f.constants)
      if (std::none_of(p.constants.begin(), p.constants.end(),
                       [&](const ModuleConstant& x) { return x.name == c.name; }))
        p.constants.push_back(c);
  p.collections = std::move(impl.collections);
  std::sort(p.collections.begin(), p.collections.end(),
            [](const Collection& a, const Collection& b) { return a.name < b.name; });
  p.rules = std::move(impl.rules);
  std::stable_sort(p.rules.begin(), p.rules.end(), [](const Rule& a, const Rule& b) {
    return std::tie(a.location.file, a.location.line, a.location.column, a.lhs) <
           std::tie(b.location.file, b.location.line, b.location.column, b.lhs);
  });
  for (size_t i = 0; i < p.rules.size(); ++i) p.rules[i].id = int(i);
  return p;
}

}  // namespace calm::bud
